"""Dicts a project helper fills with what it finds in model text: `out = {}`, then for each tag
`if m: out[tag] = m.group(1)`, then `return out`. A tag the reply leaves out (or misspells) is a
key the dict does not hold, so a caller's `out["result"]` raises KeyError. The helper parses
nothing that raises: its dict, not a parse, is where the reply's shape is assumed, and the key
read in the caller is the sink (LOPE004).

Why apart from `dataflow`: this is the one source of a key read that is not a parser's result,
and it needs the helper's own statements (which stores are conditional, which take the caller's
default), not the resolver's values alone."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.binding import argument_for, explicit_param_index
from agentable.cpg.literal_values import local_dict
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import FuncRef, LLMOutput, Parsed, value_key
from agentable.query.facts import per_graph

# the step that marks a dict entry the helper stores only when the reply holds it
FOUND_ONLY = "stored only when found in the reply"


@per_graph
def _filling_helpers(g: ProjectGraph) -> dict[str, list[str]]:
    """Project functions returning a local dict they fill under a computed key inside an `if`:
    qualname -> the dicts' names. Computed once, so that a key read elsewhere costs a lookup."""
    out: dict[str, list[str]] = {}
    for func in g.functions.values():
        for r in func.returns:
            name = r.value.id if isinstance(r.value, ir.Name) else None
            if name is not None and local_dict(func, name) and any(
                    _conditional(func, s) and not isinstance(index, ir.Constant)
                    for index, _, s in func.item_stores.get(name, ())):
                out.setdefault(func.qualname, []).append(name)
    return out


def has_filling_helpers(g: ProjectGraph) -> bool:
    return bool(_filling_helpers(g))


def _conditional(func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """Is the statement inside an `if` (or a conditional expression's branch) of its function?"""
    return any(isinstance(a, ir.If) for a in func.ancestors(stmt))


def found_entries(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: ir.Stmt, key: object) -> Optional[Parsed]:
    """`e[key]` where `e` is the dict a filling helper returned to this function (`d = helper(reply)`)
    and the helper stores `key` only when the model text holds it: the structure, as parsed by the
    helper, whose last step is the conditional store. None when the helper always stores `key`
    (a constant key outside any `if`, or the caller's non-None default for missing ones)."""
    helpers = _filling_helpers(g)
    if not helpers or not isinstance(e, ir.Name):
        return None
    for d in g.resolver.local_defs(func, e.id, stmt):
        if d.how != "assign" or not isinstance(d.value, ir.Call):
            continue
        call = d.value
        for v in g.shallow.values(call.func, func, d.stmt):
            if not isinstance(v, FuncRef) or v.qualname not in helpers:
                continue
            helper = g.functions[v.qualname]
            for name in helpers[v.qualname]:
                hit = _found_only(g, helper, name, call, key)
                if hit is not None:
                    return hit
    return None


def _found_only(g: ProjectGraph, helper: FunctionInfo, name: str, call: ir.Call, key: object) -> Optional[Parsed]:
    stores = helper.item_stores.get(name, ())
    found: list[tuple[LLMOutput, ir.Stmt]] = []
    for index, value, s in stores:
        constant = isinstance(index, ir.Constant)
        if isinstance(index, ir.Constant) and index.value != key:
            continue
        if not _conditional(helper, s):
            return None  # `out[key] = ...` (or `out[tag] = ...` for every tag) always runs
        if _filled_by_caller_default(helper, value, call):
            return None  # `if default is not None: out[tag] = default`, and this call passes one
        texts = sorted((o for o in g.values(value, helper, s) if isinstance(o, LLMOutput) and o.text), key=value_key)
        if texts and not constant:
            found.append((texts[0], s))
    if not found:
        return None
    src, s = found[0]
    return Parsed(src.with_step((helper.path, s.pos, FOUND_ONLY)), helper.name)


def _filled_by_caller_default(helper: FunctionInfo, value: ir.Expr, call: ir.Call) -> bool:
    """Is the stored value a parameter of the helper (its default for a missing key) that this call
    passes, other than None?"""
    if not isinstance(value, ir.Name):
        return False
    at = explicit_param_index(helper, value.id)
    if at is None:
        return False
    arg = argument_for(call, helper.params[at[0]], at[1])
    return arg is not None and not (isinstance(arg, ir.Constant) and arg.value is None)
