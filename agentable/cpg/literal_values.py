"""What a name or attribute is bound to when that is a literal (a dict, a list, a tuple a project
helper returns): the key -> values maps and element lists the resolver and the tool queries read.
Split from `project` (which delegates here) to keep each module to one question."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.binding import argument_for, explicit_param_index, self_param
from agentable.cpg.containers import item_store_scopes
from agentable.cpg.graph_api import CodeGraph, ValueResolver
from agentable.cpg.resolve import VSet
from agentable.cpg.structure import CallSite, DefSite, FunctionInfo
from agentable.cpg.unpacking import place
from agentable.cpg.values import FuncRef, Value


def unpacked_return(g: CodeGraph, d: DefSite, owner: FunctionInfo) -> list[tuple[ir.Expr, FunctionInfo, object]]:
    """`a, b = helper(...)` (a plain tuple target of names): the item at the place of the name `d`
    binds in each tuple literal the project function returns (`return headers, payload`)."""
    where = place(d)
    if where is None or not isinstance(d.value, ir.Call):
        return []
    idx, arity = where
    out: list[tuple[ir.Expr, FunctionInfo, object]] = []
    for v in g.shallow.values(d.value.func, owner, d.stmt):
        helper = g.functions.get(v.qualname) if isinstance(v, FuncRef) else None
        if helper is None:
            continue
        for r in helper.returns:
            if isinstance(r.value, ir.Seq) and r.value.kind == "tuple" and len(r.value.elts) == arity:
                out.append((r.value.elts[idx], helper, r))
    return out


def _callees(g: CodeGraph, call: ir.Call, owner: FunctionInfo, stmt: object, res: ValueResolver) -> VSet:
    """What a factory call made in `owner` may call. A call on the method's own `self`
    (`data = self._parse(resp)` in a base-class template method) is resolved by `res`, which knows
    the receiver classes it answers for: the shallow answer is every subclass's override, and
    would hand one subclass the dict literals a sibling's override returns."""
    fn = call.func
    if res.expand_params and isinstance(fn, ir.Attribute) and isinstance(fn.value, ir.Name) \
            and fn.value.id == self_param(owner):
        return res.values(fn, owner, stmt)
    return g.shallow.values(fn, owner, stmt)


def _built_by(g: CodeGraph, defs: list[tuple[ir.Expr, FunctionInfo, object]], res: ValueResolver
              ) -> list[tuple[ir.Expr, FunctionInfo, object]]:
    """Bindings plus, for `x = make_registry()`, the literals that project factory returns."""
    out = list(defs)
    for value, owner, s in defs:
        if isinstance(value, ir.Call):
            for v in _callees(g, value, owner, s, res):
                target = g.functions.get(v.qualname) if isinstance(v, FuncRef) else None
                if target is None:
                    continue
                for r in target.returns:
                    if isinstance(r.value, (ir.Dict, ir.Seq, ir.Comp)):
                        out.append((r.value, target, r))
    return out


def literal_mappings(g: CodeGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                     res: ValueResolver) -> list[dict[object, VSet]]:
    """Dict literals (and `d[k] = v` stores) that `e` may be: key -> values."""
    out: list[dict[object, VSet]] = []
    for value, owner, s in _built_by(g, g._literal_defs(e, func, stmt), res):
        if isinstance(value, ir.Dict):
            mapping: dict[object, VSet] = {}
            for k, v in zip(value.keys, value.values, strict=False):
                key = k.value if isinstance(k, ir.Constant) else ir.named_key(k)
                mapping[key] = mapping.get(key, frozenset()) | res.values(v, owner, s)
            out.append(mapping)
        elif (isinstance(value, ir.Comp) and value.kind == "dict" and isinstance(value.elt, ir.Seq)
              and len(value.elt.elts) == 2):
            val = value.elt.elts[1]
            elems: set[Value] = set()
            for tgt, it in zip(value.targets, value.iters, strict=False):
                if isinstance(val, ir.Name) and isinstance(tgt, ir.Name) and tgt.id == val.id:
                    elems |= res.elements(res.values(it, owner, s), it, owner, s)
            if elems:
                out.append({None: frozenset(elems)})
    if isinstance(e, ir.Name):
        stores = _item_stores(g, e.id, func, res)
        if stores:
            out.append(stores)
        for helper, name in _returned_dicts(g, g._literal_defs(e, func, stmt), res):
            stores = _item_stores(g, name, helper, res)
            if stores:
                out.append(stores)
    return out


