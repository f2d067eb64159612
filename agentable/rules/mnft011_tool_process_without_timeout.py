"""MNFT011: a tool waits for a child process with no timeout."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.query.processes import unbounded_process_waits
from agentable.query.tool_results import tool_bodies
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.process_commands import model_written_command


class ToolProcessWithoutTimeout(Rule):
    meta = RuleMeta(
        id="MNFT011",
        name="tool-process-without-timeout",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A tool runs a command the model wrote and waits for it with no timeout, so a command that never ends "
               "hangs the agent."),
        full=("A tool that runs a shell command, a script or a program and waits for it to end "
              "(`subprocess.run`, `check_output`, `Popen.communicate()`/`wait()`, `os.system`, asyncio's "
              "`create_subprocess_*` with `communicate()`/`wait()`) blocks until the process exits. A command "
              "the model wrote, or a program run on the model's input, easily never does: an interactive prompt "
              "waiting on stdin, a pager, a server, `tail -f`, a network stall. With no `timeout=` (or, for "
              "asyncio, no `asyncio.wait_for`/`asyncio.timeout` around the wait) the tool never returns, the "
              "agent's step never ends and the run hangs with no error the model or the user could act on. "
              "Reported when the command is the model's: a shell command made of a tool argument, or an "
              "interpreter (python, bash, node, osascript...) run on the model's code, script or file; a fixed "
              "program given a model-chosen argument (`git diff <ref>`) is left alone. Judged in the tool's body "
              "and in the project functions it calls (two levels); catalog tools.toml "
              "[process_waits] (the interpreters and shell calls too)."),
        bad_example=('@tool\ndef shell(command: str) -> str:\n    """Run a shell command."""\n'
                     '    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout'),
        good_example=('@tool\ndef shell(command: str) -> str:\n    """Run a shell command."""\n    try:\n'
                      '        r = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)\n'
                      '    except subprocess.TimeoutExpired:\n        return "The command did not finish in 60 s."\n'
                      '    return f"exit {r.returncode}\\n{r.stdout}{r.stderr}"'),
        fix=("Pass `timeout=` to the wait (or wrap an asyncio wait in `asyncio.wait_for(..., timeout)`), kill the "
             "process when it expires and return a message saying the command timed out."),
        tags=("tools", "robustness", "subprocess"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        reported: set[int] = set()
        for func, tool, label in tool_bodies(graph):
            for pc in unbounded_process_waits(graph, func):
                if id(pc.site.call) in reported:
                    continue
                param = model_written_command(graph, func, tool, pc)
                if param is None:
                    continue  # a fixed program: it may well end
                reported.add(id(pc.site.call))
                text = _call_text(graph, pc.func.path, pc.site.call)
                bound = graph.catalog.process_waits[pc.path].partition(":")[0]
                how = (f"pass `{bound}=` and return a message when it expires" if bound else
                       "bound it (`asyncio.wait_for(..., timeout)` for an asyncio wait, or `subprocess.run(..., "
                       "timeout=)` instead of a call that takes none) and return a message when it expires")
                first = pc.via[0] if pc.via else None
                where = "" if first is None else f" (reached from the tool through line {first.call.pos[0]})"
                flow = tuple(FlowStep(graph.span(s.func.path, s.call.pos), "the tool calls this") for s in pc.via)
                yield self.finding(
                    ctx, pc.func.path, pc.site.call.pos,
                    f"Tool `{label}` runs a command the model wrote (from `{param}`) and waits for it with no "
                    f"timeout: `{text}`{where} blocks until the command ends, so a command that never does (an "
                    f"interactive prompt, a server, a pager) hangs the agent; {how}.",
                    flow=flow)


def _call_text(graph, path: str, call: ir.Call) -> str:
    """The call as written, or `callee(...)` when it spans several lines."""
    text = source_text(graph, path, call, 50)
    return text if text != "the value" else f"{ir.dotted(call.func) or 'the call'}(...)"
