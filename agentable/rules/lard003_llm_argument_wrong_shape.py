"""LARD003: an LLM API argument of the wrong shape (messages as a string, malformed message dicts)."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.agent import LLMCall
from agentable.cpg.values import Const, Typed
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import literal_of
from agentable.query.model_messages import role_messages
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
              "request) on every call; some SDKs iterate the string character by character first. The reverse "
              "too: a list of chat messages (or one message dict) given as the prompt string of a "
              "completion-style call (a LangChain completion LLM called directly, `GPT4All.generate`, the "
              "legacy completions endpoint) raises or sends the list's repr as the prompt."),
        bad_example='client.chat.completions.create(model="gpt-4o-mini", messages=prompt)',
        good_example='client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])',
        fix="Wrap the text in a list of message dicts, each with a `role` and `content`.",
        tags=("api",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for c in graph.agent.llm_calls:
            yield from self._messages_as_text(ctx, c)
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


    def _messages_as_text(self, ctx: RuleContext, c: LLMCall) -> Iterable[Finding]:
        """Chat messages given as the one prompt string of a completion-style call."""
        arg, name = _text_input(c)
        found = role_messages(ctx.graph, arg, c.func, c.site.stmt) if arg is not None else None
        if arg is None or found is None:
            return
        what, fix = (("a list of chat messages", "Join the messages into one text, or use the provider's chat API")
                     if found.whole_list else ("a chat message dict", "Pass the message's `content`"))
        method = c.method if c.is_chat_model else c.path.split("().")[-1]
        flow = () if (found.path, found.pos) == (c.func.path, arg.pos) else (
            FlowStep(ctx.graph.span(found.path, found.pos), "the chat message is written here"),)
        yield self.finding(
            ctx, c.func.path, arg.pos,
            f"`{name}` of `{method}` takes one prompt string, but it is given {what}; the call raises or the "
            f"model is sent its repr. {fix}.",
            flow=flow)


def _text_input(c: LLMCall) -> tuple[Optional[ir.Expr], str]:
    """The argument a completion-style call takes its one prompt string from, and its name."""
    if c.is_chat_model:
        name = (getattr(c.spec, "text_inputs", None) or {}).get(c.method)
        if name is None:
            return None, ""
        return (c.call.kwarg(name) or (c.call.args[0] if c.call.args else None)), name
    params = getattr(c.spec, "params", {}) or {}
    if c.api != "completion" or "prompt" not in params or "messages" in params:
        return None, ""
    s = c.setting("prompt")
    return (s.expr, params["prompt"]) if s is not None and s.where == "call" else (None, "")


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
