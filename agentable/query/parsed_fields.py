"""Which field of a parsed model reply an expression holds (LOPE).

A parsed reply's fields travel under other names: `command = reply["command"]` in one function,
`self.pending = reply["command"]` in another. The value resolution (`Parsed`) says only that both
come from the parse; the key path says which field they are, so that a type test on one of them
can stand for the other, and a test on a field is told apart from a test on the reply itself.
"""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ClassRef, Instance, Parsed
from agentable.query.facts import EvalAt

KeyPath = tuple[object, ...]


def _constant_key(e: Optional[ir.Expr]) -> Optional[object]:
    if isinstance(e, ir.Constant) and isinstance(e.value, (str, int)) and not isinstance(e.value, bool):
        return e.value
    return None


def key_path(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt, depth: int = 3) -> Optional[KeyPath]:
    """The constant keys read, outermost first, to get `e` from the value it was read from,
    through `x["k"]`, `x.get("k")`, local assignments and attribute stores (`self.pending =
    reply["command"]` -> ("command",)). None when the bindings disagree or are not plain
    assignments; () for a value read with no key."""
    keys: list[object] = []
    while True:
        if isinstance(e, ir.Subscript) and (k := _constant_key(e.index)) is not None:
            keys.insert(0, k)
            e = e.value
        elif isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr == "get" and e.args \
                and (k := _constant_key(e.args[0])) is not None:
            keys.insert(0, k)
            e = e.func.value
        else:
            break
    if depth <= 0:
        return tuple(keys)
    prefixes: Optional[set[Optional[KeyPath]]] = None
    if isinstance(e, ir.Name):
        defs = g.reaching(func).at(stmt, e.id) or []
        if defs and all(d.how == "assign" and d.value is not None for d in defs):
            prefixes = {key_path(g, d.value, func, d.stmt, depth - 1) for d in defs}  # type: ignore[arg-type]
        elif defs:
            return None  # a parameter, a loop variable, an unpacking: which field is not known
    elif isinstance(e, ir.Attribute):
        prefixes = _stored_paths(g, e, func, stmt, depth - 1)
    if prefixes is None:
        return tuple(keys)
    if len(prefixes) != 1 or None in prefixes:
        return None
    return next(iter(prefixes)) + tuple(keys)  # type: ignore[operator]


def _stored_paths(g: ProjectGraph, e: ir.Attribute, func: FunctionInfo, stmt: EvalAt,
                  depth: int) -> Optional[set[Optional[KeyPath]]]:
    """The key paths of the parsed values stored into attribute `e` (`obj.attr = ...` anywhere in
    its class): stores of other values (None, a saved config) are not fields of a reply."""
    out: set[Optional[KeyPath]] = set()
    for v in g.values(e.value, func, stmt):
        if not isinstance(v, (Instance, ClassRef)):
            continue
        for cls in g.mro(v.qualname):
            for value, s, assigner in cls.attrs.get(e.attr, ()):
                owner = assigner if assigner is not None else cls.module.toplevel
                if value is not None and any(isinstance(x, Parsed) for x in g.values(value, owner, s)):
                    out.add(key_path(g, value, owner, s, depth))
    return out or None


def same_field(g: ProjectGraph, a: ir.Expr, b: ir.Expr, func: FunctionInfo, stmt: EvalAt) -> bool:
    """Do `a` and `b` hold the same field of the same parsed reply: both parsed by the same call
    and read through the same non-empty key path (`command = reply["command"]` and
    `agent.pending`, which only ever holds a reply's "command")? The reply itself (an empty
    path) is not matched: one stored reply and a fresh one are parsed by the same call too."""
    pa = key_path(g, a, func, stmt)
    if not pa:
        return False
    if pa != key_path(g, b, func, stmt):
        return False
    va = {v for v in g.values(a, func, stmt) if isinstance(v, Parsed)}
    vb = {v for v in g.values(b, func, stmt) if isinstance(v, Parsed)}
    return bool(va & vb)
