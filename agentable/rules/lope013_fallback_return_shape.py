"""LOPE013: a parsing helper's fallback (the reply did not parse or match) returns a value its
callers cannot unpack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.guards import is_protected
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.lope.fallbacks import parse_fallbacks


@dataclass(frozen=True)
class _Fallback:
    ret: ir.Return
    arity: int  # 0 for None
    why: str  # "handler" (the parse raised) | "nomatch" (the regex did not match)


def _fallbacks(g: ProjectGraph, func: FunctionInfo) -> list[_Fallback]:
    """The helper's fallbacks (rules/lope/fallbacks.py) that return None or a literal tuple."""
    return [_Fallback(fb.ret, a, fb.why) for fb in parse_fallbacks(g, func) if (a := _arity(fb.ret)) is not None]


class FallbackReturnShape(Rule):
    meta = RuleMeta(
        id="LOPE013",
        name="parse-fallback-return-unpackable",
        category="LOPE",
        severity=Severity.ERROR,
        short="A parsing helper returns a tuple when the reply parses, but None or a shorter tuple when it does not, "
              "and its callers unpack the result.",
        full=("A helper that parses the model's reply into several values (`return action, argument`) often has a "
              "fallback for a reply that does not parse or match: an `except` branch or the `else` of `if match:`. "
              "When that fallback returns `None`, or a tuple of another length, every caller that unpacks the "
              "result (`action, argument = parse_action(reply)`) raises TypeError or ValueError exactly when the "
              "model does not obey the format, so the fallback meant to handle an off-format reply crashes the run "
              "instead."),
        bad_example=('def parse(reply):\n    m = re.match(r"(\\w+)\\[(.*)\\]", reply)\n    if m:\n'
                     '        return m.group(1), m.group(2)\n    return None\n\nname, arg = parse(reply)'),
        good_example=('def parse(reply):\n    m = re.match(r"(\\w+)\\[(.*)\\]", reply)\n    if m:\n'
                      '        return m.group(1), m.group(2)\n    return None, None\n\nname, arg = parse(reply)\n'
                      'if name is None:\n    ...  # ask the model again'),
        fix="Return a tuple of the same length from every branch (`None, None`), and have the callers test it.",
        tags=("parsing", "control-flow"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for func in graph.agent.functions():
            if func.name == "<module>" or len(func.returns) < 2:
                continue
            found = _fallbacks(graph, func)
            if not found:
                continue
            # the shapes the helper returns when the reply has its format: returns outside the fallbacks
            fallback_ids = {id(fb.ret) for fb in found}
            shapes = {a for r in func.returns if id(r) not in fallback_ids and (a := _arity(r)) is not None and a >= 2}
            fallbacks = [fb for fb in found if fb.arity not in shapes]
            if not shapes or not fallbacks:
                continue
            unpacks = [(site, n) for site, n in _unpacking_callers(graph, func) if n in shapes]
            for fb in fallbacks:
                for site, n in unpacks:
                    if fb.arity == n:
                        continue
                    raised = ("TypeError",) if fb.arity == 0 else ("ValueError",)
                    if is_protected(graph, site.func, site.stmt, raised):
                        continue
                    yield self._report(ctx, func, fb, site, n)
                    break

    def _report(self, ctx: RuleContext, func: FunctionInfo, fb: _Fallback, site: CallSite, n: int) -> Finding:
        graph = ctx.graph
        when = ("when the text does not parse (this `except` branch)" if fb.why == "handler"
                else "when the regex does not match")
        got = "None" if fb.arity == 0 else f"{fb.arity} values"
        error = "TypeError (cannot unpack None)" if fb.arity == 0 else "ValueError (wrong number of values to unpack)"
        msg = (f"`{func.name}` returns {n} values when the reply has the expected format, but {got} {when}; "
               f"{site.func.path}:{site.call.pos[0]} unpacks its result into {n} names, so an off-format reply "
               f"raises {error} there instead of reaching this fallback. Return {n} values here too "
               f"(e.g. `None` for each) and test them in the caller.")
        flow = (FlowStep(graph.span(func.path, fb.ret.pos), f"fallback returns {got}"),
                FlowStep(graph.span(site.func.path, site.stmt.pos), f"unpacked into {n} names"))
        return self.finding(ctx, func.path, fb.ret.pos, msg, flow=flow)


def _arity(r: ir.Return) -> Optional[int]:
    """0 for `return` / `return None`, the length of a literal tuple, None for anything else."""
    v = r.value
    if v is None or (isinstance(v, ir.Constant) and v.value is None):
        return 0
    if isinstance(v, ir.Seq) and v.kind == "tuple" and not any(isinstance(e, ir.Starred) for e in v.elts):
        return len(v.elts)
    return None


def _unpacking_callers(g: ProjectGraph, func: FunctionInfo) -> list[tuple[CallSite, int]]:
    """Call sites whose statement is `a, b = func(...)`, with the number of names."""
    out: list[tuple[CallSite, int]] = []
    for site in g.callers(func):
        s = site.stmt
        if not (isinstance(s, ir.Assign) and s.value is site.call and len(s.targets) == 1):
            continue
        t = s.targets[0]
        if isinstance(t, ir.Seq) and t.kind in ("tuple", "list") and not any(isinstance(e, ir.Starred) for e in t.elts):
            out.append((site, len(t.elts)))
    return sorted(out, key=lambda x: (x[0].func.path, x[0].call.pos))
