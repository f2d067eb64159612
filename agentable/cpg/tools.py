"""Tool discovery: decorated functions, tool constructors, tool base-class subclasses and raw JSON
tool schemas, each recognised through the catalog."""

from __future__ import annotations

import re
from functools import partial
from typing import Optional, Union, cast

from agentable.catalog import tool_param_facts
from agentable.catalog.specs import AgentSpec, ChatModelSpec, LLMCallSpec, ToolConstructorSpec, ToolDecoratorSpec
from agentable.cpg import ir
from agentable.cpg.agent_model import AgentView, ToolDef, ToolParam
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.home_tools import docstring_class_tools, home_made_class_tools
from agentable.cpg.own_agent_tools import OwnAgentSite, own_agent_function_tools, own_agent_sites
from agentable.cpg.module_tools import module_convention_tools
from agentable.cpg.prompt_tools import prompt_described_functions
from agentable.cpg.structure import CallSite, FunctionInfo, ModuleInfo
from agentable.cpg.values import Const, ExtRef, FuncRef, ordered



def discover_tools(g: CodeGraph, layer: AgentView) -> list[ToolDef]:
    out: list[ToolDef] = []
    cat = g.catalog
    seen_funcs: set[str] = set()
    constructions, mapped = _constructor_calls(g, layer)
    applied = _applied_decorators(g, layer)
    for func in layer.functions():
        if func.node is not None and func.node.decorators:
            tool = _decorated_tool(g, func)
            if tool is not None:
                out.append(tool)
                seen_funcs.add(func.qualname)
        for site, spec in constructions.get(id(func), ()):
            out.append(_constructed_tool(g, func, site.call, site.stmt, spec))
        for site, spec in mapped.get(id(func), ()):
            out.extend(_mapped_tools(g, func, site.call, site.stmt, spec))
        for site, deco, impl in applied.get(id(func), ()):
            if impl.qualname not in seen_funcs:
                seen_funcs.add(impl.qualname)
                out.append(_applied_decorator_tool(g, func, site, deco, impl))
        if func.exprs.get(ir.Dict):
            out.extend(_schema_tools(g, func))
    typed, parts = _typed_schema_tools(g, layer)
    # a dict literal written as a keyword of a typed schema (`function={"name": ...}`) is part of it
    out = [t for t in out if not (t.kind == "schema" and id(t.schema) in parts)] + typed
    out.extend(_function_tools(g, layer, seen_funcs))
    out.extend(own_agent_function_tools(g, layer, seen_funcs, _element_values, partial(function_params, g=g)))
    out.extend(_prompt_tools(g, layer, seen_funcs))
    out.extend(module_convention_tools(g, layer.functions(), seen_funcs, partial(function_params, g=g)))
    mods = {m.name for m in layer.relevant_modules}
    for cls in g.classes.values():
        if cls.module.name not in mods:
            continue
        for ext in g.external_bases(cls.qualname):
            base_spec = cat.tool_base(ext)
            if base_spec is not None:
                out.append(_class_tool(g, cls, base_spec))
                break
    out.extend(home_made_class_tools(g, mods, const_str, partial(function_params, g=g)))
    classes = {t.cls.qualname for t in out if t.cls is not None}
    out.extend(t for t in docstring_class_tools(g, mods, [t for t in out if t.kind == "schema"], partial(function_params, g=g))
               if t.cls is not None and t.cls.qualname not in classes)
    return out


_Sites = dict[int, list[tuple[CallSite, "ToolConstructorSpec"]]]


def _constructor_calls(g: CodeGraph, layer: AgentView) -> tuple[_Sites, _Sites]:
    """Per function (by id), its calls of a catalog tool constructor in call order, each with the
    spec of its first external symbol the catalog knows: read from the agent layer's external
    calls (every call's callee resolved once), not by resolving each call again. Second, the
    `map(constructor, functions)` calls, with the constructor's spec."""
    out: _Sites = {}
    mapped: _Sites = {}
    cat = g.catalog
    for site, exts in layer.external_calls:
        for v in exts:
            spec = cat.tool_constructor(v.path)
            if spec is not None:
                out.setdefault(id(site.func), []).append((site, spec))
                break
            if v.path == "map" and site.call.args:
                spec = next((s for c in ordered(g.values(site.call.args[0], site.func, site.stmt))
                             if isinstance(c, ExtRef) and (s := cat.tool_constructor(c.path)) is not None), None)
                if spec is not None:
                    mapped.setdefault(id(site.func), []).append((site, spec))
                    break
    return out, mapped


