"""LOPE008: model text cut at a fixed offset (`reply[7:-3]`, `reply[1:]`) before it is parsed."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.findings import Finding, Severity
from agentable.query.dataflow import flows as text_uses, model_text, text_argument
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.taint import config
from agentable.query.text_ops import int_index
from agentable.rules.base import Rule, RuleContext, RuleMeta


class FixedOffsetCut(Rule):
    meta = RuleMeta(
        id="LOPE008",
        name="llm-output-cut-at-fixed-offset",
        category="LOPE",
        severity=Severity.WARNING,
        short="Model text is cut at a fixed offset before it is parsed, as if it always began (or ended) the same way.",
        full=("`json.loads(reply[7:-3])` or `json.loads(reply[1:])` drops characters the code expects the model "
              "to write: a ```json fence, a leading newline or quote. A reply that starts directly with the JSON, "
              "uses another fence, or adds a space loses part of its content instead, so the parse fails (or "
              "reads the wrong value) on replies that were fine. Test the edge first (`startswith(\"```\")`), "
              "strip the fence with a pattern, or find the JSON's own brackets."),
        bad_example='plan = json.loads(reply[1:])',
        good_example=('text = reply.strip()\nif text.startswith("```"):\n'
                      '    text = text.strip("`").removeprefix("json")\nplan = json.loads(text)'),
        fix="Test what the reply starts with before cutting it, or locate the JSON itself (its brackets, a regex).",
        tags=("parsing", "json"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        seen: set[int] = set()
        for use in text_uses(graph):
            if use.kind != "parse" or use.sink is None or use.sink.code or use.tool_arguments or use.origin is None:
                continue
            arg = text_argument(use.origin, use.sink)
            cut = _fixed_cut(graph, arg, use.func, use.stmt, 2)
            if cut is None or id(cut[0]) in seen:
                continue
            sub, at = cut
            src = model_text(graph, sub.value, use.func, at)
            if src is None or _edge_tested(use.func, sub.value):
                continue
            seen.add(id(sub))
            lo, hi = _bounds(graph, use.func, sub.index)  # type: ignore[arg-type]  # a Slice (_fixed_cut)
            what = " and ".join(w for w in (_chars("first", lo), _chars("last", -hi)) if w)
            yield self.finding(
                ctx, use.path, sub.pos,
                f"Model output ({describe_llm_source(graph, src)}) has {what} cut off unseen before `{use.op}` "
                f"parses it: a reply that does not start (end) with exactly the fence or character this assumes "
                f"loses part of its content and fails to parse. Test the edge first (`startswith`), or find the "
                f"structure's own brackets.",
                flow=flow_steps(graph, src, (use.path, sub.pos, f"cut at a fixed offset, then parsed by {use.op}")),
            )


def _chars(where: str, n: int) -> str:
    return "" if n <= 0 else f"its {where} character" if n == 1 else f"its {where} {n} characters"


def _fixed_cut(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: ir.Stmt,
               depth: int) -> Optional[tuple[ir.Subscript, ir.Stmt]]:
    """The `text[i:j]` slice with constant bounds that drops a start (i > 0) or an end (j < 0) the
    expression `e` is: itself, stripped, or a local name bound to either."""
    if e is None or depth < 0:
        return None
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) \
            and e.func.attr in config().kinds.get("cut", {}).get("carriers", ()):
        return _fixed_cut(g, e.func.value, func, stmt, depth)
    if isinstance(e, ir.Subscript) and isinstance(e.index, ir.Slice):
        lo, hi = _bounds(g, func, e.index)
        return (e, stmt) if lo > 0 or hi < 0 else None
    if isinstance(e, ir.Name):
        defs = g.reaching(func).at(stmt, e.id) or []
        for d in defs:
            if d.how == "assign" and isinstance(d.stmt, ir.Stmt):
                hit = _fixed_cut(g, d.value, func, d.stmt, depth - 1)
                if hit is not None:
                    return hit
    return None


_CONSTANT_SLICE = re.compile(r"^\s*(-?\s*\d+)?\s*:\s*(-?\s*\d+)?\s*$")


def _bounds(g: ProjectGraph, func: FunctionInfo, sl: ir.Slice) -> tuple[int, int]:
    """(start, end) of a slice whose bounds are integer literals (`[7:-3]` -> (7, -3), `[1:]` ->
    (1, 0)); (0, 0) for any other slice (a step, a computed bound)."""
    line, col, end_line, end_col = sl.pos
    mod = g.by_path.get(func.path)
    if mod is None or line != end_line:
        return 0, 0
    text = mod.ir.line_text(line).encode("utf-8")[col:end_col].decode("utf-8", "ignore")
    m = _CONSTANT_SLICE.match(text)
    if m is None:
        return 0, 0
    lo, hi = (int(x.replace(" ", "")) if x else 0 for x in m.groups())
    return lo, hi


def _edge_tested(func: FunctionInfo, text: ir.Expr) -> bool:
    """Does the function test the text's start or end anywhere (`text.startswith("```")`,
    `text[0] == "["`)? Then the cut follows what it found (precision first: anywhere counts)."""
    name = ir.dotted(text)
    if name is None:
        return True  # an expression we cannot name: cannot tell
    tests = frozenset(config().kinds.get("cut", {}).get("edge_tests", ()))
    for call, _ in func.walk(ir.Call):
        if isinstance(call.func, ir.Attribute) and call.func.attr in tests and ir.dotted(call.func.value) == name:
            return True
    for cmp, _ in func.walk(ir.Compare):
        for x in [cmp.left, *cmp.comparators]:
            if isinstance(x, ir.Subscript) and ir.dotted(x.value) == name and int_index(x.index) in (0, -1):
                return True
    return False
