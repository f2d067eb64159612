"""Tool metadata as the model sees it: descriptions, parameters and schemas, where to report a
tool, and the ToolDef of each implementing function (IETI, MNFT, TRE)."""

from __future__ import annotations

from typing import Optional, cast

from agentable.cpg import ir
from agentable.cpg.agent import ToolDef
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.tools import ToolParam, function_params, parse_param_docs
from agentable.query.facts import per_graph


def tool_definition_call(g: ProjectGraph, tool: object) -> Optional[ir.Call]:
    """The decorator call (`@tool(...)`) or constructor call that defines a tool, if any. `tool` is
    a ToolDef or another tool-like object (a catalog spec), which has no definition call."""
    kind = getattr(tool, "kind", "")
    func = getattr(tool, "func", None)
    if kind == "decorator" and func is not None and func.node is not None:
        for d in func.node.decorators:
            if isinstance(d, ir.Call):
                return d
        return None
    if kind == "constructor":
        mod = getattr(tool, "module", None)
        pos = getattr(tool, "pos", None)
        if mod is None or pos is None:
            return None
        owner = g.function_of(mod.path, pos)
        for f in ([owner] if owner is not None else []) + [mod.toplevel]:
            for site in f.calls:
                if site.call.pos == pos:
                    return site.call
    return None


def tool_function_param_names(func: Optional[FunctionInfo]) -> Optional[set[str]]:
    """Every parameter name of a tool's implementing function (self and injected context
    included), or None when the function accepts `**kwargs` (any documented name may be valid)
    or is unknown."""
    if func is None or func.node is None:
        return None
    if any(p.kind == "kwarg" for p in func.node.params):
        return None
    return {p.name for p in func.node.params}


def shown_params(tool: ToolDef, g: Optional[ProjectGraph] = None) -> list[ToolParam]:
    """The parameters of a tool's implementing function that its schema shows the model: less the
    framework's injected ones (function_params) and those the project hides from every schema
    (`hidden_params` of its spec, e.g. swarm-style `context_variables`)."""
    hidden: frozenset[str] = getattr(tool.spec, "hidden_params", frozenset())
    return [p for p in function_params(tool.func, g=g) if p.name not in hidden]


def tool_reads_docstring(tool: ToolDef) -> bool:
    """Does the model see the implementing function's docstring (as the description, or as parsed
    parameter documentation)?"""
    spec = getattr(tool, "spec", None)
    return getattr(tool, "description_source", None) == "docstring" or bool(
        getattr(spec, "parse_docstring_params", False) or getattr(spec, "requires_param_docs", False))


def documented_param_names(tool: ToolDef) -> dict[str, str]:
    """Parameter documentation in the implementing function's docstring (Google, Sphinx or NumPy
    sections): name -> text. Empty when there is no such section."""
    func = getattr(tool, "func", None)
    if func is None or func.node is None or not func.node.docstring:
        return {}
    return parse_param_docs(func.node.docstring)


def schema_body(tool: ToolDef) -> Optional[ir.Dict]:
    """The dict of a JSON tool schema that holds name/description/parameters (inside the
    wrapper key when the schema has one)."""
    schema = getattr(tool, "schema", None)
    if schema is None:
        return None
    wrapper = getattr(getattr(tool, "spec", None), "wrapper_key", None)
    if wrapper:
        inner = schema.get(wrapper)
        return inner if isinstance(inner, ir.Dict) else None
    return schema


def schema_properties(tool: ToolDef) -> Optional[list[tuple[str, ir.Expr, Optional[ir.Dict]]]]:
    """(name, key expression, property dict) for each property of a JSON tool schema's
    parameters (none for a literal `{"type": "object"}` without properties), or None when the
    parameters are not a literal `{"properties": {...}}`."""
    body = schema_body(tool)
    if body is None:
        return None
    params = body.get(getattr(getattr(tool, "spec", None), "params_key", "parameters"))
    if not isinstance(params, ir.Dict) or any(k is None for k in params.keys):
        return None
    props = params.get("properties")
    if props is None and ir.string_value(params.get("type")) == "object" and not any(
            isinstance(k, ir.Constant) and k.value in ("$ref", "anyOf", "oneOf", "allOf") for k in params.keys):
        return []  # `{"type": "object"}`: an object without properties
    if not isinstance(props, ir.Dict) or any(k is None for k in props.keys):
        return None
    out: list[tuple[str, ir.Expr, Optional[ir.Dict]]] = []
    for k, v in zip(props.keys, props.values, strict=False):
        if isinstance(k, ir.Constant) and isinstance(k.value, str):
            out.append((k.value, k, v if isinstance(v, ir.Dict) else None))
    return out


