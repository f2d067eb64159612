"""Framework state graphs (LangGraph's StateGraph): the nodes and edges a program declares on a
graph builder, and the cycles among them, which run their functions again and again like the body
of a loop. Builders and their methods come from the catalog's [[graph_builder]] entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.agent_model import AgentView
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.tools import const_str
from agentable.cpg.values import Const, FuncRef, ordered


@dataclass(eq=False)
class StateGraph:
    """One graph builder object: its nodes (name -> project functions that run as the node), the
    edges whose ends are known names, and the router functions of each node's branches. Edges
    to names that cannot be read (computed routes) are left out, so cycles are never invented."""

    path: str
    ctor: ir.Call
    nodes: dict[str, list[FunctionInfo]] = field(default_factory=dict)
    # every function added as a node, also under a name that cannot be read: they share the state
    node_functions: list[FunctionInfo] = field(default_factory=list)
    edges: set[tuple[str, str]] = field(default_factory=set)
    routers: dict[str, list[FunctionInfo]] = field(default_factory=dict)

    def cycles(self) -> list[set[str]]:
        """Node names of each cycle: strongly connected groups of two or more nodes, or a node
        with an edge to itself."""
        import networkx as nx  # deferred, not for a cycle: networkx costs ~90 ms at start-up and many scans never need it

        dg: nx.DiGraph[str] = nx.DiGraph()
        dg.add_edges_from(self.edges)
        out = []
        for comp in nx.strongly_connected_components(dg):
            if len(comp) > 1 or any((n, n) in self.edges for n in comp):
                out.append(set(comp))
        return out


def state_graphs(g: CodeGraph, layer: AgentView) -> list[StateGraph]:
    """Every graph builder of the agent code with the nodes and edges declared on it."""
    cat = g.catalog
    if not cat.graph_builders:
        return []
    found: dict[tuple[str, ir.Pos], StateGraph] = {}
    for site, exts in layer.external_calls:
        for v in exts:
            inst, _, method = v.path.rpartition("().")
            spec = cat.graph_builder(inst) if inst and v.site is not None else None
            if spec is None:
                continue
            path, ctor = v.site  # type: ignore[misc]
            graph = found.setdefault((path, ctor.pos), StateGraph(path, ctor))
            if method in spec.node_methods:
                _add_node(g, graph, site)
            elif method in spec.edge_methods:
                _add_edge(g, graph, site)
            elif method in spec.branch_methods:
                _add_branch(g, graph, site)
            break
    return list(found.values())


def cyclic_node_functions(graphs: list[StateGraph]) -> dict[str, frozenset[str]]:
    """Qualname of each project function that runs as a node of a graph cycle (or routes one of
    its branches) -> the qualnames of every function of that cycle."""
    out: dict[str, frozenset[str]] = {}
    for graph in graphs:
        for cycle in graph.cycles():
            funcs = {f.qualname for n in cycle for f in graph.nodes.get(n, []) + graph.routers.get(n, [])}
            members = frozenset(funcs)
            for q in funcs:
                out[q] = out.get(q, frozenset()) | members
    return out


def _arg(call: ir.Call, index: int, *names: str) -> Optional[ir.Expr]:
    for n in names:
        v = call.kwarg(n)
        if v is not None:
            return v
    return call.args[index] if index < len(call.args) and not any(
        isinstance(a, ir.Starred) for a in call.args[: index + 1]) else None


def _functions(g: CodeGraph, e: Optional[ir.Expr], site: CallSite) -> list[FunctionInfo]:
    if e is None:
        return []
    return [g.functions[v.qualname] for v in ordered(g.values(e, site.func, site.stmt))
            if isinstance(v, FuncRef) and v.qualname in g.functions]


def _names(g: CodeGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> list[str]:
    """The node names an expression certainly is: a string, or each string of a list literal."""
    if e is None:
        return []
    lit = g.bound_literal(e, func, stmt, (ir.Seq,))
    if lit is not None:
        return [s for x in lit[0].elts if (s := const_str(g, x, lit[1])) is not None]
    s = const_str(g, e, func)
    return [s] if s is not None else []


def _add_node(g: CodeGraph, graph: StateGraph, site: CallSite) -> None:
    call = site.call
    if len(call.args) >= 2 or call.kwarg("action") is not None:
        names = _names(g, _arg(call, 0, "node"), site.func, site.stmt)
        funcs = _functions(g, _arg(call, 1, "action"), site)
    else:  # add_node(fn): named after the function
        funcs = _functions(g, _arg(call, 0, "node"), site)
        names = [funcs[0].name] if len(funcs) == 1 else []
    if len(names) == 1:
        graph.nodes.setdefault(names[0], []).extend(funcs)
    graph.node_functions.extend(f for f in funcs if f not in graph.node_functions)


def _add_edge(g: CodeGraph, graph: StateGraph, site: CallSite) -> None:
    call = site.call
    sources = _names(g, _arg(call, 0, "start_key"), site.func, site.stmt)
    targets = _names(g, _arg(call, 1, "end_key"), site.func, site.stmt)
    graph.edges.update((s, t) for s in sources for t in targets[:1])


def _add_branch(g: CodeGraph, graph: StateGraph, site: CallSite) -> None:
    call = site.call
    sources = _names(g, _arg(call, 0, "source"), site.func, site.stmt)
    if len(sources) != 1:
        return
    routers = _functions(g, _arg(call, 1, "path"), site)
    graph.routers.setdefault(sources[0], []).extend(routers)
    path_map = _arg(call, 2, "path_map")
    targets: list[str] = []
    if path_map is not None:
        lit = g.bound_literal(path_map, site.func, site.stmt)  # a dict or a list literal
        if lit is None:
            return
        node, owner, _ = lit
        elts = node.values if isinstance(node, ir.Dict) else node.elts
        targets = [s for x in elts if (s := const_str(g, x, owner)) is not None]
    else:
        for r in routers:
            for ret in r.returns:
                targets += [v.value for v in g.values(ret.value, r, ret)
                            if isinstance(v, Const) and isinstance(v.value, str)]
    graph.edges.update((sources[0], t) for t in targets)
