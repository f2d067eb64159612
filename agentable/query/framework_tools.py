"""Tools run by framework agents: which agent runs a tool, where that agent is run, and the
network I/O in a tool's code that no handler covers (MNFT)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.agent import AgentConstruct, ToolDef
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ClassRef, ExtRef, FuncRef, Instance
from agentable.query.facts import per_graph


@dataclass(eq=False)
class NetworkCall:
    """A call in a tool's code that fails when the network or the remote service does: `func`
    holds it (the tool's function or a project function it calls), `what` names the callee."""

    func: FunctionInfo
    site: CallSite
    what: str


def unhandled_network_io(g: ProjectGraph, func: FunctionInfo, depth: int = 2,
                         _seen: Optional[set[str]] = None) -> Optional[NetworkCall]:
    """The first network call (catalog `network_io` modules) or HTTP-status check
    (`resp.raise_for_status()`) in `func`, or in a project function it calls (`depth` levels),
    that no try statement encloses. Any enclosing handler counts as handling: one that re-raises
    turns the error into an exception chosen on purpose (pydantic-ai's ModelRetry, LangChain's
    ToolException)."""
    from agentable.cpg.flow import enclosing_handlers
    from agentable.query.text_uses import _suppressed_here

    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return None
    seen.add(func.qualname)
    cat = g.catalog
    for site in func.calls:
        if enclosing_handlers(func, site.stmt) or _suppressed_here(func, site.stmt, ("Exception",)):
            continue
        f = site.call.func
        if isinstance(f, ir.Attribute) and f.attr in cat.raising_methods:
            return NetworkCall(func, site, ir.dotted(f) or f.attr)
        for v in g.values(f, func, site.stmt):
            if isinstance(v, ExtRef) and cat.does_network_io(v.path):
                return NetworkCall(func, site, ir.dotted(f) or v.path)
            if isinstance(v, (FuncRef, Instance, ClassRef)) and depth > 0:
                for q in sorted(g.callees(site)):
                    callee = g.functions.get(q)
                    if callee is not None and callee.name != "__init__":
                        hit = unhandled_network_io(g, callee, depth - 1, seen)
                        if hit is not None:
                            return hit
    return None


def _tools_argument(ac: AgentConstruct) -> Optional[ir.Expr]:
    from agentable.query.literals import construction_arg

    spec = ac.spec
    params = [spec.tools_param] if getattr(spec, "tools_param", None) else []  # type: ignore[attr-defined]
    return construction_arg(ac.site.call, params, getattr(spec, "tools_positional", None))


def agents_running(g: ProjectGraph, tool: ToolDef) -> list[AgentConstruct]:
    """The framework agents a tool is given to: listed in the agent's tools argument
    (`AgentExecutor(tools=[search])`), or registered on the agent object by its decorator
    (`@agent.tool` on a pydantic-ai Agent)."""
    index = _agent_tools(g)
    hits: set[int] = set()
    if tool.kind == "decorator" and tool.func is not None and tool.func.node is not None:
        scope = tool.func.parent or tool.func.module.toplevel
        for d in tool.func.node.decorators:
            target = d.func if isinstance(d, ir.Call) else d
            if isinstance(target, ir.Attribute):
                for v in g.values(target.value, scope, None):
                    if isinstance(v, ExtRef) and v.site is not None:
                        hits.update(index.by_call.get(id(v.site[1]), ()))
    if tool.kind in ("decorator", "function") and tool.func is not None:
        hits.update(index.by_func.get(tool.func.qualname, ()))
    elif tool.kind == "constructor":
        hits.update(index.by_ext.get((tool.path, tool.pos), ()))
    elif tool.kind == "class" and tool.cls is not None:
        for q in (tool.cls.qualname, *g.subclasses(tool.cls.qualname)):
            hits.update(index.by_instance.get(q, ()))
    constructs = g.agent.agent_constructs
    return [constructs[i] for i in sorted(hits)]


@dataclass
class _AgentTools:
    """The agent constructs (positions in `graph.agent.agent_constructs`) by what their tools
    argument holds, and by their constructor call (for tools registered by a decorator on the
    agent object)."""

    by_call: dict[int, list[int]]  # id(constructor call) -> constructs
    by_func: dict[str, list[int]]  # a project function (FuncRef) listed as a tool
    by_ext: dict[tuple[str, ir.Pos], list[int]]  # a framework tool object, by the (path, position) that built it
    by_instance: dict[str, list[int]]  # an instance of a project class listed as a tool


@per_graph
def _agent_tools(g: ProjectGraph) -> _AgentTools:
    """Every agent construct's tools argument resolved once (asking each construct for each tool
    cost tools x constructs resolutions)."""
    index = _AgentTools({}, {}, {}, {})
    for i, ac in enumerate(g.agent.agent_constructs):
        index.by_call.setdefault(id(ac.site.call), []).append(i)
        arg = _tools_argument(ac)
        if arg is None:
            continue
        func, stmt = ac.site.func, ac.site.stmt
        for v in g.resolver.elements(g.values(arg, func, stmt), arg, func, stmt):
            if isinstance(v, FuncRef):
                index.by_func.setdefault(v.qualname, []).append(i)
            elif isinstance(v, ExtRef) and v.site is not None:
                index.by_ext.setdefault((v.site[0], v.site[1].pos), []).append(i)
            elif isinstance(v, Instance):
                index.by_instance.setdefault(v.qualname, []).append(i)
    return index


@per_graph
def _runs_by_construct(g: ProjectGraph) -> dict[int, list[CallSite]]:
    """id(constructor call) -> the calls that run the agent it built (`executor.invoke(...)`)."""
    out: dict[int, list[CallSite]] = {}
    for site in g.agent.agent_runs:
        f = site.call.func
        for v in g.values(f, site.func, site.stmt):
            if isinstance(v, ExtRef) and v.site is not None:
                runs = out.setdefault(id(v.site[1]), [])
                if site not in runs:
                    runs.append(site)
    return out


def agent_run_sites(g: ProjectGraph, ac: AgentConstruct) -> list[CallSite]:
    """The calls that run the agent built at `ac` (its catalog run methods on the object)."""
    return list(_runs_by_construct(g).get(id(ac.site.call), ()))
