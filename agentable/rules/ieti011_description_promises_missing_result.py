"""IETI011: a tool's description says it returns something, and its function never returns a value."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.structure import FunctionInfo
from agentable.findings import Finding, Severity
from agentable.query.guards import decorator_values
from agentable.query.tool_results import tool_bodies
from agentable.query.tools import tool_anchor, tool_functions_of, tool_received_nowhere
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.tre.helpers import is_stub


class DescriptionPromisesMissingResult(Rule):
    meta = RuleMeta(
        id="IETI011",
        name="description-promises-missing-result",
        category="IETI",
        severity=Severity.WARNING,
        short="A tool's description says what it returns, but its function never returns a value.",
        full=("The model plans its next step on what a tool's description says it will get back. A "
              "description that promises a result (\"Runs the job and returns its output\") on a function "
              "with no `return <value>` (it starts a thread, writes a file or stores the result elsewhere, "
              "then ends) leaves the model waiting for an answer that never comes: it reads the empty "
              "result as a failure and retries, or assumes the work produced nothing, and never calls the "
              "tool that would fetch the real result. Reported for tools whose returned value the agent "
              "does not hand to the model as the observation (functions a prompt lists for the model to "
              "call from code it writes); a tool whose result is the observation is TRE001's."),
        bad_example=('def start_job(spec: str):\n'
                     '    """Runs the job and returns its JSON output."""\n'
                     '    threading.Thread(target=_run, args=(spec,)).start()'),
        good_example=('def start_job(spec: str) -> str:\n'
                      '    """Starts the job in the background and returns its id; call job_result(id) '
                      'for its output."""\n'
                      '    job_id = _submit(spec)\n'
                      '    return job_id'),
        fix="Return the result the description promises, or describe what the function does instead "
            "(that it starts the work in the background, and which tool returns its result).",
        tags=("tools", "description", "result"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        judged = {func.qualname for func, _t, _l in tool_bodies(g)}  # TRE001 reports a None result there
        seen: set[str] = set()
        for tool in g.agent.tools:
            desc = tool.description
            if not desc or desc == "<dynamic>" or tool_received_nowhere(g, tool):
                continue
            promise = promised_result(desc)
            if promise is None:
                continue
            for func in tool_functions_of(g, tool):
                if func.qualname in seen or func.qualname in judged or not _never_returns_value(g, func):
                    continue
                seen.add(func.qualname)
                pos = tool.description_pos if tool.description_pos is not None and tool.func is func else tool_anchor(tool)
                yield self.finding(
                    ctx, tool.path, pos,
                    f"The description of tool `{tool.name or func.name}` says it returns {promise}, but "
                    f"`{func.name}` never returns a value (every path ends with None), so the model waits "
                    f"for a result it never gets; return it, or say what the call does instead.")


# "returns the X" / "Return a X" / a "Returns:" section; the word after `returns` must not say
# there is nothing (None, nothing) or be the verb "go back" (return to, return back, return early)
_PROMISE_RE = re.compile(r"\b[Rr]eturns?\b(?P<colon>\s*:)?\s+(?P<what>[^\n.;]{1,60})")
_NOT_A_RESULT = re.compile(r"^(none|nothing|null|no\b|to\b|back\b|early\b|immediately\b|when\b|if\b|once\b"
                           r"|after\b|before\b|from\b|until\b|true\b|false\b|-+\s*$|`?none`?)", re.I)


def promised_result(desc: str) -> Optional[str]:
    """What a description says the tool returns (quoted, shortened), or None when it says nothing
    or that nothing is returned."""
    for m in _PROMISE_RE.finditer(desc):
        what = m.group("what").strip()
        if m.group("colon"):
            what = what.split("\n")[0].strip()
        if not what or _NOT_A_RESULT.match(what):
            continue
        return f"\"{' '.join(what.split())[:60]}\""
    return None


def _never_returns_value(g, func: FunctionInfo) -> bool:
    """Does every exit of the function return None (no `return <value>`, no yield), with a body that
    does something (not a stub) and no decorator that may turn its result into another value?"""
    if func.node is None or func.yields or is_stub(func) or func.name == "__init__":
        return False
    if func.node.decorators or decorator_values(g, func):
        return False
    return all(r.value is None or (isinstance(r.value, ir.Constant) and r.value.value is None) for r in func.returns)
