"""LOPE010: model text cut at `find()` / `rfind()` of a marker with no test that the marker was found."""

from __future__ import annotations

from typing import Iterable, Optional, Union

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import LLMOutput, Parsed
from agentable.findings import Finding, Severity
from agentable.query.dataflow import flows, text_argument
from agentable.query.facts import per_graph
from agentable.query.guards import expr_parents, guarded_in_expr, names_in, tested_before
from agentable.query.literals import bound_name, const_strs
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.model_derived import model_derived
from agentable.query.taint import config
from agentable.query.text_ops import position_call, uses_of
from agentable.rules.base import Rule, RuleContext, RuleMeta


class UncheckedMarkerPosition(Rule):
    meta = RuleMeta(
        id="LOPE010",
        name="llm-output-cut-at-unchecked-find",
        category="LOPE",
        severity=Severity.WARNING,
        short="Model text is sliced at `find()`/`rfind()` of a marker with no test that the reply contains it.",
        full=("`reply[reply.find(\"[\"):reply.rfind(\"]\") + 1]` or `reply[reply.find(\"Answer:\") + 7:]` assumes "
              "the model wrote the marker. `find` returns -1 for a reply without it, and -1 is a valid slice "
              "bound: the cut silently becomes an empty string, the last character, or the text shifted by a "
              "few characters, and the agent parses, stores or acts on that instead of noticing the reply was "
              "off-format. Test the position (`if start == -1`) or the marker (`if \"[\" in reply`) first, or "
              "use `index`, which raises, inside a handler."),
        bad_example='start = reply.find("Answer:")\nanswer = reply[start + len("Answer:"):]',
        good_example=('start = reply.find("Answer:")\nif start == -1:\n    return retry(reply)\n'
                      'answer = reply[start + len("Answer:"):]'),
        fix="Test the position against -1 (or the marker with `in`) before slicing, and handle the reply without it.",
        tags=("parsing",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        finders = frozenset(config().kinds.get("position", {}).get("finders", ()))
        for func in graph.agent.functions():
            cuts: list[tuple[ir.Subscript, ir.Stmt, ir.Call, set[str]]] = []
            for sub, stmt in func.walk(ir.Subscript):
                bounds = sub.index.parts if isinstance(sub.index, ir.Slice) else [sub.index]
                for bound in bounds:
                    hit = position_call(graph, bound, func, stmt, 2, finders)
                    if hit is not None and not (_lower_bound(sub.index, bound) and hit[2] == 1):
                        # (`text[text.find(":") + 1:]`: without the marker, the whole text)
                        cuts.append((sub, stmt, hit[0], hit[1]))
            # a cut whose parse is handled: without the marker that parse fails. Another cut at a
            # position whose cut is parsed is made after the parse succeeded, with the marker.
            handled = {id(finder) for sub, stmt, finder, _ in cuts if _ends_in_parse(graph, func, stmt, sub, 2, True)}
            parsed = {id(finder) for sub, stmt, finder, _ in cuts if _ends_in_parse(graph, func, stmt, sub, 2, False)}
            reported: set[int] = set()
            for sub, stmt, finder, names in cuts:
                if id(sub) in reported or id(finder) in handled or \
                        (id(finder) in parsed and not _ends_in_parse(graph, func, stmt, sub, 2, False)):
                    continue
                derived = _unchecked(graph, func, stmt, sub, finder, names)
                if derived is not None:
                    reported.add(id(sub))
                    yield self._finding(ctx, func, sub, finder, derived)

    def _finding(self, ctx: RuleContext, func: FunctionInfo, sub: ir.Subscript, finder: ir.Call,
                 derived: Union[LLMOutput, Parsed]) -> Finding:
        graph = ctx.graph
        out = derived.source if isinstance(derived, Parsed) else derived
        method = finder.func.attr if isinstance(finder.func, ir.Attribute) else "find"
        marker = _marker(graph, func, finder)
        return self.finding(
            ctx, func.path, sub.pos,
            f"Model output ({describe_llm_source(graph, out)}) is cut at `{method}({marker!r})` "
            f"with no test that the reply contains {marker!r}: for a reply without it `{method}` "
            f"returns -1, a valid slice bound, so the cut is silently empty or the wrong piece "
            f"and the agent goes on with it. Test the position against -1 (or `{marker!r} in` "
            f"the text) first and handle the off-format reply.",
            flow=flow_steps(graph, out, (func.path, sub.pos, f"cut at {method}({marker!r})")))


def _unchecked(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, sub: ir.Subscript, finder: ir.Call,
               names: set[str]) -> Optional[Union[LLMOutput, Parsed]]:
    """The model output a cut at `finder` (a find() call, reached through `names`) is made in with
    no test of the position or the marker, or None."""
    marker = _marker(g, func, finder)
    if marker is None or (len(marker) == 1 and marker.isalnum()) or not isinstance(finder.func, ir.Attribute):
        return None  # a computed marker; a letter or digit is LOPE007's (not a marker at all)
    derived = model_derived(g, finder.func.value, func, func.call_statement(finder) or stmt)
    if derived is None or _checked(func, stmt, sub, names, finder.func.value, marker, ir.dotted(finder.args[0])):
        return None
    return derived


def _lower_bound(index: ir.Expr, bound: Optional[ir.Expr]) -> bool:
    """Is `bound` the start of slice `index` (the IR keeps only the parts written, so a slice's first
    part is its start only when the slice begins with it)?"""
    return isinstance(index, ir.Slice) and bound is not None and bound.pos[:2] == index.pos[:2]


def _marker(g: ProjectGraph, func: FunctionInfo, call: ir.Call) -> Optional[str]:
    """The marker `call` looks for: a string literal, or a name bound to one string only
    (`delimiter = "Answer: "` ... `text.find(delimiter)`)."""
    if not call.args:
        return None
    arg = call.args[0]
    if isinstance(arg, ir.Constant):
        return (arg.value or None) if isinstance(arg.value, str) else None
    if not isinstance(arg, (ir.Name, ir.Attribute)):
        return None
    values = set(const_strs(g, arg, func, func.call_statement(call)))
    return (values.pop() or None) if len(values) == 1 else None


def _checked(func: FunctionInfo, stmt: ir.Stmt, sub: ir.Subscript, names: set[str], recv: ir.Expr,
             marker: str, marker_name: Optional[str]) -> bool:
    """Is the position, or the marker's presence in the text, tested: a comparison of a name the
    position went through anywhere in the function (`if start == -1: ...`, `end > start`; precision
    first), or a test of the text for the marker that guards the cut (`if "[" in reply:`,
    `reply[...] if "[" in reply else reply`, an earlier `if reply.find("[") < 0: return`)."""
    if names:
        for cmp, _ in func.walk(ir.Compare):
            if names & names_in(cmp):
                return True
    text = ir.dotted(recv)

    def test(t: Optional[ir.Expr]) -> bool:
        for x in ir.walk_expr(t):
            if not isinstance(x, (ir.Compare, ir.Call)):
                continue
            parts = list(ir.walk_expr(x))
            mentions_text = text is not None and any(ir.dotted(p) == text for p in parts)
            mentions_marker = any((isinstance(p, ir.Constant) and isinstance(p.value, str) and marker in p.value)
                                  or (marker_name is not None and ir.dotted(p) == marker_name) for p in parts)
            if mentions_text and mentions_marker:
                return True
        return False

    return guarded_in_expr(sub, expr_parents(stmt), test) or tested_before(func, stmt, test)


@per_graph
def _parse_args(g: ProjectGraph, handled: bool) -> frozenset[int]:
    """ids of the text expressions (and what they strip) of the parses of model text (`handled`:
    only those whose failure is handled: a handler, a retry, a lenient parser)."""
    carriers = frozenset(config().kinds.get("cut", {}).get("carriers", ()))
    out: set[int] = set()
    for f in flows(g):
        if f.kind != "parse" or (handled and not f.guard) or f.tool_arguments or f.origin is None or f.sink is None:
            continue
        arg = text_argument(f.origin, f.sink)
        while arg is not None:
            out.add(id(arg))
            arg = arg.func.value if isinstance(arg, ir.Call) and isinstance(arg.func, ir.Attribute) \
                and arg.func.attr in carriers else None
    return frozenset(out)


def _ends_in_parse(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr, depth: int, handled: bool) -> bool:
    """Does the cut text `e` go (itself, through a local name, or returned to a caller) into a
    parse (`handled`: one whose failure is handled)?"""
    args = _parse_args(g, handled)
    carriers = frozenset(config().kinds.get("cut", {}).get("carriers", ()))
    parents = expr_parents(stmt)
    while True:  # `text[a:b].strip()`: the stripped cut
        if id(e) in args:
            return True
        p = parents.get(id(e))
        if not (isinstance(p, ir.Attribute) and p.attr in carriers and isinstance(q := parents.get(id(p)), ir.Call)
                and q.func is p):
            break
        e = q
    if depth < 0:
        return False
    if isinstance(stmt, ir.Return) and stmt.value is e:
        return any(_ends_in_parse(g, site.func, site.stmt, site.call, depth - 1, handled) for site in g.callers(func))
    name = bound_name(stmt, e)
    if name is None:
        return False
    for s, n, _ in uses_of(g, func, stmt, name):
        if _ends_in_parse(g, func, s, n, depth - 1, handled):
            return True
    return False
