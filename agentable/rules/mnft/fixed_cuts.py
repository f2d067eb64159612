"""A loop that makes room by cutting a value to a fixed length, `query = query[:limit]`, and ends only
when a measure of that value together with something it does not shrink is small enough (MNFT024).
After the first pass the cut changes nothing; when the other part alone is over the limit, the loop
never ends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.flow import fixed_prefix_cut, loop_info
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo


@dataclass(frozen=True)
class FixedCutLoop:
    func: FunctionInfo
    loop: ir.While
    cut: ir.Assign  # `query = query[:limit]`
    name: str
    test: ir.Expr  # the test that ends the loop, combining `name` with what the loop keeps
    kept: ir.Expr  # the operand combined with `name` that no pass shrinks


def fixed_cut_loops(g: ProjectGraph) -> Iterator[FixedCutLoop]:
    for func in g.functions.values():
        for loop in ir.walk_stmts(func.body):
            if not isinstance(loop, ir.While) or loop_info(loop).bounded:
                continue
            for s in ir.walk_stmts(loop.body):
                name = fixed_prefix_cut(s, loop.body)
                if name is None or any(isinstance(a, (ir.While, ir.For)) and func.inside(a, loop)
                                       for a in func.ancestors(s)):
                    continue
                hit = _combined_test(loop, name)
                if hit is not None:
                    assert isinstance(s, ir.Assign)
                    yield FixedCutLoop(func, loop, s, name, hit[0], hit[1])
                    break


def _combined_test(loop: ir.While, name: str) -> Optional[tuple[ir.Expr, ir.Expr]]:
    """The loop's condition, or the test of an `if` in its body, holding `name + other` (either way
    round, `other` not a constant and not assigned in the loop), with the operand `other`."""
    assigned = {t.id for s in ir.walk_stmts(loop.body) if isinstance(s, ir.Assign)
                for t in s.targets if isinstance(t, ir.Name)}
    tests = [loop.test] + [s.test for s in ir.walk_stmts(loop.body) if isinstance(s, ir.If)]
    for test in tests:
        for e in ir.walk_expr(test):
            if not (isinstance(e, ir.BinOp) and e.op == "+"):
                continue
            for mine, other in ((e.left, e.right), (e.right, e.left)):
                if isinstance(mine, ir.Name) and mine.id == name and not isinstance(other, ir.Constant) \
                        and not any(isinstance(x, ir.Name) and x.id in assigned for x in ir.walk_expr(other)):
                    return test, other
    return None
