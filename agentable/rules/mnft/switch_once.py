"""A retry that a one-way switch allows once: `if not self._switch_to_fallback(e): raise` before
`return self.ask(...)`, where the switch refuses when `self._on_fallback` is already set and sets
it when it agrees; or the same written inline (`if self._retried: raise`, `self._retried = True`).
The second failure finds the flag set and raises, so the recursion is one level deep."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.query.guards import names_in


def switched_once(g: ProjectGraph, func: FunctionInfo, site: CallSite, handler: Optional[ir.Handler]) -> bool:
    """Is the retry at `site` (inside `handler`) preceded by a guard that raises once a flag on
    `self` is set, the flag being set on the way to the retry?"""
    if handler is None:
        return False
    set_here = _set_true(handler.body)
    for s in handler.body:
        if s is site.stmt:
            return False
        if not (isinstance(s, ir.If) and any(isinstance(x, ir.Raise) for x in s.body)):
            continue
        if set_here & names_in(s.test):
            return True
        for e in ir.walk_expr(s.test):
            if isinstance(e, ir.Call) and _guard_switches(g, func, e):
                return True
    return False


def _guard_switches(g: ProjectGraph, func: FunctionInfo, call: ir.Call) -> bool:
    """The called method returns False when a flag it sets to True (before agreeing) is already set."""
    for cs in func.calls:
        if cs.call is not call:
            continue
        for q in g.callees(cs):
            callee = g.functions.get(q)
            if callee is None or callee.node is None:
                continue
            flags = _set_true(callee.body)
            for s in ir.walk_stmts(callee.body):
                if (isinstance(s, ir.If) and flags & names_in(s.test)
                        and any(isinstance(x, ir.Return) and isinstance(x.value, ir.Constant) and x.value.value is False
                                for x in s.body)):
                    return True
    return False


def _set_true(block: list[ir.Stmt]) -> set[str]:
    return {d for s in ir.walk_stmts(block) if isinstance(s, ir.Assign) and isinstance(s.value, ir.Constant)
            and s.value.value is True for t in s.targets for d in [ir.dotted(t) or ""] if d.startswith("self.")}
