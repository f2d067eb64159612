"""ADAL004: max_tokens above the model's output limit or context window."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable import query
from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.rules.base import Rule, RuleMeta


def _max_tokens_expr(graph, use: query.ModelUse) -> Optional[tuple[ir.Expr, object, object]]:
    c = use.llm_call
    if c is not None:
        s = c.setting("max_tokens")
        return (s.expr, s.func, s.stmt) if s is not None else None
    if use.where == "chat_model" and use.call is not None:
        names = getattr(use.spec, "param_names", {}) or {}
        e = use.call.kwarg(names.get("max_tokens", "max_tokens"))
        return (e, use.func, use.stmt) if e is not None else None
    return None


class TokenBudgetExceedsModel(Rule):
    meta = RuleMeta(
        id="ADAL004",
        name="max-tokens-exceeds-model-limit",
        category="ADAL",
        severity=Severity.WARNING,
        short="`max_tokens` is larger than the model's output limit or context window.",
        full=("Each model caps how many tokens it can generate (and its whole context window). Asking for more "
              "makes the provider reject every request (\"max_tokens is too large\"), so the agent never gets a "
              "reply; above the context window there is not even room for the prompt."),
        bad_example='client.chat.completions.create(model="gpt-4", max_tokens=12000, messages=msgs)',
        good_example='client.chat.completions.create(model="gpt-4", max_tokens=1024, messages=msgs)',
        fix="Lower `max_tokens` to at most the model's output limit (leaving room for the prompt), or pick a model with a larger limit.",
        tags=("model", "tokens", "adaptation"),
    )

    def check(self, graph) -> Iterable[Finding]:
        seen: set[tuple[str, int]] = set()
        for use in query.model_uses(graph):
            info = graph.catalog.model(use.model_id)
            if info is None or (info.max_output_tokens is None and info.context_window is None):
                continue
            found = _max_tokens_expr(graph, use)
            if found is None:
                continue
            expr, func, stmt = found
            n = query.int_setting(graph, expr, func, stmt)
            if n is None:
                continue
            ctx, out = info.context_window, info.max_output_tokens
            if ctx is not None and n > ctx:
                sev, msg = Severity.ERROR, (f"`max_tokens={n}` exceeds the whole context window of `{use.model_id}` "
                                            f"({ctx} tokens); every request is rejected. Use at most "
                                            f"{out or ctx} and leave room for the prompt.")
            elif out is not None and n > out:
                sev, msg = Severity.WARNING, (f"`max_tokens={n}` is above the output limit of `{use.model_id}` "
                                              f"({out} tokens); the provider rejects the request. Use at most {out}.")
            else:
                continue
            key = (func.path, expr.pos[0])
            if key in seen:
                continue
            seen.add(key)
            yield self.finding(graph, func.path, expr.pos, msg, severity=sev, model=use.model_id)
