"""A step limit that None turns off, and None is its default:

    def __init__(self, ..., max_iteration: Optional[int] = None):
        self.max_iteration = max_iteration
    ...
        while True:
            ...
            if self.max_iteration is not None and iteration_count >= self.max_iteration:
                break

The loop reads as counted, but a construction (or call) that leaves the limit out runs it until
the model stops asking for tools. `infinite_limit` is the same defect with `float("inf")`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.binding import argument_for, is_staticmethod
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo


@dataclass(frozen=True)
class OptionalLimit:
    param: ir.Param
    owner: FunctionInfo  # the function whose parameter it is (`__init__` for `self.max_iteration`)
    read_as: str  # how the loop reads it: `max_steps`, `self.max_iteration`


def none_guarded_limits(test: ir.Expr) -> list[ir.Expr]:
    """The limits a test compares only when they are not None: `lim is not None and n >= lim`,
    `lim and n >= lim`, `lim is None or n < lim`."""
    out: list[ir.Expr] = []
    for e in ir.walk_expr(test):
        if not isinstance(e, ir.BoolOp):
            continue
        for v in e.values:
            limit = _none_test(v, e.op == "or")
            if limit is not None and any(_orders_with(w, limit) for w in e.values if w is not v):
                out.append(limit)
    return out


def off_when_none(test: ir.Expr) -> bool:
    """Is the test a None-guarded limit and nothing else: a `BoolOp` whose own values guard a limit
    against None and whose every ordering comparison reads that limit? With the limit None, it
    never bounds anything."""
    if not isinstance(test, ir.BoolOp):
        return False
    names = {ir.dotted(lim) for lim in none_guarded_limits(test)
             if any(_none_test(v, test.op == "or") is lim for v in test.values)}
    if not names:
        return False
    compares = [c for c in ir.walk_expr(test) if isinstance(c, ir.Compare) and any(op in ("<", "<=", ">", ">=") for op in c.ops)]
    return all(any(ir.dotted(o) in names for o in (c.left, *c.comparators)) for c in compares)


def _none_test(e: ir.Expr, is_none: bool) -> Optional[ir.Expr]:
    """`x is not None` / `x` (is_none False) or `x is None` / `not x` (is_none True): x."""
    if isinstance(e, ir.Compare) and len(e.ops) == 1 and isinstance(e.comparators[0], ir.Constant) \
            and e.comparators[0].value is None and e.ops[0] == ("is" if is_none else "is not"):
        return e.left if ir.dotted(e.left) else None
    if is_none and isinstance(e, ir.UnaryOp) and e.op == "not":
        e = e.operand
    elif is_none:
        return None
    return e if isinstance(e, (ir.Name, ir.Attribute)) and ir.dotted(e) else None


def _orders_with(e: ir.Expr, limit: ir.Expr) -> bool:
    name = ir.dotted(limit)
    return any(isinstance(c, ir.Compare) and any(op in ("<", "<=", ">", ">=") for op in c.ops)
               and any(ir.dotted(o) == name for o in (c.left, *c.comparators)) for c in ir.walk_expr(e))


def limit_default_off(g: ProjectGraph, func: FunctionInfo, limit: ir.Expr) -> Optional[OptionalLimit]:
    """The parameter with a None default that the limit is (a parameter of `func`, or `self.x` set
    only from a parameter of `__init__`), when some call leaves it out (or nothing in the project
    calls the function: every user of the API may)."""
    name = ir.dotted(limit) or ""
    if isinstance(limit, ir.Name):
        return _param_off(g, func, limit.id, name)
    if not (isinstance(limit, ir.Attribute) and isinstance(limit.value, ir.Name) and limit.value.id == "self"
            and func.cls is not None):
        return None
    sets = [(value, method) for cls in _family(g, func) for value, _s, method in cls.attrs.get(limit.attr, [])]
    if len(sets) != 1:
        return None  # (also set elsewhere, or a class-level field: not followed)
    value, method = sets[0]
    if method is None or method.name != "__init__" or not isinstance(value, ir.Name):
        return None
    return _param_off(g, method, value.id, name)


def _family(g: ProjectGraph, func: FunctionInfo) -> list:
    assert func.cls is not None
    classes = list(g.mro(func.cls.qualname))
    for q in sorted(g.subclasses(func.cls.qualname)):
        if q in g.classes:
            classes.append(g.classes[q])
    return classes


def _param_off(g: ProjectGraph, owner: FunctionInfo, pname: str, read_as: str) -> Optional[OptionalLimit]:
    for index, p in enumerate(owner.params):
        if p.name != pname:
            continue
        if not (isinstance(p.default, ir.Constant) and p.default.value is None):
            return None
        if any(isinstance(s, (ir.Assign, ir.AugAssign)) and any(
                isinstance(t, ir.Name) and t.id == pname for t in (s.targets if isinstance(s, ir.Assign) else [s.target]))
               for s in ir.walk_stmts(owner.body)):
            return None  # (`max_steps = max_steps or 10`: the None default is replaced)
        sites = g.callers(owner)
        offset = 1 if owner.cls is not None and not is_staticmethod(owner) else 0
        if not sites or any(argument_for(s.call, p, index - offset) is None and not s.call.has_kwargs_splat()
                            for s in sites):
            return OptionalLimit(p, owner, read_as)
        return None
    return None
