"""Budgets that end a loop: a check, in the loop or in a function it calls, that raises (or makes
the run stop) once an accumulated quantity passes a limit.

An agent loop with no step counter is still bounded when each pass reaches such a check: a model
wrapper that adds each call's cost to `self.spent` and raises `BudgetExceeded` once it passes
`self.max_cost`, a step that raises when `time.monotonic() - self.started` passes its time budget,
a token count kept across calls. What counts as accumulated: an attribute of `self` that a method of
the class adds to (`+=`/`-=`, or `x = x + ...`), or the time read from a clock. A check that only
logs, a quantity nobody adds to, or a limit compared with a value that does not grow bounds nothing.

The raise must reach the loop: a handler on the way that swallows it (`except Exception: log`) and
lets the caller go on undoes the bound, since the next pass raises and is swallowed again. A handler
of the project's own exception class that returns (`except CostLimitExceeded: return
StepOutput(done=True)`) stops the run deliberately and keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.flow import ends_by_leaving, handler_catches_any, handler_type_names
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ClassRef, ExtRef
from agentable.query.facts import per_graph
from agentable.query.guards import first_catching_handler, handler_raises_on
from agentable.query.literals import source_text

_CLOCKS = python_facts().clock_calls
_ORDERING = ("<", "<=", ">", ">=")
_DEPTH = 6  # calls followed down from the loop body to the check


@dataclass(frozen=True)
class BudgetExit:
    """How a budget check ends a call: `raises` (the exception's class and bases escape the
    function) or `stops` (a handler of the project's own class returns from it); `where` names the
    check for a message."""
    kind: str
    raised: tuple[str, ...]
    where: str


def budget_bound(g: ProjectGraph, func: FunctionInfo, loop: Union[ir.While, ir.For]) -> Optional[str]:
    """The budget check that ends `loop` (for a message), or None: an `if` in the loop that leaves
    it once an accumulated quantity passes a limit, or one in a function the loop calls (down to
    _DEPTH calls) whose raise reaches the loop or whose handler stops the run."""
    body = _loop_stmts(loop)
    fresh = _assigned(body)
    for s in body:
        if isinstance(s, ir.If) and ends_by_leaving(s.body) and _accumulated_test(g, func, s.test, fresh):
            last = s.body[-1]
            if not isinstance(last, ir.Raise) or raise_leaves_loop(g, func, last, raised_classes(g, func, last), loop):
                return f"`{_test_text(g, func, s)}` at line {s.pos[0]}"
    for site in func.calls:
        if not (site.stmt is loop or func.inside(site.stmt, loop)):
            continue
        for q in sorted(g.callees(site)):
            if q == func.qualname or q not in g.functions:
                continue
            for ex in budget_exits(g, q, _DEPTH):
                if ex.kind == "stops" or raise_leaves_loop(g, func, site.stmt, ex.raised, loop):
                    return ex.where
    return None


@per_graph
def budget_exits(g: ProjectGraph, qualname: str, depth: int) -> tuple[BudgetExit, ...]:
    """How calling the function can end a run on a budget: its own checks, and those of the
    functions it calls (down to `depth` calls), as they come out of its handlers."""
    func = g.functions[qualname]
    out: list[BudgetExit] = []
    fresh = _assigned(func.body)
    for s in ir.walk_stmts(func.body):
        if isinstance(s, ir.If) and s.body and isinstance(s.body[-1], ir.Raise) and not _in_handler(func, s) \
                and _accumulated_test(g, func, s.test, fresh):
            where = f"`{_test_text(g, func, s)}` in `{func.qualname}` (line {s.pos[0]})"
            out.extend(_through_handlers(g, func, s, raised_classes(g, func, s.body[-1]), where))
    if depth > 0:
        for site in func.calls:
            for q in sorted(g.callees(site)):
                if q == qualname or q not in g.functions:
                    continue
                for ex in budget_exits(g, q, depth - 1):
                    out.extend([ex] if ex.kind == "stops" else _through_handlers(g, func, site.stmt, ex.raised, ex.where))
    return tuple(dict.fromkeys(out))


def _through_handlers(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...],
                      where: str, hops: int = 3) -> list[BudgetExit]:
    """What becomes of an exception raised at `stmt`: it escapes the function, a handler raises
    again (what it raises goes on), a handler of the project's own class returns (the run stops),
    or a handler swallows it (nothing)."""
    hit = next((h for name in raised[:1] if (h := first_catching_handler(g, func, stmt, name)) is not None), None)
    if hit is None:
        return [BudgetExit("raises", raised, where)]
    try_stmt, handler = hit
    again = handler_raises_on(handler)
    if again is not None:
        if hops <= 0:
            return []
        if _reraises_caught(handler):  # (`raise` / `raise e`: the same exception goes on)
            return _through_handlers(g, func, try_stmt, raised, where, hops - 1)
        return [x for name in again
                for x in _through_handlers(g, func, try_stmt, _lineage(g, name), where, hops - 1)]
    if _own_class_handler(g, handler) and handler.body and isinstance(handler.body[-1], ir.Return):
        return [BudgetExit("stops", raised, where)]
    return []


def _reraises_caught(h: ir.Handler) -> bool:
    last = h.body[-1] if h.body else None
    return isinstance(last, ir.Raise) and (last.exc is None or (isinstance(last.exc, ir.Name) and last.exc.id == h.name))


def raise_leaves_loop(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...],
            loop: Union[ir.While, ir.For]) -> bool:
    """Does an exception raised at `stmt` leave `loop`: no handler inside the loop catches it, or
    the one that does leaves the loop (break, return, raise) or sets what the loop condition reads?"""
    ancestors = list(func.ancestors(stmt))
    if not any(a is loop for a in ancestors):
        return stmt is loop
    ancestors = ancestors[:next(i for i, a in enumerate(ancestors) if a is loop)]
    tested = {ir.dotted(e) for e in ir.walk_expr(loop.test)} - {None} if isinstance(loop, ir.While) else set()
    child: object = stmt
    for i, anc in enumerate(ancestors):
        if isinstance(anc, ir.Try) and any(c is child for c in anc.body):
            handler = next((h for h in anc.handlers if handler_catches_any(h, raised)), None)
            if handler is not None:
                if handler_raises_on(handler) is not None:
                    return True
                inner = any(isinstance(a, (ir.While, ir.For)) for a in ancestors[i + 1:])
                return ends_by_leaving(handler.body, () if inner else ("break",)) \
                    or bool(tested & _assigned(handler.body))
        child = anc
    return True


def _own_class_handler(g: ProjectGraph, h: ir.Handler) -> bool:
    """Does the handler name only exception classes the project defines (`except BudgetExceeded`),
    not a builtin or `Exception`: a deliberate answer to that one condition."""
    names = handler_type_names(h)
    own = {c.name for c in g.classes.values()}
    return bool(names) and all(n.rsplit(".", 1)[-1] in own for n in names)


def raised_classes(g: ProjectGraph, func: FunctionInfo, r: ir.Raise) -> tuple[str, ...]:
    """The class a `raise` raises, then its bases (project classes through their MRO)."""
    exc = r.exc
    if exc is None:
        return ("BaseException",)
    target = exc.func if isinstance(exc, ir.Call) else exc
    for v in g.values(target, func, r):
        if isinstance(v, ClassRef) and v.qualname in g.classes:
            return _lineage(g, v.qualname)
        if isinstance(v, ExtRef):
            return (v.path.rsplit(".", 1)[-1],)
    d = ir.dotted(target)
    return (d.rsplit(".", 1)[-1],) if d else ("Exception",)


def _lineage(g: ProjectGraph, name: str) -> tuple[str, ...]:
    if name in g.classes:
        out: list[str] = []
        for cls in g.mro(name):
            out.append(cls.name)
            out.extend(b.rsplit(".", 1)[-1] for b in cls.base_names if b not in g.classes)
        return tuple(dict.fromkeys(out))
    short = name.rsplit(".", 1)[-1]
    found = [q for q, c in g.classes.items() if c.name == short]
    return _lineage(g, found[0]) if len(found) == 1 else (short,)


def _accumulated_test(g: ProjectGraph, func: FunctionInfo, test: ir.Expr, fresh: set[str]) -> bool:
    """An ordering comparison one of whose sides is an accumulated attribute of `self` or reads a
    clock (`self.spent > self.max_cost`, `time.monotonic() - self.started >= self.time_limit`), and
    none of whose names is set afresh in `fresh` (the checking function, or the loop's body): a count
    reset on every call, or a start taken inside the loop, measures one call, not the run."""
    added = _added_attributes(g, func.cls.qualname) if func.cls is not None else frozenset()
    for e in ir.walk_expr(test):
        if not (isinstance(e, ir.Compare) and any(op in _ORDERING for op in e.ops)):
            continue
        names = {d for x in ir.walk_expr(e) if isinstance(x, (ir.Name, ir.Attribute)) and (d := ir.dotted(x))}
        if names & fresh:
            continue
        if names & added or any(isinstance(x, ir.Call) and _reads_clock(g, func, x) for x in ir.walk_expr(e)):
            return True
    return False


def _reads_clock(g: ProjectGraph, func: FunctionInfo, call: ir.Call) -> bool:
    return any(isinstance(v, ExtRef) and v.path in _CLOCKS for v in g.values(call.func, func, None))


@per_graph
def _added_attributes(g: ProjectGraph, cls_qualname: str) -> frozenset[str]:
    """Attributes of `self` that a method of the class (or a base) adds to or takes from:
    `self.spent += cost`, `self.stats.tokens -= n`, `self.spent = self.spent + cost`."""
    out: set[str] = set()
    for cls in g.mro(cls_qualname):
        for method in cls.methods.values():
            for s in ir.walk_stmts(method.body):
                if isinstance(s, ir.AugAssign) and s.op in ("+=", "-="):
                    d = ir.dotted(s.target)
                elif isinstance(s, ir.Assign) and s.value is not None and len(s.targets) == 1 \
                        and isinstance(s.value, ir.BinOp) and s.value.op in ("+", "-"):
                    d = ir.dotted(s.targets[0])
                    d = d if d is not None and ir.dotted(s.value.left) == d else None
                else:
                    continue
                if d is not None and d.startswith("self."):
                    out.add(d)
    return frozenset(out)


def _assigned(block: list[ir.Stmt]) -> set[str]:
    """Names and attributes the block sets with a plain assignment (not `+=`)."""
    return {d for s in ir.walk_stmts(block) if isinstance(s, ir.Assign)
            for t in s.targets for x in ir.walk_expr(t) if (d := ir.dotted(x))}


def _in_handler(func: FunctionInfo, s: ir.Stmt) -> bool:
    """Is the statement in an `except` block: run only when something failed (a retry giving up),
    not on every call."""
    return any(isinstance(a, ir.Handler) for a in func.ancestors(s))


def _loop_stmts(loop: Union[ir.While, ir.For]) -> list[ir.Stmt]:
    """The statements of the loop's body, not those of an inner loop (whose break leaves only it)."""
    out: list[ir.Stmt] = []
    stack = list(loop.body)
    while stack:
        s = stack.pop()
        out.append(s)
        if not isinstance(s, (ir.While, ir.For, ir.FunctionDef, ir.ClassDef)):
            for b in ir.child_blocks(s):
                stack.extend(b)
    return out


def _test_text(g: ProjectGraph, func: FunctionInfo, s: ir.If) -> str:
    return source_text(g, func.path, s.test, 60)
