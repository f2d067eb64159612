"""ADAL003: tool calling requested from a model without tool support."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.query.models import GENERATIVE_APIS, distinct_uses, model_uses, tools_requested
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ToolsOnModelWithoutTools(Rule):
    meta = RuleMeta(
        id="ADAL003",
        name="tool-calling-model-lacks-tool-support",
        category="ADAL",
        severity=Severity.ERROR,
        short="Tools are offered to a model that does not support tool (function) calling.",
        full=("Native tool calling needs a model trained and served with function-calling support. Models "
              "without it reject requests that carry `tools`/`functions` (\"does not support tools\"), or ignore "
              "them so the agent never acts; a tool-calling agent built on such a model cannot work."),
        bad_example='ChatOllama(model="llama2").bind_tools([search])',
        good_example='ChatOllama(model="llama3.1").bind_tools([search])',
        fix="Pick a model with tool-calling support, or use a text-protocol (ReAct) agent that parses actions from text.",
        tags=("model", "tools", "adaptation"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for use in distinct_uses(model_uses(graph)):
            if use.api not in GENERATIVE_APIS:
                continue
            info = graph.catalog.model(use.model_id)
            if info is None or info.tools is not False:
                continue
            where = tools_requested(graph, use)
            if where is None:
                continue
            path, pos = use.report_at  # (distinct_uses returns an untyped list)
            yield self.finding(
                ctx, path, pos,
                f"Tools are requested from `{use.model_id}` (line {where.pos[0]}), which does not support tool "
                f"calling; switch to a tool-capable model or to a text-protocol agent.",
                model=use.model_id, flow=use.flow(graph))
