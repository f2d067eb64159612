"""Helpers of the IETI rules that only one rule uses."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ClassRef, FuncRef, Instance
from agentable.query.facts import per_graph
from agentable.query.model_derived import model_derived
from agentable.query.tool_dispatch import dispatch_targets, narrowed_to_branch, tool_dispatches
from agentable.query.tools import tool_anchor, tool_definition_call


def tool_description_problem(g: ProjectGraph, tool: object) -> Optional[str]:
    """What is wrong with a tool's description as the model will see it: "missing" (none at all),
    "empty" (blank text), or None (present, dynamic, or not decidable statically: a `**kwargs`
    splat at the definition, a constructor whose implementing function is unknown and whose
    framework would fall back to its docstring, a class tool that is only a base for other project
    classes, defines its description as a property, or receives it at construction)."""
    desc = getattr(tool, "description", None)
    if desc == "<dynamic>":
        return None
    spec = getattr(tool, "spec", None)
    kind = getattr(tool, "kind", "")
    if isinstance(desc, str):
        if desc.strip():
            return None
        cls = getattr(tool, "cls", None)
        attr = getattr(spec, "description_attr", None)
        if kind == "class" and cls is not None and attr and (
                g.subclasses(cls.qualname) or class_constructed_with(g, cls.qualname, attr)):
            return None  # an empty default of a generic tool class whose uses give the description
        if kind == "schema" and _schema_filled_later(g, tool, spec):
            return None  # a template: `schema["description"] = ...` fills it in before it is sent
        return "empty"
    func = getattr(tool, "func", None)
    if func is not None and func.node is not None and func.node.docstring and kind == "decorator":
        return None
    if kind == "function":  # a plain function handed to an agent: its docstring is the description
        return "missing"
    if kind in ("decorator", "constructor"):
        call = tool_definition_call(g, tool)
        if call is not None and call.has_kwargs_splat():
            return None
        if kind == "constructor" and func is None and getattr(spec, "description_fallback_docstring", False):
            return None
        return "missing"
    if kind == "class":
        cls = getattr(tool, "cls", None)
        attr = getattr(spec, "description_attr", None)
        if cls is not None and not attr and getattr(spec, "description_fallback_docstring", False):
            # a class described by its docstring only (a project base that reads `cls.__doc__`)
            return None if cls.node.docstring or g.subclasses(cls.qualname) else "missing"
        if cls is None or not attr:
            return None
        if g.subclasses(cls.qualname):
            return None  # a project base class: its subclasses say what they do
        for c in g.mro(cls.qualname):
            if attr in c.methods:
                return None  # a property or method computes it
            for m in c.methods.values():
                if any(site.call.kwarg(attr) is not None or site.call.has_kwargs_splat() for site in m.calls):
                    return None  # passed to super().__init__(...) or similar
        if class_constructed_with(g, cls.qualname, attr):
            return None
        return "missing"
    if kind == "schema":
        schema = getattr(tool, "schema", None)
        if schema is not None and any(k is None for k in schema.keys):
            return None
        body = schema
        wrapper = getattr(spec, "wrapper_key", None)
        if schema is not None and wrapper and isinstance(schema.get(wrapper), ir.Dict):
            body = schema.get(wrapper)
        if body is not None and any(k is None for k in body.keys):
            return None
        return None if _schema_filled_later(g, tool, spec) else "missing"
    return None


def _schema_filled_later(g: ProjectGraph, tool: object, spec: object) -> bool:
    """Is the description key of this schema literal set after it is built (a template)?"""
    schema = getattr(tool, "schema", None)
    if schema is None:
        return False
    body = schema
    wrapper = getattr(spec, "wrapper_key", None)
    if wrapper and isinstance(schema.get(wrapper), ir.Dict):
        body = schema.get(wrapper)
    owner = g.function_of(getattr(tool, "path", ""), schema.pos)
    key = getattr(spec, "description_key", None) or "description"
    return owner is not None and _stored_after(owner, {id(schema), id(body)}, key)


def _stored_after(func: FunctionInfo, literals: set[int], key: str) -> bool:
    """Is `key` set on one of these dict literals after it is built (`schema["description"] = ...`)?"""
    for name, stores in func.item_stores.items():
        if any(isinstance(k, ir.Constant) and k.value == key for k, _, _ in stores) and any(
                id(d.value) in literals for d in func.defs.get(name, ())):
            return True
    return False


def class_constructed_with(g: ProjectGraph, qualname: str, kwarg: str) -> bool:
    """Is the project class `qualname` (or a subclass) instantiated anywhere with keyword `kwarg`
    (or a `**kwargs` splat)?"""
    targets = {qualname} | g.subclasses(qualname)
    names = {q.rpartition(".")[2] for q in targets}
    for name in sorted(names):  # a construction calls the class by its name (`Tool(...)`, `mod.Tool(...)`)
        for site in g.sites_named(name):
            call = site.call
            if call.kwarg(kwarg) is None and not call.has_kwargs_splat():
                continue
            if (ir.dotted(call.func) or "").rpartition(".")[2] not in names:
                continue
            if any(isinstance(v, ClassRef) and v.qualname in targets
                   for v in g.shallow.values(call.func, site.func, site.stmt)):
                return True
    return False


@per_graph
def tools_offered_together(g: ProjectGraph) -> list[list[tuple[object, str, ir.Pos]]]:
    """Groups of tools offered to one model together: the tools of each list/tuple literal (each
    element resolved to its ToolDef through names, instances and constructor calls), and the
    decorator tools registered on the same object (`@server.tool()`, `@agent.tool`) in one module.
    Each entry is (ToolDef, path, position to report at: the list element or the definition)."""
    tools = g.agent.tools
    by_func = {t.func.qualname: t for t in tools if t.kind == "decorator" and t.func is not None}
    by_cls = {t.cls.qualname: t for t in tools if t.kind == "class" and t.cls is not None}
    by_node: dict[tuple[str, ir.Pos], object] = {}
    for t in tools:
        if t.kind == "constructor":
            by_node[(t.path, t.pos)] = t
        elif t.kind == "schema" and t.schema is not None:
            by_node[(t.path, t.schema.pos)] = t

    def resolve(e: ir.Expr, func: FunctionInfo, stmt: object, depth: int = 2) -> Optional[object]:
        if isinstance(e, (ir.Dict, ir.Call)):
            hit = by_node.get((func.path, e.pos))
            if hit is not None:
                return hit
        if isinstance(e, (ir.Name, ir.Attribute, ir.Call)):
            for v in g.values(e if not isinstance(e, ir.Call) else e.func, func, stmt):
                if isinstance(v, FuncRef) and v.qualname in by_func and not isinstance(e, ir.Call):
                    return by_func[v.qualname]
                if isinstance(v, ClassRef) and isinstance(e, ir.Call) and v.qualname in by_cls:
                    return by_cls[v.qualname]
                if isinstance(v, Instance) and v.qualname in by_cls and not isinstance(e, ir.Call):
                    return by_cls[v.qualname]
        if depth > 0 and isinstance(e, (ir.Name, ir.Attribute)):
            defs = g._literal_defs(e, func, stmt)
            if len(defs) == 1:
                value, owner, s = defs[0]
                return resolve(value, owner, s, depth - 1)
        return None

    groups: list[list[tuple[object, str, ir.Pos]]] = []
    for func in g.agent.functions():
        for e, s in func.walk(ir.Seq):
            if not isinstance(e, ir.Seq) or len(e.elts) < 2:
                continue
            group: list[tuple[object, str, ir.Pos]] = []
            for i, elt in enumerate(e.elts):
                if len(group) + len(e.elts) - i < 2:
                    break  # too few elements left to make a group: the rest need not be resolved
                hit = resolve(elt, func, s)
                if hit is not None:
                    group.append((hit, func.path, elt.pos))
            if len(group) >= 2:
                groups.append(group)
    registries: dict[tuple[str, str], list[tuple[object, str, ir.Pos]]] = {}
    for t in tools:
        if t.kind != "decorator" or t.func is None or t.func.node is None:
            continue
        for d in t.func.node.decorators:
            target = d.func if isinstance(d, ir.Call) else d
            if isinstance(target, ir.Attribute):
                receiver = ir.dotted(target.value)
                if receiver:
                    registries.setdefault((t.path, receiver), []).append((t, t.path, tool_anchor(t)))
                break
    groups.extend(grp for grp in registries.values() if len(grp) >= 2)
    return groups


@per_graph
def functions_registered_by_name(g: ProjectGraph) -> dict[str, frozenset[str]]:
    """Name -> project functions stored under that name in a dict literal of the agent code
    (`FUNCTIONS = {"get_quote": get_quote}`): the table a hand-written loop dispatches the model's
    tool calls through, which ties a tool schema's name to its implementation."""
    out: dict[str, set[str]] = {}
    for func in g.agent.functions():
        for d, s in func.exprs.get(ir.Dict, ()):
            if not isinstance(d, ir.Dict):
                continue
            for k, v in zip(d.keys, d.values, strict=False):
                if not (isinstance(k, ir.Constant) and isinstance(k.value, str)) or not isinstance(v, (ir.Name, ir.Attribute)):
                    continue
                for val in g.values(v, func, s):
                    if isinstance(val, FuncRef) and val.qualname in g.functions:
                        out.setdefault(k.value, set()).add(val.qualname)
    return {name: frozenset(qs) for name, qs in out.items()}


