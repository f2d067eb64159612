"""State shared by the nodes of a graph (LangGraph StateGraph, catalog `graph_builder`): which
functions are nodes of which graph, and which model output a node reads from a channel of its
state (MNFT: a custom tool node reads the model's tool calls from `state["messages"]`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, cast

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.query.facts import EvalAt, per_graph


@dataclass
class GraphNodes:
    """Node functions per graph builder (keyed by id of the builder's constructor call)."""

    nodes: dict[int, list[FunctionInfo]] = field(default_factory=dict)
    graphs_of: dict[str, list[int]] = field(default_factory=dict)  # node qualname -> builders


@per_graph
def graph_nodes(g: ProjectGraph) -> GraphNodes:
    """The functions added as nodes of each state graph of the graph layer (`AgentLayer.state_graphs`:
    `builder.add_node("agent", agent_node)`, `add_node(fn)`), indexed both ways."""
    out = GraphNodes()
    for graph in g.agent.state_graphs:
        key = id(graph.ctor)
        funcs = [f for f in graph.node_functions if f.node is not None]
        if funcs:
            out.nodes[key] = funcs
        for f in funcs:
            out.graphs_of.setdefault(f.qualname, []).append(key)
    return out


def state_param(g: ProjectGraph, func: FunctionInfo) -> Optional[str]:
    """The parameter through which a graph node receives the state (its first), or None when
    `func` is not a node of a known graph."""
    if func.qualname not in graph_nodes(g).graphs_of or func.node is None or not func.node.params:
        return None
    return func.node.params[0].name


def state_channel_read(g: ProjectGraph, e: ir.Expr, func: FunctionInfo) -> Optional[str]:
    """The channel key when `e` reads one from the node's state: `state["messages"]`,
    `state.get("messages")`; None otherwise."""
    param = state_param(g, func)
    if param is None:
        return None
    base, key = None, None
    if isinstance(e, ir.Subscript) and isinstance(e.index, ir.Constant) and isinstance(e.index.value, str):
        base, key = e.value, e.index.value
    elif (isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr == "get" and e.args
          and isinstance(e.args[0], ir.Constant) and isinstance(e.args[0].value, str)):
        base, key = e.func.value, e.args[0].value
    if isinstance(base, ir.Name) and base.id == param and not _rebound(func, param):
        return key
    return None


def _rebound(func: FunctionInfo, name: str) -> bool:
    return any(d.how != "param" for d in func.defs.get(name, ()))


def returned_update(value: Optional[ir.Expr]) -> Optional[ir.Dict]:
    """The state update a node returns: a dict (`return {"messages": [reply]}`), or the `update=` of
    a LangGraph `Command` (`return Command(goto="tools", update={"messages": [reply]})`)."""
    if isinstance(value, ir.Dict):
        return value
    if isinstance(value, ir.Call) and (ir.dotted(value.func) or "").rpartition(".")[2] == "Command":
        update = value.kwarg("update")
        return update if isinstance(update, ir.Dict) else None
    return None


# the methods of a compiled graph that take the graph's input state as their first argument
_RUN_METHODS = ("invoke", "ainvoke", "stream", "astream")


def state_inputs(g: ProjectGraph, e: ir.Expr, func: FunctionInfo,
                 stmt: EvalAt) -> list[tuple[ir.Expr, FunctionInfo, EvalAt]]:
    """The values a caller of the graph puts in the input state for the channel `e` reads in a node
    (`state["k"]`, `state.get("k", d)`, or a local name assigned from such a read): the `"k"` entry
    of the dict literal given to `app.invoke(...)` (or ainvoke/stream/astream) of a graph compiled
    from the builder the node belongs to, each with its scope. Empty when `e` reads no channel."""
    keys = _channels_read(g, e, func)
    if not keys:
        return []
    ctors = {(gr.path, gr.ctor.pos) for gr in g.agent.state_graphs if func in gr.node_functions}
    if not ctors:
        return []
    out: list[tuple[ir.Expr, FunctionInfo, EvalAt]] = []
    for caller, site in _graph_runs(g):
        c = site.call
        if isinstance(c.func, ir.Attribute) and _compiled_from(g, c.func.value, caller, site.stmt, ctors):
            found = g.bound_literal(c.args[0], caller, site.stmt, (ir.Dict,))
            if found is None:
                continue
            d, owner, at = found
            for k, v in zip(d.keys, d.values, strict=False):
                if isinstance(k, ir.Constant) and k.value in keys and v is not None:
                    out.append((v, owner, cast(EvalAt, at)))
    return out


@per_graph
def _graph_runs(g: ProjectGraph) -> list[tuple[FunctionInfo, CallSite]]:
    """Calls of a method that runs a compiled graph on an input state (`x.invoke(state)`), by name
    only: which graph runs is asked per node (`_compiled_from`)."""
    return [(f, site) for f in g.functions.values() for site in f.calls
            if isinstance(site.call.func, ir.Attribute) and site.call.func.attr in _RUN_METHODS and site.call.args]


def _channels_read(g: ProjectGraph, e: ir.Expr, func: FunctionInfo) -> set[str]:
    """The state channels `e` reads: itself, or the values a local name it is was assigned."""
    exprs: list[ir.Expr] = [e]
    if isinstance(e, ir.Name):
        exprs += [d.value for d in func.defs.get(e.id, ()) if d.how == "assign" and d.value is not None]
    keys: set[str] = set()
    for x in exprs:
        for sub in ir.walk_expr(x):
            key = state_channel_read(g, sub, func)
            if key is not None:
                keys.add(key)
    return keys


def _compiled_from(g: ProjectGraph, recv: ir.Expr, func: FunctionInfo, stmt: object,
                   ctors: set[tuple[str, ir.Pos]]) -> bool:
    """Is `recv` a graph compiled (`builder.compile()`) from one of the builders `ctors`?"""
    for v in g.values(recv, func, stmt):
        site = getattr(v, "site", None)
        path = getattr(v, "path", "")
        if not (isinstance(path, str) and path.endswith(".compile()") and site is not None):
            continue
        mod, compile_call = site
        owner = g.function_of(mod, compile_call.pos)
        if owner is None or not isinstance(compile_call.func, ir.Attribute):
            continue
        for b in g.values(compile_call.func.value, owner, owner.call_statement(compile_call)):
            bsite = getattr(b, "site", None)
            if bsite is not None and (bsite[0], bsite[1].pos) in ctors:
                return True
    return False
