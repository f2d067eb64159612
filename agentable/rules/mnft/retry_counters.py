"""Retry loops bounded by an attempt counter (`while attempt < n:` ... `attempt += 1`) where a
`continue` starts the next attempt before the counter is increased (MNFT015)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.flow import ends_by_leaving
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef

_UPPER = {"<": False, "<=": False, "!=": False}  # counter on the left: `attempt < n`
_LOWER = {">": True, ">=": True, "!=": True}  # counter on the right: `n > attempt`


@dataclass(frozen=True)
class SkippedCounter:
    """A `while` loop on `counter`, a call it retries (`retried`: its text), the increments of the
    counter, and the `continue` statements that skip them, each with the condition (an `except`
    clause or an `if`) that leads to it."""

    func: FunctionInfo
    loop: ir.While
    counter: str
    retried: str
    increments: tuple[ir.Stmt, ...]
    skips: tuple[tuple[ir.Stmt, object], ...]  # (continue, its enclosing handler or if statement)


def _counter(test: ir.Expr) -> Optional[str]:
    if not isinstance(test, ir.Compare) or len(test.ops) != 1:
        return None
    op = test.ops[0]
    left, right = test.left, test.comparators[0]
    if op in _UPPER and isinstance(left, (ir.Name, ir.Attribute)):
        return ir.dotted(left)
    if op in _LOWER and isinstance(right, (ir.Name, ir.Attribute)):
        return ir.dotted(right)
    return None


def _is_increment(s: ir.Stmt, counter: str) -> bool:
    if isinstance(s, ir.AugAssign):
        return ir.dotted(s.target) == counter and s.op in ("+=", "+", "-=", "-")
    if isinstance(s, ir.Assign) and len(s.targets) == 1 and ir.dotted(s.targets[0]) == counter:
        v = s.value
        return isinstance(v, ir.BinOp) and counter in (ir.dotted(v.left), ir.dotted(v.right))
    return False


def _own_loop(func: FunctionInfo, s: ir.Stmt) -> Optional[object]:
    for anc in func.ancestors(s):
        if isinstance(anc, (ir.While, ir.For)):
            return anc
        if isinstance(anc, (ir.FunctionDef, ir.ClassDef)):
            return None
    return None


def retried_call(g: ProjectGraph, func: FunctionInfo, loop: ir.Stmt, only: Optional[list[ir.Stmt]] = None) -> str:
    """A model call, a project function reaching one, or a web request made in the loop (and, with
    `only`, in one of these statements of it: a try's body, not its handlers)."""
    llm_sites = {id(c.call) for c in g.agent.llm_calls}
    for site in func.calls:
        if not func.inside(site.stmt, loop):
            continue
        if only is not None and not any(site.stmt is b or func.inside(site.stmt, b) for b in only):
            continue
        name = ir.dotted(site.call.func) or "the call"
        if id(site.call) in llm_sites or g.callees(site) & g.agent.llm_functions:
            return name
        if any(isinstance(v, ExtRef) and g.catalog.does_network_io(v.path)
               for v in g.values(site.call.func, func, site.stmt)):
            return name
    return ""


def _counted_before(func: FunctionInfo, cont: ir.Stmt, increments: list[ir.Stmt]) -> bool:
    """Does an increment run before `cont` on its path: one earlier in a block that encloses it, or
    in the `finally` of a try around it (which runs on `continue`)?"""
    chain = [cont, *func.ancestors(cont)]
    ids = {id(c) for c in chain}
    for inc in increments:
        parent = func.parents.get(id(inc))
        if parent is not None and id(parent) in ids and inc.pos < cont.pos:
            return True
        for c in chain:
            if isinstance(c, ir.Try) and any(inc is x or id(x) in {id(a) for a in func.ancestors(inc)}
                                             for x in c.finalbody):
                return True
    return False


def _condition(func: FunctionInfo, cont: ir.Stmt, loop: ir.While) -> object:
    """The handler or `if` nearest around `cont` inside the loop (the loop itself if none)."""
    for anc in func.ancestors(cont):
        if anc is loop:
            break
        if isinstance(anc, (ir.Handler, ir.If)):
            return anc
    return loop


def skipped_counters(g: ProjectGraph) -> Iterator[SkippedCounter]:
    for func in g.functions.values():
        for loop in func.stmts:
            if not isinstance(loop, ir.While):
                continue
            counter = _counter(loop.test)
            if counter is None:
                continue
            body = [s for s in func.stmts if func.inside(s, loop) and _own_loop(func, s) is loop]
            increments = [s for s in body if _is_increment(s, counter)]
            conts = [s for s in body if isinstance(s, ir.Simple) and s.kind == "continue"]
            if not increments or not conts:
                continue
            skips = tuple((c, _condition(func, c, loop)) for c in conts if not _counted_before(func, c, increments))
            if not skips:
                continue
            retried = retried_call(g, func, loop)
            if retried:
                yield SkippedCounter(func, loop, counter, retried, tuple(increments), skips)


@dataclass(frozen=True)
class UncountedBound:
    """A `while` loop that retries `retried` and gives up on an attempt counter (`if retry > 3:
    raise` in the body) that nothing in the loop increases: the limit never comes."""

    func: FunctionInfo
    loop: ir.While
    counter: str
    retried: str
    start: ir.Stmt  # `retry = 0` before the loop
    test: ir.If  # the guard that would end the retries


def _guard_counter(test: ir.Expr) -> Optional[str]:
    """`retry > 3` / `3 <= retry` / `tries == limit`: the plain name counted up to a limit. The other
    side is the limit, a constant or a name: `len(items) < per_page` measures a page against its
    fixed size (a short page ends a pagination loop), it counts nothing up to `per_page`."""
    if not isinstance(test, ir.Compare) or len(test.ops) != 1:
        return None
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if not all(isinstance(x, (ir.Constant, ir.Name)) or ir.dotted(x) for x in (left, right)):
        return None
    if op in (">", ">=", "==") and isinstance(left, ir.Name):
        return left.id
    if op in ("<", "<=", "==") and isinstance(right, ir.Name):
        return right.id
    return None


def _int_start(func: FunctionInfo, name: str, loop: ir.While) -> Optional[ir.Stmt]:
    """The one binding of `name` in the function, an int literal before the loop (`retry = 0`)."""
    defs = func.defs.get(name, [])
    if len(defs) != 1 or name in func.globals_declared:
        return None
    d = defs[0]
    ok = (d.how == "assign" and isinstance(d.value, ir.Constant) and type(d.value.value) is int
          and d.stmt.pos < loop.pos)
    return d.stmt if ok and isinstance(d.stmt, ir.Stmt) else None


def _goes_round(func: FunctionInfo, loop: ir.While, body: list[ir.Stmt]) -> bool:
    """Can a pass start the next one: a `continue` of this loop, or a body that does not end by leaving?"""
    return not ends_by_leaving(loop.body) or any(isinstance(s, ir.Simple) and s.kind == "continue" for s in body)


def uncounted_bounds(g: ProjectGraph) -> Iterator[UncountedBound]:
    agent_loops = {id(a.loop) for a in g.agent.loops}  # a loop that calls the model is MNFT003's to bound
    for func in g.functions.values():
        for loop in func.stmts:
            if not isinstance(loop, ir.While) or id(loop) in agent_loops:
                continue
            body = [s for s in func.stmts if func.inside(s, loop) and _own_loop(func, s) is loop]
            if not _goes_round(func, loop, body):
                continue
            for s in body:
                if not isinstance(s, ir.If) or not ends_by_leaving(s.body):
                    continue
                name = _guard_counter(s.test)
                start = _int_start(func, name, loop) if name else None
                if name is None or start is None or _nested_def_uses(func, name):
                    continue
                retried = retried_call(g, func, loop)
                if retried:
                    yield UncountedBound(func, loop, name, retried, start, s)
                    break


def _nested_def_uses(func: FunctionInfo, name: str) -> bool:
    """A nested function that declares `name` nonlocal may count it."""
    return any(isinstance(s, ir.FunctionDef) for s in ir.walk_stmts(func.body)) and any(
        isinstance(s, ir.Simple) and s.kind == "nonlocal" and any(isinstance(e, ir.Name) and e.id == name for e in s.exprs)
        for s in ir.walk_stmts(func.body, into_defs=True))
