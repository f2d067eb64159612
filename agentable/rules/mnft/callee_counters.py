"""A loop whose condition reads a counter on `self` that a method the body calls counts up:
`while self.state.n_steps <= max_steps: await self._execute_step()`, where `_execute_step` ->
`step` -> `_finalize` does `self.state.n_steps += 1`. The body itself assigns nothing the test
reads, yet each pass moves the counter towards the bound. The comparison may also sit in a
method the condition calls: `while not self.is_halted(): self.step()` with `is_halted` returning
`self.step_n > self.max_steps`. A component the object holds counts as part of it: the body calls
`self.env.step(a)`, which does `self.curr_step += 1`, and the condition `self.is_truncated()` returns
`self.env.is_truncated()`, which compares `self.curr_step >= self.max_steps`."""

from __future__ import annotations

from agentable.cpg import ir
from agentable.cpg.flow import is_counter_test
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo

_DEPTH = 4  # self-method calls followed from the loop body


def counted_in_self_callees(g: ProjectGraph, func: FunctionInfo, loop: ir.Stmt, test: ir.Expr) -> bool:
    """Does a method the loop body calls on `self` (directly or through further `self.` calls)
    count up (`+=`/`-=`) an attribute of `self` that the loop test compares against a bound?"""
    counters: set[str] = set()
    seen: set[str] = {func.qualname}
    frontier = [site for site in func.calls if site.stmt is loop or loop in func.ancestors(site.stmt)]
    for _ in range(_DEPTH):
        nxt = []
        for site in frontier:
            if not _on_self(site.call):
                continue
            for q in g.callees(site):
                callee = g.functions.get(q)
                if callee is None or q in seen or callee.cls is None or callee.node is None:
                    continue
                seen.add(q)
                counters |= {d for s in ir.walk_stmts(callee.body) if isinstance(s, ir.AugAssign)
                             and s.op in ("+=", "-=") for d in [ir.dotted(s.target) or ""] if d.startswith("self.")}
                nxt.extend(callee.calls)
        frontier = nxt
    if not counters:
        return False
    return any(is_counter_test(t, counters) for t in (test, *_returned_by_test_calls(g, func, test)))


def _returned_by_test_calls(g: ProjectGraph, func: FunctionInfo, test: ir.Expr, depth: int = 2) -> list[ir.Expr]:
    """What the methods the loop condition calls on `self` (or on a component, `self.env`) return
    (`self.is_halted()`), and what the methods those returns call return in turn."""
    calls = {id(e) for e in ir.walk_expr(test) if isinstance(e, ir.Call) and _on_self(e)}
    out: list[ir.Expr] = []
    for site in func.calls:
        if id(site.call) not in calls:
            continue
        for q in g.callees(site):
            callee = g.functions.get(q)
            if callee is not None and callee.cls is not None:
                returned = [r.value for r in callee.returns if r.value is not None]
                out.extend(returned)
                if depth > 1:
                    for r in returned:
                        out.extend(_returned_by_test_calls(g, callee, r, depth - 1))
    return out


def _on_self(call: ir.Call) -> bool:
    """`self.m(...)` or `self.part.m(...)`."""
    f = call.func
    if not isinstance(f, ir.Attribute):
        return False
    owner = f.value.value if isinstance(f.value, ir.Attribute) else f.value
    return isinstance(owner, ir.Name) and owner.id == "self"
