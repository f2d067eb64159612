"""Home-made tool classes: a project base class declares the method that runs a tool (its own body
a stub: `raise NotImplementedError`, `...`, `pass`) and several subclasses implement it; a
hand-written loop calls that method on an object it cannot be typed statically (looked up in a
registry by the name the model chose) with the arguments the model wrote: `tool.run(**args)`.
Each subclass's implementation then returns what the model gets as the tool's result (TRE)."""

from __future__ import annotations

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import ClassInfo, FunctionInfo
from agentable.cpg.values import Const, Instance, Typed
from agentable.query.facts import per_graph
from agentable.query.model_derived import model_derived

# an interface method with fewer implementations is a hook, not a tool system
_MIN_IMPLEMENTATIONS = 2


def _stub(func: FunctionInfo) -> bool:
    body = list(func.body)
    if body and isinstance(body[0], ir.ExprStmt) and isinstance(body[0].value, ir.Constant):
        body = body[1:]  # the docstring
    return all(isinstance(s, ir.Raise) or (isinstance(s, ir.Simple) and s.kind == "pass")
               or (isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Constant)) for s in body)


def _interfaces(g: ProjectGraph) -> dict[str, list[tuple[ClassInfo, list[FunctionInfo]]]]:
    """Method name -> (base class, the subclasses' own implementations) for every stub method of
    a project class that enough subclasses implement."""
    out: dict[str, list[tuple[ClassInfo, list[FunctionInfo]]]] = {}
    for cls in g.classes.values():
        for name, m in cls.methods.items():
            if name.startswith("_") or m.node is None or not _stub(m):
                continue
            impls = [sub.methods[name] for q in sorted(g.subclasses(cls.qualname))
                     if (sub := g.classes.get(q)) is not None and name in sub.methods and not _stub(sub.methods[name])]
            if len(impls) >= _MIN_IMPLEMENTATIONS:
                out.setdefault(name, []).append((cls, impls))
    return out


@per_graph
def home_made_tool_methods(g: ProjectGraph) -> dict[str, ClassInfo]:
    """Qualname of each implementation of a home-made tool interface that agent code runs with
    model-written arguments -> the class it belongs to (the tool the model knows by name)."""
    interfaces = _interfaces(g)
    if not interfaces:
        return {}
    out: dict[str, ClassInfo] = {}
    for func in g.agent.functions():
        for site in func.calls:
            f = site.call.func
            if not isinstance(f, ir.Attribute) or f.attr not in interfaces:
                continue
            args = [*site.call.args, *(k.value for k in site.call.keywords)]
            if not args or not any(model_derived(g, a, func, site.stmt) is not None for a in args):
                continue
            bases = interfaces[f.attr]
            receiver = g.values(f.value, func, site.stmt)
            # (None: a registry's `.get(name)` that found nothing, checked before the call)
            typed = [v for v in receiver if not ((isinstance(v, Typed) and v.kind in ("unknown", "none"))
                                                 or (isinstance(v, Const) and v.value is None))]
            members = {base.qualname for base, _ in bases} | {
                q for base, _ in bases for q in g.subclasses(base.qualname)}
            if any(not (isinstance(v, Instance) and v.qualname in members) for v in typed):
                continue  # an object of another type: not one of these tools
            if typed and isinstance(f.value, ir.Attribute):
                continue  # an object the agent holds (`self.store.save(reply)`), not one the model picked by name
            for _base, impls in bases:
                for m in impls:
                    if m.cls is not None:
                        out.setdefault(m.qualname, m.cls)
    return out
