"""LARD019: a request parameter the API refuses for the model the call sends."""

from __future__ import annotations

import datetime
import re
from typing import Iterable, Optional

from agentable.catalog.models import normalize_model_id
from agentable.catalog.specs import RejectedParamSpec
from agentable.cpg import ir
from agentable.cpg.agent_model import LLMCall
from agentable.cpg.values import Const
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.models import model_uses, retired_by
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ParameterModelRejects(Rule):
    meta = RuleMeta(
        id="LARD019",
        name="parameter-model-rejects",
        category="LARD",
        severity=Severity.ERROR,
        short="The call sends a parameter the API refuses for its model.",
        full=("Some request parameters are refused for some models of one API: OpenAI's chat.completions "
              "answers 400 to `max_tokens` (its reasoning models take `max_completion_tokens`) and to a "
              "`temperature` other than 1 sent to o1, o3, o4-mini or gpt-5. Every request of the call fails "
              "although the same code works with another model. Reported only where every model id that "
              "reaches the call is known and is one the API refuses the parameter for (a call that also "
              "serves other models may choose the parameter by model), and the model is not retired "
              "(LARD005 reports that). The models, parameters and errors are catalog data (llm_apis.toml "
              "`[[rejected_param]]`)."),
        bad_example='client.chat.completions.create(model="o3", messages=msgs, max_tokens=800)',
        good_example='client.chat.completions.create(model="o3", messages=msgs, max_completion_tokens=800)',
        fix="Send the parameter the model takes (`max_completion_tokens`), or leave the refused one out.",
        tags=("api", "model"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        specs = graph.catalog.rejected_params
        if not specs:
            return
        today = datetime.date.today().isoformat()
        ids_of: dict[int, set[str]] = {}
        for use in model_uses(graph):
            if use.llm_call is not None:
                ids_of.setdefault(id(use.llm_call), set()).add(use.model_id)
        for c in graph.agent.llm_calls:
            ids = ids_of.get(id(c))
            if not ids:
                continue
            for spec in specs:
                if c.path not in spec.callees:
                    continue
                kw = c.call.kwarg(spec.param)
                value = _refused_value(ctx, spec, kw, c) if kw is not None else None
                if kw is None or value is None:
                    continue
                models = sorted(ids)
                if not all(_refuses(ctx, spec, m, today) for m in models):
                    continue
                yield self._report(ctx, c.func.path, kw, spec, models, value)

    def _report(self, ctx: RuleContext, path: str, kw: ir.Expr, spec: RejectedParamSpec,
                models: list[str], value: str) -> Finding:
        names = ", ".join(f"`{m}`" for m in models)
        error = spec.error.replace("<value>", value)
        fix = (f"send `{spec.use_instead}` instead" if spec.use_instead
               else f"leave `{spec.param}` out (or set it to {spec.allowed[0]})" if spec.allowed
               else f"leave `{spec.param}` out")
        return self.finding(
            ctx, path, kw.pos,
            f"`{spec.param}` is sent to {names}, for which the API refuses it, so every request of this call "
            f"fails with 400 (\"{error}\"); {fix}.",
            model=models[0], flow=(FlowStep(ctx.graph.span(path, kw.pos), f"`{spec.param}` is set here"),))


def _refused_value(ctx: RuleContext, spec: RejectedParamSpec, kw: ir.Expr, c: LLMCall) -> Optional[str]:
    """The value given, as text, when the API refuses it: any value but None when the parameter
    itself is refused, else a number outside the values still accepted; None otherwise (also when
    the value is not known here)."""
    values = ctx.graph.values(kw, c.func, c.site.stmt)
    if not values or not all(isinstance(v, Const) for v in values):
        return None
    consts = [v.value for v in values if isinstance(v, Const)]
    if not spec.allowed:
        return None if any(x is None for x in consts) else str(consts[0])
    if all(isinstance(x, (int, float)) and not isinstance(x, bool) and x not in spec.allowed for x in consts):
        return str(consts[0])
    return None


def _refuses(ctx: RuleContext, spec: RejectedParamSpec, model_id: str, today: str) -> bool:
    info = ctx.catalog.model(model_id)
    if info is not None and retired_by(info, today):
        return False  # the request fails on the retired model first (LARD005)
    norm = normalize_model_id(model_id)
    return any(re.fullmatch(rx, norm) for rx in spec.models)
