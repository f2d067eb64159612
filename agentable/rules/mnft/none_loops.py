"""`while plan is None:` around a model call and a parse of its reply: the loop goes round again
only while the name it tests is still None. When every pass sets the name (a statement of the loop's
own body, not in a branch or a try) and nothing the body gives it can be None (a str method's
result, a literal, a dict), the first pass ends the loop: it cannot spin on model replies, however
they read. A parse that fails raises out of the loop instead (a LOPE defect, not an endless loop)."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Const, ExtRef, FuncRef, Typed
from agentable.rules.tre.helpers import implicit_none_exits

# coarse types of a value that is never None (`Typed.kind`; not "json": `json.loads("null")` is None)
_NOT_NONE_KINDS = frozenset({"str", "dict", "list", "tuple", "set", "int", "float", "bool", "bytes"})


def none_tested_name(test: ir.Expr) -> Optional[str]:
    """`x is None`, `x == None` (either way round): x, a plain name."""
    if not (isinstance(test, ir.Compare) and len(test.ops) == 1 and test.ops[0] in ("is", "==")):
        return None
    sides = [test.left, test.comparators[0]]
    if not any(isinstance(s, ir.Constant) and s.value is None for s in sides):
        return None
    names = [s.id for s in sides if isinstance(s, ir.Name)]
    return names[0] if len(names) == 1 else None


def never_none(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr, depth: int = 3) -> bool:
    """Is `e` certainly not None: a literal, a str method's result (`text.strip()`, `reply.split()`),
    a call of project functions every exit of which returns such a value, or a value the graph knows
    to be a non-None constant or type?"""
    str_results = g.catalog.python.str_method_results
    if isinstance(e, (ir.Dict, ir.Seq, ir.Comp, ir.FString, ir.Concat)) or (
            isinstance(e, ir.Constant) and e.value is not None):
        return True
    if isinstance(e, ir.Name) and not func.is_module and depth > 0:
        # a local every binding of which is such a value (`plan = between(a, b, reply)`; `return plan`)
        defs = func.defs.get(e.id, [])
        if defs and all(d.how == "assign" and d.value is not None and isinstance(d.stmt, ir.Stmt)
                        and never_none(g, func, d.stmt, d.value, depth - 1) for d in defs):
            return True
    if isinstance(e, ir.Call):
        if isinstance(e.func, ir.Attribute) and e.func.attr in str_results:
            return True
        callees = [v for v in g.values(e.func, func, stmt) if isinstance(v, FuncRef)]
        if callees and depth > 0:
            return all(_returns_never_none(g, v.qualname, depth - 1) for v in callees)
    values = g.values(e, func, stmt)
    if not values:
        return False
    for v in values:
        if isinstance(v, Const):
            if v.value is None:
                return False
        elif isinstance(v, Typed):
            if v.kind not in _NOT_NONE_KINDS:
                return False
        elif isinstance(v, ExtRef):
            # `re.search(...).group(1).strip()`: what a str method returns (or it raises)
            last = v.path.rsplit(".", 1)[-1]
            if not (last.endswith("()") and "(" not in last[:-2] and last[:-2] in str_results):
                return False
        else:
            return False
    return True


def _returns_never_none(g: ProjectGraph, qualname: str, depth: int) -> bool:
    """Does every exit of the project function return a value that is never None (no bare
    `return`, no falling off the end, not a generator)?"""
    f = g.functions.get(qualname)
    if f is None or f.node is None or f.yields or not f.returns:
        return False
    if implicit_none_exits(g, f):
        return False  # control can fall off the end: None
    return all(r.value is not None and never_none(g, f, r, r.value, depth) for r in f.returns)


def none_loop_settles(g: ProjectGraph, func: FunctionInfo, loop: ir.While) -> bool:
    """Is `loop` a `while x is None:` whose body sets `x` on every pass to a value that is never None
    (so it runs at most once), with no `continue` that could skip the assignment?"""
    name = none_tested_name(loop.test)
    if name is None:
        return False
    every_pass = False
    for s in ir.walk_stmts(loop.body):
        if isinstance(s, ir.Simple) and s.kind == "continue":
            return False
        if isinstance(s, (ir.AugAssign, ir.For)) and name in _target_names([s.target]):
            return False
        if not isinstance(s, ir.Assign) or name not in _target_names(s.targets):
            continue
        if not (len(s.targets) == 1 and isinstance(s.targets[0], ir.Name) and s.value is not None
                and never_none(g, func, s, s.value)):
            return False
        if s in loop.body:
            every_pass = True
    return every_pass


def _target_names(targets: list[ir.Expr]) -> set[str]:
    return {e.id for t in targets for e in ir.walk_expr(t) if isinstance(e, ir.Name)}