# ----------------------------------------------------------------------------- plain functions


def _function_tools(g: CodeGraph, layer: AgentView, seen: set[str]) -> list[ToolDef]:
    """Plain functions handed to an agent or an LLM call whose framework turns functions into tools
    described by their docstrings (catalog `function_tools`), e.g. `AssistantAgent(tools=[fn])`,
    `ollama.chat(..., tools=[fn])`."""
    out: list[ToolDef] = []
    for spec, arg, func, stmt in _function_tool_arguments(g, layer):
        for vs in _element_values(g, arg, func, stmt):
            for v in vs:
                if isinstance(v, FuncRef) and v.qualname in g.functions and v.qualname not in seen:
                    impl = g.functions[v.qualname]
                    if impl.node is None:
                        continue
                    seen.add(v.qualname)
                    doc = impl.node.docstring
                    out.append(ToolDef("function", spec.framework, impl.module, impl.node.pos, impl.name, doc,
                                       "docstring" if doc else None, func=impl, spec=spec,
                                       params=function_params(impl, g=g),
                                       description_pos=impl.node.body[0].pos if doc else None,
                                       name_pos=impl.node.name_pos))
    return out


def _prompt_tools(g: CodeGraph, layer: AgentView, seen: set[str]) -> list[ToolDef]:
    """Functions a hand-written agent describes in its prompt by their docstrings (see
    `prompt_tools`): no framework, the docstring (or its absence) is what the model reads."""
    out: list[ToolDef] = []
    for impl, listed_as in prompt_described_functions(g, layer):
        if impl.qualname in seen or impl.node is None:
            continue
        seen.add(impl.qualname)
        doc = impl.node.docstring
        out.append(ToolDef("function", "", impl.module, impl.node.pos, listed_as or impl.name, doc,
                           "docstring" if doc else None, func=impl, params=function_params(impl, g=g),
                           description_pos=impl.node.body[0].pos if doc else None, name_pos=impl.node.name_pos))
    return out


# (the spec of the agent or LLM call, the tools argument, its scope)
_ToolsArgument = tuple[Union[AgentSpec, LLMCallSpec, ChatModelSpec], ir.Expr, FunctionInfo, object]


def _function_tool_arguments(g: CodeGraph, layer: AgentView) -> list[_ToolsArgument]:
    """The tools arguments (spec, expression, scope) of agent constructions and LLM calls whose
    framework accepts plain functions as tools."""
    out: list[_ToolsArgument] = []
    for construct in layer.agent_constructs:
        spec = cast(AgentSpec, construct.spec)  # what AgentLayer builds them with
        if not getattr(spec, "function_tools", False):
            continue
        call, func, stmt = construct.site.call, construct.site.func, construct.site.stmt
        arg = call.kwarg(spec.tools_param) if spec.tools_param else None
        if arg is None and spec.tools_positional is not None and spec.tools_positional < len(call.args):
            arg = call.args[spec.tools_positional]
        if arg is not None:
            out.append((spec, arg, func, stmt))
    for c in layer.llm_calls:
        if getattr(c.spec, "function_tools", False):
            s = c.setting("tools")
            if s is not None:
                out.append((cast(Union[LLMCallSpec, ChatModelSpec], c.spec), s.expr, s.func, s.stmt))
    return out


