"""Turn sarif-om objects into SARIF JSON.

`json.dumps` cannot serialise attrs classes, and `attr.asdict` keeps snake_case names and
every None (89 schema errors, see the ecosystem notes §3.2). We use each field's
`schema_property_name` and drop None and attrs defaults, which SARIF readers assume anyway.
"""

from __future__ import annotations

import functools
from typing import Any

import attr

# Kept even when equal to sarif-om's default ("warning"): an absent result level means the
# rule's defaultConfiguration.level, so dropping it would change an explicit warning.
_ALWAYS_EMIT = frozenset({"level"})


def to_json_obj(value: Any) -> Any:
    """A JSON-ready copy of a sarif-om object tree (plain dicts, lists and scalars pass through)."""
    cls: type = type(value)
    fields = _fields(cls) if attr.has(cls) else None
    if fields is not None:
        out: dict[str, Any] = {}
        for name, json_name, default in fields:
            item = getattr(value, name)
            if item is None or (type(item) is type(default) and item == default):
                continue  # the type check keeps 0 from passing for False, or 1 for True
            out[json_name] = to_json_obj(item)
        return out
    if isinstance(value, (list, tuple)):
        return [to_json_obj(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json_obj(item) for key, item in value.items()}
    return value


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, str, Any], ...]:
    """(attribute, JSON name, default to drop) per field; _NO_DEFAULT when nothing is dropped."""
    return tuple(
        (field.name, json_name, _default(field) if json_name not in _ALWAYS_EMIT else _NO_DEFAULT)
        for field in attr.fields(cls)
        for json_name in [field.metadata.get("schema_property_name", field.name)]
    )


class _NoDefault:
    """Compares unequal to everything, for fields whose value is always written."""


_NO_DEFAULT = _NoDefault()
# attrs' stubs declare Factory as a function returning what it makes; at run time it is the class
# of factory defaults
_FACTORY: Any = attr.Factory


def _default(field: attr.Attribute) -> Any:
    default = field.default
    if default is attr.NOTHING:
        return _NO_DEFAULT
    if isinstance(default, _FACTORY):
        return default.factory()  # sarif-om factories take no `self`
    return default
