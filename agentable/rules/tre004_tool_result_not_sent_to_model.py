"""TRE004: a hand-written tool-calling loop runs the tool but never sends its result back to the model."""

from __future__ import annotations

from typing import Iterable

from agentable import query
from agentable.findings import Finding, FlowStep, Severity
from agentable.rules.base import Rule, RuleMeta


class ToolResultNotSentToModel(Rule):
    meta = RuleMeta(
        id="TRE004",
        name="tool-result-never-sent-to-model",
        category="TRE",
        severity=Severity.WARNING,
        short="A tool-calling loop runs the tool but never appends its result to the messages it sends the model.",
        full=("With native tool calling the model only learns what a tool returned from the next request: the "
              "assistant message with its tool calls and one tool-result message per call must be appended to "
              "the conversation. A loop that runs the tool and only logs or collects the result locally sends "
              "the same messages every turn, so the model never sees the result, asks for the same tool again "
              "and the loop ends at its limit with nothing the model could use."),
        bad_example=('for _ in range(5):\n'
                     '    msg = client.chat.completions.create(model=m, messages=messages, tools=TOOLS).choices[0].message\n'
                     '    for call in msg.tool_calls:\n'
                     '        results.append(run_tool(call))  # messages never change'),
        good_example=('    messages.append(msg)\n'
                      '    for call in msg.tool_calls:\n'
                      '        messages.append({"role": "tool", "tool_call_id": call.id, "content": run_tool(call)})'),
        fix="Append the assistant message and a tool-result message for each call to the messages list before asking the model again.",
        tags=("tools",),
    )

    def check(self, graph) -> Iterable[Finding]:
        for d in query.dropped_tool_results(graph):
            inv = d.invocation
            targets = [t.name for t in inv.targets]
            label = f"`{targets[0]}`" if len(targets) == 1 else "the tool"
            call = d.llm_call
            yield self.finding(
                graph, inv.path, inv.site.call.pos,
                f"The result of {label} never reaches the model: the loop asks the model again with the same "
                f"`{d.name}` (line {call.call.pos[0]}), and nothing in the loop appends the assistant's tool call "
                f"or this result to it, so the model cannot see what the tool returned and repeats the call. "
                f"Append the assistant message and a tool-result message to `{d.name}` before the next turn.",
                flow=(FlowStep(graph.span(call.func.path, call.call.pos), f"the model is asked with `{d.name}`"),
                      FlowStep(graph.span(inv.path, inv.site.call.pos), "the tool's result stays local")))
