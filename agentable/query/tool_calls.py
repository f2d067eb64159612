"""Tool dispatch in hand-written loops, whether tools can fail, and what they return (MNFT, TRE)."""

from __future__ import annotations

from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Iterable, Optional, Union

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.flow import exception_catches
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import LLMOutput, Parsed, Typed, Value
from agentable.query.facts import per_graph
from agentable.query.guards import _names_in, guarded_in_expr, tested_before
from agentable.query.literals import bound_name
from agentable.query.text_uses import _expr_parents, failure_guard
from agentable.query.tools import _tool_definition_call, tool_functions_of


def stmt_of(func: FunctionInfo, expr: ir.Expr) -> Optional[ir.Stmt]:
    """The statement of `func` (not of a nested def) whose own expressions contain `expr`."""
    for e, s in func.walk(expr.__class__):
        if e is expr:
            return s
    return None


def model_derived(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                  depth: int = 3, _steps: int = 6) -> Optional[Union[LLMOutput, Parsed]]:
    """The model output that `e` is computed from, or None: the response or its text (any field,
    e.g. `tool_call.function.name`, `block.name`), a structure parsed from it, or text extracted from
    it by a regex or string operation (`re.search(r"Action: (.*)", text).group(1).strip()`), an
    item of a structure parsed from such extracted text (`json.loads(m.group(1))["tool"]`), and what
    a graph node reads from a state channel its graph's nodes fill with model replies
    (`state["messages"][-1].tool_calls`, query.graph_state). Values validated by a schema
    (structured output, pydantic) do not count."""
    from agentable.cpg.values import ExtRef
    from agentable.query.graph_state import channel_model_output, state_channel_read

    if e is None:
        return None
    vals = g.values(e, func, stmt)
    outputs = [v for v in vals if isinstance(v, LLMOutput) or (isinstance(v, Parsed) and not v.validated)]
    if outputs:
        return min(outputs, key=_output_order)
    if depth <= 0:
        return None
    if _steps > 0:
        channel = state_channel_read(g, e, func)
        if channel is not None:  # a graph node reading what the graph's nodes returned under this key
            return channel_model_output(g, func, channel)
        if not any(isinstance(v, ExtRef) for v in vals):
            return _derived_through_structure(g, e, func, stmt, depth, _steps - 1)
    for v in sorted((v for v in vals if isinstance(v, ExtRef)), key=_ext_order):
        if v.site is not None:
            path, call = v.site
            owner = g.function_of(path, call.pos)
            if owner is None:
                continue
            st = stmt_of(owner, call)
            subs: list[ir.Expr] = list(call.args) + [kw.value for kw in call.keywords]
            if isinstance(call.func, ir.Attribute):
                subs.insert(0, call.func.value)
            for sub in subs:
                hit = model_derived(g, sub, owner, st, depth - 1)
                if hit is not None:
                    return hit
    return None


# Methods whose result is still the receiver's data: a dict item (`action.get("tool")`) or the
# receiver's text (`name.strip()`).
_DATA_METHODS = frozenset({"get", "pop", "strip", "lstrip", "rstrip", "lower", "upper", "casefold", "replace"})


def _derived_through_structure(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: object, depth: int,
                               steps: int) -> Optional[Union[LLMOutput, Parsed]]:
    """model_derived for a value the resolver keeps only as a type: text the resolver does not
    follow (a regex group of the reply) parsed into a structure (`action = json.loads(m.group(1))`)
    and read by item (`action["tool"]`, `action.get("tool")`), and a graph node's read of a state
    channel its graph's nodes fill with model replies (`state["messages"][-1].tool_calls`).
    Follows the expression back through items, fields, data methods, parser calls and the local
    assignments and loop variables of names."""
    from agentable.cpg.resolve import PARSERS
    from agentable.cpg.values import ExtRef

    if isinstance(e, ir.Subscript) and not isinstance(e.index, ir.Slice):
        return model_derived(g, e.value, func, stmt, depth, steps)
    if isinstance(e, ir.Attribute):  # a field of a message (`last.tool_calls`)
        return model_derived(g, e.value, func, stmt, depth, steps)
    if isinstance(e, ir.Comp) and e.kind != "dict":
        # a list filtered from the reply (`[i for i in resp.output if i.type == "function_call"]`):
        # its elements are what the comprehension yields
        return model_derived(g, e.elt, func, stmt, depth, steps)
    if isinstance(e, ir.Call):
        f = e.func
        if isinstance(f, ir.Attribute) and f.attr in _DATA_METHODS:
            return model_derived(g, f.value, func, stmt, depth, steps)
        parser = next((PARSERS[v.path] for v in g.values(f, func, stmt) if isinstance(v, ExtRef) and v.path in PARSERS), None)
        if parser is not None and e.args:
            src = model_derived(g, e.args[0], func, stmt, depth, steps)
            if isinstance(src, LLMOutput):
                return Parsed(src.with_step((func.path, e.pos, f"parsed with {parser}")), parser)
            return src
        return None
    if isinstance(e, ir.Name) and stmt is not None and e.id not in func.globals_declared:
        for d in g.resolver.local_defs(func, e.id, stmt):
            # an assigned value, or an element of an iterated one (`for call in msg.tool_calls`); not an
            # unpacked one: `tool, arg = m.groups()` may come from a regex whose group lists the tools
            if d.how in ("assign", "walrus", "iter") and d.value is not None and d.value is not e:
                hit = model_derived(g, d.value, func, d.stmt, depth, steps)
                if hit is not None:
                    return hit
    return None


# A value set is a frozenset whose order follows hashes of object ids, which differ from run to run:
# when several model outputs reach an expression, pick one by content so every run reports the
# same one (the longest derivation, i.e. the most detailed flow, then by position).
def _output_order(v: Union[LLMOutput, Parsed]) -> tuple:
    src = v.source if isinstance(v, Parsed) else v
    steps = tuple((path, pos, msg) for path, pos, msg in src.steps)
    parsed = (1, v.how) if isinstance(v, Parsed) else (0, "")
    return (-len(steps), steps, src.site[0], src.site[1].pos, src.text, parsed)


