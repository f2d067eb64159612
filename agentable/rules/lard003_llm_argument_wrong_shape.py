"""LARD003: an LLM API argument of the wrong shape (messages as a string, malformed message dicts)."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.agent import LLMCall
from agentable.cpg.values import Const, ExtRef, Typed
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import literal_of
from agentable.query.model_clients import receiver_clients
from agentable.query.model_messages import role_messages
from agentable.query.text_tuples import accidental_text_tuple
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
        self._tuples_seen: set[tuple[str, ir.Pos]] = set()
        yield from self._message_list_bodies(ctx)
        for c in graph.agent.llm_calls:
            yield from self._messages_as_text(ctx, c)
            yield from self._text_tuples(ctx, c)
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


    def _message_list_bodies(self, ctx: RuleContext) -> Iterable[Finding]:
        """A JSON list of chat messages given as the body of a call that takes one JSON object in the
        model's own format (Bedrock's invoke_model: llm_apis.toml [[client_kind]] object_bodies)."""
        graph = ctx.graph
        params = {m: p for spec in graph.catalog.client_kinds for ms in spec.object_bodies.values()
                  for m, p in ms.items()}
        if not params:
            return
        for func in [*graph.functions.values(), *(m.toplevel for m in graph.modules.values())]:
            for site in func.calls:
                f = site.call.func
                if not isinstance(f, ir.Attribute) or f.attr not in params:
                    continue
                # any client of the factory: the method is the runtime's even when the client is built wrong (LARD016)
                clients = [b for b in receiver_clients(graph, site.call, func, site.stmt)
                           if any(f.attr in ms for ms in b.spec.object_bodies.values())]
                body = site.call.kwarg(params[f.attr])
                encoded = _encoded_value(graph, body, func, site.stmt, clients[0].spec.body_encoders) \
                    if clients and body is not None else None
                found = role_messages(graph, encoded[1], func, site.stmt) if encoded is not None else None
                if encoded is None or found is None or not found.whole_list:
                    continue
                yield self.finding(  # at the serialisation: the line that builds the body
                    ctx, func.path, encoded[0].pos,
                    f"`{params[f.attr]}` of `{f.attr}` is a JSON list of chat messages, but the model takes one JSON "
                    f"object in its own format (Titan: `{{\"inputText\": ...}}`, Claude: `{{\"messages\": [...], "
                    f"\"anthropic_version\": ...}}`); the request is rejected. Build the body the model's format "
                    f"asks for.",
                    flow=(FlowStep(graph.span(found.path, found.pos), "the chat messages are written here"),))

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

    def _text_tuples(self, ctx: RuleContext, c: LLMCall) -> Iterable[Finding]:
        """A prompt or message content that is a one-text tuple made by a trailing comma."""
        graph = ctx.graph
        inputs: list[tuple[ir.Expr, object, object]] = []
        arg, _name = _text_input(c)
        if arg is not None:
            inputs.append((arg, c.func, c.site.stmt))
        s = c.setting("messages")
        lit = literal_of(graph, s.expr, s.func, s.stmt) if s is not None else None
        if lit is not None and isinstance(lit[0], ir.Seq):
            inputs.extend((content, lit[1], lit[2]) for elt in lit[0].elts if isinstance(elt, ir.Dict)
                          and (content := elt.get("content")) is not None)
        for expr, func, stmt in inputs:
            found = accidental_text_tuple(graph, expr, func, stmt)  # type: ignore[arg-type]
            if found is None or (found.path, found.pos) in self._tuples_seen:
                continue
            self._tuples_seen.add((found.path, found.pos))
            yield self.finding(
                ctx, found.path, found.pos,
                "The trailing comma makes this prompt a one-element tuple, and the model is sent its repr "
                "(\"('...\\n...',)\": quotes, brackets and escaped newlines) instead of the text. Remove the comma.",
                flow=(FlowStep(graph.span(c.func.path, c.call.pos), "the prompt is sent here"),))


def _encoded_value(graph, e: ir.Expr, func, stmt, encoders: tuple[str, ...]) -> Optional[tuple[ir.Call, ir.Expr]]:
    """The call serialising `e` with one of `encoders` (`json.dumps(history)`, or the call a local
    is bound to) and the value it serialises, else None."""
    calls = [e] if isinstance(e, ir.Call) else [
        d.value for d in func.defs.get(e.id, []) if d.how == "assign"] if isinstance(e, ir.Name) else []
    for c in calls:
        if isinstance(c, ir.Call) and c.args and any(
                isinstance(v, ExtRef) and v.path in encoders for v in graph.values(c.func, func, stmt)):
            return c, c.args[0]
    return None


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
