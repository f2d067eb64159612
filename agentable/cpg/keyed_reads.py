"""Which entries a read with a variable key takes: `session[name]` or `store.get(name)` in a getter
helper reads, for one call of the getter (`storage.get("tenant_id")`), only the entries its key may
name. Read key-blind, every value any caller stored under any key comes back on every read: a
model reply stored under "last_prd" became the tenant id read under "tenant_id"."""

from __future__ import annotations

from typing import Callable, Iterable, Mapping, Optional

from agentable.cpg import ir
from agentable.cpg.values import Const, ParamRef, Value, VSet


def key_names(index: Optional[ir.Expr], key_values: Callable[[ir.Name], VSet]) -> frozenset[str]:
    """The string keys a variable subscript may be (the key name's values, from `key_values`);
    empty unless every value is a string literal (an unbound parameter adds nothing)."""
    if not isinstance(index, ir.Name):
        return frozenset()
    names: set[str] = set()
    for v in key_values(index):
        if isinstance(v, Const) and isinstance(v.value, str):
            names.add(v.value)
        elif not isinstance(v, ParamRef):
            return frozenset()
    return frozenset(names)


def named_entries(mapping: Mapping[object, VSet], index: Optional[ir.Expr],
                  key_values: Callable[[ir.Name], VSet]) -> Optional[VSet]:
    """The values of the entries the key may name, or None when that is not known (a single-entry
    mapping, a key that is not a name of string literals, or one naming an entry the mapping lacks)."""
    if len(mapping) <= 1:
        return None
    names = key_names(index, key_values)
    if not names or not all(n in mapping for n in names):
        return None
    out: set = set()
    for n in names:
        out |= mapping[n]
    return frozenset(out)


def read_entries(mappings: Iterable[Mapping[object, VSet]], key: object, index: Optional[ir.Expr],
                 key_values: Callable[[ir.Name], VSet]) -> set[Value]:
    """What reading `key` (a literal or named key, else None) or the variable `index` from each
    literal mapping gives: that entry, the entries a variable key may name, else every entry."""
    out: set[Value] = set()
    for mapping in mappings:
        if key is not None and key in mapping:
            out |= mapping[key]
        elif (named := named_entries(mapping, index, key_values)) is not None:
            out |= named
        else:
            for vs in mapping.values():
                out |= vs
    return out
