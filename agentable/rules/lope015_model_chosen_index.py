"""LOPE015: an index or key the model wrote picks an item of the project's own list or dict with no
range or membership check."""

from __future__ import annotations

from typing import Iterable, Optional, Union

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import LLMOutput, Parsed, Typed
from agentable.findings import Finding, Severity
from agentable.query.guards import checked_before, expr_parents, is_protected, names_in, names_tested_in_expr
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.model_derived import model_derived
from agentable.query.tool_dispatch import makes_missing_entries, tool_dispatches
from agentable.rules.base import Rule, RuleContext, RuleMeta

# str methods that leave the model's answer the model's (an index or key still to check)
_CLEANERS = ("strip", "lstrip", "rstrip", "lower", "upper", "casefold")
_NUMBERS = ("int", "float")


class ModelChosenIndex(Rule):
    meta = RuleMeta(
        id="LOPE015",
        name="model-chosen-index-unchecked",
        category="LOPE",
        severity=Severity.WARNING,
        short="An index or key the model answered selects an item of the project's own list or dict with no range "
              "or membership check.",
        full=("Asking the model to pick one of several candidates and reading its answer as a position "
              "(`options[int(reply)]`, `candidates[args[\"index\"]]`) or a key (`pages[reply.strip()]`) assumes it "
              "answered with a valid one. Models count from 1 instead of 0, pick one past the end, or return a key "
              "they trimmed, normalised or invented, and the lookup raises IndexError or KeyError (a negative "
              "index silently picks from the end). With no check of the answer and no handler, that one reply "
              "ends the run instead of being sent back to the model."),
        bad_example=('index = json.loads(call.function.arguments)["index"]\nchosen = candidates[index]'),
        good_example=('index = json.loads(call.function.arguments)["index"]\nif not 0 <= index < len(candidates):\n'
                      '    ...  # tell the model the valid range and ask again\nchosen = candidates[index]'),
        fix="Check the answer (`0 <= i < len(items)`, `key in table`) and ask the model again when it is not valid.",
        tags=("parsing", "indexing"),
        precision="medium",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        dispatch = {id(d.lookup) for d in tool_dispatches(graph)}  # a tool looked up by name: MNFT001
        for func in graph.agent.functions():
            for e, s in func.walk(ir.Subscript):
                if id(e) in dispatch or _stored(s, e) or not _index_shape(e.index) \
                        or not _assigned_here(graph, func, s, e.index) \
                        or makes_missing_entries(graph, e.value, func, s):  # `defaultdict(list)[name]`
                    continue
                src = _answer(graph, e.index, func, s, 2)
                if src is None or _answer(graph, e.value, func, s, 0) is not None \
                        or model_derived(graph, e.value, func, s) is not None:
                    continue  # a field of the reply itself is LOPE003/LOPE004's
                names = names_in(e.index)
                if any(checked_before(func, s, n) for n in names) or names_tested_in_expr(e, expr_parents(s), names):
                    continue
                kind = _container_kind(graph, e.value, func, s)
                raised = {"list": ("IndexError",), "dict": ("KeyError",)}.get(kind, ("KeyError", "IndexError"))
                if is_protected(graph, func, s, (*raised, "LookupError")):
                    continue
                yield self._report(ctx, func, e, src, kind)

    def _report(self, ctx: RuleContext, func: FunctionInfo, e: ir.Subscript, src: Union[LLMOutput, Parsed],
                kind: str) -> Finding:
        graph = ctx.graph
        llm = src.source if isinstance(src, Parsed) else src
        container = ir.dotted(e.value) or "the collection"
        index = ir.dotted(e.index) or "the index"
        fails = {"list": "an index past the end (or counted from 1) raises IndexError (a negative one silently "
                         "picks from the end)",
                 "dict": "a key it trimmed, normalised or invented raises KeyError"}.get(
            kind, "an index out of range raises IndexError, a key that is not there KeyError")
        fix = (f"`0 <= {index} < len({container})`" if kind == "list" else f"`{index} in {container}`"
               if kind == "dict" else f"that `{index}` is a valid index or key of `{container}`")
        msg = (f"`{index}` is the model's answer ({describe_llm_source(graph, llm)}) and selects an item of "
               f"`{container}` with no check: {fails}; no handler here or in the callers catches it. Check {fix} "
               f"and ask the model again when it is not.")
        return self.finding(ctx, func.path, e.pos, msg,
                            flow=flow_steps(graph, src, (func.path, e.pos, f"selects an item of `{container}`")))


def _stored(s: ir.Stmt, e: ir.Expr) -> bool:
    if isinstance(s, ir.Assign):
        return any(t is e for t in s.targets)
    return isinstance(s, ir.AugAssign) and s.target is e


def _assigned_here(g: ProjectGraph, func: FunctionInfo, s: ir.Stmt, idx: ir.Expr, depth: int = 1) -> bool:
    """Is every name of the index bound by a plain assignment in this function, or by a loop or
    comprehension over such a name (`[docs[i] for i in picked]`, `picked` the parsed reply)? A
    parameter's values come from every caller, and an item of an unpacked tuple from every return
    of a helper: the model's answer may be only one of them (or one the helper already matched to
    the keys)."""
    rd = g.reaching(func)
    callees = {id(x.func) for x in ir.walk_expr(idx) if isinstance(x, ir.Call)}
    for x in ir.walk_expr(idx):
        if not isinstance(x, ir.Name) or id(x) in callees:
            continue
        comp = func.comp_names.get(id(x))
        if comp is not None:  # a comprehension's variable: what it iterates must be bound here
            if depth <= 0 or not _assigned_here(g, func, s, comp[1], depth - 1):
                return False
            continue
        defs = rd.at(s, x.id)
        if not defs:
            return False
        for d in defs:
            if d.how == "iter" and depth > 0 and isinstance(d.value, ir.Expr) and isinstance(d.stmt, ir.Stmt) \
                    and _assigned_here(g, func, d.stmt, d.value, depth - 1):
                continue
            if d.how != "assign":
                return False
    return True


def _index_shape(idx: ir.Expr) -> bool:
    """A plain answer: a name, a field, a cleaned or converted reply, give or take a constant (`int(r) - 1`)."""
    if isinstance(idx, ir.BinOp) and idx.op in ("+", "-"):
        return isinstance(idx.right, ir.Constant) and _index_shape(idx.left)
    if isinstance(idx, ir.Call):
        f = idx.func
        if isinstance(f, ir.Attribute) and f.attr in _CLEANERS:
            return _index_shape(f.value)
        return ir.dotted(f) in _NUMBERS and len(idx.args) == 1
    return isinstance(idx, (ir.Name, ir.Attribute, ir.Subscript))


def _answer(g: ProjectGraph, x: ir.Expr, func: FunctionInfo, s: ir.Stmt, depth: int) -> Optional[Union[LLMOutput, Parsed]]:
    """The model output `x` is: generated text or a structure parsed from it (response metadata such
    as a stream chunk's `index` or a response id is not an answer), also through `int(...)`, a str
    cleaning method or `± n`."""
    for v in g.values(x, func, s):
        if (isinstance(v, LLMOutput) and v.text) or (isinstance(v, Parsed) and not v.validated):
            return v
    if depth <= 0:
        return None
    if isinstance(x, ir.BinOp):
        return _answer(g, x.left, func, s, depth - 1)
    if isinstance(x, ir.Call) and x.args and ir.dotted(x.func) in _NUMBERS:
        return _answer(g, x.args[0], func, s, depth - 1)
    if isinstance(x, ir.Call) and isinstance(x.func, ir.Attribute) and x.func.attr in _CLEANERS:
        return _answer(g, x.func.value, func, s, depth - 1)
    return None


def _container_kind(g: ProjectGraph, x: ir.Expr, func: FunctionInfo, s: ir.Stmt) -> str:
    kinds = {v.kind for v in g.values(x, func, s) if isinstance(v, Typed)} & {"list", "dict", "tuple"}
    if kinds == {"dict"}:
        return "dict"
    return "list" if kinds and "dict" not in kinds else ""
