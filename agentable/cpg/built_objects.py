"""Objects whose class the code names indirectly, so that calls on them resolve to that class's
methods (the model call behind `self.llm.chat(...)`):

- a parameter whose annotation is a class object (`engine_cls: type[Engine]`,
  `handler: partial[BaseHandler]`): the class or any subclass of it, called later to build the
  receiver (`self.handler = handler()`);
- a config dict naming the class under a type key (`dict(type=ChatAPI, model=...)`,
  `{"type": "pkg.llms.ChatAPI"}`), which a registry builder instantiates
  (`cls = cfg.pop("type"); return cls(**cfg)`): `BuildSpec`;
- an attribute a pydantic validator stores into the field dict (`values["client"] =
  openai.ChatCompletion` in a `@root_validator`), which is what `self.client` holds afterwards.

Used by `resolve.Resolver`; the names (type keys, class-object generics, validator decorators)
are python.toml data.
"""

from __future__ import annotations

from typing import Optional

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.graph_api import ValueResolver
from agentable.cpg.structure import ClassInfo, FunctionInfo
from agentable.cpg.values import BuildSpec, ClassRef, Const, ExtRef, Value, VSet

# what a class's field-dict validators store, by key: one table per class, kept by the resolver
Stores = dict[object, list[tuple[ir.Expr, FunctionInfo, ir.Stmt]]]

_FACTS = python_facts()
TYPE_KEYS = _FACTS.builder_type_keys
_CLASS_OBJECT_GENERICS = _FACTS.class_object_generics
_VALIDATORS = _FACTS.field_dict_validators
EMPTY: VSet = frozenset()


def spec_of(res: ValueResolver, entries: list[tuple[object, ir.Expr]], func: FunctionInfo,
            stmt: Optional[object]) -> VSet:
    """A BuildSpec for a dict (literal or `dict(...)` call) with these (key, value) entries, when
    its type key names a project class (the class itself or its dotted path)."""
    classes: set[str] = set()
    for key, value in entries:
        if key not in TYPE_KEYS:
            continue
        for v in res.values(value, func, stmt):
            if isinstance(v, ClassRef):
                classes.add(v.qualname)
            elif isinstance(v, Const) and isinstance(v.value, str) and "." in v.value:
                classes.update(c.qualname for c in res.g.lookup(v.value) if isinstance(c, ClassRef))
    return frozenset({BuildSpec(frozenset(classes))}) if classes else EMPTY


def dict_literal_spec(res: ValueResolver, e: ir.Dict, func: FunctionInfo, stmt: Optional[object]) -> VSet:
    entries = [(k.value, v) for k, v in zip(e.keys, e.values, strict=False) if isinstance(k, ir.Constant)]
    return spec_of(res, entries, func, stmt) if entries else EMPTY


def dict_call_spec(res: ValueResolver, e: ir.Call, func: FunctionInfo, stmt: Optional[object]) -> VSet:
    """`dict(type=ChatAPI, ...)`."""
    entries: list[tuple[object, ir.Expr]] = [(kw.name, kw.value) for kw in e.keywords if kw.name is not None]
    return spec_of(res, entries, func, stmt) if entries else EMPTY


def spec_method(spec: BuildSpec, e: ir.Call) -> VSet:
    """A method of the config dict: a copy is the same config; its type entry the classes."""
    if not isinstance(e.func, ir.Attribute):
        return EMPTY
    if e.func.attr == "copy":
        return frozenset({spec})
    if e.func.attr in ("pop", "get") and e.args and isinstance(e.args[0], ir.Constant) and e.args[0].value in TYPE_KEYS:
        return spec.class_refs()
    return EMPTY


def class_objects(res: ValueResolver, ann: Optional[ir.Expr], func: FunctionInfo) -> VSet:
    """`type[Engine]`, `Type[Engine]`, `partial[Engine]`: the class and every project subclass of
    it (what a caller may pass to be instantiated later)."""
    if not isinstance(ann, ir.Other) or ann.kind != "generic_type" or len(ann.children) != 2:
        return EMPTY
    head, params = ann.children
    scope = func.module.toplevel
    if not any(isinstance(v, ExtRef) and v.path in _CLASS_OBJECT_GENERICS for v in res.g.shallow.values(head, scope, None)):
        return EMPTY
    inner = params.children if isinstance(params, ir.Other) else []
    if len(inner) != 1:
        return EMPTY
    out: set[Value] = set()
    for v in res.g.shallow.values(ir.unwrap_type(inner[0]), scope, None):
        if isinstance(v, ClassRef):
            out.add(v)
            out.update(ClassRef(sub) for sub in res.g.subclasses(v.qualname))
    return frozenset(out)


def validator_stores(res: ValueResolver, cls: ClassInfo, attr: str, memo: dict[str, Stores]) -> VSet:
    """What the class's field-dict validators store under `attr` (`values["client"] = X`)."""
    stores = memo.get(cls.qualname)
    if stores is None:
        stores = memo[cls.qualname] = _stores(res, cls)
    out: set[Value] = set()
    for value, method, s in stores.get(attr, ()):
        out |= res.values(value, method, s)
    return frozenset(out)


def _stores(res: ValueResolver, cls: ClassInfo) -> Stores:
    out: Stores = {}
    for method in cls.methods.values():
        if method.node is None or not method.node.decorators or len(method.params) < 2:
            continue
        stored = method.item_stores.get(method.params[1].name)
        if not stored or not _is_validator(res, method, cls):
            continue
        for index, value, s in stored:
            if isinstance(index, ir.Constant):
                out.setdefault(index.value, []).append((value, method, s))
    return out


def _is_validator(res: ValueResolver, method: FunctionInfo, cls: ClassInfo) -> bool:
    assert method.node is not None
    scope = cls.module.toplevel
    for d in method.node.decorators:
        for v in res.g.shallow.values(d.func if isinstance(d, ir.Call) else d, scope, None):
            if isinstance(v, ExtRef) and v.path in _VALIDATORS:
                return True
    return False
