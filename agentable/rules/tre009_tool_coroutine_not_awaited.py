"""TRE009: a tool (or a project function it calls) calls a coroutine function without awaiting it."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.tre.tool_paths import coroutine_callee, path_steps, tools_and_paths


class ToolCoroutineNotAwaited(Rule):
    meta = RuleMeta(
        id="TRE009",
        name="tool-coroutine-not-awaited",
        category="TRE",
        severity=Severity.WARNING,
        short=("A tool calls one of the project's `async def` functions as a plain statement, without `await`: "
               "the coroutine is created and dropped, so its work never happens."),
        full=("Calling an `async def` function only creates a coroutine object; nothing in its body runs until it "
              "is awaited or scheduled (`await`, `asyncio.create_task`, `gather`). A tool that writes "
              "`store.add_event(event)` where `add_event` is a coroutine function stores nothing (Python only warns "
              "\"coroutine was never awaited\" when the object is collected), and then returns as if it had: the "
              "model is told the action happened, and whatever depends on it (a reply looked up by that event, a "
              "saved document) is never there. Judged in the tool's body and in the project functions it calls "
              "(two levels), on calls whose every possible target is a project `async def`, found through the "
              "graph or through the annotations of the receiver (a parameter `ctx: ToolContext` whose field "
              "`world: World` has the method)."),
        bad_example=('async def ask_human(question: str, ctx: ToolContext) -> str:\n'
                     '    ctx.world.add_event(Event(question))  # async def add_event\n'
                     '    return "Asked the human."'),
        good_example=('async def ask_human(question: str, ctx: ToolContext) -> str:\n'
                      '    await ctx.world.add_event(Event(question))\n'
                      '    return "Asked the human."'),
        fix="Await the call (`await obj.method(...)`), or schedule it with `asyncio.create_task(...)` and keep the task.",
        tags=("tools", "async"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        reported: set[int] = set()
        for tool, label, func, via in tools_and_paths(graph):
            for site in func.calls:
                stmt = site.stmt
                if id(site.call) in reported or not (isinstance(stmt, ir.ExprStmt) and stmt.value is site.call):
                    continue
                target = coroutine_callee(graph, func, site)
                if target is None:
                    continue
                reported.add(id(site.call))
                text = source_text(graph, func.path, site.call, 50)
                where = "" if func is tool else f" (in `{func.name}`, which the tool calls)"
                flow = (*path_steps(graph, via), FlowStep(graph.span(target.path, target.name_pos),
                                                          f"`{target.name}` is a coroutine function"))
                yield self.finding(
                    ctx, func.path, site.call.pos,
                    f"Tool `{label}` calls the coroutine function `{target.name}` without `await`{where}: "
                    f"`{text}` only creates a coroutine that is dropped, so `{target.name}` never runs and "
                    f"the tool's result reports an effect that did not happen. Await it (or schedule it with "
                    f"`asyncio.create_task`).",
                    flow=flow)