def _ext_order(v: Value) -> tuple:
    site = getattr(v, "site", None)
    where = (site[0], site[1].pos) if site is not None else ("", (0, 0, 0, 0))
    return (where, getattr(v, "path", ""))


def _callee_position(stmt: ir.Stmt, e: ir.Expr) -> Optional[ir.Call]:
    """The call that `e` is the callee of: `e(...)`, or `e.m(...)` (a method of what `e` is)."""
    for root in ir.stmt_exprs(stmt):
        for x in ir.walk_expr(root):
            if isinstance(x, ir.Call):
                f = x.func
                if f is e or (isinstance(f, ir.Attribute) and f.value is e):
                    return x
    return None


def _calls_of_name(func: FunctionInfo, name: str, after: ir.Stmt) -> list[CallSite]:
    """Calls in `func` that call `name` or a method of it (`name(...)`, `name.run(...)`), at or after `after`."""
    line = after.pos[0]
    out: list[CallSite] = []
    for site in func.calls:
        f = site.call.func
        base = f.value if isinstance(f, ir.Attribute) else f
        if isinstance(base, ir.Name) and base.id == name and site.call.pos[0] >= line:
            out.append(site)
    return out


def _callable_values(vs: Iterable[Value]) -> bool:
    from agentable.cpg.values import ClassRef, ExtRef, FuncRef, Instance

    return any(isinstance(v, (FuncRef, ClassRef, Instance)) or (isinstance(v, ExtRef) and not v.path.startswith(("str", "dict", "list")))
               for v in vs)


@_dataclass(eq=False)
class ToolDispatch:
    """A tool looked up by a name the model chose: `TOOLS[name]`, `self.tools[name].run(...)`,
    `getattr(obj, name)(...)`, `registry.get(name)(...)`.

    kind: subscript | getattr | get. `lookup` is the lookup expression (where to report), `key` the
    name expression, `source` the model output it comes from, `calls` the calls that run the
    looked-up tool (the same statement or through the name it is bound to), `bound` that name."""

    kind: str
    func: FunctionInfo
    stmt: ir.Stmt
    lookup: ir.Expr
    key: ir.Expr
    source: Union[LLMOutput, Parsed]
    calls: list[CallSite] = _field(default_factory=list)
    bound: Optional[str] = None

    @property
    def path(self) -> str:
        return self.func.path

    @property
    def raises(self) -> tuple[str, ...]:
        return python_facts().lookup_errors[self.kind]


@per_graph
def tool_dispatches(g: ProjectGraph) -> list[ToolDispatch]:
    """Every lookup of a tool (a callable: function, tool object, method) by a model-chosen name."""
    out: list[ToolDispatch] = []
    for func in g.agent.functions():
        for e, s in _lookup_candidates(func):
            d = _dispatch_at(g, func, s, e)
            if d is not None:
                out.append(d)
    return out


def _lookup_candidates(func: FunctionInfo) -> list[tuple[ir.Expr, ir.Stmt]]:
    """The subscripts and calls of `func` shaped like a lookup by name (see _lookup_shape), in walk
    order, read from the function's per-class index instead of filtering its whole walk."""
    subs = [pair for pair in func.exprs.get(ir.Subscript, ()) if _lookup_shape(pair[0])[0]]
    calls = [pair for pair in func.exprs.get(ir.Call, ()) if _named_lookup_call(pair[0]) and _lookup_shape(pair[0])[0]]
    if subs and calls:  # both kinds: restore their interleaved walk order
        wanted = {id(e) for e, _s in subs} | {id(e) for e, _s in calls}
        return [pair for pair in func.expr_walk if id(pair[0]) in wanted]
    return subs or calls


def _named_lookup_call(call: ir.Call) -> bool:
    """A quick first test of _lookup_shape for calls: `….get(…)` or `getattr(…)`."""
    f = call.func
    return (isinstance(f, ir.Attribute) and f.attr == "get") or (isinstance(f, ir.Name) and f.id == "getattr")


def _lookup_shape(e: ir.Expr) -> tuple[str, Optional[ir.Expr], Optional[ir.Expr]]:
    """(kind, key, container) when `e` has the syntax of a lookup by a non-constant key:
    `c[key]`, `getattr(c, key)`, `c.get(key)`; ("", None, None) otherwise."""
    if isinstance(e, ir.Subscript):
        if not isinstance(e.index, (ir.Constant, ir.Slice)):
            return "subscript", e.index, e.value
    elif isinstance(e, ir.Call) and len(e.args) in (1, 2) and not e.keywords:
        f = e.func
        if isinstance(f, ir.Name) and f.id == "getattr" and len(e.args) == 2:
            if not isinstance(e.args[1], ir.Constant):
                return "getattr", e.args[1], e.args[0]
        elif isinstance(f, ir.Attribute) and f.attr == "get" and len(e.args) == 1:
            if not isinstance(e.args[0], ir.Constant):
                return "get", e.args[0], f.value
    return "", None, None


def _dispatch_at(g: ProjectGraph, func: FunctionInfo, s: ir.Stmt, e: ir.Expr) -> Optional[ToolDispatch]:
    from agentable.cpg.values import ExtRef

    kind, key, container = _lookup_shape(e)
    if kind == "getattr" and not any(isinstance(v, ExtRef) and v.path == "getattr" for v in g.values(e.func, func, s)):
        return None  # a local function or method named getattr, not the builtin
    if not kind or key is None or isinstance(key, ir.Constant):
        return None
    call = _callee_position(s, e)
    bound = bound_name(s, e) if call is None else None
    calls: list[CallSite] = []
    if call is not None:
        calls = [site for site in func.calls if site.call is call]
    elif bound is not None:
        calls = _calls_of_name(func, bound, s)
    if not calls:
        # a lookup whose result is not called here counts only when the container holds callables
        if kind != "subscript" or bound is None:
            return None
        mappings = g.literal_mappings(container, func, s, g.resolver)
        if not any(_callable_values(vs) for m in mappings for vs in m.values()):
            return None
    elif kind == "get":
        mappings = g.literal_mappings(container, func, s, g.resolver)
        if not any(_callable_values(vs) for m in mappings for vs in m.values()):
            return None
    src = model_derived(g, key, func, s)
    if src is None:
        return None
    return ToolDispatch(kind, func, s, e, key, src, calls, bound)


