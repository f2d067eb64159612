"""A step limit whose default is infinity: `def run(self, ..., max_turns: int = float("inf"))`
with `while turns < max_turns:`. The loop reads as counted, but every call that leaves the limit
out (or, with no caller in the project, every user of the API) runs until the model stops."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.binding import argument_for, is_staticmethod
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo

_INFINITE = frozenset({"inf", "infinity", "+inf"})


def infinite_step_limit(g: ProjectGraph, func: FunctionInfo, loop: ir.Stmt) -> Optional[ir.Param]:
    """The parameter of `func` that bounds the `while` loop's test with an infinite default, when
    some call in the project omits it (or nothing in the project calls `func`)."""
    if not isinstance(loop, ir.While):
        return None
    compared = {x.id for e in ir.walk_expr(loop.test) if isinstance(e, ir.Compare)
                and any(op in ("<", "<=") for op in e.ops) for c in e.comparators for x in ir.walk_expr(c)
                if isinstance(x, ir.Name)}
    for index, p in enumerate(func.params):
        if p.name in compared and _is_infinite(p.default) and _omitted_somewhere(g, func, p, index):
            return p
    return None


def _is_infinite(e: Optional[ir.Expr]) -> bool:
    if isinstance(e, ir.Attribute) and ir.dotted(e) in ("math.inf", "numpy.inf", "np.inf"):
        return True
    return (isinstance(e, ir.Call) and ir.dotted(e.func) == "float" and len(e.args) == 1
            and isinstance(e.args[0], ir.Constant) and str(e.args[0].value).strip().lower() in _INFINITE)


def _omitted_somewhere(g: ProjectGraph, func: FunctionInfo, p: ir.Param, index: int) -> bool:
    sites = g.callers(func)
    offset = 1 if func.cls is not None and not is_staticmethod(func) else 0  # as the resolver binds them
    return not sites or any(argument_for(s.call, p, index - offset) is None and not s.call.has_kwargs_splat()
                            for s in sites)
