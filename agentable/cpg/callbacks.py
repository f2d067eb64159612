"""Calls through a parameter that holds a function: `def chat(self, on_reply=None): ... on_reply(text)`,
called as `agent.chat(on_reply=parse_plan)`, calls `parse_plan(text)`.

The call graph (`CodeGraph.callers`) finds a function's call sites by its name; these call it by the
parameter's name, so the resolver asks here which arguments a callback's parameters receive.

Why apart from `interprocedural`: the index is syntax plus the shallow call graph, built once per
graph (the resolver has many short-lived variants), and keeps that module small.
"""

from __future__ import annotations

from typing import Optional
from weakref import WeakKeyDictionary

from agentable.cpg import ir
from agentable.cpg.binding import is_staticmethod, param_index
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.structure import CallSite, FunctionInfo

# (the site that calls the parameter, the site that passes the function, the expression passed)
Callback = tuple[CallSite, CallSite, ir.Expr]

_INDEX: "WeakKeyDictionary[object, dict[str, list[Callback]]]" = WeakKeyDictionary()


def callback_sites(g: CodeGraph, func: FunctionInfo) -> list[Callback]:
    """The calls through a parameter of another function that `func`, passed to it by name, may
    receive (candidates by name: the caller confirms the passed value is `func`)."""
    index = _INDEX.get(g)
    if index is None:
        index = _INDEX[g] = _build(g)
    return index.get(func.name, []) if func.node is not None else []


def _build(g: CodeGraph) -> dict[str, list[Callback]]:
    names = {f.name for f in g.functions.values() if f.node is not None}
    index: dict[str, list[Callback]] = {}
    for caller in g.functions.values():
        for site in caller.calls:
            passed: list[tuple[Optional[int], Optional[str], ir.Expr]] = [(i, None, a) for i, a in enumerate(site.call.args)]
            passed += [(None, kw.name, kw.value) for kw in site.call.keywords if kw.name]
            for i, kw, a in passed:
                name = a.id if isinstance(a, ir.Name) else a.attr if isinstance(a, ir.Attribute) else None
                if name is None or name not in names:
                    continue
                for q in g.callees(site):
                    hof = g.functions.get(q)
                    param = _param_bound(hof, i, kw) if hof is not None else None
                    if hof is None or param is None:
                        continue
                    for inner in hof.calls:
                        if isinstance(inner.call.func, ir.Name) and inner.call.func.id == param:
                            index.setdefault(name, []).append((inner, site, a))
    return index


def _param_bound(hof: FunctionInfo, index: Optional[int], keyword: Optional[str]) -> Optional[str]:
    """The parameter of `hof` an argument binds: by keyword, or at position `index` after the receiver."""
    if keyword is not None:
        return keyword if param_index(hof, keyword) is not None else None
    offset = 1 if hof.cls is not None and not is_staticmethod(hof) else 0
    params = hof.params
    if index is None or index + offset >= len(params) or params[index + offset].kind not in ("normal", "posonly"):
        return None
    return params[index + offset].name