def _key_guard(test: ir.Expr, names: set[str]) -> bool:
    """A test that validates a looked-up name: a membership test (`name in TOOLS`,
    `name not in registry.keys()`), a call given the name (`hasattr(obj, name)`, `is_known(name)`),
    or a None test on the looked-up value."""
    for x in ir.walk_expr(test):
        if isinstance(x, ir.Compare):
            if any(op in ("in", "not in") for op in x.ops) and names & _names_in(x.left):
                if not all(isinstance(c, ir.Constant) and isinstance(c.value, str) for c in x.comparators):
                    return True
            if any(op in ("is", "is not") for op in x.ops) and names & _names_in(x.left):
                return True
        elif isinstance(x, ir.Call) and any(names & _names_in(a) for a in x.args):
            return True
    if names & {ir.dotted(test) or ""}:
        return True  # `if tool:` / `if not tool:` on the looked-up value
    if isinstance(test, ir.UnaryOp) and test.op == "not" and names & {ir.dotted(test.operand) or ""}:
        return True
    return False


def name_validated_before(func: FunctionInfo, stmt: ir.Stmt, names: set[str], expr: Optional[ir.Expr] = None) -> bool:
    """Is one of `names` validated (see _key_guard) before `stmt` runs: in the test of an enclosing
    if/while, an earlier `if …: return/raise/continue/break`, an assert, or within the expression
    (`TOOLS[n] if n in TOOLS else …`, `n in TOOLS and TOOLS[n](…)`, `[TOOLS[c.name]() for c in calls
    if c.name in TOOLS]`)?"""
    names = {n for n in names if n}
    if not names:
        return False
    if expr is not None and guarded_in_expr(expr, _expr_parents(stmt), lambda t: _key_guard(t, names)):
        return True
    return tested_before(func, stmt, lambda t: _key_guard(t, names))


def dispatch_guard(g: ProjectGraph, d: ToolDispatch) -> str:
    """Why an unknown name cannot crash this dispatch: "check" (validated before), "try" (a handler
    for the lookup's error here or in every caller), "suppress"; "" when nothing handles it."""
    names = {_key_name(d.key)}
    if d.bound:
        names_bound = {d.bound}
        if d.kind == "get" and all(name_validated_before(d.func, site.stmt, names_bound, site.call) for site in d.calls):
            return "check"
    if name_validated_before(d.func, d.stmt, names, d.lookup):
        return "check"
    raised = d.raises + ("LookupError",) if d.kind == "subscript" else d.raises
    guard = failure_guard(g, d.func, d.stmt, raised)
    if guard:
        return guard
    if d.kind == "get":
        if all(failure_guard(g, d.func, site.stmt, d.raises) for site in d.calls):
            return "try"
    return ""


def _key_name(e: ir.Expr) -> str:
    d = ir.dotted(e)
    if d:
        return d
    for x in ir.walk_expr(e):
        d = ir.dotted(x)
        if d:
            return d
    return ""


# Which calls outside the project can fail on ordinary use (used to decide whether a tool can raise):
# third-party code (HTTP clients, SDKs, databases, parsers) and, from catalog python.toml, the
# standard library's I/O, processes and network, and parsers/evaluators of text.
_RISKY_STDLIB_ROOTS = python_facts().failing_modules


_RISKY_STDLIB_CALLS = python_facts().failing_calls


_RISKY_PATH_METHODS = python_facts().failing_path_methods


@per_graph
def _imported_roots(g: ProjectGraph) -> frozenset[str]:
    return frozenset(t.split(".")[0] for m in g.modules.values() for t in m.imports.values())


# Accessors of a parsed XML tree (`ET.fromstring(text).findall("entry")`): parsing can fail, reading
# the tree it built does not.
_XML_TREE_READERS = python_facts().xml_tree_readers


def _risky_external(path: str, imported: frozenset[str] = frozenset()) -> bool:
    import sys as _sys

    if path in _RISKY_STDLIB_CALLS:
        return True
    if path.startswith("xml.") and "()." in path and path.rsplit(".", 1)[-1] in _XML_TREE_READERS:
        return False
    root = path.split(".")[0].split("(")[0]
    stdlib = getattr(_sys, "stdlib_module_names", frozenset())
    if root in ("builtins",) or (root in stdlib and root not in _RISKY_STDLIB_ROOTS):
        if root == "pathlib" or path.startswith("Path"):
            return path.rsplit(".", 1)[-1] in _RISKY_PATH_METHODS
        return any(path.startswith(r + ".") or path == r for r in _RISKY_STDLIB_ROOTS)
    if root in _RISKY_STDLIB_ROOTS or any(path.startswith(r + ".") for r in _RISKY_STDLIB_ROOTS):
        return True
    if "." not in path and "(" not in path:
        return False  # a builtin function (len, max, sorted, …) or an unresolved bare name
    return root not in stdlib and root in imported  # third-party code the project imports


def tool_can_fail(g: ProjectGraph, func: FunctionInfo, depth: int = 2, _seen: Optional[set[str]] = None) -> Optional[str]:
    """Why the tool function `func` can raise, or None when it cannot be seen to: a `raise` or a
    failure-prone call (anything outside the project but pure builtins) that no try in the
    function encloses, directly or in a project function it calls (`depth` levels)."""
    from agentable.cpg.flow import enclosing_handlers
    from agentable.cpg.values import ClassRef, ExtRef, FuncRef, Instance

    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return None
    seen.add(func.qualname)

    def handled(stmt: object) -> bool:
        return any(not _handler_reraises(h) for h in enclosing_handlers(func, stmt))  # type: ignore[arg-type]

    for r in func.raises:
        if not handled(r) and not any(isinstance(a, ir.Handler) for a in func.ancestors(r)):
            return f"it raises at line {r.pos[0]}"
    for site in func.calls:
        if handled(site.stmt):
            continue
        for v in g.values(site.call.func, func, site.stmt):
            if isinstance(v, ExtRef):
                path = v.path
                if not _risky_external(path, _imported_roots(g)):
                    continue
                return f"it calls `{ir.dotted(site.call.func) or path}` at line {site.call.pos[0]}"
            if isinstance(v, (FuncRef, Instance, ClassRef)) and depth > 0:
                for q in g.callees(site):
                    callee = g.functions.get(q)
                    if callee is not None and callee.name != "__init__":
                        why = tool_can_fail(g, callee, depth - 1, seen)
                        if why:
                            return f"{why} in `{callee.name}`"
            elif isinstance(v, LLMOutput):
                continue
    return None


