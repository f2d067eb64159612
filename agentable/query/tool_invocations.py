"""Tool invocations in hand-written agent loops: the calls that run a tool (through a model-chosen
lookup, a direct call of its implementation, a framework tool object's run method, or a function
given model-chosen arguments whose result goes back as the observation) (MNFT, TRE)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from agentable.catalog.specs import ToolConstructorSpec
from agentable.cpg import ir
from agentable.cpg.agent import ToolDef
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ExtRef, FuncRef, Instance
from agentable.query.facts import per_graph
from agentable.query.guards import expr_parents
from agentable.query.literals import bound_name
from agentable.query.model_derived import model_derived
from agentable.query.protocol import protocol_markers
from agentable.query.tool_dispatch import ToolDispatch, dispatch_targets, narrowed_to_branch, tool_dispatches
from agentable.query.tools import tool_defs_by_function


@dataclass(eq=False)
class ToolInvocation:
    """A call that runs a tool in a hand-written agent loop. `targets` are the project functions it
    runs (empty when the implementation is not in the project); `tool` the ToolDef when known;
    `dispatch` the model-chosen lookup it goes through, if any."""

    site: CallSite
    targets: list[FunctionInfo]
    tool: Optional[Union[ToolDef, ToolConstructorSpec]] = None  # a ToolDef, or the catalog spec of a tool object run by hand
    dispatch: Optional[ToolDispatch] = None

    @property
    def func(self) -> FunctionInfo:
        return self.site.func

    @property
    def path(self) -> str:
        return self.site.func.path


def _in_agent_loop_code(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Code of a hand-written agent: a function that reaches a model call, or one called by such a function."""
    llm = g.agent.llm_functions
    if func.qualname in llm:
        return True
    return any(site.func.qualname in llm for site in g.callers(func))


@per_graph
def _run_method_names(g: ProjectGraph) -> frozenset[str]:
    """Every method name that runs a tool object by hand: the run_methods of the project's tools'
    specs and of the catalog's tool constructors (a cheap test before resolving a call)."""
    names = {m for t in g.agent.tools for m in (getattr(t.spec, "run_methods", ()) or ())}
    names.update(m for spec in g.catalog.tool_constructors for m in spec.run_methods)
    return frozenset(names)


@per_graph
def _first_tool_of_class(g: ProjectGraph) -> dict[str, int]:
    """Class qualname -> position in graph.agent.tools of the first tool defined by that class."""
    out: dict[str, int] = {}
    for i, t in enumerate(g.agent.tools):
        if t.cls is not None:
            out.setdefault(t.cls.qualname, i)
    return out


def _run_method_tool(g: ProjectGraph, site: CallSite) -> Optional[Union[ToolDef, ToolConstructorSpec]]:
    """The ToolDef whose framework object this call runs by hand (`search.invoke(args)`,
    `tool.run(x)` on a framework tool object), from the catalog's `run_methods`."""
    f = site.call.func
    if not isinstance(f, ir.Attribute) or f.attr not in _run_method_names(g):
        return None  # every branch below needs the method to be one of some spec's run_methods
    by_func = tool_defs_by_function(g)
    for v in g.values(f.value, site.func, site.stmt):
        tool: Optional[ToolDef] = None
        if isinstance(v, FuncRef):
            tool = by_func.get(v.qualname)
        elif isinstance(v, Instance):  # the first tool whose class is the instance's or one of its bases
            first = _first_tool_of_class(g)
            hits = [first[c.qualname] for c in g.mro(v.qualname) if c.qualname in first]
            tool = g.agent.tools[min(hits)] if hits else None
        elif isinstance(v, ExtRef) and v.path.endswith("()"):
            spec = g.catalog.tool_constructor(v.path[:-2])
            if spec is not None and f.attr in spec.run_methods:
                return spec
        if tool is not None and f.attr in (getattr(tool.spec, "run_methods", ()) or ()):
            return tool
    return None


