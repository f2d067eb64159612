"""LARD002: a parameter the LLM API requires is missing from the call."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.cpg.values import Const, ExtRef, Typed
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
              "environment variable the project never names, raises when it is built. A framework's agent "
              "constructor called without a parameter that has no default (LangChain's "
              "`create_react_agent(llm, tools, prompt)` given only the model and the tools), with every "
              "argument written out, raises TypeError before any agent exists."),
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
        yield from self._agent_arguments(ctx)
        yield from self._settings_alone(ctx)

    def _settings_alone(self, ctx: RuleContext) -> Iterable[Finding]:
        """A setting the API takes only beside another (catalog `needs_with`: `tool_choice` needs
        `tools`), given a value that is certainly not None while the other is not given at all
        (no splat that could carry it): the API rejects every such request."""
        graph = ctx.graph
        for c in graph.agent.llm_calls:
            needs: dict[str, str] = getattr(c.spec, "needs_with", None) or {}
            if not needs or c.is_chat_model or c.has_kwarg_splat():
                continue
            params = getattr(c.spec, "params", {}) or {}
            for role, other in needs.items():
                s = c.setting(role)
                if s is None or c.setting(other) is not None or not _never_none(graph, s):
                    continue
                name, needed = params.get(role, role), params.get(other, other)
                yield self.finding(
                    ctx, c.func.path, s.expr.pos,
                    f"`{name}` is passed to `{c.path.split('().')[-1]}` without `{needed}`; the API accepts it "
                    f"only when `{needed}` are given and rejects the request with a 400 error. Pass `{needed}` or "
                    f"drop `{name}`.", missing=[needed])

    def _agent_arguments(self, ctx: RuleContext) -> Iterable[Finding]:
        """A framework agent constructor whose signature has parameters without a default (catalog
        `required_args`: `create_react_agent(llm, tools, prompt)`), called without one of them, by
        keyword or by position, with every argument written out (no `*args`/`**kwargs` splat that
        could carry it): the call raises TypeError before any agent exists."""
        graph = ctx.graph
        for ac in graph.agent.agent_constructs:
            required: dict[str, int] = getattr(ac.spec, "required_args", None) or {}
            call = ac.site.call
            if not required or call.has_kwargs_splat():
                continue
            vals = graph.values(call.func, ac.site.func, ac.site.stmt)
            if not vals or any(not isinstance(v, ExtRef) or v.binds or v.path != ac.path for v in vals):
                continue  # another callee may be called here, or a partial that already holds some
            missing = [name for name, pos in sorted(required.items(), key=lambda kv: kv[1])
                       if call.kwarg(name) is None and len(call.args) <= pos]
            if not missing:
                continue
            name = ac.path.rpartition(".")[2]
            names = ", ".join(f"`{m}`" for m in missing)
            params = ", ".join(sorted(required, key=lambda n: required[n]))
            yield self.finding(
                ctx, ac.site.func.path, call.pos,
                f"`{name}` is called without {names}, which it requires (its parameters {params} have no "
                f"default), so the call raises TypeError and no agent is built. Pass {names}.",
                missing=missing)

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


def _never_none(graph, s) -> bool:
    """Is the setting's value known and never None (a literal such as `"auto"` or a dict)?"""
    vals = graph.values(s.expr, s.func, s.stmt)
    return bool(vals) and all((isinstance(v, Const) and v.value is not None) or v == Typed("dict") for v in vals)
