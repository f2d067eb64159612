"""The code a tool runs (its body and the project functions it calls), and the project coroutine
functions a call there may start (TRE009, TRE010)."""

from __future__ import annotations

from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, ClassInfo, FunctionInfo
from agentable.cpg.values import ClassRef, Instance
from agentable.findings import FlowStep
from agentable.query.tool_results import tool_bodies


def tool_path(g: ProjectGraph, tool: FunctionInfo, depth: int = 2) -> Iterator[tuple[FunctionInfo, tuple[CallSite, ...]]]:
    """The tool's body and the project functions it calls, up to `depth` calls down, each once,
    with the calls that lead there from the tool."""
    seen: set[str] = {tool.qualname}
    frontier: list[tuple[FunctionInfo, tuple[CallSite, ...]]] = [(tool, ())]
    yield tool, ()
    for _ in range(depth):
        nxt: list[tuple[FunctionInfo, tuple[CallSite, ...]]] = []
        for f, via in frontier:
            for site in f.calls:
                for q in sorted(callees_of(g, f, site)):
                    callee = g.functions.get(q)
                    if callee is None or callee.node is None or q in seen:
                        continue
                    seen.add(q)
                    nxt.append((callee, (*via, site)))
                    yield callee, (*via, site)
        frontier = nxt


def tools_and_paths(g: ProjectGraph) -> Iterator[tuple[FunctionInfo, str, FunctionInfo, tuple[CallSite, ...]]]:
    """Every tool of the project (with the name the model sees) and each function on its path
    (`tool_path`), with the calls that lead there."""
    for tool, _t, label in tool_bodies(g):
        for func, via in tool_path(g, tool):
            yield tool, label, func, via


def path_steps(g: ProjectGraph, via: tuple[CallSite, ...]) -> tuple[FlowStep, ...]:
    """The calls from a tool down to a function on its path, as flow steps of a finding."""
    return tuple(FlowStep(g.span(s.func.path, s.call.pos), "the tool calls this") for s in via)


def callees_of(g: ProjectGraph, func: FunctionInfo, site: CallSite) -> set[str]:
    """The project functions a call may invoke: the graph's callees, else a method looked up on the
    class that annotations give its receiver (`ctx: ToolContext` whose field `world: World`, so
    `ctx.world.add(...)` is `World.add`)."""
    found = set(g.callees(site))
    if found or not isinstance(site.call.func, ir.Attribute):
        return found
    for cls in receiver_classes(g, site.call.func.value, func, site.stmt):
        for c in g.mro(cls.qualname):
            m = c.methods.get(site.call.func.attr)
            if m is not None:
                found.add(m.qualname)
                break
    return found


def receiver_classes(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: object, hops: int = 3) -> list[ClassInfo]:
    """Project classes `e` is an instance of: as the values say, else by the annotation of the
    parameter it names or of the class field it reads."""
    out: list[ClassInfo] = []
    for v in g.values(e, func, stmt):
        if isinstance(v, Instance) and v.qualname in g.classes:
            out.append(g.classes[v.qualname])
    if out or hops <= 0:
        return out
    if isinstance(e, ir.Name):
        if e.id == "self" and func.cls is not None:
            return [func.cls]
        param = next((p for p in func.params if p.name == e.id), None)
        if param is not None and param.annotation is not None and not func.defs.get(e.id):
            return _annotated(g, param.annotation, func.module.toplevel)
    elif isinstance(e, ir.Attribute):
        for cls in receiver_classes(g, e.value, func, stmt, hops - 1):
            for c in g.mro(cls.qualname):
                ann = next((s.annotation for _v, s, _f in c.attrs.get(e.attr, ())
                            if isinstance(s, ir.Assign) and s.annotation is not None), None)
                if ann is not None:
                    return _annotated(g, ann, c.module.toplevel)
    return out


def _annotated(g: ProjectGraph, ann: ir.Expr, scope: FunctionInfo) -> list[ClassInfo]:
    """The project class a plain annotation (`World`, `mod.World`) names; none for generics."""
    e: Optional[ir.Expr] = ir.unwrap_type(ann)
    if not isinstance(e, (ir.Name, ir.Attribute)):
        return []
    return [g.classes[v.qualname] for v in g.values(e, scope, None)
            if isinstance(v, ClassRef) and v.qualname in g.classes]


def coroutine_callee(g: ProjectGraph, func: FunctionInfo, site: CallSite) -> Optional[FunctionInfo]:
    """The project `async def` a call starts, when every function it may invoke is one."""
    qs = callees_of(g, func, site)
    targets = [g.functions[q] for q in sorted(qs) if q in g.functions]
    if not targets or not all(t.node is not None and t.node.is_async for t in targets):
        return None
    return targets[0]