@per_graph
def dispatcher_supplied_params(g: ProjectGraph) -> dict[str, frozenset[str]]:
    """Function qualname -> the parameters a hand-written dispatch of the model's tool calls passes
    itself, with a value the model did not write (`handler(ui, session_id, args["question"])`
    supplies `ui` and `session_id`): the app injects them, so a schema rightly leaves them out."""
    out: dict[str, set[str]] = {}
    for d in tool_dispatches(g):
        for site in d.calls:
            call = site.call
            given = [i for i, a in enumerate(call.args) if not isinstance(a, ir.Starred)
                     and model_derived(g, a, site.func, site.stmt) is None]
            if any(isinstance(a, ir.Starred) for a in call.args[:max(given, default=-1) + 1]):
                given = []  # positions after a `*args` are unknown
            keywords = {k.name for k in call.keywords
                        if k.name is not None and model_derived(g, k.value, site.func, site.stmt) is None}
            if not given and not keywords:
                continue
            for target in narrowed_to_branch(g, d, site, dispatch_targets(g, d, site)):
                params = [p.name for p in target.node.params if p.kind in ("normal", "posonly")] \
                    if target.node is not None else []
                if target.cls is not None and params[:1] in (["self"], ["cls"]):
                    params = params[1:]
                names = {params[i] for i in given if i < len(params)} | keywords
                out.setdefault(target.qualname, set()).update(names)
    return {q: frozenset(ns) for q, ns in out.items()}


