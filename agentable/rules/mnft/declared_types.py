"""The class an expression is declared as, read from annotations when the resolver knows no value:
`ctx.deps.client` in a tool taking `ctx: RunContext[Deps]`, where `Deps` is a dataclass with a
field `client: AsyncSearchClient`. Frameworks construct these objects (the deps, the context), so
no assignment in the project says what they hold; the annotations do."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import ClassInfo, FunctionInfo
from agentable.cpg.values import ClassRef, ExtRef

# what an annotation names: a project class, or an external class (catalog path) with the
# annotation's first type argument (`RunContext[Deps]` -> ("pydantic_ai.RunContext", Deps))
Declared = tuple[Optional[ClassInfo], str, Optional[ir.Expr], FunctionInfo]


def declared_external(g: ProjectGraph, func: FunctionInfo, e: ir.Expr) -> Optional[str]:
    """The catalog path of the external class `e` is declared as (through parameters' and class
    fields' annotations and framework context attributes), or None."""
    d = _declared(g, func, e, 4)
    return d[1] if d is not None and d[0] is None and d[1] else None


def declared_class(g: ProjectGraph, func: FunctionInfo, e: ir.Expr, element: bool = False) -> Optional[ClassInfo]:
    """The project class `e` is declared as (`self.llm` with a field `llm: BaseLLM`), or with
    `element`, the class of its items (`agents: list[BaseAgent]` -> BaseAgent); None otherwise."""
    d = _declared(g, func, e, 4)
    if d is None:
        return None
    if not element:
        return d[0]
    if d[0] is not None or d[2] is None:
        return None
    item = _of_annotation(g, d[3], d[2])
    return item[0] if item is not None else None


def _declared(g: ProjectGraph, func: FunctionInfo, e: ir.Expr, depth: int) -> Optional[Declared]:
    if depth <= 0:
        return None
    if isinstance(e, ir.Name):
        if func.cls is not None and func.params and e.id == func.params[0].name and not func.is_module:
            return (func.cls, "", None, func)  # `self`
        p = next((p for p in func.params if p.name == e.id), None)
        return _of_annotation(g, func, p.annotation) if p is not None else None
    if not isinstance(e, ir.Attribute):
        return None
    base = _declared(g, func, e.value, depth - 1)
    if base is None:
        return None
    cls, ext, arg, scope = base
    if cls is not None:
        for c in g.mro(cls.qualname):
            ann, owner = _field_annotation(g, c, e.attr)
            if ann is not None and owner is not None:
                return _of_annotation(g, owner, ann)
        return None
    if arg is not None and g.catalog.context_attributes.get(ext) == e.attr:
        return _of_annotation(g, scope, arg)
    return None


def _field_annotation(g: ProjectGraph, cls: ClassInfo, attr: str) -> tuple[Optional[ir.Expr], Optional[FunctionInfo]]:
    """`attr: T` in the class body, or `self.attr: T = ...` in one of its methods."""
    for s in cls.node.body:
        if isinstance(s, ir.Assign) and s.annotation is not None and any(
                isinstance(t, ir.Name) and t.id == attr for t in s.targets):
            return s.annotation, cls.module.toplevel
    for m in cls.methods.values():
        for s in m.stmts:
            if isinstance(s, ir.Assign) and s.annotation is not None and any(
                    isinstance(t, ir.Attribute) and t.attr == attr and isinstance(t.value, ir.Name)
                    and m.params and t.value.id == m.params[0].name for t in s.targets):
                return s.annotation, m
    return None, None


def _of_annotation(g: ProjectGraph, scope: FunctionInfo, ann: Optional[ir.Expr]) -> Optional[Declared]:
    head, arg = _head(ann)
    if head is None:
        return None
    for v in g.shallow.values(head, scope.module.toplevel, None):
        if isinstance(v, ClassRef) and v.qualname in g.classes:
            return (g.classes[v.qualname], "", None, scope)
        if isinstance(v, ExtRef):
            if v.path.rsplit(".", 1)[-1] == "Optional" and arg is not None:
                return _of_annotation(g, scope, arg)
            return (None, v.path, arg, scope)
    return None


def _head(ann: Optional[ir.Expr]) -> tuple[Optional[ir.Expr], Optional[ir.Expr]]:
    """The class an annotation names and its first type argument: `RunContext[Deps]`,
    `Optional[Client]`, `Client | None`, `Client`."""
    e = ir.unwrap_type(ann)
    if isinstance(e, ir.BinOp) and e.op == "|":
        left_none = isinstance(e.left, ir.Constant) and e.left.value is None
        return _head(e.right if left_none else e.left)
    if isinstance(e, ir.Other) and e.kind == "generic_type" and e.children:
        params = [c for c in e.children[1:] if isinstance(c, ir.Other) and c.kind == "type_parameter"]
        arg = params[0].children[0] if params and params[0].children else None
        return e.children[0], arg
    if isinstance(e, ir.Subscript):
        return e.value, e.index
    if isinstance(e, (ir.Name, ir.Attribute)):
        return e, None
    return None, None
