"""A project's own tool base class: a class of the scanned project (not a catalogued framework's)
that declares what a model-facing tool has, a name, a description and a parameter schema
(class attributes or pydantic/dataclass fields), and a method that runs the tool whose own body is
a stub (`raise NotImplementedError`, `...`, an abstract method) that several subclasses implement.
Its concrete subclasses are tools: the implementing method runs the tool, the name and description
come from the class attributes (or the subclass's `super().__init__(name=..., description=...)`).
An ordinary class with a `name` and a `run` method is not such a base: the description, the
parameter schema and the stub overridden by several subclasses are all required. The attribute and
method names are catalog data (tools.toml [home_made_tool_base])."""

from __future__ import annotations

from typing import Optional

from agentable.catalog.specs import ToolBaseSpec
from agentable.cpg import ir
from agentable.cpg.agent_model import ToolDef, ToolParam
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.structure import ClassInfo, FunctionInfo, is_property, stub_body


def _class_level(cls: ClassInfo, attrs: tuple[str, ...]) -> Optional[str]:
    """The first of `attrs` the class body itself declares: an assignment or annotated field, or a
    property (`@property @abstractmethod def input_schema(self)`, the abstract-base spelling)."""
    return next((a for a in attrs if any(m is None for _v, _s, m in cls.attrs.get(a, []))
                 or (a in cls.methods and is_property(cls.methods[a]))), None)


def _property_value(cls: ClassInfo, attr: str) -> Optional[tuple[ir.Expr, FunctionInfo]]:
    """What a concrete property of the class returns (`def name(self): return "search"`): the
    expression of its only return, with the method; None for a stub or another body."""
    m = cls.methods.get(attr)
    if m is None or not is_property(m) or stub_body(m):
        return None
    rets = [s for s in m.body if isinstance(s, ir.Return)]
    if len(rets) == 1 and rets[0].value is not None:
        return rets[0].value, m
    return None


def _is_framework_class(g: CodeGraph, cls: ClassInfo) -> bool:
    """Is this project class a catalogued framework's own tool class (scanning the framework itself)?"""
    q = cls.qualname
    if any(g.catalog.tool_base(b) is not None for b in g.external_bases(q)):
        return True  # a project subclass of a catalogued base: its tools are the framework's
    return any(q == c or q.endswith("." + c) for spec in g.catalog.tool_bases for c in spec.classes)


def _descendants(g: CodeGraph, qualname: str) -> list[ClassInfo]:
    out: dict[str, ClassInfo] = {}
    todo = [qualname]
    while todo:
        for q in sorted(g.subclasses(todo.pop())):
            c = g.classes.get(q)
            if c is not None and q not in out:
                out[q] = c
                todo.append(q)
    return list(out.values())


def _base_spec(g: CodeGraph, cls: ClassInfo, shape: dict) -> Optional[tuple[ToolBaseSpec, list[ClassInfo]]]:
    """The spec of a home-made tool base and its concrete tool subclasses, or None when `cls` does
    not have the shape (see the module docstring)."""
    name_attr = _class_level(cls, tuple(shape.get("name_attrs", ())))
    desc_attr = _class_level(cls, tuple(shape.get("description_attrs", ())))
    params_attr = _class_level(cls, tuple(shape.get("params_attrs", ())))
    if not (name_attr and desc_attr and params_attr):
        return None
    impl = next((m for m in shape.get("impl_methods", ()) if m in cls.methods
                 and cls.methods[m].node is not None and stub_body(cls.methods[m])), None)
    if impl is None or _is_framework_class(g, cls):
        return None
    tools: list[ClassInfo] = []
    for sub in _descendants(g, cls.qualname):
        own = sub.methods.get(impl)
        resolved = next((c.methods[impl] for c in g.mro(sub.qualname) if impl in c.methods), None)
        if resolved is None or resolved.node is None or stub_body(resolved):
            continue  # still abstract
        if (own is not None and not stub_body(own)) or _class_level(sub, (name_attr,)) or _init_sets(sub, name_attr):
            tools.append(sub)
    if sum(1 for t in tools if impl in t.methods) < int(shape.get("min_implementations", 2)):
        return None
    # the public methods of the base that run the implementation (`__call__` -> `self.execute(...)`)
    runners = [n for n, m in cls.methods.items() if n != impl and m.node is not None and any(
        isinstance(s.call.func, ir.Attribute) and s.call.func.attr == impl
        and isinstance(s.call.func.value, ir.Name) and s.call.func.value.id == "self" for s in m.calls)]
    spec = ToolBaseSpec(classes=(cls.qualname,), framework="", name_attr=name_attr, description_attr=desc_attr,
                        params_attr=params_attr, impl_methods=(impl,), run_methods=(impl, *runners),
                        # the schema is the parameters attribute, not the method's annotations, and
                        # the project's own loop turns results into text: a `-> str` is no contract
                        results_stringified=True,
                        notes=f"the scanned project's tool base class `{cls.name}`")
    return spec, tools