def _item_stores(g: CodeGraph, name: str, func: FunctionInfo, res: ValueResolver) -> dict[object, VSet]:
    """The `name[k] = v` stores that fill the dict `name` read in `func`: key -> values."""
    stores: dict[object, VSet] = {}
    for scope in item_store_scopes(func, name):
        for index, value, s in scope.item_stores.get(name, ()):
            keyed = _keyed_by_callers(g, index, value, scope, s, res)
            if keyed is not None:
                for key, vs in keyed.items():
                    stores[key] = stores.get(key, frozenset()) | vs
                continue
            key = index.value if isinstance(index, ir.Constant) else None
            stores[key] = stores.get(key, frozenset()) | res.values(value, scope, s)
    return stores


def _returned_dicts(g: CodeGraph, defs: list[tuple[ir.Expr, FunctionInfo, object]], res: ValueResolver
                    ) -> list[tuple[FunctionInfo, str]]:
    """For `x = helper(...)`, the local dicts the project helper fills and returns (`out = {}`, then
    `out[tag] = found`, `return out`): (helper, the dict's name)."""
    found: list[tuple[FunctionInfo, str]] = []
    for value, owner, s in defs:
        if not isinstance(value, ir.Call):
            continue
        for v in _callees(g, value, owner, s, res):
            target = g.functions.get(v.qualname) if isinstance(v, FuncRef) else None
            if target is None:
                continue
            for r in target.returns:
                if isinstance(r.value, ir.Name) and local_dict(target, r.value.id) \
                        and (target, r.value.id) not in found:
                    found.append((target, r.value.id))
    return found


def local_dict(func: FunctionInfo, name: str) -> bool:
    """Is `name` a dict the function makes itself (every binding a dict literal) and fills by item?"""
    defs = func.defs.get(name, [])
    return bool(defs) and bool(func.item_stores.get(name)) and all(
        d.how == "assign" and isinstance(d.value, ir.Dict) for d in defs)


def _keyed_by_callers(g: CodeGraph, index: ir.Expr, value: ir.Expr, scope: FunctionInfo, stmt: object,
                      res: ValueResolver) -> Optional[dict[object, VSet]]:
    """A setter helper's store, `def put(name, value): session[name] = value`, keyed by what each
    caller passes: `put("org_id", user.org)` stores under "org_id" and `put("summary", reply)` under
    "summary", so a read of one key is not given what the helper stored under another. None when
    the key is not a parameter of the helper (or the shallow resolver asks: it has no callers)."""
    if not res.expand_params or not isinstance(index, ir.Name) or len(scope.defs.get(index.id, ())) > 1:
        return None
    key_at = explicit_param_index(scope, index.id)
    if key_at is None:
        return None
    val_at = explicit_param_index(scope, value.id) if isinstance(value, ir.Name) else None
    out: dict[object, VSet] = {}
    for site in _setter_sites(g, scope):
        key_arg = argument_for(site.call, scope.params[key_at[0]], key_at[1])
        key = key_arg.value if isinstance(key_arg, ir.Constant) and isinstance(key_arg.value, str) else None
        if val_at is not None:
            val_arg = argument_for(site.call, scope.params[val_at[0]], val_at[1])
            vs = res.values(val_arg, site.func, site.stmt) if val_arg is not None else frozenset()
        else:
            vs = res.values(value, scope, stmt)
        out[key] = out.get(key, frozenset()) | vs
    return out or None


def _setter_sites(g: CodeGraph, scope: FunctionInfo) -> list[CallSite]:
    """The calls of a setter helper the shallow resolver confirms (`storage.set(...)`,
    `register(kind, client)`). Not `argument_sites`: that resolves every call of the same name
    (`set`, `get`) through the full resolver, from inside a resolution, and a cycle there would be
    cached in the call graph."""
    target = FuncRef(scope.qualname)
    return [site for site in g.sites_named(scope.name)
            if target in g.shallow.values(site.call.func, site.func, site.stmt)]


def literal_containers(g: CodeGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                       res: ValueResolver) -> list[list[VSet]]:
    """List, tuple and set literals (and those a project factory returns) that `e` may be: their elements."""
    out: list[list[VSet]] = []
    for value, owner, s in _built_by(g, g._literal_defs(e, func, stmt), res):
        if isinstance(value, ir.Seq):
            out.append([res.values(elt, owner, s) for elt in value.elts])
    return out

