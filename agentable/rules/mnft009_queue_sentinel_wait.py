"""MNFT009: a loop waits on a queue with no timeout for an end marker that the model-calling
producer puts only when its work succeeds, so a failure leaves the loop waiting forever."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.flow import exits_of, enclosing_handlers
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import Const, ExtRef, Value
from agentable.findings import Finding, Severity
from agentable.query.literals import bound_name, source_text
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.helpers import _QUEUE_TYPES

_PUTS = ("put", "put_nowait")


class QueueSentinelWait(Rule):
    meta = RuleMeta(
        id="MNFT009",
        name="queue-wait-for-end-marker-without-timeout",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A loop reads a queue with no timeout until an end marker arrives, and the code that calls the model "
               "puts that marker only when it succeeds, so a failed model or tool call leaves the loop waiting "
               "forever."),
        full=("Streaming agents run the model in a background task or another agent and hand its output to the "
              "request through a queue: the consumer loops on `await queue.get()` until a DONE marker comes. When "
              "the producer puts the marker only after its work (not in a `finally` block) and puts no error "
              "marker in an `except` block, an exception in a model call or a tool (often swallowed by the task or "
              "the agent runtime) means the marker never comes: the consumer, and the HTTP response or the caller "
              "behind it, hangs for good."),
        bad_example=('async def worker(q):\n    async for chunk in llm.astream(prompt):\n        await q.put(chunk)\n'
                     '    await q.put(DONE)\n\nwhile True:\n    item = await q.get()\n    if item is DONE:\n        break'),
        good_example=('async def worker(q):\n    try:\n        async for chunk in llm.astream(prompt):\n'
                      '            await q.put(chunk)\n    finally:\n        await q.put(DONE)'),
        fix=("Put the end marker in a `finally` block (or an error marker in an `except` block), or wait with a "
             "timeout (`await asyncio.wait_for(q.get(), 60)`)."),
        tags=("streaming", "robustness"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        puts: Optional[list[CallSite]] = None
        for func in graph.agent.functions():
            for loop in (s for s in func.stmts if isinstance(s, ir.While)):
                for site, marker in _marker_waits(graph, func, loop):
                    if puts is None:
                        puts = _queue_puts(graph)
                    hit = _unguarded_marker_put(graph, site, marker, puts)
                    if hit is None:
                        continue
                    producer = hit
                    yield self.finding(
                        ctx, func.path, site.call.pos,
                        f"`{source_text(graph, func.path, site.call, 40)}` waits with no timeout and the loop ends "
                        f"only when `{source_text(graph, func.path, marker, 30)}` arrives; "
                        f"`{producer.func.name}` ({producer.func.path}:{producer.call.pos[0]}) puts it only when the "
                        f"work before it succeeds, and the code that feeds this queue calls the model, so a failed "
                        f"model or tool call leaves this loop waiting forever. Put the marker in a `finally` block "
                        f"(or an error marker in an `except` block), or wait with a timeout.",
                    )


def _queue_of(g: ProjectGraph, site: CallSite) -> set[tuple[str, ir.Pos]]:
    f = site.call.func
    if not isinstance(f, ir.Attribute):
        return set()
    return {(v.site[0], v.site[1].pos) for v in g.values(f.value, site.func, site.stmt)
            if isinstance(v, ExtRef) and v.path in _QUEUE_TYPES and v.site is not None}


def _marker_waits(g: ProjectGraph, func: FunctionInfo, loop: ir.While) -> list[tuple[CallSite, ir.Expr]]:
    """`item = await q.get()` (no timeout) in the loop, with the marker an exit compares `item` to
    (`if item is DONE: break`)."""
    inside = {id(s) for s in ir.walk_stmts(loop.body)}
    out: list[tuple[CallSite, ir.Expr]] = []
    for site in func.calls:
        f = site.call.func
        if (id(site.stmt) not in inside or not isinstance(f, ir.Attribute) or f.attr != "get"
                or site.call.args or site.call.keywords or not _queue_of(g, site)):
            continue
        st = site.stmt
        bound: ir.Expr = site.call
        if isinstance(st, ir.Assign) and isinstance(st.value, ir.Await) and st.value.value is site.call:
            bound = st.value  # `item = await q.get()`
        name = bound_name(st, bound)
        if name is None:
            continue
        for _exit, tests in exits_of(loop):
            for t in tests:
                if isinstance(t, ir.Compare) and len(t.comparators) == 1 and t.ops[0] in ("is", "=="):
                    left, right = t.left, t.comparators[0]
                    if isinstance(left, ir.Name) and left.id == name and not isinstance(right, ir.Constant):
                        out.append((site, right))
    return out


def _queue_puts(g: ProjectGraph) -> list[CallSite]:
    return [s for f in g.functions.values() for s in f.calls
            if isinstance(s.call.func, ir.Attribute) and s.call.func.attr in _PUTS and s.call.args]


def _identity(vs: Iterable[Value]) -> set[object]:
    return {(v.path, v.site[0], v.site[1].pos) if isinstance(v, ExtRef) and v.site is not None else v
            for v in vs if (isinstance(v, ExtRef) and v.site is not None) or isinstance(v, Const)}


def _unguarded_marker_put(g: ProjectGraph, wait: CallSite, marker: ir.Expr, puts: list[CallSite]) -> Optional[CallSite]:
    """The put of the marker on the same queue, when no put of it is in a `finally` block, no put on
    the queue is in an `except` block (an error marker), and some put on it comes after a model call
    (a model call that fails stops the work before the marker)."""
    queue = _queue_of(g, wait)
    wanted = _identity(g.values(marker, wait.func, wait.stmt))
    if not wanted:
        return None
    same = [p for p in puts if _queue_of(g, p) & queue]
    markers = [p for p in same if _identity(g.values(p.call.args[0], p.func, p.stmt)) & wanted]
    if not markers or not any(_after_model_call(g, p, wait.func.qualname) for p in same):
        return None
    if any(_in_block(p, "finally") for p in markers) or any(_in_block(p, "except") for p in same):
        return None
    return markers[0]


def _in_block(site: CallSite, kind: str) -> bool:
    child: object = site.stmt
    for anc in site.func.ancestors(site.stmt):
        if kind == "except" and isinstance(anc, ir.Handler):
            return True
        if kind == "finally" and isinstance(anc, ir.Try) and any(c is child for c in anc.finalbody):
            return True
        child = anc
    return False


def _after_model_call(g: ProjectGraph, put: CallSite, consumer: str) -> bool:
    """Does the function call the model (or a wrapper of it) before this put, outside a try? A call
    that only starts the consumer (`create_task(self._worker())`) does not count: its model calls
    are the consumer's own."""
    return any(g.agent.calls_llm(s) and s.call.pos < put.call.pos and not enclosing_handlers(s.func, s.stmt)
               and not any(_reaches(g, q, consumer, 2) for q in g.callees(s)) for s in put.func.calls)


def _reaches(g: ProjectGraph, q: str, target: str, depth: int) -> bool:
    if q == target:
        return True
    f = g.functions.get(q)
    return depth > 0 and f is not None and any(_reaches(g, c, target, depth - 1) for s in f.calls for c in g.callees(s))
