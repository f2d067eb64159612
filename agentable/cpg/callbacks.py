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
_PASSING: "WeakKeyDictionary[object, list[tuple[CallSite, Optional[int], Optional[str], ir.Expr, str]]]" = WeakKeyDictionary()


def callback_sites(g: CodeGraph, func: FunctionInfo) -> list[Callback]:
    """The calls through a parameter of another function that `func`, passed to it by name, may
    receive (candidates by name: the caller confirms the passed value is `func`)."""
    index = _INDEX.get(g)
    if index is None:
        index = _INDEX[g] = _build(g)
    return index.get(func.name, []) if func.node is not None else []


def _passing(g: CodeGraph) -> list[tuple[CallSite, Optional[int], Optional[str], ir.Expr, str]]:
    """The arguments that name a project function (`on_reply=parse_plan`), with their sites, in
    the order of functions, sites and arguments: syntax only, so computed once per graph (a
    `_build` may run again inside itself, through the resolver, while the index is incomplete)."""
    found = _PASSING.get(g)
    if found is not None:
        return found
    names = {f.name for f in g.functions.values() if f.node is not None}
    found = []
    for caller in g.functions.values():
        for site in caller.calls:
            call = site.call
            for i, a in enumerate(call.args):
                name = a.id if isinstance(a, ir.Name) else a.attr if isinstance(a, ir.Attribute) else None
                if name is not None and name in names:
                    found.append((site, i, None, a, name))
            for kw in call.keywords:
                a = kw.value
                if kw.name:
                    name = a.id if isinstance(a, ir.Name) else a.attr if isinstance(a, ir.Attribute) else None
                    if name is not None and name in names:
                        found.append((site, None, kw.name, a, name))
    _PASSING[g] = found
    return found


def _build(g: CodeGraph) -> dict[str, list[Callback]]:
    index: dict[str, list[Callback]] = {}
    for site, i, kw, a, name in _passing(g):
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
