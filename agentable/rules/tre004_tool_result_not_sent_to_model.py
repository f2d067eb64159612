"""TRE004: a hand-written tool-calling loop runs the tool but never sends its result back to the model."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg.agent import LLMCall  # for annotations and narrowing
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.tre.helpers import dropped_tool_results


class ToolResultNotSentToModel(Rule):
    meta = RuleMeta(
        id="TRE004",
        name="tool-result-never-sent-to-model",
        category="TRE",
        severity=Severity.WARNING,
        short="A tool-calling loop runs the tool but never sends its result in the request it makes next.",
        full=("With native tool calling the model only learns what a tool returned from the next request: on "
              "Chat Completions-style APIs the assistant message with its tool calls and one tool-result "
              "message per call must be appended to the conversation; on the OpenAI Responses API each call's "
              "`function_call_output` item must be in the next request's `input` (also with "
              "`previous_response_id`, which keeps the model's function calls on the server but not their "
              "outputs). A loop that runs the tool and only logs or collects the result locally sends the same "
              "request every turn (an unchanged messages list, or a request written in the call such as "
              "`input=\"Continue.\"`), so the model never sees the result, asks for the same tool again and "
              "the loop ends at its limit with nothing the model could use."),
        bad_example=('for _ in range(5):\n'
                     '    msg = client.chat.completions.create(model=m, messages=messages, tools=TOOLS).choices[0].message\n'
                     '    for call in msg.tool_calls:\n'
                     '        results.append(run_tool(call))  # messages never change'),
        good_example=('    messages.append(msg)\n'
                      '    for call in msg.tool_calls:\n'
                      '        messages.append({"role": "tool", "tool_call_id": call.id, "content": run_tool(call)})'),
        fix=("Send each result back the way the API takes it: append the assistant message and a tool-result "
             "message per call to the messages list, or (Responses API) pass a `function_call_output` item "
             "per call in the next request's `input`."),
        tags=("tools",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for d in dropped_tool_results(graph):
            inv = d.invocation
            targets = [t.name for t in inv.targets]
            label = f"`{targets[0]}`" if len(targets) == 1 else "the tool"
            call = d.llm_call
            if not isinstance(call, LLMCall):  # (always one; DroppedToolResult.llm_call is typed `object`)
                continue
            sent_as = _sent_as(graph, call)
            if d.name is not None:
                yield self.finding(
                    ctx, inv.path, inv.site.call.pos,
                    f"The result of {label} never reaches the model: the loop asks the model again with the same "
                    f"`{d.name}` (line {call.call.pos[0]}), and nothing in the loop appends the assistant's tool call "
                    f"or this result to it, so the model cannot see what the tool returned and repeats the call. "
                    f"Append {sent_as or 'the assistant message and a tool-result message'} to `{d.name}` before the next turn.",
                    flow=(FlowStep(graph.span(call.func.path, call.call.pos), f"the model is asked with `{d.name}`"),
                          FlowStep(graph.span(inv.path, inv.site.call.pos), "the tool's result stays local")))
                continue
            request = d.request
            if request is None:  # (set whenever `name` is not)
                continue
            where = source_text(graph, call.func.path, request, 50)
            param = (getattr(call.spec, "params", None) or {}).get("messages", "messages")
            kept = (f" `{d.continued}` only carries the model's previous output, not what the tools returned."
                    if d.continued else "")
            yield self.finding(
                ctx, call.func.path, request.pos,
                f"The result of {label} (line {inv.site.call.pos[0]}) never reaches the model: every turn of the "
                f"loop sends the same request (`{where}`), built from values the loop never changes, so the model "
                f"cannot see what the tool returned and asks again.{kept} Send {sent_as or 'the tool results'} "
                f"in this request's `{param}` instead.",
                flow=(FlowStep(graph.span(inv.path, inv.site.call.pos), "the tool's result stays local"),
                      FlowStep(graph.span(call.func.path, request.pos), "the next request carries none of it")))


def _sent_as(graph, call: LLMCall) -> Optional[str]:
    """How the call's API takes a tool result back (catalog tool_result_format `sent_as`)."""
    for fmt in graph.catalog.tool_result_formats:
        if fmt.sent_as and fmt.provider == call.provider and call.api in fmt.apis:
            return fmt.sent_as
    return None
