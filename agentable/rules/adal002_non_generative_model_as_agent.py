"""ADAL002: an embedding/moderation/speech/image/rerank/code-completion model as the reasoning model."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.query.artifacts import config_model_settings
from agentable.query.models import GENERATIVE_APIS, distinct_uses, model_uses
from agentable.rules.base import Rule, RuleContext, RuleMeta

# Catalog model kinds that cannot act as an agent's reasoning (instruction-following chat) model.
NARROW_KINDS = frozenset({"embedding", "moderation", "audio", "tts", "speech", "transcription", "image", "rerank",
                          "code-completion", "classification", "encoder"})


class NarrowModelAsReasoner(Rule):
    meta = RuleMeta(
        id="ADAL002",
        name="narrow-model-as-reasoning-model",
        category="ADAL",
        severity=Severity.ERROR,
        short="A non-generative or narrow-purpose model is used as the agent's reasoning model.",
        full=("Embedding, moderation, speech, image, rerank and code-completion models do not follow "
              "instructions or produce chat replies. Put in an agent's LLM slot (a chat/completions call, a "
              "chat model or an agent's model), the provider rejects the request or the model returns text "
              "that cannot drive the agent's protocol, so every step fails."),
        bad_example='llm = ChatOpenAI(model="text-embedding-3-small")',
        good_example='llm = ChatOpenAI(model="gpt-4o-mini")\nemb = OpenAIEmbeddings(model="text-embedding-3-small")',
        fix="Use an instruction-tuned chat model for generation; keep embedding/speech/image models for their own APIs.",
        tags=("model", "adaptation"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for use in distinct_uses(model_uses(graph)):
            if use.api not in GENERATIVE_APIS:
                continue
            info = graph.catalog.model(use.model_id)
            if info is None or info.kind not in NARROW_KINDS:
                continue
            path, pos = use.report_at  # (distinct_uses returns an untyped list)
            yield self.finding(
                ctx, path, pos,
                f"`{use.model_id}` is {'an' if info.kind[0] in 'aeiou' else 'a'} {info.kind} model, "
                f"not a chat/instruction model, yet it is used as the "
                f"agent's generation model; use a chat model here and keep `{use.model_id}` for its own API.",
                model=use.model_id, flow=use.flow(graph))
        for ms in config_model_settings(graph):  # a CrewAI agents.yaml `llm:`, a chat .prompty
            if ms.role not in ("agent", "chat", "completion"):
                continue
            info = graph.catalog.model(ms.model_id)
            if info is None or info.kind not in NARROW_KINDS:
                continue
            yield self.finding(
                ctx, ms.path, ms.pos,
                f"`{ms.model_id}` is {'an' if info.kind[0] in 'aeiou' else 'a'} {info.kind} model, not a chat/instruction "
                f"model, yet this file makes it the agent's generation model; use a chat model here.", model=ms.model_id)
