"""Model ids the code composes from a catalogued id and more text (`model += "-0613"`): the
composed strings that reach a model slot, and whether the catalog names any of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.catalog.specs import ModelInfo
from agentable.cpg import ir
from agentable.cpg.values import Composed, ordered
from agentable.query.models import ModelSlot, model_slots, self_hosted


@dataclass(frozen=True)
class ComposedModel:
    """The ids built at one place (`at`) that reach `slot`: each from a catalogued `base`, none of
    them a model the catalog names (`base_info` is the base's entry: its provider's list was
    checked)."""

    at: tuple[str, ir.Pos]
    values: tuple[Composed, ...]
    base_info: ModelInfo
    slot: ModelSlot


def unknown_composed_models(g) -> list[ComposedModel]:  # g: ProjectGraph
    """Composed ids reaching a model slot whose base the catalog knows and whose whole it does not
    (no exact entry, no dated snapshot or alias of one). Silent when any id composed at the same
    place is a known model, or when a base is unknown (a self-hosted or deployment name)."""
    out: list[ComposedModel] = []
    seen: set[tuple[str, ir.Pos]] = set()
    for slot in model_slots(g):
        if self_hosted(g, slot.llm_call):
            continue
        by_site: dict[tuple[str, ir.Pos], list[Composed]] = {}
        for v in ordered(g.values(slot.expr, slot.func, slot.stmt)):
            if isinstance(v, Composed):
                by_site.setdefault(v.at, []).append(v)
        for at, composed in by_site.items():
            if at in seen:
                continue
            found = _unknown(g, composed)
            if found is not None:
                seen.add(at)
                out.append(ComposedModel(at, tuple(composed), found, slot))
    return out


def _unknown(g, composed: list[Composed]) -> Optional[ModelInfo]:
    """The base's entry when every base is catalogued and no composed id is, else None."""
    infos = [g.catalog.model(c.base) for c in composed]
    if any(i is None for i in infos) or any(g.catalog.model_exact(c.value) is not None for c in composed):
        return None
    if any(g.catalog.model_exact(c.base) is None for c in composed):
        return None  # a base the catalog only knows by prefix is itself a guess
    return infos[0]
