"""Attempt counters tested against a value they never take (MNFT019). A retry loop
`for i in range(n):` leaves `i` at `n - 1` at most, so a give-up test after it, `if i == n:` (or
`i >= n`), never holds and the give-up branch never runs; and a handler that retries only when
`i == n - 1`, the last attempt, and raises on the others never retries at all: the first failure
raises, and a failure on the last attempt goes round to a loop that has ended. A give-up test
after the loop on the last attempt, `if i == n - 1: raise`, also holds when that attempt
succeeded and left the loop with `break`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo


@dataclass(frozen=True)
class DeadAttemptTest:
    """`test` (in `where`, an `if` statement) compares the counter of `loop` with a value it never
    takes (`kind` "after": the give-up test after the loop) or takes only on the last attempt
    (`kind` "last": the retry branch of a handler whose other branch raises), or gives up after
    the loop when the counter is at the last attempt, which it also is when that attempt succeeded
    and broke out (`kind` "success")."""

    func: FunctionInfo
    loop: ir.For
    where: ir.If
    counter: str
    bound: str  # the loop's stop, as written
    kind: str
    success_exit: Optional[ir.Stmt] = None  # kind "success": the `break` a successful attempt takes


def _range_stop(loop: ir.For) -> Optional[ir.Expr]:
    """The stop of `for i in range(n)` / `range(0, n)` (step 1), else None."""
    it = loop.iter
    if not (isinstance(it, ir.Call) and ir.dotted(it.func) == "range" and not it.keywords and 1 <= len(it.args) <= 2):
        return None
    if len(it.args) == 2 and not isinstance(it.args[0], ir.Constant):
        return None
    return it.args[-1]


def _same(a: ir.Expr, b: ir.Expr) -> bool:
    if isinstance(a, ir.Constant) and isinstance(b, ir.Constant):
        return a.value == b.value and type(a.value) is type(b.value)
    da, db = ir.dotted(a), ir.dotted(b)
    return da is not None and da == db


def _counter_compare(test: ir.Expr, counter: str) -> Optional[tuple[str, ir.Expr]]:
    """(op, other side) of `counter <op> x` or `x <op> counter` (turned round), else None."""
    if not (isinstance(test, ir.Compare) and len(test.ops) == 1):
        return None
    left, op, right = test.left, test.ops[0], test.comparators[0]
    flipped = {"==": "==", ">=": "<=", ">": "<", "<=": ">=", "<": ">"}
    if isinstance(left, ir.Name) and left.id == counter:
        return op, right
    if isinstance(right, ir.Name) and right.id == counter and op in flipped:
        return flipped[op], left
    return None


def _never_reached(test: ir.Expr, counter: str, stop: ir.Expr) -> bool:
    """`counter == stop`, `counter >= stop`, `counter > stop` (also against a literal past the stop)."""
    cmp = _counter_compare(test, counter)
    if cmp is None:
        return False
    op, other = cmp
    if op not in ("==", ">=", ">"):
        return False
    if _same(other, stop):
        return True
    return (isinstance(other, ir.Constant) and isinstance(stop, ir.Constant) and isinstance(other.value, int)
            and isinstance(stop.value, int) and not isinstance(other.value, bool) and other.value >= stop.value)


def _last_attempt(test: ir.Expr, counter: str, stop: ir.Expr) -> bool:
    """`counter == stop - 1` (or the literal one below a literal stop)."""
    cmp = _counter_compare(test, counter)
    if cmp is None or cmp[0] != "==":
        return False
    other = cmp[1]
    if isinstance(other, ir.BinOp) and other.op == "-" and _same(other.left, stop) \
            and isinstance(other.right, ir.Constant) and other.right.value == 1:
        return True
    return (isinstance(other, ir.Constant) and isinstance(stop, ir.Constant) and type(other.value) is int
            and type(stop.value) is int and stop.value >= 2 and other.value == stop.value - 1)


def _rebinds(loop: ir.For, counter: str) -> bool:
    for s in ir.walk_stmts(loop.body):
        targets = s.targets if isinstance(s, ir.Assign) else [s.target] if isinstance(s, (ir.AugAssign, ir.For)) else []
        if any(isinstance(t, ir.Name) and t.id == counter for t in targets):
            return True
    return False


def _raises(block: list[ir.Stmt]) -> bool:
    return bool(block) and isinstance(block[-1], ir.Raise)


def _block_after(func: FunctionInfo, loop: ir.For) -> list[ir.Stmt]:
    """The statements after `loop` in the block that holds it."""
    parent = func.parents.get(id(loop))
    blocks = [func.body] if parent is None else ir.child_blocks(parent) if isinstance(parent, ir.Stmt) else []
    if isinstance(parent, ir.Handler):
        blocks = [parent.body]
    for b in blocks:
        for i, s in enumerate(b):
            if s is loop:
                return b[i + 1:]
    return []


def dead_attempt_tests(g: ProjectGraph) -> Iterator[DeadAttemptTest]:
    """The tests: after a loop that calls the model, or in the handler of a retry loop."""
    for func in g.agent.functions():
        if g.is_test_code(func.path):
            continue
        for loop in func.stmts:
            if not (isinstance(loop, ir.For) and isinstance(loop.target, ir.Name)) or loop.orelse:
                continue
            stop = _range_stop(loop)
            counter = loop.target.id
            if stop is None or _rebinds(loop, counter):
                continue
            if _calls_model(g, func, loop):
                for s in _block_after(func, loop):
                    if isinstance(s, ir.If) and _never_reached(s.test, counter, stop):
                        yield DeadAttemptTest(func, loop, s, counter, _text(stop), "after")
                        break
                    if isinstance(s, ir.If) and _last_attempt(s.test, counter, stop) and _gives_up(s.body) \
                            and (brk := _success_break(func, loop, counter)) is not None:
                        yield DeadAttemptTest(func, loop, s, counter, _text(stop), "success", brk)
                        break
            # a handler that goes round again on one attempt and raises on the others is a retry
            # loop by its shape, whatever the try calls (a tool's shell, a web request)
            for t in loop.body:
                if not isinstance(t, ir.Try):
                    continue
                for h in t.handlers:
                    last = h.body[-1] if h.body else None
                    if isinstance(last, ir.If) and _last_attempt(last.test, counter, stop) \
                            and _raises(last.orelse) and not _raises(last.body):
                        yield DeadAttemptTest(func, loop, last, counter, _text(stop), "last")


def _gives_up(block: list[ir.Stmt]) -> bool:
    """Does the block end by raising (the give-up branch of a retry loop)?"""
    return _raises(block)


def _success_break(func: FunctionInfo, loop: ir.For, counter: str) -> Optional[ir.Stmt]:
    """A `break` of the loop itself taken when an attempt succeeds: not in a handler and not under
    a test of the counter (`if attempt == n - 1: break` gives up on the last attempt)."""
    for s in ir.walk_stmts(loop.body):
        if not (isinstance(s, ir.Simple) and s.kind == "break"):
            continue
        own = True
        for anc in func.ancestors(s):
            if anc is loop:
                break
            if isinstance(anc, (ir.While, ir.For, ir.Handler, ir.FunctionDef)) or (
                    isinstance(anc, ir.If) and any(isinstance(x, ir.Name) and x.id == counter
                                                   for x in ir.walk_expr(anc.test))):
                own = False
                break
        if own:
            return s
    return None


def _calls_model(g: ProjectGraph, func: FunctionInfo, loop: ir.For) -> bool:
    return any(func.inside(site.stmt, loop) and g.agent.calls_llm(site) for site in func.calls)


def _text(e: ir.Expr) -> str:
    if isinstance(e, ir.Constant):
        return repr(e.value)
    return ir.dotted(e) or "n"
