"""LARD003: an LLM API argument of the wrong shape (messages as a string, malformed message dicts)."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.cpg.values import Const, Typed
from agentable.findings import Finding, Severity
from agentable.query.literals import literal_of
from agentable.rules.base import Rule, RuleContext, RuleMeta

_TEXT_ROLES = ("user", "system", "developer")


class LlmArgumentWrongShape(Rule):
    meta = RuleMeta(
        id="LARD003",
        name="llm-argument-wrong-shape",
        category="LARD",
        severity=Severity.ERROR,
        short="An LLM API argument has the wrong shape (e.g. `messages` given as a string).",
        full=("Chat APIs take `messages` as a list of `{\"role\": ..., \"content\": ...}` objects. A plain string, "
              "or message dicts without a role or content, is rejected by the SDK or the provider (400 invalid "
              "request) on every call; some SDKs iterate the string character by character first."),
        bad_example='client.chat.completions.create(model="gpt-4o-mini", messages=prompt)',
        good_example='client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])',
        fix="Wrap the text in a list of message dicts, each with a `role` and `content`.",
        tags=("api",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for c in graph.agent.llm_calls:
            if c.is_chat_model:
                continue
            params = getattr(c.spec, "params", {}) or {}
            kw = params.get("messages")
            if kw is None or kw == params.get("prompt"):  # an input that also takes plain text
                continue
            s = c.setting("messages")
            if s is None:
                continue
            vals = graph.values(s.expr, s.func, s.stmt)
            if vals and all(_is_text(v) for v in vals):
                yield self.finding(
                    ctx, s.path, s.expr.pos,
                    f"`{kw}` is given a string, but this API needs a list of message dicts; pass "
                    f"`[{{\"role\": \"user\", \"content\": ...}}]`.")
                continue
            lit = literal_of(graph, s.expr, s.func, s.stmt)
            if lit is None or not isinstance(lit[0], ir.Seq):
                continue
            for elt in lit[0].elts:
                problem = _message_problem(elt)
                if problem:
                    yield self.finding(ctx, lit[1].path, elt.pos, problem)


def _is_text(v: object) -> bool:
    return (isinstance(v, Const) and isinstance(v.value, str)) or (isinstance(v, Typed) and v.kind == "str")


def _message_problem(elt: ir.Expr) -> str:
    if not isinstance(elt, ir.Dict) or any(k is None for k in elt.keys):
        return ""
    keys = {k.value for k in elt.keys if isinstance(k, ir.Constant)}
    if len(keys) != len(elt.keys):
        return ""
    if "role" not in keys:
        return "This message dict has no `role`; the API rejects it. Add `\"role\": \"user\"` (or system/assistant)."
    role = elt.get("role")
    if "content" not in keys and isinstance(role, ir.Constant) and role.value in _TEXT_ROLES:
        return f"This `{role.value}` message has no `content`; the API rejects it. Add the `content` text."
    return ""
