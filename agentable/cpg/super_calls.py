"""`super().m` in a method of a project class: a method of a project base class, or the
framework's model method when the class extends a framework's model class.

A project subclass of a catalog chat model or LLM client (`class R1Chat(ChatOllama)`) that
overrides a model method and calls `super().invoke(...)` gets the framework's reply back: the
model's output, as if the framework class had been called directly. Only classes the catalog knows
as models or clients count, and only when no project class between the subclass and the framework
class defines the method (then `super()` reaches project code, which the resolver does not follow
here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from agentable.cpg import ir
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef, FuncRef, VSet

if TYPE_CHECKING:
    from agentable.cpg.graph_api import ValueResolver


def super_attribute(r: ValueResolver, e: ir.Attribute, func: FunctionInfo, stmt: Optional[object]) -> Optional[VSet]:
    """`super().m`: the framework's model method (super_model_attribute), else, in the value flow of
    the expanding resolvers only, a project base's method (super_project_method; the call graph,
    built with the shallow resolver, leaves `super()` calls out). None for any other attribute."""
    found = super_model_attribute(r, e, func, stmt)
    if found is None and r.expand_params:
        found = super_project_method(r, e, func, stmt)
    return found


def super_model_attribute(r: ValueResolver, e: ir.Attribute, func: FunctionInfo,
                          stmt: Optional[object]) -> Optional[VSet]:
    """`super().invoke` (or `super(Cls, self).invoke`) in a method of a project class whose
    framework base is a catalog chat model or LLM client: that framework class's method on an
    instance (`langchain_ollama.ChatOllama().invoke`). None for any other attribute."""
    call = e.value
    cls = func.cls
    if cls is None or not _is_super_call(r, call, func, stmt, cls.name):
        return None
    if any(e.attr in base.methods or e.attr in base.attrs for base in r.g.mro(cls.qualname)[1:]):
        return None  # a project base defines it: that code runs, not the framework's
    catalog = r.g.catalog
    out = {ExtRef(f"{ext}().{e.attr}") for ext in r.g.external_bases(cls.qualname)
           if catalog.chat_model(ext) is not None or catalog.llm_client(ext) is not None}
    return frozenset(out) if out else None


def super_project_method(r: ValueResolver, e: ir.Attribute, func: FunctionInfo,
                         stmt: Optional[object]) -> Optional[VSet]:
    """`super().m` (or `super(Cls, self).m`) in a method of a project class whose project base
    defines the method `m`: that base method, so that `super().__init__(name, provider)` in a
    subclass is a call site of the base's `__init__` (what it stores on `self` is what the
    subclass passed) and `super().run(task)` returns what the base's `run` returns. None when no
    project base defines `m`, or a base defines it as a plain attribute."""
    cls = func.cls
    if cls is None or not _is_super_call(r, e.value, func, stmt, cls.name):
        return None
    for base in r.g.mro(cls.qualname)[1:]:
        if e.attr in base.methods:
            return frozenset({FuncRef(base.methods[e.attr].qualname)})
        if e.attr in base.attrs:
            return None
    return None


def _is_super_call(r: ValueResolver, e: ir.Expr, func: FunctionInfo, stmt: Optional[object], cls_name: str) -> bool:
    """Is `e` the builtin `super()`, bare or as `super(Cls, self)` naming the method's own class?"""
    if not (isinstance(e, ir.Call) and isinstance(e.func, ir.Name) and e.func.id == "super"):
        return False
    if e.args and not (isinstance(e.args[0], ir.Name) and e.args[0].id == cls_name):
        return False
    return any(isinstance(v, ExtRef) and v.path == "super" for v in r.values(e.func, func, stmt))


def is_super_site(call: ir.Call) -> bool:
    """Is the call `super().m(...)` / `super(Cls, self).m(...)` (syntactically)?"""
    f = call.func
    return (isinstance(f, ir.Attribute) and isinstance(f.value, ir.Call) and isinstance(f.value.func, ir.Name)
            and f.value.func.id == "super")