def tool_raised_errors(g: ProjectGraph, func: FunctionInfo, depth: int = 2,
                       _seen: Optional[set[str]] = None) -> frozenset[str]:
    """The library exception classes (catalog `library_errors`) the tool function `func` can let
    out: those of every call into a library that no try in the function encloses, directly or in a
    project function it calls (`depth` levels, as tool_can_fail)."""
    from agentable.cpg.flow import enclosing_handlers
    from agentable.cpg.values import ClassRef, ExtRef, FuncRef, Instance

    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return frozenset()
    seen.add(func.qualname)
    out: set[str] = set()
    for site in func.calls:
        if any(not _handler_reraises(h) for h in enclosing_handlers(func, site.stmt)):
            continue
        for v in g.values(site.call.func, func, site.stmt):
            if isinstance(v, ExtRef):
                out.update(g.catalog.errors_raised_by(v.path))
            elif isinstance(v, (FuncRef, Instance, ClassRef)) and depth > 0:
                for q in sorted(g.callees(site)):
                    callee = g.functions.get(q)
                    if callee is not None and callee.name != "__init__":
                        out |= tool_raised_errors(g, callee, depth - 1, seen)
    return frozenset(out)


def _handler_reraises(h: ir.Handler) -> bool:
    from agentable.cpg.flow import handler_reraises_only

    return handler_reraises_only(h) or any(isinstance(s, ir.Raise) for s in h.body)


@per_graph
def tool_defs_by_function(g: ProjectGraph) -> dict[str, object]:
    """Implementing function qualname -> its ToolDef (framework tools and schema-matched functions)."""
    out: dict[str, object] = {}
    for t in g.agent.tools:
        for f in tool_functions_of(g, t):
            out.setdefault(f.qualname, t)
    return out


@per_graph
def tool_implementations(g: ProjectGraph) -> list[tuple[FunctionInfo, Optional[object]]]:
    """Functions whose return value is a tool's result for the model: implementations of framework
    and schema tools (with their ToolDef) and project functions a loop dispatches by a model-chosen
    name (ToolDef None)."""
    out: dict[str, tuple[FunctionInfo, Optional[object]]] = {}
    for q, t in tool_defs_by_function(g).items():
        f = g.functions.get(q)
        if f is not None:
            out.setdefault(q, (f, t))
    for d in tool_dispatches(g):
        for site in d.calls:
            funcs = [g.functions[q] for q in g.callees(site) if q in g.functions]
            if not funcs and d.kind != "getattr":
                funcs = _dispatch_targets(g, d, site)
            for f in funcs:
                if f.name != "__init__" and f.qualname not in g.agent.llm_functions:
                    out.setdefault(f.qualname, (f, None))
    result = list(out.values())
    return result


def is_stub(func: FunctionInfo) -> bool:
    """A body of only a docstring, `pass`, `...` or `raise` (abstract methods, protocols)."""
    body = list(func.body)
    if body and isinstance(body[0], ir.ExprStmt) and isinstance(body[0].value, ir.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]
    return all(isinstance(s, ir.Raise) or (isinstance(s, ir.Simple) and s.kind == "pass")
               or (isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Constant)) for s in body)


def tool_label(func: FunctionInfo, tool: Optional[object]) -> str:
    name = getattr(tool, "name", None) if tool is not None else None
    if not name and tool is not None and getattr(tool, "cls", None) is not None:
        name = tool.cls.name  # type: ignore[union-attr]
    return name or func.name


def declared_result(func: FunctionInfo, tool: Optional[object]) -> Optional[tuple[str, str]]:
    """(type name, how it is declared) of a tool's result: the implementation's return annotation
    (`-> str`), else the framework's result-type attribute (smolagents `output_type = "string"`,
    mapped to a Python type by the catalog). None when neither says."""
    from agentable.query.loops import annotation_name

    node = func.node
    if node is not None and node.returns is not None:
        name = annotation_name(node.returns)
        return (name, f"-> {name}") if name else None
    declared = getattr(tool, "output_type", None)
    spec = getattr(tool, "spec", None)
    kind = (getattr(spec, "output_types", None) or {}).get(declared or "")
    if kind is None:
        return None
    return kind, f'{spec.output_type_attr} = "{declared}"'  # type: ignore[union-attr]