def _init_call_kwarg(cls: ClassInfo, attr: str) -> Optional[ir.Expr]:
    """`attr=...` in the class's own `super().__init__(...)` call."""
    init = cls.methods.get("__init__")
    if init is None:
        return None
    for site in init.calls:
        f = site.call.func
        if isinstance(f, ir.Attribute) and f.attr == "__init__" and isinstance(f.value, ir.Call) \
                and isinstance(f.value.func, ir.Name) and f.value.func.id == "super":
            v = site.call.kwarg(attr)
            if v is not None:
                return v
    return None


def _init_sets(cls: ClassInfo, attr: str) -> bool:
    return _init_call_kwarg(cls, attr) is not None


def _attr(g: CodeGraph, cls: ClassInfo, attr: str, const_str) -> tuple[Optional[str], Optional[ir.Pos], Optional[ir.Expr]]:
    """The text (or "<dynamic>"), position and expression of the attribute a tool class sets:
    its own or an inherited class-level value, or its `super().__init__(attr=...)` keyword."""
    for c in g.mro(cls.qualname):
        kw = _init_call_kwarg(c, attr)
        if kw is not None:
            init = c.methods["__init__"]
            text = const_str(g, kw, init)
            return (text if text is not None else "<dynamic>"), kw.pos, kw
        prop = _property_value(c, attr)
        if prop is not None:
            text = const_str(g, prop[0], prop[1])
            return (text if text is not None else "<dynamic>"), prop[0].pos, prop[0]
        for value, _stmt, method in c.attrs.get(attr, []):
            if method is not None or value is None:
                continue
            text = const_str(g, value, c.module.toplevel)
            return (text if text is not None else "<dynamic>"), value.pos, value
    # only the base declares it, with no value: a required field each construction fills in
    return "<dynamic>", None, None


def _schema_docs(e: Optional[ir.Expr]) -> dict[str, str]:
    """Parameter name -> description of a literal JSON schema (`{"properties": {...}}`)."""
    props = e.get("properties") if isinstance(e, ir.Dict) else None
    out: dict[str, str] = {}
    if isinstance(props, ir.Dict):
        for k, v in zip(props.keys, props.values, strict=False):
            if isinstance(k, ir.Constant) and isinstance(k.value, str) and isinstance(v, ir.Dict):
                d = ir.string_value(v.get("description"))
                if d:
                    out[k.value] = d
    return out


def home_made_class_tools(g: CodeGraph, modules: set[str], const_str, function_params) -> list[ToolDef]:
    """The tools of the project's own tool base classes defined in `modules` (the agent layer's).
    Each concrete subclass is one ToolDef of kind "class" whose func is its implementing method.
    `const_str` and `function_params` are cpg.tools' (passed in: that module imports this one)."""
    shape = g.catalog.home_made_tool_base
    if not shape:
        return []
    out: list[ToolDef] = []
    done: set[str] = set()
    for base in list(g.classes.values()):
        found = _base_spec(g, base, shape)
        if found is None:
            continue
        spec, tools = found
        for cls in tools:
            # a subclass outside the agent layer counts when the base is in it: such tools are
            # often found at run time (importlib over a tools/ folder, `__subclasses__()`)
            if cls.qualname in done or (cls.module.name not in modules and base.module.name not in modules):
                continue
            done.add(cls.qualname)
            name, npos, _ = _attr(g, cls, spec.name_attr or "", const_str)
            desc, dpos, _ = _attr(g, cls, spec.description_attr or "", const_str)
            _p, _pp, schema = _attr(g, cls, spec.params_attr or "", const_str)
            impl: Optional[FunctionInfo] = next(
                (c.methods[spec.impl_methods[0]] for c in g.mro(cls.qualname) if spec.impl_methods[0] in c.methods), None)
            docs = _schema_docs(schema)
            params = [ToolParam(p.name, p.annotation, p.doc or docs.get(p.name))
                      for p in function_params(impl, skip_self=True)]
            out.append(ToolDef("class", "", cls.module, cls.node.pos, name, desc, "attribute" if desc else None,
                               func=impl, cls=cls, spec=spec, params=params, description_pos=dpos, name_pos=npos))
    return out


