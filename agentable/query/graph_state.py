"""State shared by the nodes of a graph (LangGraph StateGraph, catalog `graph_builder`): which
functions are nodes of which graph, and which model output a node reads from a channel of its
state (MNFT: a custom tool node reads the model's tool calls from `state["messages"]`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.facts import per_graph


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
