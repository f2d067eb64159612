"""ALS006: a model class the project writes takes the stop sequences and drops them."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.rules.als.model_classes import dropped_stops, stop_reliances
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ModelClassDropsStop(Rule):
    meta = RuleMeta(
        id="ALS006",
        name="model-class-drops-stop-sequences",
        category="ALS",
        severity=Severity.WARNING,
        short="A model class the project writes takes the stop sequences (`_generate(messages, stop)`) and never uses them.",
        full=("A LangChain chat model or LLM written by the project (a `BaseChatModel`/`LLM` subclass over Bedrock, "
              "a local server, a browser bridge) is given the run's stop sequences in `stop`. A ReAct agent sets "
              "stop=[\"\\nObservation:\"] so that generation ends where the tool's result goes; a method that "
              "accepts `stop` and sends the request without it lets the model write the observation, and often "
              "the final answer, itself, so the tool never runs or its real result is ignored. Reported when the "
              "project relies on a stop sequence somewhere (a `stop=[...]` given to an agent, chain or framework "
              "model, or a text-protocol agent)."),
        bad_example=('class BridgeChat(BaseChatModel):\n'
                     '    def _generate(self, messages, stop=None, run_manager=None, **kw):\n'
                     '        text = post(URL, json={"messages": to_dicts(messages)})\n'
                     '        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])'),
        good_example=('class BridgeChat(BaseChatModel):\n'
                      '    def _generate(self, messages, stop=None, run_manager=None, **kw):\n'
                      '        text = post(URL, json={"messages": to_dicts(messages), "stop": stop or []})\n'
                      '        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])'),
        fix=("Send `stop` with the request (the provider's stop parameter), or cut the reply at the first stop "
             "sequence (`langchain_core.language_models.llms.enforce_stop_tokens`)."),
        tags=("stop-sequence", "model-wrapper"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        drops = dropped_stops(graph)
        if not drops:
            return
        relies = stop_reliances(graph)
        if not relies:
            return  # nothing in the project gives a stop sequence: the dropped parameter changes nothing
        r = relies[0]
        flow = (FlowStep(graph.span(r.path, (r.line, 0, r.line, 0)), f"the project relies on a stop sequence here: "
                                                                     f"{r.what}"),)
        effect = ("; through this class the agent's model writes the observation itself and the tool's real "
                  "result is not used" if r.observation else "")
        for d in drops:
            how = (f"`{d.forwarded_by.name}` passes the stop sequences to `{d.method.name}`, which never uses "
                   f"them" if d.forwarded_by is not None else f"`{d.method.name}` takes `stop` and never uses it")
            yield self.finding(
                ctx, *d.at,
                f"In model class `{d.cls.name}`, {how}: the request goes out without the stop sequences, so the "
                f"model does not stop where the caller asked. The project relies on a stop sequence ({r.what} at "
                f"{r.path}:{r.line}){effect}. Send `stop` with the request or cut the reply at the first stop "
                f"sequence.",
                flow=flow)