def _element_values(g: CodeGraph, arg: ir.Expr, func: FunctionInfo, stmt: object, depth: int = 2) -> list:
    """The values of each element of a tools argument: a list/tuple literal (directly or through a
    name), `list(...)` / `tuple(...)` of one, or the values of a dict literal (`TOOLS.values()`)."""
    if isinstance(arg, ir.Seq):
        return [g.values(x, func, stmt) for x in arg.elts]
    if isinstance(arg, ir.Call) and depth > 0 and len(arg.args) == 1 and not arg.keywords:
        f = arg.func
        if isinstance(f, ir.Name) and f.id in ("list", "tuple"):
            return _element_values(g, arg.args[0], func, stmt, depth - 1)
    if isinstance(arg, ir.Call) and not arg.args and isinstance(arg.func, ir.Attribute) and arg.func.attr == "values":
        return [vs for m in g.literal_mappings(arg.func.value, func, stmt, g.resolver) for vs in m.values()]
    return [vs for lit in g.literal_containers(arg, func, stmt, g.resolver) for vs in lit]


def own_agent_constructions(g: CodeGraph, layer: AgentView) -> list[OwnAgentSite]:
    """The project's own agent constructions that list functions as tools (cpg.own_agent_tools)."""
    return own_agent_sites(g, layer, _element_values)


# ----------------------------------------------------------------------------- decorators


def _decorated_tool(g: CodeGraph, func: FunctionInfo) -> Optional[ToolDef]:
    assert func.node is not None
    scope = func.parent or func.module.toplevel
    if func.cls is not None:
        scope = func.module.toplevel
    for d in func.node.decorators:
        target = d.func if isinstance(d, ir.Call) else d
        for v in g.values(target, scope, None):
            if not isinstance(v, ExtRef):
                continue
            spec = g.catalog.tool_decorator(v.path)
            if spec is None:
                continue
            call = d if isinstance(d, ir.Call) else None
            name = _pick_name(g, spec.name_from, call, func, scope)
            desc, source, dpos = _pick_description(g, spec.description_from, call, func, scope)
            if desc is None and _attribute_stored(scope, func.name, "description"):
                desc, source = "<dynamic>", "attribute"  # `my_tool.description = ...` after the definition
            name_expr = call.argument("name", 0) if call is not None else None
            npos = name_expr.pos if name_expr is not None and const_str(g, name_expr, scope) == name else func.node.name_pos
            return ToolDef("decorator", spec.framework, func.module, func.node.pos, name, desc, source, func=func,
                           spec=spec, params=function_params(func, g=g), description_pos=dpos, name_pos=npos)
    return None


_Applied = dict[int, list[tuple[CallSite, "ToolDecoratorSpec", FunctionInfo]]]


def _applied_decorators(g: CodeGraph, layer: AgentView) -> _Applied:
    """Per function (by id), the catalog tool decorators it applies by a call instead of the `@`
    syntax: `agent.register_for_llm(description=...)(open_url)`, `mcp.tool()(search)`, each with
    the decorator call (whose arguments name and describe the tool), its spec and the project
    function it wraps."""
    out: _Applied = {}
    for site, exts in layer.external_calls:
        outer = site.call
        inner = outer.func
        if not isinstance(inner, ir.Call) or len(outer.args) != 1 or outer.keywords:
            continue
        spec = next((s for v in exts if (s := g.catalog.tool_decorator(v.path.removesuffix("()"))) is not None), None)
        if spec is None:
            spec = next((s for v in g.values(inner.func, site.func, site.stmt) if isinstance(v, ExtRef)
                         and (s := g.catalog.tool_decorator(v.path)) is not None), None)
        if spec is None:
            continue
        impls = [g.functions[v.qualname] for v in ordered(g.values(outer.args[0], site.func, site.stmt))
                 if isinstance(v, FuncRef) and v.qualname in g.functions]
        if len(impls) == 1 and impls[0].node is not None:
            out.setdefault(id(site.func), []).append((site, spec, impls[0]))
    return out


def _applied_decorator_tool(g: CodeGraph, func: FunctionInfo, site: CallSite, spec: ToolDecoratorSpec,
                            impl: FunctionInfo) -> ToolDef:
    """The tool a decorator applied by a call builds (see _applied_decorators): reported at the
    decorator call (kind "constructor": its arguments are the tool's metadata, written where it
    is registered), implemented by `impl`."""
    call = site.call.func
    assert isinstance(call, ir.Call)
    name = _pick_name(g, spec.name_from, call, impl, func)
    name_expr = call.argument("name", 0)
    npos = name_expr.pos if name_expr is not None and const_str(g, name_expr, func) == name else None
    desc, source, dpos = _pick_description(g, spec.description_from, call, impl, func)
    if source == "docstring":
        dpos = None  # written in the implementation's file, not where the tool is reported
    return ToolDef("constructor", spec.framework, func.module, call.pos, name, desc, source, func=impl,
                   spec=spec, params=function_params(impl, g=g), description_pos=dpos, name_pos=npos)


