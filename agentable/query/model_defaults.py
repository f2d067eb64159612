"""Whether a constructor's default model id is ever used: `def __init__(self, model="gpt-4")` is
dead when every construction that omits `model` only calls methods that never reach the model
call (listing models, checking a key). LARD reports a default only when some use can send it."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.query.facts import per_graph
from agentable.query.guards import referenced_as_value


def unused_default(g: ProjectGraph, literal: tuple[str, ir.Pos], model_func: FunctionInfo) -> bool:
    """Is the literal a default of a constructor parameter that no construction reaching the
    model call (made in `model_func`, a method of that class) relies on?"""
    init, param = _default_owner(g, literal)
    if init is None or init.cls is None or init.name != "__init__" or model_func.cls is not init.cls:
        return False
    reaching = _methods_reaching(init.cls.qualname, model_func, g)
    sites = g.constructions(init.cls.qualname)
    if not sites:
        return False
    return all(not _omits(site.call, init, param) or not _instance_reaches(g, site, reaching) for site in sites)


def overridden_default(g: ProjectGraph, literal: tuple[str, ir.Pos]) -> bool:
    """Is the literal the default of a parameter of a plain function (not a constructor, see
    unused_default) that every call in the project passes explicitly, so that no call sends it?
    (`def make_config(..., model="gpt-3.5-turbo")` always called with `model=self.name`.) A function
    no one calls, one a decorator wraps, one referenced as a value, or one called with `*args` or
    `**kwargs` keeps its default."""
    func, param = _default_owner(g, literal)
    if func is None or func.node is None or func.name == "__init__" or func.node.decorators:
        return False
    params = func.node.params
    idx = next((i for i, p in enumerate(params) if p.name == param), None)
    if idx is None or params[idx].kind not in ("normal", "posonly", "kwonly"):
        return False
    callers = g.callers(func)
    if not callers or referenced_as_value(g, func):
        return False
    # a method called through its instance receives `self` implicitly
    first = idx - 1 if func.cls is not None and idx > 0 else idx
    positional = params[idx].kind != "kwonly"
    for site in callers:
        c = site.call
        if c.has_kwargs_splat() or any(isinstance(a, ir.Starred) for a in c.args):
            return False
        if c.kwarg(param) is None and not (positional and len(c.args) > first):
            return False
    return True


def _default_owner(g: ProjectGraph, literal: tuple[str, ir.Pos]) -> tuple[Optional[FunctionInfo], str]:
    return _param_defaults(g).get(literal, (None, ""))


@per_graph
def _param_defaults(g: ProjectGraph) -> dict[tuple[str, ir.Pos], tuple[FunctionInfo, str]]:
    """(path, position of a parameter's default) -> (its function, the parameter's name)."""
    out: dict[tuple[str, ir.Pos], tuple[FunctionInfo, str]] = {}
    for f in g.functions.values():
        for p in f.node.params if f.node is not None else []:
            if p.default is not None:
                out.setdefault((f.path, p.default.pos), (f, p.name))
    return out


def _methods_reaching(cls_q: str, model_func: FunctionInfo, g: ProjectGraph) -> set[str]:
    """The method making the model call and the methods of the class that call it (`self.m()`)."""
    names = {model_func.name}
    methods = _methods_by_class(g).get(cls_q, ())
    grew = True
    while grew:
        grew = False
        for f in methods:
            if f.name not in names and any(
                    isinstance(s.call.func, ir.Attribute) and s.call.func.attr in names for s in f.calls):
                names.add(f.name)
                grew = True
    return names


@per_graph
def _methods_by_class(g: ProjectGraph) -> dict[str, list[FunctionInfo]]:
    """Class qualname -> the functions whose class has that qualname, in `g.functions` order:
    built once, not a scan of every function per model call and round."""
    out: dict[str, list[FunctionInfo]] = {}
    for f in g.functions.values():
        if f.cls is not None:
            out.setdefault(f.cls.qualname, []).append(f)
    return out


def _omits(call: ir.Call, init: FunctionInfo, param: str) -> bool:
    if any(kw.name is None or kw.name == param for kw in call.keywords):
        return False  # `model=` given, or `**kwargs` may give it
    if any(isinstance(a, ir.Starred) for a in call.args):
        return False
    params = [p for p in (init.node.params if init.node else []) if p.kind in ("normal", "posonly")][1:]
    index = next((i for i, p in enumerate(params) if p.name == param), None)
    return index is None or len(call.args) <= index


def _instance_reaches(g: ProjectGraph, site: CallSite, reaching: set[str], depth: int = 2) -> bool:
    """Can the object this call builds get to one of the `reaching` methods? Followed: a method
    called on it at once, a name it is bound to, and one level of being returned to callers.
    Anything else (stored, passed on) is assumed to reach."""
    call, stmt, func = site.call, site.stmt, site.func
    for x in _exprs(stmt):
        if isinstance(x, ir.Attribute) and x.value is call:
            return x.attr in reaching
    if isinstance(stmt, ir.Assign) and stmt.value is call and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.Name):
        return _name_reaches(func, stmt.targets[0].id, stmt, reaching)
    if isinstance(stmt, ir.Return) and stmt.value is call and depth > 0:
        callers = g.callers(func)
        return not callers or any(_instance_reaches(g, c, reaching, depth - 1) for c in callers)
    return True


def _exprs(stmt: ir.Stmt) -> list[ir.Expr]:
    return [x for root in ir.stmt_exprs(stmt) for x in ir.walk_expr(root)]


def _name_reaches(func: FunctionInfo, name: str, bound: ir.Stmt, reaching: set[str]) -> bool:
    """Uses of `name` in the function: method calls on it decide; a None test is harmless;
    any other use may hand the object on."""
    receivers = {id(s.call.func.value): s.call.func.attr for s in func.calls
                 if isinstance(s.call.func, ir.Attribute) and isinstance(s.call.func.value, ir.Name)
                 and s.call.func.value.id == name}
    harmless = {id(c.left) for c, _ in func.exprs.get(ir.Compare, ()) if isinstance(c, ir.Compare)
                and all(isinstance(o, ir.Constant) and o.value is None for o in c.comparators)}
    for e, s in func.exprs.get(ir.Name, ()):
        if not isinstance(e, ir.Name) or e.id != name or s is bound:
            continue
        if id(e) in receivers:
            if receivers[id(e)] in reaching:
                return True
        elif id(e) not in harmless:
            return True
    return False
