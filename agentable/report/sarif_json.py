"""Turn sarif-om objects into SARIF JSON.

`json.dumps` cannot serialise attrs classes, and `attr.asdict` keeps snake_case names and
every None (89 schema errors, see the ecosystem notes §3.2). We use each field's
`schema_property_name` and drop None and attrs defaults, which SARIF readers assume anyway.
"""

from __future__ import annotations

from typing import Any

import attr

# Kept even when equal to sarif-om's default ("warning"): an absent result level means the
# rule's defaultConfiguration.level, so dropping it would change an explicit warning.
_ALWAYS_EMIT = frozenset({"level"})


def to_json_obj(value: Any) -> Any:
    """A JSON-ready copy of a sarif-om object tree (plain dicts, lists and scalars pass through)."""
    if attr.has(type(value)):
        out: dict[str, Any] = {}
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            name = field.metadata.get("schema_property_name", field.name)
            if item is None or (name not in _ALWAYS_EMIT and _is_default(field, item)):
                continue
            out[name] = to_json_obj(item)
        return out
    if isinstance(value, (list, tuple)):
        return [to_json_obj(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json_obj(item) for key, item in value.items()}
    return value


def _is_default(field: attr.Attribute, value: Any) -> bool:
    default = field.default
    if default is attr.NOTHING:
        return False
    if isinstance(default, attr.Factory):  # type: ignore[arg-type]
        default = default.factory()  # sarif-om factories take no `self`
    # Compare types too, so that 0 is not taken for False nor 1 for True.
    return type(value) is type(default) and value == default
