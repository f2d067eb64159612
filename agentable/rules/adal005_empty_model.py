"""ADAL005: the model slot is explicitly empty ("" / None / an env var defaulting to "")."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg.values import Const, ExtRef
from agentable.findings import Finding, Severity
from agentable.query.models import ModelSlot, model_slots
from agentable.rules.adal.helpers import env_default_empty, none_model_fails
from agentable.rules.base import Rule, RuleContext, RuleMeta


def _empty_reason(graph, slot: ModelSlot) -> Optional[str]:
    """Why every value the slot may take is empty, or None when some value is a real model."""
    vals = graph.values(slot.expr, slot.func, slot.stmt)
    if not vals:
        return None
    reasons: list[str] = []
    for v in vals:
        if isinstance(v, Const) and v.value == "":
            reasons.append("an empty string")
        elif isinstance(v, Const) and v.value is None:
            if not none_model_fails(slot):
                return None
            reasons.append("None")
        elif isinstance(v, ExtRef) and v.site is not None and env_default_empty(v):
            reasons.append(f"an environment variable that defaults to \"\" (line {v.site[1].pos[0]})")
        else:
            return None
    return " or ".join(dict.fromkeys(reasons))


class EmptyModel(Rule):
    meta = RuleMeta(
        id="ADAL005",
        name="empty-model-id",
        category="ADAL",
        severity=Severity.ERROR,
        short="The model is configured as an empty string or None.",
        full=("An agent whose model id is empty (`model=\"\"`, `model=None` where the API has no default, or an "
              "environment variable read with an empty default) has no LLM behind it: the first request fails "
              "with an invalid-model error, usually far from the configuration that caused it."),
        bad_example='MODEL = os.getenv("MODEL", "")\nclient.chat.completions.create(model=MODEL, messages=msgs)',
        good_example='MODEL = os.getenv("MODEL", "gpt-4o-mini")\nclient.chat.completions.create(model=MODEL, messages=msgs)',
        fix="Give the model a real id, or a non-empty default when it is read from configuration.",
        tags=("model", "configuration"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        seen: set[tuple[str, int]] = set()
        for slot in model_slots(graph):
            reason = _empty_reason(graph, slot)
            if reason is None:
                continue
            key = (slot.path, slot.expr.pos[0])
            if key in seen:
                continue
            seen.add(key)
            yield self.finding(
                ctx, slot.path, slot.expr.pos,
                f"The model here is {reason}, so the LLM call has no model and fails; set a model id "
                f"(or a non-empty default).")
