"""Rule registry: every module in this package that defines a `Rule` subclass with `meta` is a rule.

Adding a rule is adding one file here; nothing else needs editing.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from agentable.rules.base import Rule, RuleMeta

_NOT_RULES = {"base", "categories"}


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in _NOT_RULES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and hasattr(obj, "meta"):
                if obj.__module__ == module.__name__:
                    found[obj.meta.id] = obj
    return tuple(found[k] for k in sorted(found))


def rule_metas() -> list[RuleMeta]:
    return [r.meta for r in all_rules()]


def get_rule(rule_id: str) -> type[Rule] | None:
    for r in all_rules():
        if r.meta.id.upper() == rule_id.upper() or r.meta.name == rule_id:
            return r
    return None
