"""Callbacks in the call graph: a function passed as an argument and called through the parameter
that receives it (`def run_step(prompt, on_reply): ... on_reply(reply)` with
`run_step(p, on_reply=parse)`).

Decided with the shallow resolver only (the function named at the passing call site, or bound to
the parameter in its own function): the full resolver's parameter values are built on the call
graph, so asking it while the call graph is being built would re-enter it half-done and make the
answers depend on what was asked first.
"""

from __future__ import annotations

from typing import Protocol

from agentable.cpg import ir
from agentable.cpg.binding import argument_for, is_staticmethod, param_index
from agentable.cpg.graph_api import ValueResolver
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import FuncRef


class _Graph(Protocol):
    """What of the project graph this needs (the graph imports this module)."""

    @property
    def functions(self) -> dict[str, FunctionInfo]: ...

    @property
    def shallow(self) -> ValueResolver: ...

    def callers(self, func: FunctionInfo) -> list[CallSite]: ...

    def sites_named(self, name: str) -> list[CallSite]: ...


def calls_own_param(site: CallSite) -> bool:
    """`cb(x)` where `cb` is a parameter of the calling function."""
    fn = site.call.func
    return isinstance(fn, ir.Name) and any(p.name == fn.id for p in site.func.params)


class Callbacks:
    """The callback edges of one project graph."""

    def __init__(self, g: _Graph) -> None:
        self.g = g
        self._passed: dict[int, frozenset[str]] = {}
        self._active: set[int] = set()
        self._params: set[str] = set()  # names of parameters their function calls
        self._values: set[str] = set()  # names used other than as a callee
        for f in g.functions.values():
            callees = {id(site.call.func) for site in f.calls}
            self._params.update(site.call.func.id for site in f.calls
                                if calls_own_param(site) and isinstance(site.call.func, ir.Name))
            self._values.update(e.id for e, _ in f.walk(ir.Name) if id(e) not in callees)
            self._values.update(e.attr for e, _ in f.walk(ir.Attribute) if id(e) not in callees)

    def passed_for(self, site: CallSite) -> frozenset[str]:
        """The project functions `cb(x)` may call: those bound to `cb` in its function (a default,
        `cb = cb or parse`) and those its callers pass for it."""
        key = id(site.call)
        hit = self._passed.get(key)
        if hit is not None:
            return hit
        if key in self._active or not calls_own_param(site):
            return frozenset()
        self._active.add(key)
        try:
            g, func = self.g, site.func
            out = {v.qualname for v in g.shallow.values(site.call.func, func, site.stmt) if isinstance(v, FuncRef)}
            idx = param_index(func, site.call.func.id)  # type: ignore[attr-defined]  # a Name (calls_own_param)
            if idx is not None:
                param = func.params[idx]
                offset = 1 if func.cls is not None and not is_staticmethod(func) else 0
                for caller in g.callers(func):
                    arg = argument_for(caller.call, param, idx - offset)
                    if arg is not None:
                        out |= {v.qualname for v in g.shallow.values(arg, caller.func, caller.stmt)
                                if isinstance(v, FuncRef)}
            result = frozenset(out)
        finally:
            self._active.discard(key)
        self._passed[key] = result
        return result

    def sites_calling(self, func: FunctionInfo) -> list[CallSite]:
        """The `cb(x)` sites that may call `func`, a function the project uses as a value."""
        if func.name not in self._values or func.name in ("__init__", "__call__"):
            return []
        return [site for name in sorted(self._params) for site in self.g.sites_named(name)
                if func.qualname in self.passed_for(site)]
