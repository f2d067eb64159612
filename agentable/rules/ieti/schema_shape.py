"""Tool parameter schemas whose shape misleads the model or is refused by the API: a schema
generator that maps every type it does not know to one fallback, an array without `items`, and a
`dependencies` keyword keyed by names that are not properties."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo

# JSON Schema's type names, and the Python builtins a hand-written type map keys on.
JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object", "null"})
PY_TYPES = frozenset({"str", "int", "float", "bool", "list", "dict", "tuple", "set"})
# A generator that looks inside `List[str]` / `Optional[int]` maps generic types itself.
GENERIC_INSPECTION = frozenset({"get_origin", "get_args", "__origin__", "__args__"})


@dataclass(frozen=True)
class TypeMapFallback:
    path: str
    pos: ir.Pos           # the `.get(...)` lookup
    map_name: str         # how the code names the map (`type_map`, `self.type_mapping`)
    default: str          # the JSON type every unknown annotation becomes
    bare_array: bool      # the map gives "array" and the generator never writes `items`


def _type_map(d: ir.Dict) -> Optional[dict[str, str]]:
    """Python type (name) -> JSON type for a literal like `{str: "string", int: "integer", ...}`."""
    out: dict[str, str] = {}
    for k, v in zip(d.keys, d.values, strict=False):
        if k is None:
            return None
        name = k.id if isinstance(k, ir.Name) else (k.value if isinstance(k, ir.Constant) else None)
        value = ir.string_value(v)
        if value not in JSON_TYPES:
            return None
        if isinstance(name, str) and name in PY_TYPES:
            out[name] = value
    return out if len(out) >= 3 else None


def _names_in(func: FunctionInfo) -> set[str]:
    names = {e.id for e, _ in func.walk(ir.Name) if isinstance(e, ir.Name)}
    names |= {e.attr for e, _ in func.walk(ir.Attribute) if isinstance(e, ir.Attribute)}
    return names


def _strings_in(func: FunctionInfo) -> set[str]:
    return {e.value for e, _ in func.walk(ir.Constant) if isinstance(e, ir.Constant) and isinstance(e.value, str)}


def _builds_object_schema(func: FunctionInfo) -> bool:
    """Does the function write a JSON object schema (a dict literal with `type` and `properties`)?"""
    for d, _ in func.walk(ir.Dict):
        if isinstance(d, ir.Dict):
            keys = {k.value for k in d.keys if isinstance(k, ir.Constant)}
            if {"type", "properties"} <= keys:
                return True
    return False


def type_map_fallbacks(g: ProjectGraph) -> Iterator[TypeMapFallback]:
    """`type_map.get(annotation, "string")` in a function that builds a tool's parameter schema from
    a signature: every annotation the map lacks (`List[str]`, `Optional[int]`, a `Literal`, a
    class) is offered to the model as the fallback type. Silent when the function inspects generic
    types itself (`get_origin`/`get_args`) or the map has no fallback (an unknown type raises)."""
    for func in g.agent.functions():
        gets = [(c, s) for c, s in func.walk(ir.Call) if isinstance(c, ir.Call) and isinstance(c.func, ir.Attribute)
                and c.func.attr == "get" and len(c.args) == 2 and not c.keywords]
        if not gets or not _builds_object_schema(func) or _names_in(func) & GENERIC_INSPECTION:
            continue
        for call, stmt in gets:
            default = ir.string_value(call.args[1])
            if default not in JSON_TYPES:
                continue
            receiver = call.func.value  # type: ignore[attr-defined]
            literals = [receiver] if isinstance(receiver, ir.Dict) else \
                [v for v, _f, _s in g._literal_defs(receiver, func, stmt) if isinstance(v, ir.Dict)]
            maps = [m for m in (_type_map(d) for d in literals if isinstance(d, ir.Dict)) if m is not None]
            if len(maps) != 1:
                continue
            bare = "array" in maps[0].values() and "items" not in _strings_in(func)
            yield TypeMapFallback(func.path, call.pos, ir.dotted(receiver) or "the type map", str(default), bare)


def arrays_without_items(schema: ir.Dict) -> Iterator[ir.Expr]:
    """The `"type"` keys of array schemas nested in `schema` (its properties, items, anyOf, …) that
    give no `items` / `prefixItems`: a literal dict whose keys are all known."""
    stack: list[ir.Expr] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Seq):
            stack.extend(node.elts)
            continue
        if not isinstance(node, ir.Dict) or any(k is None for k in node.keys):
            continue
        keys = {k.value: k for k in node.keys if isinstance(k, ir.Constant) and isinstance(k.value, str)}
        type_value = node.get("type")
        types = {ir.string_value(type_value)} if not isinstance(type_value, ir.Seq) else \
            {ir.string_value(e) for e in type_value.elts}
        if "array" in types and not {"items", "prefixItems", "$ref", "anyOf", "oneOf", "allOf"} & keys.keys():
            yield keys["type"]
        stack.extend(v for v in node.values if isinstance(v, (ir.Dict, ir.Seq)))


def stray_dependencies(d: ir.Dict) -> Optional[tuple[ir.Expr, list[str]]]:
    """A JSON object schema literal whose `dependencies` (or `dependentRequired`) is keyed by names
    that are not among its literal `properties`: (the keyword's key, those names). JSON Schema
    applies such an entry only when a property of that name is present, so it constrains nothing
    (an entry whose names the schema requires anyway loses nothing and is left out)."""
    props = d.get("properties")
    if not isinstance(props, ir.Dict) or any(k is None for k in props.keys):
        return None
    names = {k.value for k in props.keys if isinstance(k, ir.Constant)}
    for k, v in zip(d.keys, d.values, strict=False):
        if not (isinstance(k, ir.Constant) and k.value in ("dependencies", "dependentRequired", "dependentSchemas")):
            continue
        if not isinstance(v, ir.Dict) or any(x is None for x in v.keys):
            return None
        required = d.get("required")
        always = {ir.string_value(e) for e in required.elts} if isinstance(required, ir.Seq) else set()
        stray = [x.value for x, need in zip(v.keys, v.values, strict=False)
                 if isinstance(x, ir.Constant) and isinstance(x.value, str) and x.value not in names
                 and not (isinstance(need, ir.Seq) and {ir.string_value(e) for e in need.elts} <= always)]
        return (k, stray) if stray else None
    return None


def object_schemas(g: ProjectGraph) -> Iterator[tuple[str, ir.Dict]]:
    """Every literal JSON object schema (`{"type": "object", "properties": {...}}`) in agent code,
    in function bodies and in class-level attributes (`parameters: dict = {...}`)."""
    funcs = list(g.agent.functions())
    literals = [(f.path, d) for f in funcs for d, _ in f.walk(ir.Dict) if isinstance(d, ir.Dict)]
    modules = {id(f.module) for f in funcs}
    for cls in g.classes.values():
        if id(cls.module) not in modules:
            continue
        for entries in cls.attrs.values():
            for value, _s, method in entries:
                if method is None and isinstance(value, ir.Dict):
                    literals.extend((cls.module.path, d) for d in _nested_dicts(value))
    seen: set[int] = set()
    for path, d in literals:
        if id(d) not in seen and ir.string_value(d.get("type")) == "object" and isinstance(d.get("properties"), ir.Dict):
            seen.add(id(d))
            yield path, d


def _nested_dicts(d: ir.Dict) -> Iterator[ir.Dict]:
    stack: list[ir.Expr] = [d]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Dict):
            yield node
            stack.extend(v for v in node.values if isinstance(v, (ir.Dict, ir.Seq)))
        elif isinstance(node, ir.Seq):
            stack.extend(node.elts)
