"""What one name of a tuple unpacking holds: `response, latency = self._call(...)` binds `response`
to the first item of what `_call` returns and `latency` to the second, not each of them to every
item. Where the callee's returns are tuple literals (`return resp, elapsed`), or calls of project
functions whose returns are (`return self._send(**kw)`), the item at the name's place is read;
anything else falls back to the elements of the whole value (`resolve.Resolver.elements`).

Why: taken item-blind, a helper that returns `(raw_response, seconds)` makes the seconds a model
response too, and a caller that returns `(summary_dict, seconds)` then hands a raw response to
whatever reads the dict (LARD004 on `summary["tool_calls"]`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from agentable.cpg import ir
from agentable.cpg.structure import DefSite, FunctionInfo, stub_body
from agentable.cpg.values import UNKNOWN, FuncRef, Typed, Value, VSet

if TYPE_CHECKING:
    from agentable.cpg.graph_api import ValueResolver

# How many `return other(...)` hops an item is followed through.
_MAX_HOPS = 4
# An item known only as a list or set: the resolver does not follow what code appends to it (dicts
# built from a streamed reply, `tool_calls.append({...})`), so the item-blind answer is kept for it.
_UNSEEN = frozenset({Typed("list"), Typed("set")})


def place(d: DefSite) -> Optional[tuple[int, int]]:
    """(index, arity) of the name `d` binds in a flat tuple target of names, `a, b = ...`; None for
    any other target (nested, starred, several targets, a for loop)."""
    s = d.stmt
    if not isinstance(s, ir.Assign) or len(s.targets) != 1:
        return None
    target = s.targets[0]
    if not isinstance(target, ir.Seq) or not all(isinstance(t, ir.Name) for t in target.elts):
        return None
    for i, t in enumerate(target.elts):
        if isinstance(t, ir.Name) and t.id == d.name:
            return i, len(target.elts)
    return None


def unpacked_item(res: "ValueResolver", d: DefSite, func: FunctionInfo) -> Optional[VSet]:
    """The values of the name `d` binds by unpacking (see the module docstring); None when its
    place is not known, and the whole value's elements are to be taken."""
    where = place(d)
    value = d.value.value if isinstance(d.value, ir.Await) else d.value
    if where is None or value is None:
        return None
    idx, arity = where
    if isinstance(value, ir.Seq):  # `a, b = b, a`
        return _literal_item(res, value, idx, arity, func, d.stmt)
    if isinstance(value, ir.Call):
        item = _returned_item(res, value, idx, arity, func, d.stmt, 0)
        if item is not None and all(v in _UNSEEN for v in item):
            return None  # a list filled by appends: what it holds is not followed, keep every item
        return item
    return None


def _literal_item(res: "ValueResolver", value: ir.Seq, idx: int, arity: int, func: FunctionInfo,
                  stmt: object) -> Optional[VSet]:
    if value.kind not in ("tuple", "list") or len(value.elts) != arity \
            or any(isinstance(e, ir.Starred) for e in value.elts):
        return None
    return res.values(value.elts[idx], func, stmt)


def _returned_item(res: "ValueResolver", call: ir.Call, idx: int, arity: int, func: FunctionInfo,
                   stmt: object, hops: int) -> Optional[VSet]:
    """Item `idx` of what `call` returns, when every callee is a project function each of whose
    returns gives it (a tuple literal of `arity` items, or such a call); None otherwise."""
    if hops > _MAX_HOPS:
        return None
    callees = res.values(call.func, func, stmt)
    targets = [res.g.functions.get(v.qualname) if isinstance(v, FuncRef) else None for v in callees]
    if not targets or any(t is None or t.yields or stub_body(t) for t in targets):
        return None  # (a stub stands for its implementations: `stub_returns`)
    out: set[Value] = set()
    for target in targets:
        assert target is not None
        for r in target.returns:
            got: Optional[VSet] = None
            value = r.value.value if isinstance(r.value, ir.Await) else r.value
            if value is None or (isinstance(value, ir.Constant) and value.value is None):
                continue  # `return None` cannot be unpacked: it gives no item
            if isinstance(value, ir.Seq):
                got = _literal_item(res, value, idx, arity, target, r)
            elif isinstance(value, ir.Call):
                got = _returned_item(res, value, idx, arity, target, r, hops + 1)
            if got is None:
                return None
            out |= got
    return frozenset(out) if out else frozenset({UNKNOWN})
