"""A step limit tested for equality: `num_iters += 1` on every pass, then
`if num_iters == self.max_iterations: break`. A counter that goes up by exactly one each pass
takes every value from where it starts, so it meets a fixed limit as `>=` would (a limit below
its start aside), and the exit it guards bounds the loop."""

from __future__ import annotations

from agentable.cpg import ir
from agentable.cpg.flow import assigned_names


def equals_step_limit(test: ir.Expr, loop: ir.Stmt) -> bool:
    """Does `test` compare with `==` a counter the loop body steps by one on every pass against
    something the body does not change?"""
    body: list[ir.Stmt] = loop.body  # type: ignore[attr-defined]
    steps = _stepped_by_one(body)
    if not steps:
        return False
    changed = assigned_names(body)
    for e in ir.walk_expr(test):
        if not (isinstance(e, ir.Compare) and e.ops == ["=="] and len(e.comparators) == 1):
            continue
        for counter, limit in ((e.left, e.comparators[0]), (e.comparators[0], e.left)):
            if ir.dotted(counter) in steps and not _reads_changed(limit, changed):
                return True
    return False


def _reads_changed(limit: ir.Expr, changed: set[str]) -> bool:
    """Does the limit read a name the body assigns? Only whole dotted names count: the body's
    `self.tasks = ...` changes `self.tasks`, not `self.max_iterations`."""
    names = {d for x in ir.walk_expr(limit) if (d := ir.dotted(x))}
    return any(d in changed for d in names if not any(o.startswith(d + ".") for o in names))


def _stepped_by_one(body: list[ir.Stmt]) -> set[str]:
    """Names the block steps with `n += 1` as one of its own statements (not inside a branch, an
    inner loop or a try), and assigns nowhere else."""
    stepped = {d for s in body if isinstance(s, ir.AugAssign) and s.op == "+="
               and isinstance(s.value, ir.Constant) and s.value.value == 1 and type(s.value.value) is int
               for d in [ir.dotted(s.target)] if d}
    if not stepped:
        return set()
    writes: dict[str, int] = {}
    for s in ir.walk_stmts(body):
        targets = s.targets if isinstance(s, ir.Assign) else [s.target] if isinstance(s, (ir.AugAssign, ir.For)) else []
        for t in targets:
            for x in ir.walk_expr(t):
                d = ir.dotted(x)
                if d in stepped:
                    writes[d] = writes.get(d, 0) + 1
    return {d for d in stepped if writes.get(d) == 1}