def _reads_own_docstring(func: FunctionInfo) -> bool:
    """Does the method read its class's docstring: `cls.__doc__`, `self.__doc__`,
    `type(self).__doc__`, `self.__class__.__doc__`?"""
    for e, _s in func.expr_walk:
        if not (isinstance(e, ir.Attribute) and e.attr == "__doc__"):
            continue
        v = e.value
        if isinstance(v, ir.Attribute) and v.attr == "__class__":
            v = v.value
        if isinstance(v, ir.Call) and isinstance(v.func, ir.Name) and v.func.id == "type" and len(v.args) == 1:
            v = v.args[0]
        if isinstance(v, ir.Name) and v.id in ("cls", "self"):
            return True
    return False


def docstring_class_tools(g: CodeGraph, modules: set[str], schema_tools: list[ToolDef],
                          function_params) -> list[ToolDef]:
    """The tools of a project base class that describes its subclasses by their docstrings: a
    method of the base builds a tool schema (one of `schema_tools`, found in its body) and reads
    the class's own `__doc__` (`schema["description"] = parse(cls.__doc__)...`), and the base has a
    stub method (a catalog `impl_methods` name) that several subclasses implement. Each concrete
    subclass is a tool named after its class, described by its class docstring (None when it has
    none), whose implementing method runs it. The base must be in the agent layer's `modules`."""
    shape = g.catalog.home_made_tool_base
    if not shape:
        return []
    builders: dict[str, FunctionInfo] = {}
    for t in schema_tools:
        owner = g.function_of(t.path, t.pos)
        if owner is not None and owner.cls is not None and _reads_own_docstring(owner):
            builders.setdefault(owner.cls.qualname, owner)
    out: list[ToolDef] = []
    done: set[str] = set()
    for q in sorted(builders):
        base = g.classes.get(q)
        if base is None or base.module.name not in modules or any(
                g.catalog.tool_base(b) is not None for b in g.external_bases(q)):
            continue  # (a subclass of a catalogued framework base is that framework's tool; the
            # framework's own base, when the scan is of the framework itself, is still found here)
        impl_name = next((m for m in shape.get("impl_methods", ()) if m in base.methods
                          and base.methods[m].node is not None and stub_body(base.methods[m])), None)
        if impl_name is None:
            continue
        tools = [sub for sub in _descendants(g, q) if impl_name in sub.methods
                 and sub.methods[impl_name].node is not None and not stub_body(sub.methods[impl_name])]
        if len(tools) < int(shape.get("min_implementations", 2)):
            continue
        spec = ToolBaseSpec(classes=(q,), framework="", name_attr="", name_from_class=True, description_attr="",
                            impl_methods=(impl_name,), run_methods=(impl_name,), results_stringified=True,
                            description_fallback_docstring=True,
                            notes=f"the scanned project's tool base class `{base.name}`, described by docstrings")
        for cls in tools:
            if cls.qualname in done or g.subclasses(cls.qualname):
                continue  # an intermediate base: its subclasses are the tools
            done.add(cls.qualname)
            impl = cls.methods[impl_name]
            doc = cls.node.docstring
            out.append(ToolDef("class", "", cls.module, cls.node.pos, cls.name, doc, "docstring" if doc else None,
                               func=impl, cls=cls, spec=spec, params=function_params(impl, skip_self=True),
                               description_pos=cls.node.body[0].pos if doc else None, name_pos=cls.node.name_pos))
    return out