def _feeds_model(g: ProjectGraph, e: ir.Expr, stmt: ir.Stmt, markers: tuple[str, ...]) -> bool:
    """Is `e` part of what a hand-written loop hands the model as a tool's result: text built
    with an observation marker (`"Observation: " + e`, `f"Observation: {e}"`), or the content of
    a tool-result message (catalog tool_result_format: `{"role": "tool", "content": e}`)?"""
    parents = expr_parents(stmt)
    child, cur = e, parents.get(id(e))
    while cur is not None:
        if isinstance(cur, (ir.BinOp, ir.FString, ir.Concat)) and (not isinstance(cur, ir.BinOp) or cur.op == "+"):
            texts = [p for p in cur.parts if isinstance(p, str)] if isinstance(cur, ir.FString) else []
            texts += [x.value for x in ir.walk_expr(cur) if isinstance(x, ir.Constant) and isinstance(x.value, str)]
            texts += [p for x in ir.walk_expr(cur) if isinstance(x, ir.FString) for p in x.parts if isinstance(p, str)]
            if any(m in t for t in texts for m in markers):
                return True
        if isinstance(cur, ir.Dict):
            for fmt in g.catalog.tool_result_formats:
                if fmt.match and all(isinstance(cur.get(k), ir.Constant) and cur.get(k).value == v  # type: ignore[union-attr]
                                     for k, v in fmt.match.items()) and cur.get(fmt.content_key) is child:
                    return True
        child, cur = cur, parents.get(id(cur))
    return False


def _result_fed_to_model(g: ProjectGraph, site: CallSite, markers: tuple[str, ...]) -> bool:
    """Does the call's result reach the model as a tool result (see _feeds_model): directly, or
    through the name the statement binds it to, read in that statement or a later one?"""
    if _feeds_model(g, site.call, site.stmt, markers):
        return True
    bound = bound_name(site.stmt, site.call)
    if bound is None:
        return False
    line = site.stmt.pos[0]
    return any(isinstance(x, ir.Name) and x.id == bound and s.pos[0] >= line and _feeds_model(g, x, s, markers)
               for x, s in site.func.walk(ir.Name))


def _observation_calls(g: ProjectGraph, func: FunctionInfo, seen: set[int], runners: set[str]) -> list[ToolInvocation]:
    """Calls in a function that calls the model which run a project function as a tool by hand:
    it gets arguments the model chose (`search(re.search(r"Action: (.*)", out).group(1))`) and its
    result goes back to the model as the observation or tool result. Functions in `runners` run
    tools themselves (dispatchers) and are left out."""
    llm = g.agent.llm_functions
    markers = protocol_markers(g).get("observation_markers", ())
    out: list[ToolInvocation] = []
    for site in func.calls:
        if id(site.call) in seen or not (site.call.args or site.call.keywords):
            continue
        targets = [g.functions[q] for q in sorted(g.callees(site))
                   if q in g.functions and q not in llm and g.functions[q].name != "__init__"]
        if not targets or any(t.qualname in runners for t in targets):
            continue
        args = list(site.call.args) + [kw.value for kw in site.call.keywords]
        if not any(model_derived(g, a, func, site.stmt) is not None for a in args):
            continue
        if not _result_fed_to_model(g, site, markers):
            continue
        seen.add(id(site.call))
        out.append(ToolInvocation(site, targets, None, None))
    return out


def _looks_up_by(func: FunctionInfo, param: str) -> bool:
    """Does a project function find what it returns by its parameter: `X[param]`, `X.get(param)`,
    `getattr(x, param)`, or a loop that returns the entry whose field equals it (`if f.name == param`)?"""
    def named(e: ir.Expr) -> bool:
        return isinstance(e, ir.Name) and e.id == param
    for e, _s in func.expr_walk:
        if isinstance(e, ir.Subscript) and named(e.index):
            return True
        if isinstance(e, ir.Call) and e.args and (
                (isinstance(e.func, ir.Attribute) and e.func.attr == "get" and named(e.args[0]))
                or (isinstance(e.func, ir.Name) and e.func.id == "getattr" and len(e.args) == 2 and named(e.args[1]))):
            return True
        if isinstance(e, ir.Compare) and e.ops == ["=="] and (named(e.left) or any(named(c) for c in e.comparators)):
            return True
    return False