def handle_kind(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> Optional[tuple[str, str]]:
    """(kind, callee) when `e` may be a handle rather than data: a generator, an HTTP response, a
    file, a process or connection (catalog `handle_returning`)."""
    from agentable.cpg.values import ExtRef

    if e is None:
        return None
    if isinstance(e, ir.Comp) and e.kind == "generator":
        return ("generator", "a generator expression")
    handles = g.catalog.handle_returning
    for v in g.values(e, func, stmt):
        if isinstance(v, Typed) and v.kind in ("generator", "file"):
            return (v.kind, "")
        if isinstance(v, ExtRef) and v.path.endswith("()"):
            kind = handles.get(v.path[:-2])
            if kind is not None and kind != "bytes":
                return (kind, v.path[:-2])
    return None


@_dataclass(eq=False)
class ToolInvocation:
    """A call that runs a tool in a hand-written agent loop. `targets` are the project functions it
    runs (empty when the implementation is not in the project); `tool` the ToolDef when known;
    `dispatch` the model-chosen lookup it goes through, if any."""

    site: CallSite
    targets: list[FunctionInfo]
    tool: Optional[object] = None
    dispatch: Optional[ToolDispatch] = None

    @property
    def func(self) -> FunctionInfo:
        return self.site.func

    @property
    def path(self) -> str:
        return self.site.func.path


def _in_agent_loop_code(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Code of a hand-written agent: a function that reaches a model call, or one called by such a function."""
    llm = g.agent.llm_functions
    if func.qualname in llm:
        return True
    return any(site.func.qualname in llm for site in g.callers(func))


def tool_error_handling_configured(g: ProjectGraph, tool: Optional[object]) -> bool:
    """Does the tool's definition turn on its framework's error handling (catalog `error_param`,
    e.g. `handle_tool_error=True`)?"""
    spec = getattr(tool, "spec", None)
    param = getattr(spec, "error_param", None)
    if tool is None or not param:
        return False
    call = _tool_definition_call(g, tool)
    if call is not None:
        v = call.kwarg(param)
        if v is not None and not (isinstance(v, ir.Constant) and v.value in (None, False)):
            return True
    cls = getattr(tool, "cls", None)
    if cls is not None:
        for c in g.mro(cls.qualname):
            for value, _s, _m in c.attrs.get(param, []):
                if value is not None and not (isinstance(value, ir.Constant) and value.value in (None, False)):
                    return True
    return False


def tool_error_handling_covers(g: ProjectGraph, tool: Optional[object], raised: frozenset[str]) -> bool:
    """Does the error handling the tool's definition turns on catch one of the errors `raised`?
    LangChain's `handle_tool_error=True` catches ToolException only (catalog
    `error_param_catches`): a `requests` HTTPError still propagates; an empty list catches all."""
    if not tool_error_handling_configured(g, tool):
        return False
    catches = getattr(getattr(tool, "spec", None), "error_param_catches", ()) or ()
    return not catches or any(exception_catches(c, r) for c in catches for r in raised)


@per_graph
def _run_method_names(g: ProjectGraph) -> frozenset[str]:
    """Every method name that runs a tool object by hand: the run_methods of the project's tools'
    specs and of the catalog's tool constructors (a cheap test before resolving a call)."""
    names = {m for t in g.agent.tools for m in (getattr(t.spec, "run_methods", ()) or ())}
    names.update(m for spec in g.catalog.tool_constructors for m in spec.run_methods)
    return frozenset(names)


@per_graph
def _first_tool_of_class(g: ProjectGraph) -> dict[str, int]:
    """Class qualname -> position in graph.agent.tools of the first tool defined by that class."""
    out: dict[str, int] = {}
    for i, t in enumerate(g.agent.tools):
        if t.cls is not None:
            out.setdefault(t.cls.qualname, i)
    return out


def _run_method_tool(g: ProjectGraph, site: CallSite) -> Optional[object]:
    """The ToolDef whose framework object this call runs by hand (`search.invoke(args)`,
    `tool.run(x)` on a framework tool object), from the catalog's `run_methods`."""
    from agentable.cpg.values import ExtRef, FuncRef, Instance

    f = site.call.func
    if not isinstance(f, ir.Attribute) or f.attr not in _run_method_names(g):
        return None  # every branch below needs the method to be one of some spec's run_methods
    by_func = tool_defs_by_function(g)
    for v in g.values(f.value, site.func, site.stmt):
        tool = None
        if isinstance(v, FuncRef):
            tool = by_func.get(v.qualname)
        elif isinstance(v, Instance):  # the first tool whose class is the instance's or one of its bases
            first = _first_tool_of_class(g)
            hits = [first[c.qualname] for c in g.mro(v.qualname) if c.qualname in first]
            tool = g.agent.tools[min(hits)] if hits else None
        elif isinstance(v, ExtRef) and v.path.endswith("()"):
            spec = g.catalog.tool_constructor(v.path[:-2])
            if spec is not None and f.attr in spec.run_methods:
                return spec
        if tool is not None and f.attr in (getattr(tool.spec, "run_methods", ()) or ()):
            return tool
    return None


def _dispatch_targets(g: ProjectGraph, d: ToolDispatch, site: CallSite) -> list[FunctionInfo]:
    """Project functions a dispatch may run, from the callables stored in its container: functions,
    or the called method of stored tool objects (`tools[name].run(x)`)."""
    from agentable.cpg.values import FuncRef, Instance

    e = d.lookup
    out: dict[str, FunctionInfo] = {}
    if d.kind == "getattr" and isinstance(e, ir.Call):
        for v in g.values(e.args[0], d.func, d.stmt):
            if isinstance(v, Instance):
                for cls in g.mro(v.qualname):
                    for name, m in cls.methods.items():
                        if not name.startswith("_"):
                            out.setdefault(name, m)
        return list(out.values())
    container = e.value if isinstance(e, ir.Subscript) else (
        e.func.value if isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) else None)
    if container is None:
        return []
    method = site.call.func.attr if isinstance(site.call.func, ir.Attribute) else "__call__"
    by_func = tool_defs_by_function(g)
    for m in g.literal_mappings(container, d.func, d.stmt, g.resolver):
        for vs in m.values():
            for v in vs:
                if isinstance(v, FuncRef) and v.qualname in g.functions and (
                        method == "__call__" or method in (getattr(getattr(by_func.get(v.qualname), "spec", None), "run_methods", ()) or ())):
                    out[v.qualname] = g.functions[v.qualname]
                elif isinstance(v, Instance):
                    for cls in g.mro(v.qualname):
                        if method in cls.methods:
                            out[cls.methods[method].qualname] = cls.methods[method]
                            break
    return list(out.values())


