"""Home-made tool classes: a project base class declares the method that runs a tool (its own body
a stub: `raise NotImplementedError`, `...`, `pass`) and several subclasses implement it; a
hand-written loop calls that method on an object it cannot be typed statically (looked up in a
registry by the name the model chose) with the arguments the model wrote: `tool.run(**args)`.
Each subclass's implementation then returns what the model gets as the tool's result (TRE)."""

from __future__ import annotations

from agentable.catalog.specs import ToolBaseSpec
from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import ClassInfo, FunctionInfo
from agentable.cpg.values import ClassRef, Const, Instance, Typed
from agentable.query.facts import per_graph
from agentable.query.model_derived import model_derived
from agentable.query.registry_keys import own_key
from agentable.query.tool_dispatch import lookup_shape

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
            if not _chosen_by_model(g, f.value, func, site.stmt):
                continue  # every entry tried in turn, or a lookup by the registry's own key: not a tool choice
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


def _chosen_by_model(g: ProjectGraph, receiver: ir.Expr, func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """May the model have picked `receiver`? Not when it is `reg[key]` / `reg.get(key)` with a key
    taken from `reg` itself (query.registry_keys), nor an object built here (`x = Parser()`), nor
    the variable of a loop that runs every entry (a chain of parsers or strategies tried in turn)
    with no test of model output between the loop and the call, nor `self` (a tool class calling
    its own method)."""
    if isinstance(receiver, ir.Name) and receiver.id in ("self", "cls"):
        return False
    if not isinstance(receiver, ir.Name):
        return not _fixed_object(g, receiver, func, stmt)
    defs = g.reaching(func).at(stmt, receiver.id) or []
    for d in defs:
        if d.how == "assign" and d.value is not None and isinstance(d.stmt, ir.Stmt):
            if _fixed_object(g, d.value, func, d.stmt):
                return False
        elif d.how == "iter" and isinstance(d.stmt, ir.For) and not _model_test_between(g, func, d.stmt, stmt):
            return False
    return True


def _fixed_object(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """`reg[key]` with a key taken from `reg` itself, or an object of one class built here (`Parser()`)."""
    _kind, key, container = lookup_shape(e)
    if key is not None:
        return own_key(g, key, container, func, stmt)
    return isinstance(e, ir.Call) and any(isinstance(v, ClassRef) for v in g.values(e.func, func, stmt))


def _model_test_between(g: ProjectGraph, func: FunctionInfo, loop: ir.For, stmt: ir.Stmt) -> bool:
    """Is `stmt` inside an `if` (within `loop`) whose test reads model output (`if t.name == action`)?"""
    node: object = func.parents.get(id(stmt))
    while node is not None and node is not loop:
        if isinstance(node, ir.If) and any(model_derived(g, x, func, node) is not None for x in ir.walk_expr(node.test)
                                           if isinstance(x, (ir.Name, ir.Attribute, ir.Subscript, ir.Call))):
            return True
        node = func.parents.get(id(node))
    return False


@per_graph
def tool_base_runners(g: ProjectGraph) -> dict[str, FunctionInfo]:
    """Qualname -> method, for each method of a project's own tool base class that runs a tool's
    implementation for the agent and hands back its result (`def execute_tool(self, args): try:
    return self.execute(args) except Exception as e: log(e)`, cpg.home_tools' `run_methods`) and
    that the project calls on an object other than `self` (`tool.execute_tool(arguments)`). What
    such a runner returns on any of its paths, not only what the implementation returns, is what
    the agent gets as the tool's result."""
    runners: dict[str, FunctionInfo] = {}
    for t in g.agent.tools:
        spec = t.spec
        if t.kind != "class" or t.cls is None or not isinstance(spec, ToolBaseSpec) or spec.framework:
            continue  # (a framework's own runner is the framework's business, not the project's)
        for name in spec.run_methods:
            if name in spec.impl_methods:
                continue
            m = next((c.methods[name] for c in g.mro(t.cls.qualname) if name in c.methods), None)
            if m is not None and m.node is not None and m.cls is not None:
                runners.setdefault(m.qualname, m)
    if not runners:
        return {}
    wanted = {m.name for m in runners.values()}
    called: set[str] = set()
    for func in g.agent.functions():
        for site in func.calls:
            f = site.call.func
            if isinstance(f, ir.Attribute) and f.attr in wanted and not (
                    isinstance(f.value, ir.Name) and f.value.id in ("self", "cls")) and not (
                    isinstance(f.value, ir.Call) and ir.dotted(f.value.func) == "super") and _result_used(site.stmt):
                called.add(f.attr)
    return {q: m for q, m in runners.items() if m.name in called}


def _result_used(stmt: ir.Stmt) -> bool:
    """Is the value of a call in `stmt` kept: not a bare expression statement (`tool.start(args)`,
    `await tool.start(args)`), whose result nobody reads."""
    return not isinstance(stmt, ir.ExprStmt)
