"""A tool that waits for something outside it (a cloud job, a run, a file) by checking its status in a
loop with a sleep between checks, and nothing bounds the wait (MNFT022).

The loop is a wait when it sleeps on its normal path (not in an `except` block, which is a retry) and
whatever ends it is a status the body does not count: `while not job.done(): time.sleep(5)`, or
`while True:` whose breaks test what a call returned. No deadline on the clock, no attempt counter
(`cpg.flow.loop_info`) and no budget check in a function it calls (`query.run_budgets`) ends it, so
a job that runs for hours, or is stuck, keeps the tool call from returning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.agent import ToolDef
from agentable.cpg.flow import loop_info
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.query.run_budgets import budget_bound
from agentable.query.tools import tool_functions_of

_DEPTH = 2  # project calls followed down from the tool's function to the loop
_UNBOUNDED_KINDS = frozenset({"condition", "while-true"})  # ("infinite": no exit at all, a service loop)


@dataclass(frozen=True)
class UnboundedPoll:
    tool: ToolDef
    func: FunctionInfo  # the function holding the loop
    loop: ir.While
    sleep: ir.Call  # `time.sleep(5)` on the loop's normal path
    chain: tuple[CallSite, ...]  # the calls from the tool's function down to `func`


def unbounded_polls(g: ProjectGraph) -> Iterator[UnboundedPoll]:
    """Each polling loop with no bound that a tool runs, once per loop (the first tool that reaches it)."""
    seen: set[int] = set()
    for tool in g.agent.tools:
        for impl in tool_functions_of(g, tool):
            for func, chain in _reached(g, impl):
                for loop in ir.walk_stmts(func.body):
                    if not isinstance(loop, ir.While) or id(loop) in seen:
                        continue
                    sleep = _waits(g, func, loop)
                    if sleep is not None:
                        seen.add(id(loop))
                        yield UnboundedPoll(tool, func, loop, sleep, chain)


def _waits(g: ProjectGraph, func: FunctionInfo, loop: ir.While) -> Optional[ir.Call]:
    """The sleep of `loop` when it is a wait with no bound, else None."""
    info = loop_info(loop)
    if info.bounded or info.kind not in _UNBOUNDED_KINDS:
        return None
    if info.kind == "condition" and not _reads_status(loop.test):
        return None  # `while not stop:` on a local flag: a signal, not a status it polls
    sleep = _sleep_on_normal_path(g, func, loop)
    if sleep is None or budget_bound(g, func, loop) is not None:
        return None
    return sleep


def _reads_status(test: ir.Expr) -> bool:
    """Does the loop condition read something outside the function's locals: a call's result or an
    object's attribute (`job.done()`, `run.status != "completed"`)?"""
    return any(isinstance(e, (ir.Call, ir.Attribute)) for e in ir.walk_expr(test))


def _sleep_on_normal_path(g: ProjectGraph, func: FunctionInfo, loop: ir.While) -> Optional[ir.Call]:
    """A catalog sleep call in the loop's body (not in a nested loop, function or `except` block)."""
    sleeps = g.catalog.python.sleep_calls
    for s in ir.walk_stmts(loop.body):
        if any(isinstance(a, (ir.While, ir.For, ir.Handler)) and func.inside(a, loop) for a in func.ancestors(s)):
            continue
        for root in ir.stmt_exprs(s):
            for e in ir.walk_expr(root):
                if isinstance(e, ir.Call) and any(isinstance(v, ExtRef) and v.path in sleeps
                                                  for v in g.values(e.func, func, s)):
                    return e
    return None


def _reached(g: ProjectGraph, impl: FunctionInfo) -> Iterator[tuple[FunctionInfo, tuple[CallSite, ...]]]:
    """The tool's function and the project functions it calls, down to _DEPTH calls, with the calls."""
    seen: set[str] = set()
    stack: list[tuple[FunctionInfo, tuple[CallSite, ...]]] = [(impl, ())]
    while stack:
        func, chain = stack.pop()
        if func.qualname in seen:
            continue
        seen.add(func.qualname)
        yield func, chain
        if len(chain) >= _DEPTH:
            continue
        for site in func.calls:
            for q in sorted(g.callees(site)):
                callee = g.functions.get(q)
                if callee is not None and callee.name != "__init__":
                    stack.append((callee, (*chain, site)))
