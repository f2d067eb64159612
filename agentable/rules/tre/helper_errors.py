"""A tool that calls a project helper which reports its failure inside the dict it returns
(`return {"error": f"lookup failed: {e}"}` beside `return {"id": ..., "url": ...}`) and reads only
the helper's data keys: a failed call leaves those keys missing, the tool fills in defaults or
skips them, and the model is handed a result that reads as success. TRE006 reports them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.guards import expr_parents


@dataclass(frozen=True)
class DroppedHelperError:
    """`call` in the tool binds the helper's result to `name`; `error_at` is the helper's return of
    its error dict, `error_key` the key it is under, `read` the data keys the tool reads instead,
    first at `first_read` (where the tool should look at the error first)."""

    call: ir.Call
    helper: FunctionInfo
    name: str
    error_key: str
    error_at: ir.Return
    read: tuple[str, ...]
    first_read: ir.Pos


def dropped_helper_errors(g: ProjectGraph, func: FunctionInfo) -> list[DroppedHelperError]:
    """Calls in `func` of a project function that returns a dict literal with an error key
    (catalog tools.toml [helper_errors]) on one path and a dict literal of data keys on another,
    where the result is bound to a name whose every use reads a constant key (`r["k"]`,
    `r.get("k")`, `"k" in r`), one of them allowing for a missing key, and none of them is an
    error key. Any other use (the result returned,
    passed on, formatted or iterated) may hand the error on, so it is left out."""
    keys = g.catalog.helper_error_keys
    out: list[DroppedHelperError] = []
    for site in func.calls:
        stmt = site.stmt
        if not isinstance(stmt, ir.Assign) or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ir.Name):
            continue
        value = stmt.value.value if isinstance(stmt.value, ir.Await) else stmt.value
        if value is not site.call:
            continue
        name = stmt.targets[0].id
        for q in g.callees(site):
            helper = g.functions.get(q)
            if helper is None or helper.node is None or helper is func:
                continue
            failure = _error_return(helper, keys)
            if failure is None:
                continue
            read, first, tolerant = _keys_read(func, name, stmt)
            # (only plain `r["k"]` reads: a failure raises KeyError there rather than passing as success)
            if read and first is not None and tolerant and not (set(read) & keys):
                out.append(DroppedHelperError(site.call, helper, name, failure[1], failure[0], read, first))
                break
    return out


def _error_return(helper: FunctionInfo, keys: frozenset[str]) -> Optional[tuple[ir.Return, str]]:
    """The helper's return of a dict literal holding an error key, when another of its returns is a
    dict literal of data keys only (so a caller's reads of those keys find nothing on failure)."""
    failure: Optional[tuple[ir.Return, str]] = None
    data = False
    for r in helper.returns:
        if not isinstance(r.value, ir.Dict) or not r.value.keys:
            continue
        names = [k.value for k in r.value.keys if isinstance(k, ir.Constant) and isinstance(k.value, str)]
        if len(names) != len(r.value.keys):
            return None  # a `**splat` or computed key: what it holds is not known
        hit = next((k for k in names if k in keys), None)
        if hit is not None:
            failure = failure or (r, hit)
        else:
            data = True
    return failure if data else None


def _keys_read(func: FunctionInfo, name: str, bound_at: ir.Stmt) -> tuple[tuple[str, ...], Optional[ir.Pos], bool]:
    """The constant keys `func` reads from `name` when every use of it is such a read (`name[k]`,
    `name.get(k, ...)`, `k in name`), where the first read is, and whether a read allows for a
    missing key (`.get`, `in`); () when a use is anything else, or `name` is bound again."""
    read: list[str] = []
    first: Optional[ir.Pos] = None
    tolerant = False
    for e, s in func.walk(ir.Name):
        if e.id != name:
            continue
        if s is bound_at:
            continue
        up = expr_parents(s).get(id(e))
        key: Optional[ir.Expr] = None
        if isinstance(up, ir.Subscript) and up.value is e:
            key = up.index
        elif isinstance(up, ir.Attribute) and up.value is e and up.attr == "get":
            call = expr_parents(s).get(id(up))
            key = call.args[0] if isinstance(call, ir.Call) and call.func is up and call.args else None
            tolerant = True
        elif isinstance(up, ir.Compare) and up.ops == ["in"] and up.comparators and up.comparators[0] is e:
            key = up.left
            tolerant = True
        if up is None or not (isinstance(key, ir.Constant) and isinstance(key.value, str)) or _binds(s, name):
            return (), None, False
        read.append(key.value)
        if first is None or up.pos < first:  # (up: the read, `name[k]`, `name.get`, `k in name`)
            first = up.pos
    return tuple(dict.fromkeys(read)), first, tolerant


def _binds(s: ir.Stmt, name: str) -> bool:
    """Does `s` bind `name` (an assignment to it, not to one of its keys)?"""
    return isinstance(s, ir.Assign) and any(isinstance(t, ir.Name) and t.id == name for t in s.targets)