def _attribute_stored(scope: FunctionInfo, var: str, attr: str) -> bool:
    """Is `var.attr = ...` assigned in this scope (metadata set after a decorator ran)?"""
    for s in scope.stmts:  # the function's statements in walk order, indexed when the graph was built
        if isinstance(s, ir.Assign):
            for t in s.targets:
                if isinstance(t, ir.Attribute) and t.attr == attr and isinstance(t.value, ir.Name) and t.value.id == var:
                    return True
    return False


def _pick_name(g: CodeGraph, order, call: Optional[ir.Call], func: Optional[FunctionInfo], scope: FunctionInfo) -> Optional[str]:
    for how in order:
        if how == "arg0" and call is not None and call.args:
            s = const_str(g, call.args[0], scope)
            if s is not None:
                return s
        elif how.startswith("kw:") and call is not None:
            v = call.kwarg(how[3:])
            if v is not None:
                s = const_str(g, v, scope)
                if s is not None:
                    return s
        elif how == "function" and func is not None:
            return func.name
    return func.name if func is not None else None


def _pick_description(g: CodeGraph, order, call: Optional[ir.Call], func: Optional[FunctionInfo], scope: FunctionInfo):
    for how in order:
        if how.startswith("kw:") and call is not None:
            v = call.kwarg(how[3:])
            if v is not None:
                s = const_str(g, v, scope)
                return (s if s is not None else "<dynamic>"), "kwarg", v.pos
        elif how.startswith("docstring") and func is not None and func.node is not None and func.node.docstring:
            return func.node.docstring, "docstring", func.node.body[0].pos
    return None, None, None


# ----------------------------------------------------------------------------- constructors


def _constructed_tool(g: CodeGraph, func: FunctionInfo, call: ir.Call, stmt: object, spec) -> ToolDef:
    impl: Optional[FunctionInfo] = None
    fexpr = call.kwarg(spec.func_param) if spec.func_param else None
    if fexpr is None and spec.func_positional is not None and spec.func_positional < len(call.args):
        fexpr = call.args[spec.func_positional]
    if fexpr is not None:
        for v in ordered(g.values(fexpr, func, stmt)):
            if isinstance(v, FuncRef) and v.qualname in g.functions:
                impl = g.functions[v.qualname]
                break
    return _tool_of_construction(g, func, call, spec, impl)


def _mapped_tools(g: CodeGraph, func: FunctionInfo, call: ir.Call, stmt: object, spec) -> list[ToolDef]:
    """`map(FunctionTool.from_defaults, (search, fetch))`: the constructor applied to each function
    of a literal collection (written in the call or bound to a name), one tool per function. Only
    for constructors that take the function as their first positional argument, as map passes it."""
    if len(call.args) != 2 or spec.func_positional != 0:
        return []
    items = call.args[1]
    value_sets = [g.values(x, func, stmt) for x in items.elts] if isinstance(items, ir.Seq) else \
        [vs for lit in g.literal_containers(items, func, stmt, g.resolver) for vs in lit]
    impls: dict[str, FunctionInfo] = {}
    for vs in value_sets:
        for v in vs:
            if isinstance(v, FuncRef) and v.qualname in g.functions:
                impls.setdefault(v.qualname, g.functions[v.qualname])
    return [_tool_of_construction(g, func, None, spec, impl, call.pos) for impl in impls.values()]