def tool_anchor(tool: ToolDef) -> ir.Pos:
    """Where to report a finding about a tool as a whole: the `def` or `class` name line for
    decorated functions, functions listed as tools and tool classes (not the whole body, nor a
    decorator above it), else the constructor call or schema name."""
    kind = getattr(tool, "kind", "")
    func = getattr(tool, "func", None)
    cls = getattr(tool, "cls", None)
    if kind == "decorator" and func is not None and func.node is not None:
        return func.node.name_pos
    if kind == "class" and cls is not None:
        return cls.node.name_pos
    if func is not None and func.node is not None and tool.pos == func.node.pos:
        return func.node.name_pos  # a function listed as a tool: its def line, not its first decorator
    pos = tool.pos
    return (pos[0], pos[1], pos[0], pos[3] if pos[2] == pos[0] else pos[1] + 1)


def tool_functions_of(g: ProjectGraph, tool) -> list[FunctionInfo]:
    """The functions that run when the model calls `tool`: its function, or for a tool class the
    framework's implementation methods (`_run`, `forward`, …) as the class hierarchy resolves them."""
    funcs: list[FunctionInfo] = [tool.func] if tool.func is not None else []
    if tool.cls is not None:
        for m in getattr(tool.spec, "impl_methods", ()) or ():
            for cls in g.mro(tool.cls.qualname):
                if m in cls.methods:
                    funcs.append(cls.methods[m])
                    break
    return funcs


@per_graph
def tool_defs_by_function(g: ProjectGraph) -> dict[str, ToolDef]:
    """Implementing function qualname -> its ToolDef (framework tools and schema-matched functions).
    A function only described to the model (own_agent_tools.OwnAgentToolSpec.described_only) is
    left out: how it runs and what the model observes of its result is not known."""
    out: dict[str, ToolDef] = {}
    for t in g.agent.tools:
        if getattr(t.spec, "described_only", False):
            continue
        for f in tool_functions_of(g, t):
            out.setdefault(f.qualname, t)
    return out


def tool_received_nowhere(g: ProjectGraph, tool: ToolDef) -> bool:
    """True when nothing in the project can hand `tool` to a model: the project builds agents of
    its own (a project with none may be a library whose users pass its tools, so its tools stay
    in), and the tool class or plainly decorated function is named nowhere in the code but at its
    own definition (no `tools=[...]`, crew, registry, import or `__all__` reaches it; a comment
    does not; a template copied into several folders is still named nowhere). Tools registered
    by a decorator on an object (`@mcp.tool()`, `@agent.tool`) and constructed tool objects
    count as received."""
    if not g.agent.agent_constructs:
        return False
    ident = _tool_identifier(tool)
    return ident is not None and ident not in _named_in_code(g)


def _tool_identifier(tool: ToolDef) -> Optional[str]:
    """The name the code would use to hand the tool over, when handing it over needs that name."""
    if tool.kind == "class" and tool.cls is not None:
        return tool.cls.name
    func = tool.func
    if tool.kind == "decorator" and func is not None and func.node is not None and func.parent is None:
        for d in func.node.decorators:
            target = d.func if isinstance(d, ir.Call) else d
            if not isinstance(target, ir.Name):  # `@server.tool()` registers the function itself
                return None
        return func.name
    return None