def _getter_calls(g: ProjectGraph, seen: set[int]) -> list[ToolInvocation]:
    """`get_function(name)(**args)` in agent loop code: the callee is what a project function
    returns for a name the model chose, found by that name (_looks_up_by), and it is called at
    once. What runs is not known statically (no targets)."""
    out: list[ToolInvocation] = []
    for func in g.agent.functions():
        if not func.calls or not _in_agent_loop_code(g, func):
            continue
        for site in func.calls:
            inner = site.call.func
            if id(site.call) in seen or not isinstance(inner, ir.Call) or len(inner.args) != 1 or inner.keywords:
                continue
            if model_derived(g, inner.args[0], func, site.stmt) is None:
                continue
            for v in g.values(inner.func, func, site.stmt):
                getter = g.functions.get(v.qualname) if isinstance(v, FuncRef) else None
                params = [p.name for p in getter.node.params if p.name not in ("self", "cls")] \
                    if getter is not None and getter.node is not None else []
                if getter is not None and len(params) == 1 and _looks_up_by(getter, params[0]):
                    seen.add(id(site.call))
                    out.append(ToolInvocation(site, [], None, None))
                    break
    return out


@per_graph
def tool_invocations(g: ProjectGraph) -> list[ToolInvocation]:
    """Calls that run a tool by hand in agent code: through a model-chosen lookup
    (tool_dispatches), a direct call of a tool's implementing function, a framework tool
    object's run method (`tool.invoke(...)`), or a project function given model-chosen arguments
    whose result goes back to the model as the observation (_observation_calls)."""
    out: list[ToolInvocation] = []
    seen: set[int] = set()
    by_func = tool_defs_by_function(g)
    for d in tool_dispatches(g):
        for site in d.calls:
            if id(site.call) in seen:
                continue
            seen.add(id(site.call))
            targets = [g.functions[q] for q in sorted(g.callees(site)) if q in g.functions and g.functions[q].name != "__init__"]
            if not targets:
                targets = dispatch_targets(g, d, site)
            targets = narrowed_to_branch(g, d, site, targets)
            tool = next((by_func[t.qualname] for t in targets if t.qualname in by_func), None) or _run_method_tool(g, site)
            out.append(ToolInvocation(site, targets, tool, d))
    tool_funcs = set(by_func)
    for func in g.agent.functions():
        # outside agent loop code no call counts: test that once per function, not per resolved call
        if func.qualname in tool_funcs or not func.calls or not _in_agent_loop_code(g, func):
            continue
        for site in func.calls:
            if id(site.call) in seen:
                continue
            targets = [g.functions[q] for q in sorted(g.callees(site) & tool_funcs)]
            tool = by_func[targets[0].qualname] if targets else _run_method_tool(g, site)
            if tool is None:
                continue
            seen.add(id(site.call))
            if not targets and isinstance(tool, ToolDef) and tool.func is not None:
                targets = [tool.func]
            out.append(ToolInvocation(site, targets, tool if isinstance(tool, ToolDef) else None, None))
    out.extend(_getter_calls(g, seen))
    # a function that itself runs tools (a dispatcher such as `act(name, arg)`) is checked where it
    # runs them, not again where the loop calls it
    runners = {inv.func.qualname for inv in out} | {d.func.qualname for d in tool_dispatches(g)}
    for func in g.agent.functions():
        if func.qualname in g.agent.llm_functions and func.calls:
            out.extend(_observation_calls(g, func, seen, runners))
    return out