def _tool_of_construction(g: CodeGraph, func: FunctionInfo, call: Optional[ir.Call], spec,
                          impl: Optional[FunctionInfo], pos: Optional[ir.Pos] = None) -> ToolDef:
    """The ToolDef a constructor call builds around `impl`; `call` None when the constructor is
    applied without arguments of its own (map), so name and description come from `impl`."""
    name_expr = _arg_expr(call, spec.name_param, spec.name_positional) if call is not None else None
    name = const_str(g, name_expr, func) if name_expr is not None else None
    npos = name_expr.pos if name is not None and name_expr is not None else None
    if name is None and spec.name_fallback_function and impl is not None:
        name = impl.name
        npos = impl.node.name_pos if impl.node is not None else None
    desc_expr = _arg_expr(call, spec.description_param, spec.description_positional) if call is not None else None
    desc: Optional[str] = None
    source: Optional[str] = None
    dpos = None
    if desc_expr is not None:
        desc = const_str(g, desc_expr, func)
        desc = desc if desc is not None else "<dynamic>"
        source, dpos = "kwarg", desc_expr.pos
    elif spec.description_fallback_docstring and impl is not None and impl.node is not None and impl.node.docstring:
        desc, source, dpos = impl.node.docstring, "docstring", impl.node.body[0].pos
    params = function_params(impl, g=g) if impl is not None else []
    where = pos if pos is not None else call.pos  # type: ignore[union-attr]
    return ToolDef("constructor", spec.framework, func.module, where, name, desc, source, func=impl, spec=spec,
                   params=params, description_pos=dpos, name_pos=npos)


def _arg_expr(call: ir.Call, kw: Optional[str], positional: Optional[int]) -> Optional[ir.Expr]:
    if kw:
        v = call.kwarg(kw)
        if v is not None:
            return v
    if positional is not None and positional < len(call.args):
        return call.args[positional]
    return None


def _arg_str(g: CodeGraph, call: ir.Call, kw: Optional[str], positional: Optional[int], func: FunctionInfo) -> Optional[str]:
    e = _arg_expr(call, kw, positional)
    return const_str(g, e, func) if e is not None else None


# ----------------------------------------------------------------------------- classes


def _class_tool(g: CodeGraph, cls, spec) -> ToolDef:
    def attr_str(attr: Optional[str]) -> tuple[Optional[str], Optional[ir.Pos]]:
        if not attr:
            return None, None
        for c in g.mro(cls.qualname):
            for value, _stmt, method in c.attrs.get(attr, []):
                owner = method or c.module.toplevel
                text = const_str(g, value, owner) if value is not None else None
                return (text if text is not None else "<dynamic>"), (value.pos if value is not None else None)
        return None, None

    name, npos = attr_str(spec.name_attr)
    if name is None and getattr(spec, "name_from_class", False):
        name, npos = cls.name, cls.node.name_pos
    desc, dpos = attr_str(spec.description_attr)
    output_type, opos = attr_str(getattr(spec, "output_type_attr", None))
    if desc is None and cls.node.docstring and getattr(spec, "description_fallback_docstring", False):
        desc, dpos = cls.node.docstring, cls.node.body[0].pos
    impl: Optional[FunctionInfo] = None
    for c in g.mro(cls.qualname):
        for m in spec.impl_methods:
            if m in c.methods:
                impl = c.methods[m]
                break
        if impl is not None:
            break
    params = function_params(impl, skip_self=True, g=g) if impl is not None else []
    return ToolDef("class", spec.framework, cls.module, cls.node.pos, name, desc, "attribute" if desc else None,
                   func=impl, cls=cls, spec=spec, params=params, description_pos=dpos, name_pos=npos,
                   output_type=output_type, output_type_pos=opos)


# ----------------------------------------------------------------------------- raw JSON schemas


def _schema_tools(g: CodeGraph, func: FunctionInfo) -> list[ToolDef]:
    out: list[ToolDef] = []
    specs = g.catalog.tool_schemas
    first_keys = {spec.wrapper_key or spec.name_key for spec in specs}
    inner: set[int] = set()  # the wrapped body of a schema already found is not a second tool
    for e, _ in func.walk(ir.Dict):
        if id(e) not in inner and _has_str_key(e, first_keys):
            tool = _match_schema(g, func, e, specs)
            if tool is not None:
                out.append(tool)
                wrapper = getattr(tool.spec, "wrapper_key", None)
                body = e.get(wrapper) if wrapper else None
                if isinstance(body, ir.Dict):
                    inner.add(id(body))
    return out