def _feeds_model(g: ProjectGraph, e: ir.Expr, stmt: ir.Stmt, markers: tuple[str, ...]) -> bool:
    """Is `e` part of what a hand-written loop hands the model as a tool's result: text built
    with an observation marker (`"Observation: " + e`, `f"Observation: {e}"`), or the content of
    a tool-result message (catalog tool_result_format: `{"role": "tool", "content": e}`)?"""
    parents = _expr_parents(stmt)
    child, cur = e, parents.get(id(e))
    while cur is not None:
        if isinstance(cur, (ir.BinOp, ir.FString, ir.Concat)) and (not isinstance(cur, ir.BinOp) or cur.op == "+"):
            texts = [p for p in cur.parts if isinstance(p, str)] if isinstance(cur, ir.FString) else []
            texts += [x.value for x in ir.walk_expr(cur) if isinstance(x, ir.Constant) and isinstance(x.value, str)]
            texts += [p for x in ir.walk_expr(cur) if isinstance(x, ir.FString) for p in x.parts if isinstance(p, str)]
            if any(m in t for t in texts for m in markers):
                return True
        if isinstance(cur, ir.Dict):
            for fmt in g.catalog.tool_result_formats:
                if fmt.match and all(isinstance(cur.get(k), ir.Constant) and cur.get(k).value == v  # type: ignore[union-attr]
                                     for k, v in fmt.match.items()) and cur.get(fmt.content_key) is child:
                    return True
        child, cur = cur, parents.get(id(cur))
    return False


def _result_fed_to_model(g: ProjectGraph, site: CallSite, markers: tuple[str, ...]) -> bool:
    """Does the call's result reach the model as a tool result (see _feeds_model): directly, or
    through the name the statement binds it to, read in that statement or a later one?"""
    if _feeds_model(g, site.call, site.stmt, markers):
        return True
    bound = bound_name(site.stmt, site.call)
    if bound is None:
        return False
    line = site.stmt.pos[0]
    return any(isinstance(x, ir.Name) and x.id == bound and s.pos[0] >= line and _feeds_model(g, x, s, markers)
               for x, s in site.func.walk(ir.Name))


def _observation_calls(g: ProjectGraph, func: FunctionInfo, seen: set[int], runners: set[str]) -> list[ToolInvocation]:
    """Calls in a function that calls the model which run a project function as a tool by hand:
    it gets arguments the model chose (`search(re.search(r"Action: (.*)", out).group(1))`) and its
    result goes back to the model as the observation or tool result. Functions in `runners` run
    tools themselves (dispatchers) and are left out."""
    from agentable.query.protocol import protocol_markers

    llm = g.agent.llm_functions
    markers = protocol_markers().get("observation_markers", ())
    out: list[ToolInvocation] = []
    for site in func.calls:
        if id(site.call) in seen or not (site.call.args or site.call.keywords):
            continue
        targets = [g.functions[q] for q in sorted(g.callees(site))
                   if q in g.functions and q not in llm and g.functions[q].name != "__init__"]
        if not targets or any(t.qualname in runners for t in targets):
            continue
        args = list(site.call.args) + [kw.value for kw in site.call.keywords]
        if not any(model_derived(g, a, func, site.stmt) is not None for a in args):
            continue
        if not _result_fed_to_model(g, site, markers):
            continue
        seen.add(id(site.call))
        out.append(ToolInvocation(site, targets, None, None))
    return out


@per_graph
def tool_invocations(g: ProjectGraph) -> list[ToolInvocation]:
    """Calls that run a tool by hand in agent code: through a model-chosen lookup
    (tool_dispatches), a direct call of a tool's implementing function, a framework tool
    object's run method (`tool.invoke(...)`), or a project function given model-chosen arguments
    whose result goes back to the model as the observation (_observation_calls)."""
    out: list[ToolInvocation] = []
    seen: set[int] = set()
    by_func = tool_defs_by_function(g)
    for d in tool_dispatches(g):
        for site in d.calls:
            if id(site.call) in seen:
                continue
            seen.add(id(site.call))
            targets = [g.functions[q] for q in sorted(g.callees(site)) if q in g.functions and g.functions[q].name != "__init__"]
            if not targets:
                targets = _dispatch_targets(g, d, site)
            tool = next((by_func[t.qualname] for t in targets if t.qualname in by_func), None) or _run_method_tool(g, site)
            out.append(ToolInvocation(site, targets, tool, d))
    tool_funcs = set(by_func)
    for func in g.agent.functions():
        # outside agent loop code no call counts: test that once per function, not per resolved call
        if func.qualname in tool_funcs or not func.calls or not _in_agent_loop_code(g, func):
            continue
        for site in func.calls:
            if id(site.call) in seen:
                continue
            targets = [g.functions[q] for q in sorted(g.callees(site) & tool_funcs)]
            tool = by_func[targets[0].qualname] if targets else _run_method_tool(g, site)
            if tool is None:
                continue
            seen.add(id(site.call))
            if not targets and getattr(tool, "func", None) is not None:
                targets = [tool.func]  # type: ignore[union-attr]
            out.append(ToolInvocation(site, targets, tool if hasattr(tool, "kind") else None, None))
    # a function that itself runs tools (a dispatcher such as `act(name, arg)`) is checked where it
    # runs them, not again where the loop calls it
    runners = {inv.func.qualname for inv in out} | {d.func.qualname for d in tool_dispatches(g)}
    for func in g.agent.functions():
        if func.qualname in g.agent.llm_functions and func.calls:
            out.extend(_observation_calls(g, func, seen, runners))
    return out


def source_text(g: ProjectGraph, path: str, e: Optional[ir.Expr], limit: int = 60) -> str:
    """The source text of a one-line expression (shortened), for messages; "the value" otherwise."""
    mod = g.by_path.get(path)
    if mod is None or e is None:
        return "the value"
    line, col, end_line, end_col = e.pos
    if line != end_line:
        return "the value"
    text = mod.ir.line_text(line).encode("utf-8")[col:end_col].decode("utf-8", "ignore")
    return text if len(text) <= limit else text[: limit - 3] + "..."


@per_graph
def _invocations_by_call(g: ProjectGraph) -> dict[int, ToolInvocation]:
    """tool_invocations by id of the call that runs the tool."""
    return {id(inv.site.call): inv for inv in tool_invocations(g)}


