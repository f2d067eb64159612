"""Web API calls (not model calls) that an agent loop makes on every iteration, in the loop or in
project functions it calls, with no handler and no retry anywhere from the call up to the entry
point (MNFT010's second form)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from agentable.cpg import ir
from agentable.cpg.agent_model import AgentLoop
from agentable.cpg.flow import enclosing_handlers, handler_reraises_only
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ClassRef, ExtRef, FuncRef, Instance
from agentable.query.guards import decorated_with_retry, suppressed_here
from agentable.query.model_call_faults import Unguarded, caught_at, run_by_framework, unguarded_from
from agentable.query.tool_dispatch import tool_dispatches
from agentable.query.tool_invocations import tool_invocations


@dataclass(frozen=True)
class LoopNetworkCall:
    """A network call (`site`, catalog path `path`) that `loop` reaches through `chain`: the call
    sites from the loop's body down to the function holding it (outermost first, () when the call
    is in the loop itself); `up` is the unguarded path from the loop's function to the entry point."""

    loop: AgentLoop
    chain: tuple[CallSite, ...]
    site: CallSite
    path: str
    up: Unguarded


def loop_network_calls(g: ProjectGraph, depth: int = 3) -> Iterator[LoopNetworkCall]:
    """Each unhandled network call of each agent loop, once per call site (the first loop that
    reaches it)."""
    seen: set[int] = set()
    # model calls, and tool runs (a tool's failures are MNFT002's)
    skip = {id(c.call) for c in g.agent.llm_calls}
    skip.update(id(t.site.call) for t in tool_invocations(g))
    skip.update(id(c.call) for d in tool_dispatches(g) for c in d.calls)
    for loop in g.agent.loops:
        func = loop.func
        if g.is_test_code(func.path) or run_by_framework(g, func):
            continue
        for site in func.calls:
            if not _in_body(func, site.stmt, loop.loop) or _handled(func, site.stmt):
                continue
            for chain, hit, path in _network_below(g, site, skip, depth, set()):
                if id(hit.call) in seen or not _unguarded_chain(g, (site, *chain), hit, path):
                    continue
                up = unguarded_from(g, func, site.stmt, path)
                if up is None:
                    continue
                seen.add(id(hit.call))
                yield LoopNetworkCall(loop, tuple(s for s in (site, *chain) if s is not hit), hit, path, up)


def _in_body(func: FunctionInfo, stmt: ir.Stmt, loop: ir.Stmt) -> bool:
    """Is `stmt` run on every iteration of `loop` (in its body, not its header or `else`)?"""
    if stmt is loop:
        return False
    body = getattr(loop, "body", [])
    return func.inside(stmt, loop) and any(s is stmt or func.inside(stmt, s) for s in body)


def _network_below(g: ProjectGraph, site: CallSite, skip: set[int], depth: int,
                   seen: set[str]) -> Iterator[tuple[tuple[CallSite, ...], CallSite, str]]:
    """(call sites between `site` and the hit, the network call site, its catalog path) for `site`
    itself when it is a network call, else for the project functions it calls (`depth` levels),
    skipping calls inside a try that handles the error (`_handled`), model calls, tool runs and functions a framework
    runs (tools, graph nodes: rules of their own) and functions with a retry decorator."""
    if id(site.call) in skip:
        return
    f = site.call.func
    values = g.values(f, site.func, site.stmt)
    for v in values:
        if isinstance(v, ExtRef) and g.catalog.does_network_io(v.path):
            yield (), site, v.path
            return
    if depth <= 0 or not any(isinstance(v, (FuncRef, Instance, ClassRef)) for v in values):
        return
    for q in sorted(g.callees(site)):
        callee = g.functions.get(q)
        if callee is None or q in seen or callee.name == "__init__" or g.is_test_code(callee.path):
            continue
        if run_by_framework(g, callee) or decorated_with_retry(g, callee):
            continue
        seen.add(q)
        for inner in callee.calls:
            if _handled(callee, inner.stmt):
                continue
            for chain, hit, path in _network_below(g, inner, skip, depth - 1, seen):
                yield (inner, *chain) if inner is not hit else chain, hit, path


def _handled(func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """A try around `stmt` whose handler does more than hand the error on unchanged (`except X:
    raise`): it goes on, or raises an error of its own that a caller may catch by name."""
    return (any(not handler_reraises_only(h) for h in enclosing_handlers(func, stmt))
            or suppressed_here(func, stmt, ("Exception",)))


def _unguarded_chain(g: ProjectGraph, chain: tuple[CallSite, ...], hit: CallSite, path: str) -> bool:
    """No handler for the library's errors around any call of the chain down to the hit."""
    return not any(caught_at(g, s.func, s.stmt, path) for s in (*chain, hit))

