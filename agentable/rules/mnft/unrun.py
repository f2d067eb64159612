"""Tools that no agent of the scanned code runs: a tool library whose agents are built elsewhere
(another package, a partial checkout). Whether a tool's exception ends the run then depends on the
runner, which the code does not show; the framework's usual one decides (catalog
`unrun_errors_propagate`), unless the project itself builds a runner that catches tool errors. A
tool the project builds only into a local list that nothing reads (`tools.append(StructuredTool
.from_function(f))` with the agent that took `tools` commented out) is handed to no runner at all."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.agent import ToolDef
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.facts import per_graph
from agentable.query.tool_invocations import tool_invocations
from agentable.query.tools import tool_functions_of


def unrun_tool_judged_by_default(g: ProjectGraph, tool: ToolDef) -> bool:
    """Is `tool` (given to no agent construct of the project) judged by its framework's usual
    runner? Only when that runner lets tool errors end the run, the project builds no agent that
    catches them and no state graph (whose nodes, e.g. langgraph's ToolNode, may run the tool and
    catch), and no hand-written loop of the project runs the tool (MNFT002 judges that loop)."""
    if not getattr(tool.spec, "unrun_errors_propagate", False) or _may_run_elsewhere(g) or only_in_unread_list(g, tool):
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


_LIST_ADDERS = ("append", "extend", "insert")


def only_in_unread_list(g: ProjectGraph, tool: ToolDef) -> bool:
    """Is the tool a constructor call added to a local list (`tools.append(Tool(...))`) whose
    function reads the list for nothing but more adds: the tools are collected and handed on to
    nothing?"""
    if tool.kind != "constructor":
        return False
    for func in (f for f in g.functions.values() if f.path == tool.path):
        for site in func.calls:
            if site.call.pos != tool.pos:
                continue
            owner = _list_added_to(site.stmt, site.call)
            return owner is not None and _read_only_to_add(func, owner)
    return False


def _list_added_to(stmt: ir.Stmt, call: ir.Call) -> Optional[str]:
    """`NAME.append(call)` as a statement of its own: NAME."""
    v = stmt.value if isinstance(stmt, ir.ExprStmt) else None
    if isinstance(v, ir.Call) and isinstance(v.func, ir.Attribute) and v.func.attr in _LIST_ADDERS \
            and isinstance(v.func.value, ir.Name) and any(a is call for a in v.args):
        return v.func.value.id
    return None


def _read_only_to_add(func: FunctionInfo, name: str) -> bool:
    """Is `name` a local of `func` (not module code, which other modules may import from) bound only
    to `[]` and read only as the receiver of an add, here and in the functions nested in it?"""
    defs = func.defs.get(name, [])
    if func.node is None or not defs or any(not _empty_list(d.how, d.value) for d in defs):
        return False
    adds = {id(site.call.func.value) for site in func.calls
            if isinstance(site.call.func, ir.Attribute) and site.call.func.attr in _LIST_ADDERS}
    for s in ir.walk_stmts(func.node.body, into_defs=True):  # (a nested function may read it too)
        for root in ir.stmt_exprs(s):
            for x in ir.walk_expr(root):
                if isinstance(x, ir.Name) and x.id == name and id(x) not in adds:
                    if not (isinstance(s, ir.Assign) and any(t is x for t in s.targets)):
                        return False
    return True


def _empty_list(how: str, value: Optional[ir.Expr]) -> bool:
    return how == "assign" and isinstance(value, ir.Seq) and not value.elts
