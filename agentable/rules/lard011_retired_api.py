"""LARD011: a call to an API endpoint the provider has shut down."""

from __future__ import annotations

import datetime
from typing import Iterable

from agentable.catalog.specs import RetiredApiSpec
from agentable.cpg.structure import CallSite
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.rules.base import Rule, RuleContext, RuleMeta


class RetiredApi(Rule):
    meta = RuleMeta(
        id="LARD011",
        name="retired-api-endpoint",
        category="LARD",
        severity=Severity.ERROR,
        short="The code calls an API endpoint the provider has shut down.",
        full=("Providers retire whole APIs, not only models: OpenAI shut the Assistants API (assistants, threads, "
              "messages and runs under `client.beta`) down on 2026-08-26. The SDK still has the methods, so the code "
              "imports and type-checks, but every request returns an error, and an agent built on them (a thread, "
              "a run polled until it completes, tool outputs submitted to it) stops working without any code "
              "change."),
        bad_example=('run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst.id)'),
        good_example=('reply = client.responses.create(model="gpt-4.1", input=messages, tools=tools)'),
        fix="Move to the replacement API named in the message (for the Assistants API: the Responses API with "
            "Conversations, and a tool loop the code runs itself).",
        tags=("api", "deprecation"),
        precision="very-high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        today = datetime.date.today().isoformat()
        # one finding per file and retired API, at its first call: moving off the API is one change
        # of that file, and each further call is a related location
        by_file: dict[tuple[str, str], list[tuple[CallSite, RetiredApiSpec]]] = {}
        for site, exts in graph.agent.external_calls:
            spec = next((s for v in exts if (s := graph.catalog.retired_api(v.path)) is not None), None)
            if spec is not None and spec.retired <= today:
                by_file.setdefault((site.func.path, spec.name), []).append((site, spec))
        for (path, _), uses in sorted(by_file.items()):
            uses.sort(key=lambda u: u[0].call.pos)
            site, spec = uses[0]
            call = source_text(graph, path, site.call.func, 60)
            instead = f"; move to {spec.replacement}" if spec.replacement else ""
            more = ""
            if len(uses) > 1:
                lines = ", ".join(str(u[0].call.pos[0]) for u in uses[1:])
                plural = "s" if len(uses) > 2 else ""
                more = f" This file calls it {len(uses) - 1} more time{plural} (line{plural} {lines})."
            flow = tuple(FlowStep(graph.span(path, u[0].call.pos), f"`{source_text(graph, path, u[0].call.func, 60)}`"
                                           f" calls the retired API") for u in uses[1:])
            yield self.finding(
                ctx, path, site.call.pos,
                f"`{call}` belongs to the {spec.name}, which the provider shut down on {spec.retired}, so this "
                f"request fails{instead}.{more}", flow=flow)
