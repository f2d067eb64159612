"""LARD002: a parameter the LLM API requires is missing from the call."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.lard.helpers import project_mentions

_ROLE_TEXT = {"model": "the model", "messages": "the messages", "prompt": "the prompt", "max_tokens": "`max_tokens`"}


class RequiredLlmParamMissing(Rule):
    meta = RuleMeta(
        id="LARD002",
        name="required-llm-parameter-missing",
        category="LARD",
        severity=Severity.ERROR,
        short="An LLM API call omits a parameter the API requires.",
        full=("Some parameters have no default on the provider side: Anthropic's `messages.create` needs "
              "`max_tokens`, OpenAI's chat completions need `model` and `messages`. A call without them raises "
              "a TypeError or a 400 error on every request, so the agent never gets a reply. An SDK client "
              "built without a setting it cannot do without (the Azure OpenAI client's `api_version`), whose "
              "environment variable the project never names, raises when it is built."),
        bad_example='client.messages.create(model="claude-3-5-sonnet-latest", messages=msgs)',
        good_example='client.messages.create(model="claude-3-5-sonnet-latest", max_tokens=1024, messages=msgs)',
        fix="Pass the missing parameter (at the call, on a bound model, or on the client where the SDK supports it).",
        tags=("api",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for c in graph.agent.llm_calls:
            if c.is_chat_model or c.has_kwarg_splat():
                continue
            required = getattr(c.spec, "required", ()) or ()
            params = getattr(c.spec, "params", {}) or {}
            missing = [r for r in required if c.setting(r) is None]
            if not missing:
                continue
            names = ", ".join(f"`{params.get(r, r)}`" for r in missing)
            what = " and ".join(_ROLE_TEXT.get(r, f"`{params.get(r, r)}`") for r in missing)
            yield self.finding(
                ctx, c.func.path, c.call.pos,
                f"`{c.path.split('().')[-1]}` is called without {names}, "
                f"which the API requires; the request fails. Pass {what}.",
                missing=[params.get(r, r) for r in missing])
        yield from self._client_settings(ctx)

    def _client_settings(self, ctx: RuleContext) -> Iterable[Finding]:
        """An SDK client the code configures itself (some arguments given) but without a setting it
        cannot do without (the Azure OpenAI client's `api_version`), whose environment variable the
        project never names: the constructor raises unless the user happens to export it."""
        graph = ctx.graph
        for site, exts in graph.agent.external_calls:
            spec = next((s for s in (graph.catalog.llm_client(v.path) for v in exts) if s is not None), None)
            if spec is None or not spec.required_env or site.call.has_kwargs_splat() or graph.is_test_code(site.func.path):
                continue
            if not site.call.keywords and not site.call.args:
                continue  # `AzureOpenAI()`: configured from the environment as a whole, by design
            for env, names in spec.required_env.items():
                if any(site.call.kwarg(n) is not None for n in names) or project_mentions(graph, env):
                    continue
                cls = ir.dotted(site.call.func) or "the client"
                yield self.finding(
                    ctx, site.func.path, site.call.pos,
                    f"`{cls}` is built without `{names[0]}`, and the project never sets `{env}`, the environment "
                    f"variable the SDK reads instead: the constructor raises ValueError. Pass `{names[0]}=...`.",
                    severity=Severity.WARNING, missing=[names[0]])
