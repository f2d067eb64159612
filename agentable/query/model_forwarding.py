"""Keyword arguments forwarded through `**kwargs`: a wrapper `def __init__(self, *args, **kwargs)`
that builds `ChatOpenAI(*args, **kwargs)` gets its model id from what its own callers pass
(`AnyOpenAILLM(model_name="gpt-3.5-turbo")`). The resolver keeps no value for a `**kwargs`
parameter, so model facts (LARD, ADAL) look for the keyword at the callers."""

from __future__ import annotations

from typing import Iterable, Optional, cast

from agentable.cpg import ir
from agentable.cpg.binding import argument_for
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import FuncRef
from agentable.query.facts import EvalAt
from agentable.query.literals import param_argument

Scoped = tuple[ir.Expr, FunctionInfo, EvalAt]

_MAX_SITES = 8  # callers followed per forwarding function


def spread_kwargs_param(call: ir.Call, func: FunctionInfo) -> Optional[str]:
    """The name of `func`'s `**kwargs` parameter when `call` spreads it unchanged (`**kwargs`):
    never rebound in `func`, nor emptied of keys (`kwargs.pop(...)`, `del kwargs[...]` count
    as changes only for the keys they name, see `_removed_keys`)."""
    if func.node is None:
        return None
    var = next((p.name for p in func.node.params if p.kind == "kwarg"), None)
    if var is None:
        return None
    if not any(kw.name is None and isinstance(kw.value, ir.Name) and kw.value.id == var for kw in call.keywords):
        return None
    if any(d.how != "param" for d in func.defs.get(var, [])):
        return None  # `kwargs = {...}` in the body: what is spread is not what the callers passed
    return var


def _removed_keys(func: FunctionInfo, var: str) -> set[str]:
    """Keys taken out of `var` in `func` before it is spread (`kwargs.pop("model")`)."""
    out: set[str] = set()
    for site in func.calls:
        f = site.call.func
        if isinstance(f, ir.Attribute) and f.attr == "pop" and isinstance(f.value, ir.Name) and f.value.id == var \
                and site.call.args and isinstance(site.call.args[0], ir.Constant):
            out.add(str(site.call.args[0].value))
    return out


def forwarded_keywords(g: ProjectGraph, call: ir.Call, func: FunctionInfo, names: Iterable[str],
                       depth: int = 3) -> list[Scoped]:
    """The arguments given as keyword `names[i]` (the first name a caller uses) that reach `call`
    through `**kwargs` spreads: each caller of `func` that passes the keyword, and, when a caller
    itself forwards its own `**kwargs` to `func`, that caller's callers (up to `depth` levels)."""
    wanted = tuple(n for n in names if n)
    out: list[Scoped] = []
    seen: set[int] = set()

    def walk(c: ir.Call, f: FunctionInfo, d: int) -> None:
        var = spread_kwargs_param(c, f)
        if var is None and d > 0 and id(f) not in seen:
            seen.add(id(f))
            out.extend(_dict_param_entries(g, c, f, wanted))
            return
        if var is None or d <= 0 or id(f) in seen:
            return
        seen.add(id(f))
        if set(wanted) & _removed_keys(f, var):
            return
        for site in feeding_sites(g, f):
            given = next((site.call.kwarg(n) for n in wanted if site.call.kwarg(n) is not None), None)
            if given is not None:
                out.append((given, site.func, site.stmt))
                continue
            spread = _spread_dict_entries(g, site.call, site.func, site.stmt, wanted)
            if spread:  # `retry_chat(**self.defaults, ...)`: the keys of the dict literal it spreads
                out.extend(spread)
            else:
                walk(site.call, site.func, d - 1)

    walk(call, func, depth)
    return out


def _spread_dict_entries(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: EvalAt,
                         wanted: tuple[str, ...]) -> list[Scoped]:
    """The `wanted` entries of the dict literals a call spreads as `**opts`, where `opts` is a
    local name or a `self.x` field bound to one (`self.defaults = {"model": model, ...}`)."""
    out: list[Scoped] = []
    for kw in call.keywords:
        if kw.name is not None or not isinstance(kw.value, (ir.Name, ir.Attribute)):
            continue
        bound: list[tuple[ir.Expr, FunctionInfo, EvalAt]] = (
            [(kw.value, func, stmt)] if isinstance(kw.value, ir.Name)
            else [(v, o, cast(EvalAt, s)) for v, o, s in g._literal_defs(kw.value, func, stmt)])
        for e, owner, at in bound:
            for d, f2, at2 in built_dicts(g, e, owner, at):
                out += [(v, f2, at2) for k, v in zip(d.keys, d.values, strict=False)
                        if isinstance(k, ir.Constant) and k.value in wanted and v is not None]
    return out


