"""Tools that no agent of the scanned code runs: a tool library whose agents are built elsewhere
(another package, a partial checkout). Whether a tool's exception ends the run then depends on the
runner, which the code does not show; the framework's usual one decides (catalog
`unrun_errors_propagate`), unless the project itself builds a runner that catches tool errors."""

from __future__ import annotations

from agentable.cpg.agent import ToolDef
from agentable.cpg.project import ProjectGraph
from agentable.query.facts import per_graph
from agentable.query.tool_invocations import tool_invocations
from agentable.query.tools import tool_functions_of


def unrun_tool_judged_by_default(g: ProjectGraph, tool: ToolDef) -> bool:
    """Is `tool` (given to no agent construct of the project) judged by its framework's usual
    runner? Only when that runner lets tool errors end the run, the project builds no agent that
    catches them and no state graph (whose nodes, e.g. langgraph's ToolNode, may run the tool and
    catch), and no hand-written loop of the project runs the tool (MNFT002 judges that loop)."""
    if not getattr(tool.spec, "unrun_errors_propagate", False) or _may_run_elsewhere(g):
        return False
    run_by_hand = _run_by_hand(g)
    return not any(f.qualname in run_by_hand for f in tool_functions_of(g, tool))


@per_graph
def _may_run_elsewhere(g: ProjectGraph) -> bool:
    """Does the project build a runner that may run its tools and catch their errors?"""
    return bool(g.agent.state_graphs) or any(getattr(ac.spec, "handles_errors", False)
                                              for ac in g.agent.agent_constructs)


@per_graph
def _run_by_hand(g: ProjectGraph) -> frozenset[str]:
    """The tool functions a hand-written loop of the project runs."""
    return frozenset(t.qualname for inv in tool_invocations(g) for t in inv.targets)
