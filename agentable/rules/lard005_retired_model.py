"""LARD005: a model id the provider has retired."""

from __future__ import annotations

import datetime
from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.query.artifacts import config_model_settings, uncalled_function_spec
from agentable.query.config import unread_setting
from agentable.query.model_defaults import unused_default
from agentable.query.models import distinct_uses, model_uses, names_deployment, self_hosted
from agentable.rules.base import Rule, RuleContext, RuleMeta


class RetiredModel(Rule):
    meta = RuleMeta(
        id="LARD005",
        name="retired-model-id",
        category="LARD",
        severity=Severity.ERROR,
        short="The code calls a model the provider has retired.",
        full=("Providers shut models down on announced dates (`text-davinci-003`, `gpt-4-32k`, "
              "`claude-2.1`, `gemini-pro`, …). Requests naming a retired id fail with a model-not-found error, so "
              "an agent that worked when it was written stops working without any code change. Model ids "
              "written in settings files (YAML, JSON, TOML, a CrewAI `agents.yaml`, a `.prompty`, a `.env` "
              "example) are checked too, at their line there."),
        bad_example='client.chat.completions.create(model="gpt-4-0314", messages=msgs)',
        good_example='client.chat.completions.create(model="gpt-4o", messages=msgs)',
        fix="Switch to the provider's replacement model named in the message.",
        tags=("model", "api"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        today = datetime.date.today().isoformat()
        # a request to a server on this machine names that server's models (not a provider's)
        for use in distinct_uses([u for u in model_uses(graph) if not self_hosted(graph, u.llm_call)]):
            info = graph.catalog.model(use.model_id)
            if info is None or not info.retired or str(info.retired) > today:
                continue
            if use.literal is not None and unused_default(graph, use.literal, use.func):
                continue  # a constructor default every construction reaching the call overrides
            repl = f"; use `{info.replacement}` instead" if info.replacement else "; use a current model"
            path, pos = use.report_at  # (distinct_uses returns an untyped list)
            yield self.finding(
                ctx, path, pos,
                f"`{use.model_id}` was retired by its provider on {info.retired}, so requests to it fail{repl}.",
                model=use.model_id, flow=use.flow(graph))
        for ms in config_model_settings(graph):  # written in a YAML/JSON/TOML settings file
            info = graph.catalog.model(ms.model_id)
            if info is None or not info.retired or str(info.retired) > today:
                continue
            if names_deployment(graph, ms.settings) or unread_setting(graph, ms.path, ms.keys) \
                    or uncalled_function_spec(graph, ms.path):
                continue  # a deployment's name, a key nothing reads, or a function spec nothing runs
            repl = f"; use `{info.replacement}` instead" if info.replacement else "; use a current model"
            yield self.finding(
                ctx, ms.path, ms.pos,
                f"`{ms.model_id}` (`{ms.key}` in this settings file) was retired by its provider on {info.retired}, "
                f"so requests to it fail{repl}.", model=ms.model_id)