def _dict_param_entries(g: ProjectGraph, call: ir.Call, func: FunctionInfo, wanted: tuple[str, ...]) -> list[Scoped]:
    """`call(**opts)` where `opts` is a plain parameter of `func` never rebound there: the
    `wanted` keys of the dict literals `func`'s callers pass as `opts` (`llm_kwargs={"model": m}`)."""
    spread = [kw.value.id for kw in call.keywords if kw.name is None and isinstance(kw.value, ir.Name)]
    params = {p.name: i for i, p in enumerate(func.node.params if func.node is not None else [])
              if p.kind in ("normal", "kwonly")}
    out: list[Scoped] = []
    for var in spread:
        if var not in params or any(d.how != "param" for d in func.defs.get(var, [])):
            continue
        if func.node is None:
            continue
        p = func.node.params[params[var]]
        idx = params[var] - (1 if func.cls is not None else 0)
        for site in feeding_sites(g, func):
            for d, owner, at in built_dicts(g, argument_for(site.call, p, idx), site.func, site.stmt):
                out += [(v, owner, at) for k, v in zip(d.keys, d.values, strict=False)
                        if isinstance(k, ir.Constant) and k.value in wanted and v is not None]
    return out


def built_dicts(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt,
                depth: int = 5) -> list[tuple[ir.Dict, FunctionInfo, EvalAt]]:
    """The dict literals `e` may be, with the scope to read their entries in: the literal itself, the
    literals a local name is assigned (each branch's: `if ...: config = {...} else: config = {...}`),
    and those a project helper returns (`config = make_config(model=m, ...)` with
    `def make_config(...): ... return {"model": model, ...}`), up to `depth` names, calls and returns."""
    if e is None or depth <= 0:
        return []
    if isinstance(e, ir.Dict):
        return [(e, func, stmt)]
    out: list[tuple[ir.Dict, FunctionInfo, EvalAt]] = []
    if isinstance(e, ir.Name):
        owner, defs = g.name_bindings(func, e.id, stmt)
        for d in defs:
            if d.how == "assign" and d.value is not None:
                out += built_dicts(g, d.value, owner, d.stmt, depth - 1)
    elif isinstance(e, ir.Call):
        for v in g.shallow.values(e.func, func, stmt):
            helper = g.functions.get(v.qualname) if isinstance(v, FuncRef) else None
            if helper is None:
                continue
            for r in helper.returns:
                out += built_dicts(g, r.value, helper, r, depth - 1)
    return out


def feeding_sites(g: ProjectGraph, func: FunctionInfo, receiver: Optional[str] = None) -> list[CallSite]:
    """The calls whose arguments become `func`'s parameters (`g.argument_sites`), and for a
    constructor the `super().__init__(...)` calls of its subclasses' constructors, which the
    call graph does not list as its callers: with `receiver` (the class of the object whose
    field is read), only those of that class and the classes between it and `func`'s."""
    sites = list(g.argument_sites(func)[:_MAX_SITES])
    if func.name != "__init__" or func.cls is None:
        return sites
    chain = {c.qualname for c in g.mro(receiver)} if receiver is not None else None
    for q in sorted(g.subclasses(func.cls.qualname)):
        if chain is not None and q not in chain:
            continue
        init = g.classes[q].methods.get("__init__")
        for site in init.calls if init is not None else ():
            f = site.call.func
            if isinstance(f, ir.Attribute) and f.attr == "__init__" and isinstance(f.value, ir.Call) \
                    and ir.dotted(f.value.func) == "super" and all(s.call is not site.call for s in sites):
                sites.append(site)
    return sites[: 2 * _MAX_SITES]


def caller_arguments(g: ProjectGraph, func: FunctionInfo, e: ir.Expr) -> list[tuple[ir.Expr, CallSite]]:
    """When `e` names a parameter of `func` that its body never rebinds, the argument each call
    feeding `func` passes for it (`feeding_sites`), with that call; else nothing."""
    if not isinstance(e, ir.Name) or not any(p.name == e.id for p in func.params) \
            or any(d.how != "param" for d in func.defs.get(e.id, [])):
        return []
    return [(arg, site) for site in feeding_sites(g, func)
            if (arg := param_argument(site.call, func, e.id)) is not None]

