"""A retry that a one-way switch allows once: `if not self._switch_to_fallback(e): raise` before
`return self.ask(...)`, where the switch refuses when `self._on_fallback` is already set and sets
it when it agrees; or the same written inline (`if self._retried: raise`, `self._retried = True`).
The second failure finds the flag set and raises, so the recursion is one level deep. A switch
that walks a list of fallbacks (`self.index += 1`, refusing at the end of the list) allows one
retry per entry."""

from __future__ import annotations

from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.flow import is_counter_test
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
    for callee in _called_bodies(g, func, call):
        flags = _set_true(callee.body)
        for s in ir.walk_stmts(callee.body):
            if (isinstance(s, ir.If) and flags & names_in(s.test)
                    and any(isinstance(x, ir.Return) and isinstance(x.value, ir.Constant) and x.value.value is False
                            for x in s.body)):
                return True
    return False


def _called_bodies(g: ProjectGraph, func: FunctionInfo, call: ir.Call) -> Iterator[FunctionInfo]:
    """The project functions with a body that `call`, a call in `func`, may run."""
    for cs in func.calls:
        if cs.call is call:
            for q in g.callees(cs):
                callee = g.functions.get(q)
                if callee is not None and callee.node is not None:
                    yield callee


def _set_true(block: list[ir.Stmt]) -> set[str]:
    return {d for s in ir.walk_stmts(block) if isinstance(s, ir.Assign) and isinstance(s.value, ir.Constant)
            and s.value.value is True for t in s.targets for d in [ir.dotted(t) or ""] if d.startswith("self.")}


def fallback_list_exhausts(g: ProjectGraph, func: FunctionInfo, site: CallSite) -> bool:
    """Is the recursion at `site` preceded, on its way, by a guard that leaves the function once a
    list of fallbacks runs out: `if not self.switch_to_next_model(): raise err`, where the switch
    counts a position on an object up (`self.index += 1`) and returns False (or raises) once it
    reaches a bound (`if self.index + 1 >= len(models): return False`)? Each recursion moves one
    step along the list, so it ends after as many attempts as the list has entries."""
    for s in _preceding(func, site.stmt):
        if not (isinstance(s, ir.If) and s.body and isinstance(s.body[-1], (ir.Return, ir.Raise))):
            continue
        for e in ir.walk_expr(s.test):
            if isinstance(e, ir.Call) and _steps_bounded_cursor(g, func, e):
                return True
    return False


def _preceding(func: FunctionInfo, stmt: ir.Stmt) -> list[ir.Stmt]:
    """The statements that run before `stmt` in its block and in each enclosing block."""
    out: list[ir.Stmt] = []
    child: object = stmt
    for anc in [*func.ancestors(stmt), func.node]:  # the function's own body holds the outermost
        blocks = [getattr(anc, a, None) for a in ("body", "orelse", "finalbody")]
        blocks += [h.body for h in getattr(anc, "handlers", [])] + list(getattr(anc, "cases", []))
        for block in blocks:
            if isinstance(block, list) and any(x is child for x in block):
                out.extend(block[:next(i for i, x in enumerate(block) if x is child)])
        child = anc
    return out


def _steps_bounded_cursor(g: ProjectGraph, func: FunctionInfo, call: ir.Call) -> bool:
    """The called method counts an attribute up or down and, under an ordering test of that
    attribute, returns False or None or raises: it refuses once the position reaches its bound."""
    for callee in _called_bodies(g, func, call):
        counters = {d for s in ir.walk_stmts(callee.body) if isinstance(s, ir.AugAssign)
                    and s.op in ("+=", "-=") for d in [ir.dotted(s.target) or ""] if "." in d}
        for s in ir.walk_stmts(callee.body):
            if isinstance(s, ir.If) and counters and is_counter_test(s.test, counters) \
                    and any(_refuses(x) for x in s.body):
                return True
    return False


def _refuses(s: ir.Stmt) -> bool:
    return isinstance(s, ir.Raise) or (isinstance(s, ir.Return) and (
        s.value is None or (isinstance(s.value, ir.Constant) and s.value.value in (False, None))))
