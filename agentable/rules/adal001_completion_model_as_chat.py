"""ADAL001: a completion-only model used through a chat API or as a chat/agent model."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.query.artifacts import config_model_settings
from agentable.query.models import distinct_uses, model_uses
from agentable.rules.base import Rule, RuleContext, RuleMeta


class CompletionModelAsChat(Rule):
    meta = RuleMeta(
        id="ADAL001",
        name="completion-model-as-chat-model",
        category="ADAL",
        severity=Severity.ERROR,
        short="A completion-only model is used through a chat API or as an agent's chat model.",
        full=("Completion (text-in, text-out) models such as `gpt-3.5-turbo-instruct` or `davinci-002` are "
              "served only by the legacy completions endpoint. Sent to a chat endpoint, or wired into a chat "
              "model or agent, the request is rejected (\"This is not a chat model\"), so the agent fails on "
              "its first step; wrappers that fall back to a prompt template lose the message roles and tool "
              "calls the agent depends on. A model given as the default of a configuration read (an "
              "environment variable, a command-line option, a settings field) counts: the agent runs with it "
              "unless someone configures another."),
        bad_example='client.chat.completions.create(model="gpt-3.5-turbo-instruct", messages=msgs)',
        good_example='client.chat.completions.create(model="gpt-4o-mini", messages=msgs)',
        fix="Use a chat model for chat calls and agents, or call the completions API with a prompt string.",
        tags=("model", "adaptation"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for use in distinct_uses(model_uses(graph)):
            if use.api not in ("chat", "responses"):
                continue
            info = graph.catalog.model(use.model_id)
            if info is None or info.kind != "completion":
                continue
            what = ("as an agent's model" if use.where == "agent" else
                    ("as a chat model" if use.where == "chat_model" else "through a chat API"))
            path, pos = use.report_at  # (distinct_uses returns an untyped list)
            yield self.finding(
                ctx, path, pos,
                f"`{use.model_id}` is a completion-only model but is used {what}; chat requests to it fail. "
                + (f"Use a chat model such as `{info.replacement}`" if info.replacement else "Use a chat model")
                + " here, or call the completions API with a prompt.",
                model=use.model_id, flow=use.flow(graph))
        for ms in config_model_settings(graph):  # a CrewAI agents.yaml `llm:`, a chat .prompty
            if ms.role not in ("agent", "chat"):
                continue
            info = graph.catalog.model(ms.model_id)
            if info is None or info.kind != "completion":
                continue
            what = "as a CrewAI agent's `llm`" if ms.role == "agent" else "by this chat prompt"
            yield self.finding(
                ctx, ms.path, ms.pos,
                f"`{ms.model_id}` is a completion-only model but is used {what}; chat requests to it fail. "
                + (f"Use a chat model such as `{info.replacement}`" if info.replacement else "Use a chat model")
                + " here.", model=ms.model_id)
