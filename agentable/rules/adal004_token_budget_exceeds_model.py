"""ADAL004: max_tokens above the model's output limit or context window (alone or with the prompt's fixed text);
an input token budget above the context window; a table of context windows giving a model more than it has."""

from __future__ import annotations

from typing import Iterable, Optional, cast

from agentable.cpg import ir
from agentable.cpg.agent import LLMCall  # for narrowing
from agentable.cpg.structure import FunctionInfo  # for annotations
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.artifacts import config_model_settings
from agentable.query.facts import EvalAt
from agentable.query.literals import literal_sites
from agentable.query.model_choices import ListedId, model_candidates
from agentable.query.models import ModelUse, int_setting, model_uses
from agentable.rules.adal.helpers import (context_budgets, oversized_window_entries, prompt_floor_chars,
                                         set_for_other_models, window_table)
from agentable.rules.base import Rule, RuleContext, RuleMeta


def _max_tokens_expr(graph, use: ModelUse) -> Optional[tuple[ir.Expr, FunctionInfo, object]]:
    c = use.llm_call
    if isinstance(c, LLMCall):  # else None (ModelUse.llm_call is typed `object`)
        s = c.setting("max_tokens")
        return (s.expr, s.func, s.stmt) if s is not None else None
    if use.where == "chat_model" and use.call is not None:
        names = getattr(use.spec, "param_names", {}) or {}
        e = use.call.kwarg(names.get("max_tokens", "max_tokens"))
        return (e, use.func, use.stmt) if e is not None else None
    return None


def _model_names(use: ModelUse, func: FunctionInfo) -> frozenset[str]:
    """The name the call's model is given by in `func` (`model=model`, `kwargs = {"model": model}`)."""
    c = use.llm_call
    s = c.setting("model") if isinstance(c, LLMCall) else None
    name = ir.dotted(s.expr) if s is not None and s.func is func else None
    return frozenset({name}) if name else frozenset()


# The settings-file keys that cap the reply's length (their meaning is the same for every provider).
_GENERATIVE = frozenset({"chat", "completion", "reasoning", "code-completion"})
_OUTPUT_KEYS = frozenset({"max_tokens", "max_completion_tokens", "max_output_tokens", "max_new_tokens", "num_predict"})


def _judge(n: int, model_id: str, info, name: str,
           listed: Optional[ListedId] = None) -> Optional[tuple[Severity, str]]:
    """(severity, message) when `n` reply tokens exceed the model's context window or output limit."""
    window, out = info.context_window, info.max_output_tokens
    which = f"`{model_id}`" if listed is None else f"`{model_id}`, one of the models the project accepts here,"
    if window is not None and n > window:
        advice = f"Use at most {out}" if out is not None and out < window else f"Use well under {window}"
        return Severity.ERROR, (f"`{name}={n}` exceeds the whole context window of {which} ({window} tokens); "
                                f"every request is rejected. {advice} and leave room for the prompt.")
    if out is not None and n > out:
        return Severity.WARNING, (f"`{name}={n}` is above the output limit of {which} ({out} tokens); the "
                                  f"provider rejects the request. Use at most {out}.")
    return None


# characters per token of the estimate of a prompt's fixed text (rounded down: English prose
# runs about 4 characters a token, code and other languages fewer, so the estimate stays low)
_CHARS_PER_TOKEN = 4


def _judge_with_prompt(n: int, model_id: str, info, floor: int, name: str,
                       listed: Optional[ListedId] = None) -> Optional[tuple[Severity, str]]:
    """(severity, message) when `n` reply tokens and the prompt's fixed text (`floor` tokens at
    least; a request always holds one) cannot both fit in the model's context window."""
    window = info.context_window
    if window is None or n + max(floor, 1) <= window:
        return None
    which = f"`{model_id}`" if listed is None else f"`{model_id}`, one of the models the project accepts here,"
    if floor <= 0:
        return Severity.ERROR, (f"`{name}={n}` asks for the whole context window of {which} ({window} tokens) "
                                f"as the reply, leaving no room for the prompt; every request is rejected as too long. "
                                "Lower it to what the reply needs and leave room for the prompt.")
    return Severity.WARNING, (
        f"`{name}={n}` leaves {window - n} tokens of the {window}-token context window of {which} for the "
        f"prompt, but the text written for this request alone is about {floor} tokens; the prompt and the "
        f"reply cannot both fit, so the request is rejected as too long (a local server cuts the prompt "
        f"instead). Lower `{name}` below {window - floor} minus the variable part of the prompt, or use a "
        f"model with a larger window.")