def schema_class_fields(g: ProjectGraph, tool: object) -> Optional[tuple[dict[str, ir.Pos], ir.Pos]]:
    """The fields (name -> position) of the project model class a class tool gives as its
    parameter schema (catalog `params_attr`: `args_schema: Type[BaseModel] = PeerInput`), and
    where the tool names that class: the annotated class-level names of the class and of its
    project bases, ClassVar ones left out. None when the schema is not such a class (a dict, a
    computed value, a library class)."""
    attr = getattr(getattr(tool, "spec", None), "params_attr", None)
    cls = getattr(tool, "cls", None)
    if not attr or cls is None:
        return None
    for c in g.mro(cls.qualname):
        entries = c.attrs.get(attr, [])
        if not entries:
            continue
        value, stmt, method = entries[0]
        scope = method or c.module.toplevel  # a class-level attribute is read in the module's scope
        refs = [v for v in g.values(value, scope, stmt) if isinstance(v, ClassRef)] if value is not None else []
        if len(refs) != 1 or refs[0].qualname not in g.classes:
            return None
        fields: dict[str, ir.Pos] = {}
        for model in reversed(g.mro(refs[0].qualname)):  # bases first: a subclass redefines a field
            for s in model.node.body:
                if isinstance(s, ir.Assign) and s.annotation is not None and len(s.targets) == 1 \
                        and isinstance(s.targets[0], ir.Name) and not _is_classvar(s.annotation):
                    fields[s.targets[0].id] = s.targets[0].pos
        return (fields, stmt.pos) if fields else None
    return None


def _is_classvar(annotation: ir.Expr) -> bool:
    """`ClassVar[...]` / `typing.ClassVar`: a class constant, not a model field."""
    ann = ir.unwrap_type(annotation)
    if isinstance(ann, ir.Subscript):
        ann = ann.value
    elif isinstance(ann, ir.Other) and ann.kind == "generic_type" and ann.children:  # `ClassVar[...]` as a type
        ann = ann.children[0]
    return (ir.dotted(ann) or "").rpartition(".")[2] == "ClassVar"


def misplaced_required(tool: object) -> Optional[tuple[ir.Expr, tuple[str, ...]]]:
    """A hand-written schema in code whose `required` list sits beside its parameters (`{"name",
    "parameters": {...}, "required": [...]}`) while the parameters' own schema has none: (the
    `required` key, the names it lists), else None."""
    schema = getattr(tool, "schema", None)
    spec = getattr(tool, "spec", None)
    if not isinstance(schema, ir.Dict) or spec is None:
        return None
    wrapper = getattr(spec, "wrapper_key", None)
    body = schema.get(wrapper) if wrapper else schema
    params = body.get(getattr(spec, "params_key", "parameters")) if isinstance(body, ir.Dict) else None
    if not isinstance(body, ir.Dict) or not isinstance(params, ir.Dict) or any(k is None for k in params.keys):
        return None
    if params.get("required") is not None:
        return None
    for k, v in zip(body.keys, body.values, strict=False):
        if not (isinstance(k, ir.Constant) and k.value == "required"):
            continue
        if isinstance(v, ir.Seq):  # a literal list: its names (an empty one requires nothing anyway)
            names = tuple(e.value for e in v.elts if isinstance(e, ir.Constant) and isinstance(e.value, str))
            return (k, names) if v.elts and len(names) == len(v.elts) else None
        if isinstance(v, (ir.Name, ir.Attribute, ir.Call, ir.BoolOp)):  # `self.required`, `required or []`: computed
            return (k, ())
    return None