def _typed_schema_tools(g: CodeGraph, layer: AgentView) -> tuple[list[ToolDef], set[int]]:
    """Tool schemas built by calling an SDK's TypedDict (catalog tool_schema_constructors):
    `ChatCompletionToolParam(type="function", function=FunctionDefinition(name=..., ...))` is the
    dict `{"type": "function", "function": {"name": ..., ...}}`, matched as a literal would be.
    A constructor call that is a keyword of another one is part of that schema, not a second one.
    Second result: the ids of the expressions written as their keywords (parts of a schema)."""
    names = g.catalog.tool_schema_constructors
    if not names:
        return [], set()
    calls = {id(site.call): site for site, exts in layer.external_calls if any(v.path in names for v in exts)}
    inner = {id(kw.value) for site in calls.values() for kw in site.call.keywords}
    out: list[ToolDef] = []
    for key, site in calls.items():
        if key in inner:
            continue
        d = _typed_dict(site.call, calls)
        if _has_str_key(d, {spec.wrapper_key or spec.name_key for spec in g.catalog.tool_schemas}):
            tool = _match_schema(g, site.func, d, g.catalog.tool_schemas)
            if tool is not None:
                out.append(tool)
    return out, inner


def _typed_dict(call: ir.Call, calls: dict[int, CallSite]) -> ir.Dict:
    """The dict a TypedDict call builds from its keywords, nested constructor calls included
    (each key placed where its value is written, as the literal's key would be)."""
    keys: list[Optional[ir.Expr]] = []
    values: list[ir.Expr] = []
    for kw in call.keywords:
        if kw.name is None:
            continue
        keys.append(ir.Constant(kw.value.pos, kw.name))
        v = kw.value
        values.append(_typed_dict(v, calls) if isinstance(v, ir.Call) and id(v) in calls else v)
    return ir.Dict(call.pos, keys, values)


def _has_str_key(d: ir.Dict, keys: set[str]) -> bool:
    """Does the literal have one of these constant keys? A schema spec matches a dict only when
    it has the spec's wrapper key (or, unwrapped, its name key), so a dict without any of them
    is skipped before trying each spec."""
    for k in d.keys:
        if isinstance(k, ir.Constant) and isinstance(k.value, str) and k.value in keys:
            return True
    return False


def _match_schema(g: CodeGraph, func: FunctionInfo, d: ir.Dict, specs) -> Optional[ToolDef]:
    for spec in specs:
        body = d
        if spec.wrapper_key:
            inner = d.get(spec.wrapper_key)
            if not isinstance(inner, ir.Dict):
                continue
            body = inner
        name_e = body.get(spec.name_key)
        params_e = body.get(spec.params_key)
        if name_e is None or params_e is None:
            continue
        if spec.wrapper_key is None and d.get("function") is not None:
            continue  # that is the wrapped form; another spec handles it
        if _has_str_key(body, set(g.catalog.tool_call_record_keys)):
            continue  # a tool call read back from a reply ({"name", "parameters", "id"}), not a schema
        name = const_str(g, name_e, func)
        desc_e = body.get(spec.description_key)
        desc = const_str(g, desc_e, func) if desc_e is not None else None
        if desc_e is not None and desc is None:
            desc = "<dynamic>"
        params: list[ToolParam] = []
        if isinstance(params_e, ir.Dict):
            props = params_e.get("properties")
            if isinstance(props, ir.Dict):
                for k, v in zip(props.keys, props.values, strict=False):
                    pname = k.value if isinstance(k, ir.Constant) and isinstance(k.value, str) else None
                    if pname is None:
                        continue
                    pdoc = None
                    if isinstance(v, ir.Dict):
                        de = v.get(spec.param_description_key)
                        pdoc = const_str(g, de, func) if de is not None else None
                    params.append(ToolParam(pname, None, pdoc))
        impl = _function_named(g, func, name, bool(params)) if name else None
        return ToolDef("schema", spec.provider, func.module, name_e.pos, name, desc,
                       "schema" if desc_e is not None else None, func=impl, spec=spec, params=params,
                       schema=d, description_pos=desc_e.pos if desc_e is not None else None, name_pos=name_e.pos)
    return None


