"""What the code reads from the result of a framework agent's run (`result.output`, `result.data`)."""

from __future__ import annotations

from dataclasses import dataclass

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.query.facts import per_graph


@dataclass(frozen=True, eq=False)
class ResultRead:
    """`name.attr` where `name` holds the result of the agent run `run` (catalog path `symbol`:
    the run's path, called, then the attribute: `pydantic_ai.Agent().run_sync().data`)."""

    run: CallSite
    read: ir.Attribute
    func: FunctionInfo
    symbol: str


@per_graph
def run_result_reads(g: ProjectGraph) -> list[ResultRead]:
    """Attribute reads of a name bound, in the same function, to an agent run's result
    (`result = agent.run_sync(q)` or `result = await agent.run(q)`, then `result.data`), and of the
    run call itself (`agent.run_sync(q).data`)."""
    out: list[ResultRead] = []
    layer = g.agent
    for site in layer.agent_runs:
        path = layer.run_path(site)
        if not path:
            continue
        func = site.func
        bound = _names_bound_to(site.call, site.stmt)
        for e, _stmt in func.exprs.get(ir.Attribute, ()):
            target = e.value.value if isinstance(e.value, ir.Await) else e.value
            if target is site.call or (isinstance(target, ir.Name) and target.id in bound
                                       and _only_binding(func, target.id, site.stmt)):
                out.append(ResultRead(site, e, func, f"{path}().{e.attr}"))
    return out


def _names_bound_to(call: ir.Call, stmt: object) -> set[str]:
    if not isinstance(stmt, ir.Assign):
        return set()
    value = stmt.value.value if isinstance(stmt.value, ir.Await) else stmt.value
    return {t.id for t in stmt.targets if isinstance(t, ir.Name)} if value is call else set()


def _only_binding(func: FunctionInfo, name: str, stmt: object) -> bool:
    """Is `stmt` the only statement of the function that binds `name` (so every read is its result)?"""
    return all(d.stmt is stmt for d in func.defs.get(name, ()))
