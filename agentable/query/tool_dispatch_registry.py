"""A registry of the project's own tool objects filled by their names: a class keeps tool objects in
a dict attribute keyed by each object's name attribute (`self.tool_map[tool.name] = tool`, or
`name = tool.name; self.tool_map[name] = tool`, or `self.tool_map = {t.name: t for t in tools}`),
so a lookup `self.tool_map[chosen].call(args)` runs one of the project's home-made tool classes
(cpg.home_tools). The objects themselves are often not typed statically (built from a config, a
string or a plugin registry): then the family is the classes the stored value's annotation
names, or, without one, every home-made tool class. The name attributes are catalog data (tools.toml
[home_made_tool_base] name_attrs)."""

from __future__ import annotations

from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import ClassInfo, FunctionInfo, stub_body
from agentable.cpg.values import ClassRef, Instance


def _self_attr(e: Optional[ir.Expr]) -> Optional[str]:
    if isinstance(e, ir.Attribute) and isinstance(e.value, ir.Name) and e.value.id == "self":
        return e.attr
    return None


def _name_of(e: Optional[ir.Expr], names: frozenset[str]) -> Optional[str]:
    """`x` of `x.name` (a name attribute of a local object)."""
    if isinstance(e, ir.Attribute) and e.attr in names and isinstance(e.value, ir.Name):
        return e.value.id
    return None


def _key_names_value(g: ProjectGraph, m: FunctionInfo, s: ir.Stmt, key: ir.Expr, value: str,
                     names: frozenset[str]) -> bool:
    """Is `key` the name attribute of `value`: `value.name`, or a local bound only to it?"""
    if _name_of(key, names) == value:
        return True
    if not isinstance(key, ir.Name):
        return False
    defs = g.reaching(m).at(s, key.id) or []
    return bool(defs) and all(d.how == "assign" and _name_of(d.value, names) == value for d in defs)


def _stored_by_name(g: ProjectGraph, cls: ClassInfo, attr: str,
                    names: frozenset[str]) -> Iterator[tuple[ir.Name, FunctionInfo, ir.Stmt]]:
    """The values the class stores in `self.<attr>` under their own name attribute."""
    for value, stmt, m in cls.attrs.get(attr, []):
        if m is None or not (isinstance(value, ir.Comp) and value.kind == "dict" and len(value.targets) == 1):
            continue
        elt, target = value.elt, value.targets[0]
        if isinstance(elt, ir.Seq) and len(elt.elts) == 2 and isinstance(target, ir.Name) \
                and isinstance(elt.elts[1], ir.Name) and elt.elts[1].id == target.id \
                and _name_of(elt.elts[0], names) == target.id:
            yield elt.elts[1], m, stmt
    for m in cls.methods.values():
        for e, s in m.exprs.get(ir.Subscript, ()):
            if not (isinstance(e, ir.Subscript) and isinstance(s, ir.Assign) and e in s.targets
                    and _self_attr(e.value) == attr and isinstance(s.value, ir.Name)):
                continue
            if _key_names_value(g, m, s, e.index, s.value.id, names):
                yield s.value, m, s


def _annotated_classes(g: ProjectGraph, m: FunctionInfo, name: str) -> set[str]:
    """Project classes a parameter's annotation names (`tool: Union[str, BaseTool]` -> BaseTool)."""
    node = m.node
    param = next((p for p in node.params if p.name == name), None) if node is not None else None
    if param is None or param.annotation is None:
        return set()
    out: set[str] = set()
    for x in ir.walk_expr(param.annotation):
        if isinstance(x, (ir.Name, ir.Attribute)):
            out.update(v.qualname for v in g.values(x, m, None) if isinstance(v, ClassRef) and v.qualname in g.classes)
    return out


def _family(g: ProjectGraph, stored: list[tuple[ir.Name, FunctionInfo, ir.Stmt]]) -> set[str]:
    """Classes the stored objects belong to, where the graph can tell (empty: it cannot)."""
    out: set[str] = set()
    for v, m, s in stored:
        out.update(x.qualname for x in g.values(v, m, s) if isinstance(x, Instance) and x.qualname in g.classes)
        out.update(_annotated_classes(g, m, v.id))
    return out


def named_registry_targets(g: ProjectGraph, func: FunctionInfo, container: Optional[ir.Expr], method: str) -> list[FunctionInfo]:
    """The `method` implementations of the home-made tool classes a class's registry of tools keyed
    by their names may hold (see the module docstring); empty when `container` is not one."""
    attr = _self_attr(container)
    if attr is None or func.cls is None:
        return []
    names = frozenset(g.catalog.home_made_tool_base.get("name_attrs", ()))
    stored = [x for c in g.mro(func.cls.qualname) for x in _stored_by_name(g, c, attr, names)]
    if not stored:
        return []
    family = _family(g, stored)
    out: dict[str, FunctionInfo] = {}
    for t in g.agent.tools:
        if t.cls is None or t.kind != "class":
            continue
        mro = g.mro(t.cls.qualname)
        if family and not any(c.qualname in family for c in mro):
            continue
        impl = next((c.methods[method] for c in mro if method in c.methods), None)
        if impl is not None and impl.node is not None and not stub_body(impl):
            out[impl.qualname] = impl
    return list(out.values())