def _function_named(g: CodeGraph, near: FunctionInfo, name: str, has_params: bool) -> Optional[FunctionInfo]:
    """The function a schema's tool name names: one of the schema's module, else the only function
    of that name in the project, unless that one cannot be the tool: it takes no argument while the
    schema declares parameters, or it is another script's entry point (a `run()` its
    `if __name__ == "__main__":` block starts), which shares the name by chance."""
    mod = near.module
    if name in mod.functions:
        return mod.functions[name]
    cands = g.functions_named(name)
    if len(cands) != 1:
        return None
    impl = cands[0]
    if (has_params and not _takes_arguments(impl)) or impl.qualname in _script_entries(impl.module):
        return None
    return impl


def _takes_arguments(func: FunctionInfo) -> bool:
    params = func.node.params if func.node is not None else []
    return any(p.name not in ("self", "cls") for p in params)


def _script_entries(mod: ModuleInfo) -> frozenset[str]:
    """The module's functions a script run starts: those its `if __name__ == "__main__":` block
    calls by name with no argument (`main()`), and those such a function calls so in turn (`run()`).
    A function the block calls with arguments (`search("test")`) is being tried out, not run."""
    guards = [s for s in mod.toplevel.body if isinstance(s, ir.If) and ir.is_main_guard(s.test)]
    todo: list[list[ir.Stmt]] = [g.body for g in guards]
    out: set[str] = set()
    while todo:
        block = todo.pop()
        for s in ir.walk_stmts(block):
            for root in ir.stmt_exprs(s):
                for e in ir.walk_expr(root):
                    if not (isinstance(e, ir.Call) and isinstance(e.func, ir.Name) and not e.args
                            and not e.keywords and e.func.id in mod.functions):
                        continue
                    callee = mod.functions[e.func.id]
                    if callee.qualname not in out and callee.node is not None:
                        out.add(callee.qualname)
                        todo.append(callee.node.body)
    return frozenset(out)


# ----------------------------------------------------------------------------- helpers


def const_str(g: CodeGraph, e: Optional[ir.Expr], func: FunctionInfo) -> Optional[str]:
    """The string an expression certainly evaluates to, or None."""
    s = ir.string_value(e)
    if s is not None and not isinstance(e, ir.FString):
        return s
    if isinstance(e, (ir.Name, ir.Attribute)):
        vals = g.values(e, func, None)
        strs = [v.value for v in vals if isinstance(v, Const) and isinstance(v.value, str)]
        if len(strs) == 1 and len(vals) == 1:
            return strs[0]
    if isinstance(e, ir.FString):
        return e.literal_text()
    return None


def function_params(func: Optional[FunctionInfo], skip_self: Optional[bool] = None,
                    g: Optional[CodeGraph] = None) -> list[ToolParam]:
    """The parameters a tool's schema shows the model, less those the framework injects (with `g`,
    also when their annotation is a project's alias of an injected type)."""
    if func is None or func.node is None:
        return []
    docs = parse_param_docs(func.node.docstring or "")
    params = list(func.node.params)
    if (skip_self or func.cls is not None) and params and params[0].name in ("self", "cls"):
        params = params[1:]
    out: list[ToolParam] = []
    for p in params:
        if p.kind in ("vararg", "kwarg"):
            continue
        if _injected(p.annotation, p.name) or (g is not None and _injected_alias(g, func.module, p.annotation)):
            continue  # the framework fills it; the model never sees it
        out.append(ToolParam(p.name, _ann_text(p.annotation) if p.annotation is not None else None, docs.get(p.name)))
    return out


def _injected(annotation: Optional[ir.Expr], name: Optional[str] = None) -> bool:
    """Is this a parameter the tool framework fills itself (tool_params.toml)?"""
    facts = tool_param_facts()
    if name in facts.injected_names:
        return True
    return any(n.rpartition(".")[2].partition("[")[0] in facts.injected_annotations
               for n in _annotation_names(annotation))


