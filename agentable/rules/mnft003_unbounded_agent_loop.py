"""MNFT003: a hand-written agent loop calls a model with no iteration bound."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.helpers import loop_unbounded


class UnboundedAgentLoop(Rule):
    meta = RuleMeta(
        id="MNFT003",
        name="agent-loop-without-iteration-limit",
        category="MNFT",
        severity=Severity.WARNING,
        short="An agent loop calls the model over and over with no maximum number of steps.",
        full=("A loop that keeps calling the model until the model says it is done (a final answer, no more tool "
              "calls) never ends when the model does not: it repeats the same tool call, keeps asking for more "
              "information, or never produces the stop marker. Without a step limit (or a time limit) the agent "
              "runs forever and burns tokens and money. Agent frameworks cap the loop by default (max_iterations, "
              "max_steps, max_turns); a hand-written loop needs its own cap."),
        bad_example=('while True:\n    reply = llm(messages)\n    if "Final Answer:" in reply:\n        return reply\n'
                     '    messages.append(run_tool(reply))'),
        good_example=('for step in range(MAX_STEPS):\n    reply = llm(messages)\n    if "Final Answer:" in reply:\n'
                      '        return reply\n    messages.append(run_tool(reply))\nraise RuntimeError("agent did not finish")'),
        fix=("Bound the loop (`for _ in range(max_steps)` or a step counter checked each iteration) and handle running "
             "out of steps."),
        tags=("loop", "robustness"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        seen: set[int] = set()
        for loop in graph.agent.loops:
            if id(loop.loop) in seen:
                continue
            seen.add(id(loop.loop))
            if _inner_of_reported(graph, loop, seen):
                continue
            why = loop_unbounded(graph, loop)
            if not why:
                continue
            call = _model_call_in(graph, loop)
            header = loop.loop.pos
            yield self.finding(
                ctx, loop.func.path, (header[0], header[1], header[0], header[1] + 5),
                f"This loop calls the model ({call}) with no iteration bound: {why}. Cap it with a step limit "
                f"(`for step in range(max_steps)` or a counter) and stop or report when the limit is reached.",
            )


def _model_call_in(graph, loop) -> str:
    if loop.llm_calls:
        c = loop.llm_calls[0]
        return f"`{ir.dotted(c.call.func) or 'the model call'}` at line {c.call.pos[0]}"
    for site in loop.func.calls:
        if graph.agent.calls_llm(site) and any(a is loop.loop for a in loop.func.ancestors(site.stmt)):
            return f"through `{ir.dotted(site.call.func) or 'a wrapper'}` at line {site.call.pos[0]}"
    return "through a wrapper"


def _inner_of_reported(graph, loop, seen) -> bool:
    """An unbounded loop nested in another loop of the same function that is reported is not reported twice."""
    for anc in loop.func.ancestors(loop.loop):
        if isinstance(anc, (ir.While, ir.For)):
            for other in graph.agent.loops:
                if other.loop is anc and loop_unbounded(graph, other):
                    return True
    return False
