"""Where the agents a project builds with a framework are run."""

from __future__ import annotations

from agentable.cpg.agent import AgentConstruct
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite
from agentable.cpg.values import ExtRef
from agentable.query.facts import per_graph


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
