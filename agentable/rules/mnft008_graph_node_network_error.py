"""MNFT008: a node of a framework state graph makes a network call with no handler, and nothing
around the graph's run catches it, so one failed request ends the whole run."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.flow import enclosing_handlers
from agentable.cpg.project import ProjectGraph
from agentable.cpg.state_graphs import StateGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ExtRef, FuncRef
from agentable.findings import Finding, Severity
from agentable.query.facts import per_graph
from agentable.query.guards import TOOL_FAILURES, catches_library_errors, failure_guard
from agentable.query.literals import source_text
from agentable.query.tool_failures import tool_raised_errors
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.query.agent_runs import agent_run_sites
from agentable.rules.mnft.helpers import NetworkCall, unhandled_network_io


class GraphNodeNetworkError(Rule):
    meta = RuleMeta(
        id="MNFT008",
        name="graph-node-network-error-ends-run",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A node of a state graph (LangGraph) calls a web API with no try/except, no retry policy on the node "
               "and no handler around the graph's run, so one failed request ends the whole run."),
        full=("A LangGraph run stops at the first exception a node raises: the state built so far is lost (unless "
              "a checkpointer keeps it) and the caller gets the traceback. A node that searches the web, fetches a "
              "page or calls another service fails on a timeout, a connection error, an HTTP error status or a "
              "missing API key. Reported when the node's network call (or `raise_for_status()`), in the node or in "
              "a helper it calls, has no enclosing try, the node is added without a retry policy, and no call that "
              "runs the compiled graph is inside a try that catches the error."),
        bad_example=('def web_search(state: State) -> dict:\n'
                     '    hits = TavilyClient().search(state["query"])\n    return {"results": hits["results"]}\n\n'
                     'builder.add_node("web_search", web_search)'),
        good_example=('def web_search(state: State) -> dict:\n    try:\n'
                      '        hits = TavilyClient().search(state["query"])\n    except Exception as exc:\n'
                      '        return {"results": [], "errors": [str(exc)]}\n    return {"results": hits["results"]}'),
        fix=("Catch the request's errors in the node (or the helper) and record them in the state so the graph can go "
             "on, or add the node with a retry policy (`add_node(..., retry_policy=RetryPolicy())`)."),
        tags=("graph", "robustness"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        reported: set[int] = set()
        for sg in graph.agent.state_graphs:
            retried = _retried_nodes(graph, sg)
            runs = _graph_runs(graph, sg)
            for node in sg.node_functions:
                if node.qualname in retried or node.node is None:
                    continue
                for hit in _node_hits(graph, node):
                    if id(hit.site.call) in reported:
                        continue
                    raised = tool_raised_errors(graph, hit.func)
                    if any(failure_guard(graph, s.func, s.stmt, TOOL_FAILURES)
                           or catches_library_errors(graph, s.func, s.stmt, raised) for s in runs):
                        continue
                    reported.add(id(hit.site.call))
                    yield self._finding(ctx, node, hit, runs)

    def _finding(self, ctx: RuleContext, node: FunctionInfo, hit: NetworkCall, runs: list[CallSite]) -> Finding:
        graph = ctx.graph
        call = f"{hit.what}(...)"
        pos = hit.site.call.pos
        made = _client_made_here(graph, hit)
        if made is not None:  # `client = TavilyClient()` then `client.search(...)`: the failing steps start here
            call = f"{source_text(graph, hit.func.path, made, 40)}` then `{call}"
            pos = made.pos
        where = f"in node `{node.name}`" if hit.func is node else f"in `{hit.func.name}`, which node `{node.name}` calls,"
        around = (f"nothing around `{source_text(graph, runs[0].func.path, runs[0].call, 50)}` catches it"
                  if runs else "no call in the project runs the graph inside a handler")
        return self.finding(
            ctx, hit.func.path, pos,
            f"`{call}` {where} can fail (network error, timeout, rate limit or other HTTP error status, missing "
            f"API key) with no "
            f"try/except; the node has no retry policy and {around}, so one failed request ends the whole graph "
            f"run. Catch the error and record it in the state, or add the node with a retry policy.",
        )


def _graph_runs(g: ProjectGraph, sg: StateGraph) -> list[CallSite]:
    """The calls that run a graph compiled from this builder (`builder.compile().invoke(...)`)."""
    return list(_runs_by_builder(g).get(id(sg.ctor), ()))


@per_graph
def _runs_by_builder(g: ProjectGraph) -> dict[int, list[CallSite]]:
    """Builder constructor call (by id) -> the calls that run a graph compiled from it, in the order
    of the agent constructs: one pass over them per graph (one per builder was quadratic in a
    project of many graphs)."""
    builders = {id(sg.ctor) for sg in g.agent.state_graphs}
    out: dict[int, list[CallSite]] = {}
    for ac in g.agent.agent_constructs:
        f = ac.site.call.func
        if not isinstance(f, ir.Attribute):
            continue
        made = {id(v.site[1]) for v in g.values(f.value, ac.site.func, ac.site.stmt)
                if isinstance(v, ExtRef) and v.site is not None}
        for ctor in made & builders:
            out.setdefault(ctor, []).extend(agent_run_sites(g, ac))
    return out


def _retried_nodes(g: ProjectGraph, sg: StateGraph) -> set[str]:
    """Functions added as nodes of this builder with a retry policy (catalog graph_builder
    `node_retry_params`)."""
    return {q for ctor, q in _retried_node_adds(g) if ctor is sg.ctor}


@per_graph
def _retried_node_adds(g: ProjectGraph) -> list[tuple[object, str]]:
    """(builder constructor call, function qualname) for every node added with a retry policy."""
    spec = next((s for s in g.catalog.graph_builders if s.node_retry_params), None)
    if spec is None:
        return []
    out: list[tuple[object, str]] = []
    for func in g.agent.functions():
        for site in func.calls:
            f = site.call.func
            if not (isinstance(f, ir.Attribute) and f.attr in spec.node_methods):
                continue
            if not any(site.call.kwarg(p) is not None for p in spec.node_retry_params):
                continue
            ctors = [v.site[1] for v in g.values(f.value, func, site.stmt) if isinstance(v, ExtRef) and v.site is not None]
            for a in [*site.call.args, *(k.value for k in site.call.keywords)]:
                names = [v.qualname for v in g.values(a, func, site.stmt) if isinstance(v, FuncRef)]
                out += [(ctor, q) for ctor in ctors for q in names]
    return out


def _node_hits(g: ProjectGraph, node: FunctionInfo) -> list[NetworkCall]:
    """The unhandled network calls of a node: its own first one, and the first one of each project
    function it calls outside a try (each branch of `if api == "a": a_search() elif ...: b_search()`)."""
    out: list[NetworkCall] = []
    own = unhandled_network_io(g, node, depth=0)
    if own is not None:
        out.append(own)
    seen = {node.qualname}
    for site in node.calls:
        if enclosing_handlers(node, site.stmt):
            continue
        for q in sorted(g.callees(site)):
            callee = g.functions.get(q)
            if callee is None or q in seen or callee.name == "__init__":
                continue
            seen.add(q)
            hit = unhandled_network_io(g, callee, depth=1)
            if hit is not None and all(h.site is not hit.site for h in out):
                out.append(hit)
    return out


def _client_made_here(g: ProjectGraph, hit: NetworkCall) -> Optional[ir.Call]:
    """`client = SearchClient(...)` earlier in the same function, outside a try, when the network
    call is a method of `client`."""
    f = hit.site.call.func
    if not (isinstance(f, ir.Attribute) and isinstance(f.value, ir.Name)):
        return None
    for d in hit.func.defs.get(f.value.id, []):
        v = d.value
        if (isinstance(v, ir.Call) and d.stmt.pos[0] <= hit.site.stmt.pos[0] and not enclosing_handlers(hit.func, d.stmt)
                and any(isinstance(x, ExtRef) and g.catalog.does_network_io(f"{x.path}().{f.attr}")
                        for x in g.values(v.func, hit.func, d.stmt))):
            return v
    return None
