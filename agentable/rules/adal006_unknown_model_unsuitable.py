"""ADAL006: a model the model table does not know, judged unsuitable by the NL checker."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.nl_check.questions import MIN_MODEL_CONFIDENCE
from agentable.query.models import GENERATIVE_APIS, ModelUse, model_uses, tools_requested
from agentable.rules.base import Rule, RuleContext, RuleMeta


class UnknownModelUnsuitable(Rule):
    meta = RuleMeta(
        id="ADAL006",
        name="unknown-model-unsuitable-for-agent",
        category="ADAL",
        severity=Severity.WARNING,
        short="A model missing from agentable's model table is, according to the LLM checker, unfit for its role.",
        full=("agentable decides model suitability from its versioned model table. For a model id the table "
              "does not know (a fine-tune, a local model, a new release), the natural-language checker is asked "
              "whether the model can serve as a chat agent, a tool-calling agent or a JSON producer. Offline, the "
              "checker cannot decide and this rule stays silent; with an LLM configured "
              "(`agentable scan --llm`), a confident 'unsuitable' verdict becomes a finding with its reason."),
        bad_example='llm = ChatOllama(model="starcoder2:3b")  # a code-completion model as the agent',
        good_example='llm = ChatOllama(model="qwen2.5:7b-instruct")',
        fix="Use an instruction-tuned chat model that supports what the agent needs (tool calls, JSON).",
        tags=("model", "adaptation", "nl-check"),
        precision="medium",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        from agentable.nl_check import ModelSuitabilityQuestion

        if not ctx.checker.llm_active:
            return  # only the LLM can judge a model the table does not know
        graph = ctx.graph
        todo: list[tuple[ModelUse, ModelSuitabilityQuestion]] = []
        seen: set[tuple[str, str]] = set()
        for use in model_uses(graph):
            if use.api not in GENERATIVE_APIS or graph.catalog.model(use.model_id) is not None:
                continue
            if _local_weights(use.model_id):
                continue  # a file of local weights: no model, however good, knows what it holds
            role = "tool-calling-agent" if tools_requested(graph, use) is not None else "chat-agent"
            if (use.model_id, role) in seen:
                continue
            seen.add((use.model_id, role))
            provider = getattr(use.spec, "provider", "") or ""
            todo.append((use, ModelSuitabilityQuestion(use.model_id, role, provider)))
        if not todo:
            return
        verdicts = ctx.checker.ask_many([q for _u, q in todo])
        for (use, q), verdict in zip(todo, verdicts, strict=True):  # a verdict per question
            if not verdict.defect or verdict.confidence < MIN_MODEL_CONFIDENCE:
                continue
            role = "a tool-calling agent" if q.role == "tool-calling-agent" else "a chat agent"
            f = self.finding(
                ctx, *use.report_at,
                f"`{use.model_id}` is not in agentable's model table, and the LLM checker judges it unfit as "
                f"{role}: {verdict.reason} Use an instruction-tuned chat model suited to the role.",
                flow=use.flow(graph), model=use.model_id)
            f.checker_reason = verdict.reason
            yield f


def _local_weights(model_id: str) -> bool:
    """A path to model weights on disk ("/models/x.gguf", "./weights"), not a model name."""
    return model_id.startswith(("/", "./", "../", "~")) or model_id.endswith((".gguf", ".bin", ".safetensors"))
