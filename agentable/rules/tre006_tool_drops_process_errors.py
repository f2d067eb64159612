"""TRE006: a tool captures a process's error stream, or runs code through a library whose result
keeps the failure in a field of its own, and returns only the output; or it reads only the data
keys of a project helper's dict that carries the helper's failure under an error key."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.query.literals import source_text
from agentable.query.processes import dropped_error_streams, dropped_result_errors
from agentable.query.tool_results import tool_bodies
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.tre.helper_errors import dropped_helper_errors


class ToolDropsProcessErrors(Rule):
    meta = RuleMeta(
        id="TRE006",
        name="tool-drops-process-errors",
        category="TRE",
        severity=Severity.WARNING,
        short=("A tool captures a command's stderr and returns only its stdout, never reading the exit code (or "
               "reads only the output of a code run, or the data keys of a helper's result, whose error is kept "
               "apart), so a failed run reads as an empty or successful result."),
        full=("A tool that runs a command with `stderr=PIPE` or `capture_output=True` takes the command's error "
              "messages away from the console; when it then returns only `stdout` (`out, _ = proc.communicate()`, "
              "`result.stdout`) and never looks at the exit status (`returncode`, `wait()`, `check=True`), a "
              "command that fails (a syntax error, a missing file, a permission error) gives the model an empty "
              "or partial output that reads as success. The model cannot tell what went wrong, and retries the "
              "same command or reports a result that does not exist. The same holds for a library that runs code "
              "and returns a result object with the failure in a field of its own (e2b `run_code` puts the "
              "exception raised by the code in `Execution.error`, not in `.logs` or `.results`) when the tool reads "
              "only the output fields, and for a project helper that returns its failure inside the dict it "
              "returns (`return {\"error\": ...}` beside `return {\"id\": ..., \"url\": ...}`) when the tool reads "
              "only the data keys (`r[\"id\"]`, `r.get(\"url\")`, `\"id\" in r`) and never the error key: a failed "
              "lookup reaches the model as a result with those fields missing. Judged in the tool's body and in "
              "the project functions it calls; catalog tools.toml [process_output], [result_errors] and "
              "[helper_errors]."),
        bad_example=('@tool\ndef run_script(path: str) -> str:\n    """Run a Python script."""\n'
                     '    p = subprocess.Popen(["python", path], stdout=PIPE, stderr=PIPE)\n'
                     '    out, _ = p.communicate(timeout=60)\n    return out.decode()'),
        good_example=('    out, err = p.communicate(timeout=60)\n'
                      '    if p.returncode != 0:\n        return f"Failed (exit {p.returncode}): {err.decode()}"\n'
                      '    return out.decode()'),
        fix="Return the exit code and stderr along with stdout, or an error message built from them when the exit code is not 0.",
        tags=("tools", "subprocess"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        reported: set[int] = set()
        for func, _tool, label in tool_bodies(graph):
            for d in dropped_error_streams(graph, func):
                call = d.start.site.call
                if id(call) in reported:
                    continue
                reported.add(id(call))
                start = source_text(graph, d.start.func.path, call, 40)
                if start == "the value":  # (a call over several lines)
                    start = f"{ir.dotted(call.func) or 'the call'}(...)"
                yield self.finding(
                    ctx, d.start.func.path, d.at.pos,
                    f"Tool `{label}` captures the command's errors (`{d.how}` in `{start}`, line {call.pos[0]}) and "
                    f"keeps only its output, never reading stderr or the exit code: a failed command gives the model "
                    f"an empty or partial result that reads as success. Return the exit code and stderr too.")
            for d in dropped_result_errors(graph, func):
                call = d.start.site.call
                if id(call) in reported:
                    continue
                reported.add(id(call))
                name = ir.dotted(call.func) or "the call"
                yield self.finding(
                    ctx, d.start.func.path, d.at.pos,
                    f"Tool `{label}` runs code with `{name}(...)` (line {call.pos[0]}) and reads only its output, "
                    f"never {d.how}, where the run's failure goes (an exception raised by the code is not in the "
                    f"output): a failed run gives the model an empty or partial result that reads as success. "
                    f"Return the error too (its name, value and traceback).")
            for h in dropped_helper_errors(graph, func):
                read = ", ".join(f"`{k}`" for k in h.read[:4])
                yield self.finding(
                    ctx, func.path, h.first_read,
                    f"Tool `{label}` reads only {read} of what `{h.helper.name}` returns (line {h.call.pos[0]}), "
                    f"but `{h.helper.name}` reports a failure as `{{\"{h.error_key}\": ...}}` (line {h.error_at.pos[0]}) "
                    f"and the tool never reads `{h.error_key}`: a failed call reaches the model as a result with "
                    f"those fields missing, which reads as success. Return the error to the model.")
