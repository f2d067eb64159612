"""TRE008: a tool runs a command given as a list with `shell=True`, so only the first item runs."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.structure import FunctionInfo
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.query.processes import process_calls
from agentable.query.tool_results import tool_bodies
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ShellTrueWithArgvList(Rule):
    meta = RuleMeta(
        id="TRE008",
        name="tool-shell-true-with-argv-list",
        category="TRE",
        severity=Severity.WARNING,
        short=("A tool runs a command written as a list (`[program, arg, ...]`) with `shell=True`: on POSIX only "
               "the first item runs, so the tool's output is not what the command would print."),
        full=("`subprocess.run`, `Popen`, `call`, `check_call` and `check_output` take the command either as a "
              "list of program and arguments (run directly) or, with `shell=True`, as one string for the shell. "
              "Given a list and `shell=True`, POSIX runs `/bin/sh -c LIST[0] LIST[1] ...`: the first item alone is "
              "the command and the other items become the shell's `$0`, `$1`... and are dropped. A tool that runs "
              "`['python', '-c', code]` this way starts a bare interpreter that reads stdin instead of running the "
              "model's code, and `['grep', pattern, path]` runs `grep` with no arguments: the tool hands the model "
              "an empty output, a usage message or a timeout, and the model concludes the code or the search "
              "produced that. (On Windows the list is joined into one string, so the bug does not show there.) "
              "Judged in the tool's body and in the project functions it calls (two levels); catalog tools.toml "
              "[process_output] argv_calls."),
        bad_example=('@tool\ndef run_python(code: str) -> str:\n    """Run Python code."""\n'
                     '    r = subprocess.run(["python", "-c", code], shell=True, capture_output=True, text=True, timeout=30)\n'
                     '    return r.stdout + r.stderr'),
        good_example=('    r = subprocess.run(["python", "-c", code], capture_output=True, text=True, timeout=30)'),
        fix="Drop `shell=True` and pass the list, or pass one string (quoted with `shlex.join`) when a shell is needed.",
        tags=("tools", "subprocess"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        calls = frozenset(graph.catalog.process_output.get("argv_calls", ()))
        keyword = graph.catalog.process_shell_keyword
        reported: set[int] = set()
        for func, _tool, label in tool_bodies(graph):
            for pc in process_calls(graph, func, calls):
                call = pc.site.call
                shell = call.kwarg(keyword) if keyword else None
                if id(call) in reported or not (isinstance(shell, ir.Constant) and shell.value is True):
                    continue
                argv = _argv_list(pc.func, pc.site.stmt, call.argument("args", 0))
                if argv is None:
                    continue
                reported.add(id(call))
                first = source_text(graph, pc.func.path, argv.elts[0], 30)
                flow = tuple(FlowStep(graph.span(s.func.path, s.call.pos), "the tool calls this") for s in pc.via)
                # at the list when it is written in the call (what to change), else at the call
                at = argv.pos if any(a is argv for a in (*call.args, *(k.value for k in call.keywords))) else call.pos
                yield self.finding(
                    ctx, pc.func.path, at,
                    f"Tool `{label}` runs a command given as a list of {len(argv.elts)} items with `shell=True`: on "
                    f"POSIX the shell runs only the first item (`{first}`) and drops the rest, so the tool returns "
                    f"what that alone prints (or waits on stdin) instead of the command's output. Drop "
                    f"`shell=True` and pass the list, or pass one string (`shlex.join(...)`).",
                    flow=flow)


def _argv_list(func: FunctionInfo, stmt: ir.Stmt, arg: Optional[ir.Expr]) -> Optional[ir.Seq]:
    """The list or tuple literal of two or more items the call is given: written in the call, or the
    only value a local name is bound to in the function."""
    if isinstance(arg, ir.Name):
        sites = func.defs.get(arg.id, [])
        arg = sites[0].value if len(sites) == 1 and sites[0].how == "assign" else None
    if isinstance(arg, ir.Seq) and arg.kind in ("list", "tuple") and len(arg.elts) >= 2 \
            and not any(isinstance(e, ir.Starred) for e in arg.elts):
        return arg
    return None