class TokenBudgetExceedsModel(Rule):
    meta = RuleMeta(
        id="ADAL004",
        name="max-tokens-exceeds-model-limit",
        category="ADAL",
        severity=Severity.WARNING,
        short=("`max_tokens` (alone, or with the prompt's fixed text), the token budget the input is trimmed to, "
               "or the context a local model is loaded with, is larger than the model allows."),
        full=("Each model caps how many tokens it can generate (and its whole context window). Asking for more "
              "makes the provider reject every request (\"max_tokens is too large\"), so the agent never gets a "
              "reply; above the context window there is not even room for the prompt. The prompt and the reply share the "
              "window: a `max_tokens` equal to the whole window, or one that leaves less room than the text written "
              "for the request takes (its string literals, about 4 characters a token, the variable parts counted "
              "as empty), fails on every request, and so does a reply budget looked up in a table of the models' "
              "context windows (`max_tokens=CONTEXT_SIZES[model]`). Likewise a context budget "
              "the code trims the conversation or prompt to (`MAX_CONTEXT_TOKENS` compared against the running "
              "token count before the call) that exceeds the model's context window lets the input grow past "
              "what the model accepts: once the conversation is long enough, every request fails as too long. "
              "So does a table of context windows the project writes (most of its models get exactly theirs) "
              "that gives one model a larger window than it has (`\"gpt-4-0613\": 32768`), also as one settings "
              "key of a registry of per-model settings (`{\"o3\": {\"max_token\": 828000, ...}}`). "
              "A local model (llama.cpp) loaded with a context (`n_ctx`) larger than the one it was trained "
              "with accepts the longer prompts, but its replies degrade into repetition or noise past that length. "
              "A `max_tokens` (`max_output_tokens`, `max_completion_tokens`, `num_predict`) written beside a "
              "model id in a YAML/JSON/TOML settings file is checked too, at its line there. A fixed limit is "
              "checked against every model the project lists for the call's model field, not only the default: "
              "a `Literal[...]` or string-Enum annotation of the parameter or field the model comes from, or a "
              "table the same value is looked up in (`SUPPORTED_MODELS[model]`)."),
        bad_example='client.chat.completions.create(model="gpt-4", max_tokens=12000, messages=msgs)',
        good_example='client.chat.completions.create(model="gpt-4", max_tokens=1024, messages=msgs)',
        fix=("Lower `max_tokens` to at most the model's output limit (leaving room for the prompt), and keep a context "
             "budget below the context window minus the reply tokens; or pick a model with a larger limit."),
        tags=("model", "tokens", "adaptation"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        seen: set[tuple[str, int]] = set()
        floors: dict[int, int] = {}  # LLM call -> its prompt's fixed text, in tokens
        for use, listed in model_candidates(graph):
            info = graph.catalog.model(use.model_id if listed is None else listed.model_id)
            if info is None or (info.max_output_tokens is None and info.context_window is None):
                continue
            found = _max_tokens_expr(graph, use)
            if found is None:
                continue
            expr, func, stmt = found
            model_id = use.model_id if listed is None else listed.model_id
            if isinstance(stmt, ir.Stmt) and set_for_other_models(graph, func, stmt, model_id, _model_names(use, func)):
                continue  # `if "sonnet" in model: max_tokens = 8192`: never sent with this model
            n = int_setting(graph, expr, func, stmt)
            if n is None:
                continue
            judged = _judge(n, model_id, info, "max_tokens", listed)
            if judged is None:
                c = use.llm_call
                if isinstance(c, LLMCall) and id(c) not in floors:
                    floors[id(c)] = prompt_floor_chars(graph, c) // _CHARS_PER_TOKEN
                judged = _judge_with_prompt(n, model_id, info, floors.get(id(c), 0), "max_tokens", listed)
            if judged is None:
                continue
            sev, msg = judged
            # a number written once elsewhere (a constructor's default, a constant) is the line to
            # change: reported there once, with the calls it reaches as steps
            written = literal_sites(graph, expr, func, cast(EvalAt, stmt), n)
            path, pos = written[0] if len(written) == 1 and written[0] != (func.path, expr.pos) else (func.path, expr.pos)
            key = (path, pos[0])
            if key in seen:
                continue
            seen.add(key)
            flow: tuple[FlowStep, ...] = () if listed is None else (
                FlowStep(graph.span(listed.path, listed.pos), f"`{listed.model_id}` is listed for the model here"),)
            if path != func.path or pos != expr.pos:
                flow += (FlowStep(graph.span(func.path, expr.pos), f"`{n}` is sent as the reply limit here"),)
            yield self.finding(ctx, path, pos, msg, severity=sev,
                               model=use.model_id if listed is None else listed.model_id, flow=flow)
        yield from self._window_tables(ctx, seen)
        yield from self._oversized_windows(ctx)
        yield from self._context_budgets(ctx, seen)
        yield from self._loaded_context(ctx, seen)
        yield from self._settings_files(ctx)

    def _window_tables(self, ctx: RuleContext, seen: set[tuple[str, int]]) -> Iterable[Finding]:
        """`max_tokens=CONTEXT_SIZES[model]`: the reply budget looked up in a table of the models'
        whole context windows, so the reply may take the entire window and no prompt fits."""
        graph = ctx.graph
        for c in graph.agent.llm_calls:
            s = c.setting("max_tokens")
            if s is None or (s.path, s.expr.pos[0]) in seen:
                continue
            table = window_table(graph, s.expr, s.func, s.stmt)
            if table is None:
                continue
            seen.add((s.path, s.expr.pos[0]))
            model = table.entries[0][0]
            sizes = ", ".join(f"`{m}`: {v}" for m, v, _, _ in table.entries[:3])
            flow = tuple(FlowStep(graph.span(table.path, p), f"`{m}`: {v}, its context window is {w} tokens")
                         for m, v, w, p in table.entries[:3])
            yield self.finding(
                ctx, s.path, s.expr.pos,
                f"The reply budget is looked up in `{table.name}`, a table of the models' whole context windows "
                f"({sizes}): the reply may take the entire window, leaving no room for the prompt, so requests "
                f"are rejected as too long. Look the budget up in a table of reply limits, or subtract the "
                f"prompt's tokens from the window.",
                severity=Severity.ERROR, model=model, flow=flow)

    def _oversized_windows(self, ctx: RuleContext) -> Iterable[Finding]:
        """`{"gpt-4": 8192, "gpt-4-0613": 32768, ...}`: a table of context windows that gives a model
        more than it has, so the history or prompt trimmed to it overflows the real window."""
        for e in oversized_window_entries(ctx.graph):
            what = (f"`{e.table}` is a table of context windows ({e.matching} of its models get exactly theirs) but"
                    if not e.key else
                    f"The `{e.key}` settings of `{e.table}` are context windows ({e.matching} of its models get "
                    f"exactly theirs), but its `{e.key}`")
            yield self.finding(
                ctx, e.path, e.pos,
                f"{what} "
                f"gives `{e.model_id}` {e.value} tokens; its context window is {e.window}. A prompt or history "
                f"trimmed to this size does not fit: the provider rejects it as too long, or a local server cuts "
                f"it. Use {e.window}.",
                severity=Severity.ERROR, model=e.model_id)

    def _settings_files(self, ctx: RuleContext) -> Iterable[Finding]:
        """`max_tokens` (or `max_output_tokens`, `num_predict`, ...) written beside a model id in a
        YAML/JSON/TOML settings file, above what that model allows."""
        graph = ctx.graph
        for ms in config_model_settings(graph):
            if not ms.setting_pos:
                continue
            info = graph.catalog.model(ms.model_id)
            if info is None or info.kind not in _GENERATIVE:
                continue  # beside an embedding model, `max_tokens` is a chunk size, not a reply length
            values = dict(ms.settings)
            for key, pos in ms.setting_pos:
                n = values.get(key)
                if key not in _OUTPUT_KEYS or not isinstance(n, int):
                    continue
                judged = _judge(n, ms.model_id, info, key) or _judge_with_prompt(n, ms.model_id, info, 0, key)
                if judged is not None:
                    sev, msg = judged
                    flow = (FlowStep(graph.span(ms.path, ms.pos), f"the model `{ms.model_id}` is set here"),)
                    yield self.finding(ctx, ms.path, pos, msg, severity=sev, model=ms.model_id, flow=flow)

    def _context_budgets(self, ctx: RuleContext, seen: set[tuple[str, int]]) -> Iterable[Finding]:
        """A budget the code trims the conversation (or prompt) to that is larger than the context
        window of every model the call may use: the trimming never keeps the request within it."""
        graph = ctx.graph
        budgets = context_budgets(graph)
        if not budgets:
            return
        windows: dict[int, dict[str, Optional[int]]] = {}
        listed: dict[int, dict[str, tuple[int, ListedId]]] = {}
        for use, alt in model_candidates(graph):
            if use.llm_call is not None:
                info = graph.catalog.model(use.model_id if alt is None else alt.model_id)
                if alt is None:
                    windows.setdefault(id(use.llm_call), {})[use.model_id] = info.context_window if info else None
                elif info is not None and info.context_window is not None:
                    listed.setdefault(id(use.llm_call), {})[alt.model_id] = (info.context_window, alt)
        for b in budgets:
            models = windows.get(id(b.llm_call), {})
            # too large for every model that reaches the call, or for one the project lists as accepted there
            over = {m: w for m, (w, _) in listed.get(id(b.llm_call), {}).items() if b.value > w}
            alt_at: Optional[ListedId] = None
            if models and not any(w is None or b.value <= w for w in models.values()):
                known = {m: w for m, w in models.items() if w is not None}  # all of them, after the test above
                model, window = min(known.items(), key=lambda kv: kv[1])
            elif over:
                model, window = min(over.items(), key=lambda kv: kv[1])
                alt_at = listed[id(b.llm_call)][model][1]
            else:
                continue
            key = (b.literal[0], b.literal[1][0])
            if key in seen:
                continue
            seen.add(key)
            call = b.llm_call
            if not isinstance(call, LLMCall):  # (always one; ContextBudget.llm_call is typed `object`)
                continue
            flow: tuple[FlowStep, ...] = (FlowStep(graph.span(*b.literal), f"`{b.name}` = {b.value}"),
                    FlowStep(graph.span(b.func.path, b.compare.pos), "the input is trimmed against it here"),
                    FlowStep(graph.span(call.func.path, call.call.pos), f"and sent to `{model}` here"))
            which = f"`{model}`"
            if alt_at is not None:
                flow += (FlowStep(graph.span(alt_at.path, alt_at.pos), f"`{model}` is listed as a model the project accepts"),)
                which = f"`{model}` (one of the models the project accepts for this call)"
            yield self.finding(
                ctx, *b.literal,
                f"`{b.name}` lets the input sent to {which} grow to {b.value} tokens, but its context window is "
                f"{window} tokens; once the conversation passes that, every request is rejected as too long. Keep the "
                f"budget below {window} minus the reply tokens, or use a model with a larger window.",
                model=model, flow=flow)

    def _loaded_context(self, ctx: RuleContext, seen: set[tuple[str, int]]) -> Iterable[Finding]:
        """A local model loaded with a context (`Llama(model_path=..., n_ctx=16384)`) larger than
        the one it was trained with: llama.cpp accepts it with a log warning, and once the prompt
        passes the trained length the model's output degrades into repetition or noise."""
        graph = ctx.graph
        for use in model_uses(graph):
            info = graph.catalog.model(use.model_id)
            c = use.llm_call
            if info is None or info.context_window is None or not isinstance(c, LLMCall):
                continue
            s = c.setting("context_size")
            if s is None:
                continue
            n = int_setting(graph, s.expr, s.func, s.stmt)
            if n is None or n <= info.context_window:
                continue
            path, pos = (literal_sites(graph, s.expr, s.func, cast(EvalAt, s.stmt), n) or [(s.func.path, s.expr.pos)])[0]
            if (path, pos[0]) in seen:
                continue
            seen.add((path, pos[0]))
            flow = (FlowStep(graph.span(path, pos), f"the model is loaded with a {n}-token context"),
                    FlowStep(graph.span(s.func.path, s.expr.pos), "passed to the model's loader here"),
                    FlowStep(graph.span(use.func.path, use.expr.pos), f"`{use.model_id}` is the model"))
            yield self.finding(
                ctx, path, pos,
                f"The model `{use.model_id}` is loaded with a {n}-token context, but it was trained with "
                f"{info.context_window} tokens: prompts past that length are accepted (llama.cpp only logs a "
                f"warning) and the replies degrade into repetition or noise. Load it with at most "
                f"{info.context_window} and trim prompts to fit, or use a model trained with a longer context.",
                model=use.model_id, flow=flow)