@per_graph
def _named_in_code(g: ProjectGraph) -> frozenset[str]:
    """Every identifier the project's code uses, read from its modules' IR: names, attributes and
    keyword names of expressions (decorators, defaults, annotations and `except` clauses
    included), imported names, and whole string literals (a registry's `"Name"`, `__all__`). A
    `class` or `def` statement's own name is not a use (it is no expression), nor is a comment."""
    out: set[str] = set()
    for mod in g.modules.values():
        for s in ir.walk_stmts(mod.ir.body, into_defs=True):
            roots: list[Optional[ir.Expr]] = list(ir.stmt_exprs(s))
            if isinstance(s, ir.FunctionDef):
                roots += [p.annotation for p in s.params] + [s.returns]
                out.update(p.name for p in s.params)
            elif isinstance(s, ir.Assign):
                roots.append(s.annotation)
            elif isinstance(s, ir.Try):
                roots += [t for h in s.handlers for t in h.types]
            elif isinstance(s, (ir.Import, ir.ImportFrom)):
                if isinstance(s, ir.ImportFrom):
                    out.update(s.module.split("."))
                for a in s.names:
                    out.update(a.name.split("."))
                    if a.asname:
                        out.add(a.asname)
            for root in roots:
                for e in ir.walk_expr(root):
                    if e.__class__ is ir.Name:  # the commonest node: noted here, without a call
                        out.add(e.id)
                    else:
                        _note(e, out)
    return frozenset(out)


def _note(e: ir.Expr, out: set[str]) -> None:
    """The identifier one expression node itself names (not its sub-expressions')."""
    cls = e.__class__
    if cls is ir.Name:
        out.add(cast(ir.Name, e).id)
    elif cls is ir.Attribute:
        out.add(cast(ir.Attribute, e).attr)
    elif cls is ir.Constant:
        v = cast(ir.Constant, e).value
        if isinstance(v, str):
            out.add(v)
    elif cls is ir.Call:
        out.update(kw.name for kw in cast(ir.Call, e).keywords if kw.name)


def kwargs_key_reads(func: Optional[FunctionInfo]) -> Optional[dict[str, ir.Expr]]:
    """The keys a tool function reads by name from its `**kwargs` (`kwargs["path"]`,
    `kwargs.get("path", ".")`, `"path" in kwargs`): key -> its first read. None when the function
    takes no `**kwargs` or uses the mapping another way (passes it on, iterates it, stores it), so
    that which keys it needs is not known."""
    if func is None or func.node is None:
        return None
    var = next((p.name for p in func.node.params if p.kind == "kwarg"), None)
    if var is None:
        return None

    def named(e: object) -> bool:
        return isinstance(e, ir.Name) and e.id == var

    reads: dict[str, ir.Expr] = {}
    allowed: set[int] = set()
    uses = 0
    for e, _s in func.expr_walk:
        if named(e):
            uses += 1
        key: Optional[ir.Expr] = None
        holder: Optional[ir.Expr] = None
        if isinstance(e, ir.Subscript) and named(e.value):
            key, holder = e.index, e.value
        elif isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr == "get" \
                and named(e.func.value) and e.args:
            key, holder = e.args[0], e.func.value
        elif isinstance(e, ir.Compare) and len(e.comparators) == 1 and named(e.comparators[0]) \
                and e.ops[0] in ("in", "not in"):
            key, holder = e.left, e.comparators[0]
        if key is None or holder is None:
            continue
        name = ir.string_value(key)
        if name is None or isinstance(key, ir.FString):
            return None  # a computed key: any name may be read
        allowed.add(id(holder))
        reads.setdefault(name, e)
    return reads if uses == len(allowed) else None


def class_schema_properties(g: ProjectGraph, tool: ToolDef) -> Optional[dict[str, ir.Expr]]:
    """Property name -> key expression of the literal JSON schema a tool class gives as its
    parameters (its spec's `params_attr`: `input_schema = {"type": "object", "properties": {...}}`,
    the nearest class of its hierarchy that sets it). None when the schema is not such a literal."""
    attr = getattr(getattr(tool, "spec", None), "params_attr", None)
    if not attr or tool.cls is None:
        return None
    for c in g.mro(tool.cls.qualname):
        entries = [v for v, _s, m in c.attrs.get(attr, []) if m is None]
        if not entries:
            continue
        props = entries[0].get("properties") if isinstance(entries[0], ir.Dict) else None
        if not isinstance(props, ir.Dict) or any(not isinstance(k, ir.Constant) for k in props.keys):
            return None
        return {k.value: k for k in props.keys if isinstance(k, ir.Constant) and isinstance(k.value, str)}
    return None