def tool_results_in(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                    depth: int = 3) -> list[tuple[FunctionInfo, ToolInvocation]]:
    """The tool functions whose own result `e` is whenever that tool runs: `e` is the call that
    runs the tool (tool_invocations: a dispatch by the model's name, a direct call, a tool
    object's run method), directly, through a name with a single binding, or returned as it is
    by a project function `e` calls (`result = self._execute(block)`), up to `depth` calls.
    A value rebound on some path (`result = json.dumps(result)`) or built in an expression
    (`x if isinstance(x, str) else json.dumps(x)`) is not followed."""
    by_call = _invocations_by_call(g)
    out: dict[str, tuple[FunctionInfo, ToolInvocation]] = {}
    seen: set[int] = set()

    def visit(x: Optional[ir.Expr], f: FunctionInfo, st: object, d: int) -> None:
        found = g.bound_literal(x, f, st, (ir.Call,)) if x is not None else None
        if found is None or d < 0:
            return
        call, owner, _ = found
        if id(call) in seen:
            return
        seen.add(id(call))
        inv = by_call.get(id(call))
        if inv is not None:
            for t in inv.targets:
                out.setdefault(t.qualname, (t, inv))
            return
        site = next((s for s in owner.calls if s.call is call), None)
        if site is None:
            return
        for q in sorted(g.callees(site)):
            callee = g.functions.get(q)
            if callee is None or callee.name == "__init__":
                continue
            for r in callee.returns:
                visit(r.value, callee, r, d - 1)

    visit(e, func, stmt, depth)
    return list(out.values())


@_dataclass(eq=False)
class DroppedToolResult:
    """A tool run in a hand-written tool-calling loop whose result never reaches the model: the
    loop asks the model again with the same request on every turn, so the model never sees what
    the tool returned. `name` is the unchanged messages list the call sends, or None when the
    request is written in the call (`input=[{"role": "user", "content": "Continue."}]`, then
    `request` is that expression); `continued` is the continuation keyword the call also passes
    (catalog continuation_params: `previous_response_id`), if any."""

    invocation: ToolInvocation
    llm_call: object
    loop: ir.Stmt
    name: Optional[str]
    request: Optional[ir.Expr] = None
    continued: Optional[str] = None


def _name_uses(stmts: Iterable[ir.Stmt], name: str) -> list[ir.Name]:
    return [e for s in stmts for root in ir.stmt_exprs(s) for e in ir.walk_expr(root)
            if isinstance(e, ir.Name) and e.id == name]


def _mentions_in_nested(func: FunctionInfo, name: str) -> bool:
    """Does a function defined inside `func` (a closure that may change the list) use `name`?"""
    for inner in func.nested.values():
        if _name_uses(ir.walk_stmts(inner.body), name) or _mentions_in_nested(inner, name):
            return True
    return False


@per_graph
def dropped_tool_results(g: ProjectGraph) -> list[DroppedToolResult]:
    """Tool calls whose results the model never gets back. The model call offers tools (a `tools`
    setting), sits in a loop that also runs a tool the model asked for, and control goes from the
    tool back to the loop head; and the request is the same on every turn, either
    - it sends a local list of messages bound once before the loop, which inside the (outermost)
      loop is used only as the call's argument: nothing appends to it, rebinds it, stores into it
      or passes it to other code (nor does a nested function or an alias); or
    - every argument that can carry conversation content is written in the call from values the
      loop cannot change (constants, names bound to text outside the loop): see _fixed_request.
      A continuation keyword (Responses `previous_response_id`) may change: the server keeps the
      model's function calls under it, not the tool outputs."""
    import networkx as nx

    from agentable.cpg.flow import enclosing_loops

    out: list[DroppedToolResult] = []
    invocations = tool_invocations(g)
    for c in g.agent.llm_calls:
        if c.setting("tools") is None:  # type: ignore[attr-defined]
            continue
        msgs = c.setting("messages")  # type: ignore[attr-defined]
        if msgs is None or msgs.where != "call":
            continue
        func = c.func  # type: ignore[attr-defined]
        loops = enclosing_loops(func, c.site.stmt)  # type: ignore[attr-defined]
        if not loops or func.is_module:
            continue
        outer = loops[-1]
        inside = list(ir.walk_stmts([outer]))
        name: Optional[str] = None
        request: Optional[ir.Expr] = None
        continued: Optional[str] = None
        if isinstance(msgs.expr, ir.Name) and _unchanged_list(g, func, msgs.expr, outer, inside):
            name = msgs.expr.id
        else:
            fixed = _fixed_request(g, c, inside)
            if fixed is None:
                continue
            request, continued = msgs.expr, fixed or None
        inside_ids = {id(s) for s in inside}
        # normal control flow only: a retry after a tool's exception is another matter
        cfg = g.reaching(func).cfg
        flow = nx.restricted_view(cfg, [n for n in cfg if isinstance(n, ir.Handler)], [])
        for inv in invocations:
            if inv.func is not func or id(inv.site.stmt) not in inside_ids or inv.site.call is c.call:  # type: ignore[attr-defined]
                continue
            if not _runs_on_model_request(g, inv):
                continue
            if inv.site.stmt in flow and nx.has_path(flow, inv.site.stmt, outer):
                out.append(DroppedToolResult(inv, c, outer, name, request, continued))
                break
    return out


def _unchanged_list(g: ProjectGraph, func: FunctionInfo, e: ir.Name, outer: ir.Stmt, inside: list[ir.Stmt]) -> bool:
    """Is the messages list `e` bound once before the loop (a list built there), used inside the
    loop only as this argument, and never handed to code that could keep and change it?"""
    name = e.id
    defs = func.defs.get(name, [])
    if len(defs) != 1 or defs[0].how != "assign":
        return False
    if any(d.stmt is s for d in defs for s in inside):
        return False
    uses = _name_uses(inside, name)
    if len(uses) != 1 or uses[0] is not e or _mentions_in_nested(func, name):
        return False
    # shared with other code, or stored somewhere before the loop: an alias may change
    return _fresh_list(defs[0].value, inside) and _only_receiver_before(g, func, name, outer, defs[0].stmt)


# Keyword roles of an LLM call that carry conversation content: a tool's result could only reach
# the model through one of these (or through a keyword the catalog does not know, e.g. Cohere's
# `tool_results`, or a positional argument), never through model, tools, temperature and the like.
_CONTENT_ROLES = ("messages", "prompt", "system")