def _annotation_names(annotation: Optional[ir.Expr]) -> list[str]:
    """The dotted names an annotation mentions (`Annotated[dict, InjectedState]`: both), forward
    references included."""
    out: list[str] = []
    for e in ir.walk_expr(annotation):
        if isinstance(e, (ir.Name, ir.Attribute)):
            out.append(ir.dotted(e) or "")
        elif isinstance(e, ir.Constant) and isinstance(e.value, str):
            out.append(e.value.strip())  # a forward reference: "ToolRuntime"
    return out


def _injected_alias(g: CodeGraph, module: ModuleInfo, annotation: Optional[ir.Expr], depth: int = 3) -> bool:
    """Is the annotation a module-level alias of an injected type (`Runtime = ToolRuntime[Ctx,
    State]`), defined in this module or imported from another of the project?"""
    annotation = ir.unwrap_type(annotation)
    if depth <= 0 or not isinstance(annotation, ir.Name):
        return False
    name = annotation.id
    for d in module.toplevel.defs.get(name, []):
        if d.how == "assign" and d.value is not None:
            return _injected(d.value) or _injected_alias(g, module, d.value, depth - 1)
    target = module.imports.get(name)
    if target is None:
        return False
    source, _, attr = target.rpartition(".")
    found = g.find_module(source, module) if source else None
    return found is not None and _injected_alias(g, found, ir.Name(pos=annotation.pos, id=attr), depth - 1)


def annotation_text(e: Optional[ir.Expr]) -> str:
    """The dotted text of a type annotation's head (`str`, `list` for `list[str]`), "" for none."""
    if e is None:
        return ""
    while isinstance(e, ir.Other) and e.kind in ("type", "generic_type") and e.children:
        e = e.children[0]  # tree-sitter wraps annotations in `type` / `generic_type` nodes (head first)
    d = ir.dotted(e)
    if d:
        return d
    if isinstance(e, ir.Subscript):
        return f"{_ann_text(e.value)}[{_ann_text(e.index)}]"
    if isinstance(e, ir.Constant):
        return str(e.value)
    return type(e).__name__


_ann_text = annotation_text


_SECTION_RE = re.compile(r"^\s*(Args|Arguments|Parameters|Params|Keyword Args|Inputs)\s*:?\s*$", re.I)
_OTHER_SECTION_RE = re.compile(r"^\s*(Returns?|Yields?|Raises|Examples?|Notes?|Output|See Also)\s*:?\s*$", re.I)
_ARG_LINE_RE = re.compile(r"^\s*\*{0,2}([A-Za-z_][A-Za-z0-9_]*)\s*(\([^)]*\))?\s*:\s*(.*)$")
_SPHINX_RE = re.compile(r":param\s+(?:[\w\[\], ]+\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)")
_NUMPY_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")


def parse_param_docs(doc: str) -> dict[str, str]:
    """Parameter documentation from Google, Sphinx or NumPy style docstrings."""
    out: dict[str, str] = {}
    for m in _SPHINX_RE.finditer(doc):
        out[m.group(1)] = m.group(2).strip()
    lines = doc.splitlines()
    in_args = False
    indent = None
    header_indent = -1  # a Google-style section (`Args:`) ends at the first line not indented past it
    for line in lines:
        if _SECTION_RE.match(line):
            in_args = True
            indent = None
            header_indent = len(line) - len(line.lstrip()) if line.rstrip().endswith(":") else -1
            # NumPy underline
            continue
        if in_args and (_OTHER_SECTION_RE.match(line)):
            in_args = False
            continue
        if not in_args or not line.strip() or set(line.strip()) <= {"-"}:
            continue
        cur_indent = len(line) - len(line.lstrip())
        if cur_indent <= header_indent or (indent is not None and cur_indent < indent):
            in_args = False  # dedented: the parameter list is over (`Schema:`, `Note that ...`)
            continue
        if indent is None:
            indent = cur_indent
        if cur_indent > indent:
            continue  # continuation line
        arg = _ARG_LINE_RE.match(line) or _NUMPY_RE.match(line)
        if arg:
            out.setdefault(arg.group(1), (arg.groups()[-1] or "").strip())
    return out
