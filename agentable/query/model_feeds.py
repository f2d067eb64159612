"""Arguments a model slot's parameter gets where the value resolution stops at the parameter:
a base class's constructor fed by its subclasses' `super().__init__("gpt-4-0613", ...)` (one class
per model, passing its id up), and a project function whose callers pass `model=` into a
wrapper that spreads its own `**kwargs` into the call (`continuous_calls(chat, model=MODEL)` ->
`chat.ask(**kwargs)` -> `def ask(self, model="...")`). The resolver keeps such a parameter as a
ParamRef; model facts (LARD, ADAL) follow it here to the place the id is written."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.binding import argument_for
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ParamRef, Value
from agentable.query.facts import EvalAt
from agentable.query.literals import param_named
from agentable.query.model_forwarding import forwarded_keywords, spread_kwargs_param

Scoped = tuple[ir.Expr, FunctionInfo, EvalAt]

_MAX_ROUNDS = 4  # parameters followed in a chain (subclass -> base -> its base, wrapper -> wrapper)
_MAX_FED = 64  # arguments collected for one slot
_MAX_SITES = 32  # subclass constructors followed per base constructor


def fed_arguments(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt) -> list[Scoped]:
    """The arguments that become a parameter `e` resolves to and that the resolver does not
    follow (see the module docstring), each with its scope; through chains of such parameters."""
    out: list[Scoped] = []
    # a method's `self.model` is fed only by the constructors of its own class's line (its bases and
    # subclasses), not by a sibling subclass of a shared base that has its own model call
    cls = func.cls.qualname if func.cls is not None else None
    line = ({c.qualname for c in g.mro(cls)} | g.subclasses(cls)) if cls is not None else None
    seen: set[tuple[str, str]] = set()
    taken: set[int] = set()  # argument expressions already collected
    todo = [(e, func, stmt)]
    for _ in range(_MAX_ROUNDS):
        nxt: list[Scoped] = []
        for x, f, st in todo:
            for v in g.values(x, f, st):
                if not isinstance(v, ParamRef) or (v.func, v.name) in seen:
                    continue
                seen.add((v.func, v.name))
                owner = g.functions.get(v.func)
                for a in _unfollowed(g, owner, v.name, line) if owner is not None else ():
                    if id(a[0]) not in taken:
                        taken.add(id(a[0]))
                        nxt.append(a)
        if not nxt:
            break
        out += nxt
        todo = nxt
        if len(out) >= _MAX_FED:
            break
    return out[:_MAX_FED]


def _unfollowed(g: ProjectGraph, f: FunctionInfo, name: str, line: Optional[set[str]]) -> list[Scoped]:
    found = param_named(f, name)
    if found is None:
        return []
    idx, p = found
    out: list[Scoped] = []
    for site in _super_init_sites(g, f, line):
        arg = argument_for(site.call, p, idx)
        if arg is not None:
            out.append((arg, site.func, site.stmt))
    if p.kind in ("normal", "kwonly"):
        for site in g.argument_sites(f):  # `f(**kwargs)` in a wrapper: the keyword its own callers give
            if argument_for(site.call, p, idx) is None and spread_kwargs_param(site.call, site.func) is not None:
                out += forwarded_keywords(g, site.call, site.func, [name])
    return out


def _super_init_sites(g: ProjectGraph, f: FunctionInfo, line: Optional[set[str]]) -> list[CallSite]:
    """The `super().__init__(...)` calls in the constructors of the subclasses of `f`'s class
    (within `line` when given), which the call graph does not list among `f`'s callers."""
    return _super_sites(g, f, line) if f.name == "__init__" else []


def _super_sites(g: ProjectGraph, f: FunctionInfo, line: Optional[set[str]]) -> list[CallSite]:
    """The `super().<name>(...)` calls in the overrides of method `f` in the subclasses of its
    class (within `line` when given): callers of `f` the call graph does not list."""
    if f.cls is None:
        return []
    out: list[CallSite] = []
    for q in sorted(g.subclasses(f.cls.qualname)):
        own = g.classes[q].methods.get(f.name) if line is None or q in line else None
        for site in own.calls if own is not None else ():
            fn = site.call.func
            if isinstance(fn, ir.Attribute) and fn.attr == f.name and isinstance(fn.value, ir.Call) \
                    and ir.dotted(fn.value.func) == "super":
                out.append(site)
    return out[:_MAX_SITES]


def _plain(site: CallSite) -> bool:
    """Does the call bind its arguments without a `*args` / `**kwargs` spread (which may carry
    any it does not name)?"""
    return not any(kw.name is None for kw in site.call.keywords) and not any(
        isinstance(a, ir.Starred) for a in site.call.args)


def closed_values(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                  depth: int = 3) -> Optional[set[Value]]:
    """The values `e` may take when they are all known: each parameter it may hold (a ParamRef)
    belongs to a function the project calls, always binding its arguments plainly, and its
    subclasses' `super().m(...)` calls (which the resolver does not list) give known values too.
    None when some value may come from outside (an uncalled function, a spread `**kwargs`)."""
    out: set[Value] = set()
    for v in g.values(e, func, stmt):
        if not isinstance(v, ParamRef):
            out.add(v)
            continue
        f = g.functions.get(v.func)
        found = param_named(f, v.name) if f is not None else None
        if f is None or found is None or depth <= 0:
            return None
        sites, supers = g.argument_sites(f), _super_sites(g, f, None)
        if not (sites or supers):
            return None
        for site in [*sites, *supers]:
            arg = argument_for(site.call, found[1], found[0])
            if arg is None and not _plain(site):
                return None  # a spread may carry it
            if arg is not None and site in supers:
                more = closed_values(g, arg, site.func, site.stmt, depth - 1)
                if more is None:
                    return None
                out |= more
    return out