def _fixed_request(g: ProjectGraph, c: object, inside: list[ir.Stmt]) -> Optional[str]:
    """When the call's request is the same on every turn of its loop: the continuation keyword it
    passes (catalog continuation_params, e.g. `previous_response_id`), or "" when it passes none;
    None when something in the request may change. Every positional argument, every content
    keyword (_CONTENT_ROLES) and every keyword the catalog does not know (`conversation=`, whose
    server-side items other calls can add to) must be loop-invariant (_invariant); no other
    model call may sit in the loop (it could send the results)."""
    call: ir.Call = c.call  # type: ignore[attr-defined]
    func: FunctionInfo = c.func  # type: ignore[attr-defined]
    spec = c.spec  # type: ignore[attr-defined]
    if call.has_kwargs_splat() or any(isinstance(a, ir.Starred) for a in call.args):
        return None
    inside_ids = {id(s) for s in inside}
    if any(site.call is not call and id(site.stmt) in inside_ids and g.agent.llm_call_at(site.call) is not None
           for site in func.calls):
        return None
    params: dict[str, str] = dict(getattr(spec, "params", None) or {})
    setting_kws = {kw for role, kw in params.items() if role not in _CONTENT_ROLES}
    continuation = tuple(getattr(spec, "continuation_params", ()) or ())
    config = getattr(spec, "config_param", None)
    if config:
        setting_kws.add(config)
    continued = ""
    values: list[ir.Expr] = list(call.args)
    for kw in call.keywords:
        if kw.name in continuation:
            continued = kw.name or ""
        elif kw.name not in setting_kws:
            values.append(kw.value)
    if not all(_invariant(g, func, v, inside, c.site.stmt) for v in values):  # type: ignore[attr-defined]
        return None
    return continued


_IMMUTABLE_KINDS = frozenset({"str", "int", "float", "bool", "bytes"})


def _invariant(g: ProjectGraph, func: FunctionInfo, e: ir.Expr, inside: list[ir.Stmt], stmt: object = None) -> bool:
    """Is `e` the same on every turn of the loop `inside` walks: built only from constants and
    names that no statement of the loop binds and that hold immutable values (text, numbers)?"""
    from agentable.cpg.tools import annotation_text
    from agentable.cpg.values import Const, ParamRef, Typed

    if isinstance(e, ir.Constant):
        return True
    if isinstance(e, ir.FString):
        return all(_invariant(g, func, p, inside, stmt) for p in e.parts if not isinstance(p, str))
    if isinstance(e, ir.Concat):
        return all(_invariant(g, func, p, inside, stmt) for p in e.parts)
    if isinstance(e, ir.Seq):
        return all(_invariant(g, func, x, inside, stmt) for x in e.elts)
    if isinstance(e, ir.Dict):
        return all(k is not None and _invariant(g, func, k, inside, stmt) and _invariant(g, func, v, inside, stmt)
                   for k, v in zip(e.keys, e.values))
    if not isinstance(e, ir.Name) or e.id in func.globals_declared or _mentions_in_nested(func, e.id):
        return False
    if any(d.stmt is s for d in func.defs.get(e.id, []) for s in inside):
        return False  # rebound in the loop
    vals = g.values(e, func, stmt)
    if not vals:
        return False
    params = {p.name: p for p in func.params}
    for v in vals:
        if isinstance(v, Const):
            if not isinstance(v.value, (str, int, float, bool, bytes, type(None))):
                return False
        elif isinstance(v, Typed):
            if v.kind not in _IMMUTABLE_KINDS:
                return False
        elif isinstance(v, ParamRef) and v.func == func.qualname and v.name in params:
            # a parameter: text by its annotation, or by what the callers pass (checked as values too)
            ann = params[v.name].annotation
            if (annotation_text(ann) not in _IMMUTABLE_KINDS) if ann is not None else len(vals) == 1:
                return False
        else:
            return False
    return True


def _fresh_list(value: Optional[ir.Expr], loop_stmts: list[ir.Stmt]) -> bool:
    """Is the list built here (a literal, comprehension or concatenation), not one shared with other
    code (`self.history`, `memory.messages()`), and does the loop leave alone every name its
    elements are built from (a `parts` list inside a message could grow instead)?"""
    if not isinstance(value, (ir.Seq, ir.Comp, ir.BinOp)):
        return False
    used = {x.id for x in ir.walk_expr(value) if isinstance(x, ir.Name)}
    return not any(_name_uses(loop_stmts, n) for n in used)


@per_graph
def _llm_calls_by_function(g: ProjectGraph) -> dict[str, list[object]]:
    """The LLM calls of each function (by qualname), in the order of graph.agent.llm_calls."""
    out: dict[str, list[object]] = {}
    for c in g.agent.llm_calls:
        out.setdefault(c.func.qualname, []).append(c)
    return out


def _only_receiver_before(g: ProjectGraph, func: FunctionInfo, name: str, loop: ir.Stmt, def_stmt: ir.Stmt) -> bool:
    """Before the loop, is `name` only the receiver of method calls (`messages.append(...)`) or
    what a model call is asked with (`client.responses.create(input=messages)`: the SDK sends it
    and keeps no reference), never stored in another structure or passed to other code?"""
    start = loop.pos[0]
    requests = {id(m.expr) for c in _llm_calls_by_function(g).get(func.qualname, ()) if c.func is func  # type: ignore[attr-defined]
                for m in (c.setting("messages"),) if m is not None and m.where == "call"}  # type: ignore[attr-defined]
    for s in ir.walk_stmts(func.body):
        if s.pos[0] >= start or s is def_stmt:
            continue
        parents = _expr_parents(s)
        for n in _name_uses([s], name):
            p = parents.get(id(n))
            if not (isinstance(p, ir.Attribute) and p.value is n) and id(n) not in requests:
                return False
    return True


def _runs_on_model_request(g: ProjectGraph, inv: ToolInvocation) -> bool:
    """Does the tool run because the model asked for it: looked up by a model-chosen name, or
    called with arguments taken from the model's output?"""
    if inv.dispatch is not None:
        return True
    call = inv.site.call
    args = list(call.args) + [kw.value for kw in call.keywords]
    # `args.get("city")` on the parsed arguments: the receiver is what comes from the model
    return any(model_derived(g, x, inv.func, inv.site.stmt) is not None for a in args for x in ir.walk_expr(a))
