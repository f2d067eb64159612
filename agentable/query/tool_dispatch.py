"""Tool dispatch in hand-written agent loops: where a model-chosen name selects the tool to run
(`tools[name](args)`, `getattr(self, name)`), what it may run, and how the name is validated (MNFT001)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional, Union

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import UNKNOWN, ClassRef, ExtRef, FuncRef, Instance, LLMOutput, Parsed, Typed, Value
from agentable.query.facts import per_graph
from agentable.query.literals import bound_name
from agentable.query.model_derived import model_derived
from agentable.query.registry_keys import own_key
from agentable.query.tool_dispatch_registry import named_registry_targets
from agentable.query.tools import tool_defs_by_function


def _callee_position(stmt: ir.Stmt, e: ir.Expr) -> Optional[ir.Call]:
    """The call that `e` is the callee of: `e(...)`, or `e.m(...)` (a method of what `e` is)."""
    for root in ir.stmt_exprs(stmt):
        for x in ir.walk_expr(root):
            if isinstance(x, ir.Call):
                f = x.func
                if f is e or (isinstance(f, ir.Attribute) and f.value is e):
                    return x
    return None


def _calls_of_name(func: FunctionInfo, name: str, after: Optional[ir.Stmt] = None) -> list[CallSite]:
    """Calls in `func` that call `name` or a method of it (`name(...)`, `name.run(...)`), at or after
    `after` (anywhere without it)."""
    line = after.pos[0] if after is not None else 0
    out: list[CallSite] = []
    for site in func.calls:
        f = site.call.func
        base = f.value if isinstance(f, ir.Attribute) else f
        if isinstance(base, ir.Name) and base.id == name and site.call.pos[0] >= line:
            out.append(site)
    return out


def _callable_values(vs: Iterable[Value]) -> bool:
    return any(isinstance(v, (FuncRef, ClassRef, Instance))
               or (isinstance(v, ExtRef) and not v.path.startswith(("str", "dict", "list")))
               for v in vs)


@dataclass(eq=False)
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
    calls: list[CallSite] = field(default_factory=list)
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
    """The subscripts and calls of `func` shaped like a lookup by name (see lookup_shape), in walk
    order, read from the function's per-class index instead of filtering its whole walk."""
    subs = [pair for pair in func.exprs.get(ir.Subscript, ()) if lookup_shape(pair[0])[0]]
    calls = [pair for pair in func.exprs.get(ir.Call, ())
             if isinstance(pair[0], ir.Call) and _named_lookup_call(pair[0]) and lookup_shape(pair[0])[0]]
    if subs and calls:  # both kinds: restore their interleaved walk order
        wanted = {id(e) for e, _s in subs} | {id(e) for e, _s in calls}
        return [pair for pair in func.expr_walk if id(pair[0]) in wanted]
    return subs or calls


def _named_lookup_call(call: ir.Call) -> bool:
    """A quick first test of lookup_shape for calls: `….get(…)` or `getattr(…)`."""
    f = call.func
    return (isinstance(f, ir.Attribute) and f.attr == "get") or (isinstance(f, ir.Name) and f.id == "getattr")


def lookup_shape(e: ir.Expr) -> tuple[str, Optional[ir.Expr], Optional[ir.Expr]]:
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
    kind, key, container = lookup_shape(e)
    if kind == "getattr" and isinstance(e, ir.Call) and not any(
            isinstance(v, ExtRef) and v.path == "getattr" for v in g.values(e.func, func, s)):
        return None  # a local function or method named getattr, not the builtin
    if not kind or key is None or isinstance(key, ir.Constant):
        return None
    if kind == "subscript" and container is not None and (makes_missing_entries(g, container, func, s)
                                                          or only_sequence(g, container, func, s)):
        return None  # (a list is indexed by position: a tool is looked up by name in a mapping)
    call = _callee_position(s, e) or _runner_call(g, func, s, e)
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
        # a registry the graph cannot read (`{t.name: t for t in tools}` built from a constructor
        # argument) counts when what it returns is called with arguments the model wrote
        if not any(_callable_values(vs) for m in mappings for vs in m.values()) \
                and not any(_model_arguments(g, site) for site in calls) \
                and not any(named_registry_targets(g, func, container, _called_method(site)) for site in calls):
            return None
    src = model_derived(g, key, func, s)
    if src is None or own_key(g, key, container, func, s):
        return None  # (own_key: a key taken from the registry itself cannot miss, nor did the model choose it)
    return ToolDispatch(kind, func, s, e, key, src, calls, bound)


def makes_missing_entries(g: ProjectGraph, container: ir.Expr, func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """Is `container` only ever a mapping whose `m[key]` makes a missing entry (`defaultdict(list)`,
    python.toml `defaulting_mappings`)? Indexing it by any name cannot raise KeyError."""
    makers = g.catalog.python.defaulting_mappings
    values = [v for v in g.values(container, func, stmt) if v != UNKNOWN]
    return bool(values) and all(isinstance(v, ExtRef) and v.path.endswith("()") and v.path[:-2] in makers
                                for v in values)


def only_sequence(g: ProjectGraph, container: ir.Expr, func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """Is `container` only ever a list or tuple the project builds (`slots = []`)? Indexing it
    takes a position, not a tool's name: a streamed tool call's `index` picks the slot its pieces
    are gathered in."""
    values = [v for v in g.values(container, func, stmt) if v != UNKNOWN]
    return bool(values) and all(isinstance(v, Typed) and v.kind in ("list", "tuple") for v in values)


def _called_method(site: CallSite) -> str:
    """`run` of `tool.run(...)`, `__call__` of `tool(...)`."""
    f = site.call.func
    return f.attr if isinstance(f, ir.Attribute) else "__call__"


def _model_arguments(g: ProjectGraph, site: CallSite) -> bool:
    """Does the call pass an argument the model wrote (`tool(**block.input)`, `tool.run(args)`)?"""
    return any(model_derived(g, a, site.func, site.stmt) is not None
               for a in [*site.call.args, *(k.value for k in site.call.keywords)])


def _runner_call(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr) -> Optional[ir.Call]:
    """The call that hands the looked-up tool to a project function which runs it:
    `run_tool(tools[name], args)` where `run_tool(tool, args)` calls `tool(...)` or `tool.invoke(...)`."""
    for root in ir.stmt_exprs(stmt):
        for x in ir.walk_expr(root):
            if not isinstance(x, ir.Call):
                continue
            index = next((i for i, a in enumerate(x.args) if a is e), None)
            if index is None:
                continue
            for v in g.values(x.func, func, stmt):
                callee = g.functions.get(v.qualname) if isinstance(v, FuncRef) else None
                params = [p.name for p in callee.node.params] if callee is not None and callee.node else []
                if callee is not None and index < len(params) and _calls_of_name(callee, params[index]):
                    return x
    return None


def getattr_methods(g: ProjectGraph, d: ToolDispatch) -> dict[str, FunctionInfo]:
    """Name -> method for a `getattr(obj, name)` dispatch: the public methods of the objects it reads."""
    out: dict[str, FunctionInfo] = {}
    e = d.lookup
    if d.kind == "getattr" and isinstance(e, ir.Call) and e.args:
        for v in g.values(e.args[0], d.func, d.stmt):
            if isinstance(v, Instance):
                for cls in g.mro(v.qualname):
                    for name, m in cls.methods.items():
                        if not name.startswith("_"):
                            out.setdefault(name, m)
    return out


def dispatch_container(d: ToolDispatch) -> Optional[ir.Expr]:
    """The container a dispatch looks the name up in: `TOOLS` of `TOOLS[name]` / `TOOLS.get(name)`."""
    e = d.lookup
    if isinstance(e, ir.Subscript):
        return e.value
    return e.func.value if isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) else None


def dispatch_targets(g: ProjectGraph, d: ToolDispatch, site: CallSite) -> list[FunctionInfo]:
    """Project functions a dispatch may run, from the callables stored in its container: functions,
    or the called method of stored tool objects (`tools[name].run(x)`)."""
    if d.kind == "getattr":
        return list(getattr_methods(g, d).values())
    out: dict[str, FunctionInfo] = {}
    container = dispatch_container(d)
    if container is None:
        return []
    method = _called_method(site)
    for obj in _registry_objects(g, d.func, container):
        for cls in g.mro(obj.qualname):
            if method in cls.methods:
                out[cls.methods[method].qualname] = cls.methods[method]
                break
    by_func = tool_defs_by_function(g)
    for mapping in g.literal_mappings(container, d.func, d.stmt, g.resolver):
        for vs in mapping.values():
            for v in vs:
                if isinstance(v, FuncRef) and v.qualname in g.functions and (
                        method == "__call__"
                        or method in (getattr(getattr(by_func.get(v.qualname), "spec", None), "run_methods", ()) or ())):
                    out[v.qualname] = g.functions[v.qualname]
                elif isinstance(v, Instance):
                    for cls in g.mro(v.qualname):
                        if method in cls.methods:
                            out[cls.methods[method].qualname] = cls.methods[method]
                            break
    if not out:  # a registry of the project's tool objects filled by their names, untyped here
        out.update((f.qualname, f) for f in named_registry_targets(g, d.func, container, method))
    return list(out.values())


def branch_tool_names(d: ToolDispatch, site: CallSite) -> tuple[Optional[set[str]], set[str]]:
    """The tool names a dispatch call is limited to by the branches it sits in, where a test names
    the key the tool was looked up by: (only, never). `only` is `{"search"}` for a call under
    `if name == "search":` (or `if name in ("search", "fetch"):`), None when no such test encloses
    it; `never` holds the names tested by the `if` whose `else` the call is in."""
    key = ir.dotted(d.key)
    never: set[str] = set()
    if key is None:
        return None, never
    child: object = site.stmt
    for anc in d.func.ancestors(site.stmt):
        if isinstance(anc, ir.If):
            names = _names_tested(anc.test, key)
            if names is not None and any(c is child for c in anc.body):
                return names, never
            if names is not None and any(c is child for c in anc.orelse):
                never |= names
        child = anc
    return None, never


def narrowed_to_branch(g: ProjectGraph, d: ToolDispatch, site: CallSite,
                       funcs: list[FunctionInfo]) -> list[FunctionInfo]:
    """`funcs` (what a dispatch call may run) without those stored only under names of the
    registry that the enclosing branches rule out (branch_tool_names)."""
    only, never = branch_tool_names(d, site)
    container = dispatch_container(d)
    if (only is None and not never) or container is None or len(funcs) < 2:
        return funcs
    inside: set[str] = set()
    outside: set[str] = set()
    for mapping in g.literal_mappings(container, d.func, d.stmt, g.resolver):
        for k, vs in mapping.items():
            owners = {v.qualname for v in vs if isinstance(v, (FuncRef, Instance))}
            ruled_out = k in never or (only is not None and k not in only)
            (outside if ruled_out else inside).update(owners)
    if not inside:
        return funcs

    def owner(f: FunctionInfo) -> set[str]:
        return {f.qualname} | ({c.qualname for c in g.mro(f.cls.qualname)} if f.cls is not None else set())
    return [f for f in funcs if owner(f) & inside or not owner(f) & outside]


def _names_tested(test: ir.Expr, key: str) -> Optional[set[str]]:
    """`{"a"}` for `key == "a"` / `"a" == key`, `{"a", "b"}` for `key in ("a", "b")`, else None."""
    if not (isinstance(test, ir.Compare) and len(test.ops) == 1):
        return None
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if op == "==" and ir.dotted(right) == key:
        left, right = right, left
    if ir.dotted(left) != key:
        return None
    if op == "==" and isinstance(right, ir.Constant) and isinstance(right.value, str):
        return {right.value}
    if op == "in" and isinstance(right, ir.Seq) and right.elts and all(
            isinstance(x, ir.Constant) and isinstance(x.value, str) for x in right.elts):
        return {str(x.value) for x in right.elts if isinstance(x, ir.Constant)}
    return None


def _registry_objects(g: ProjectGraph, func: FunctionInfo, container: ir.Expr) -> list[Instance]:
    """The objects of a registry a class builds in `__init__` from a constructor argument, keyed by
    a name each one gives (`self.tool_map = {t.name: t for t in tools}`, `def __init__(self, *tools)`):
    the project objects passed for that parameter at each construction (`Toolbox(Shell(), Git())`,
    `Toolbox([Shell(), Git()])`). Empty when the registry is not built that way."""
    cls = func.cls
    if cls is None or not (isinstance(container, ir.Attribute) and isinstance(container.value, ir.Name)
                           and container.value.id == "self"):
        return []
    init = cls.methods.get("__init__")
    if init is None or init.node is None:
        return []
    params = list(init.node.params)[1:]  # without self
    out: list[Instance] = []
    for value, _stmt, method in cls.attrs.get(container.attr, []):
        if method is not init or not (isinstance(value, ir.Comp) and value.kind == "dict" and len(value.iters) == 1):
            continue
        elt, target, it = value.elt, value.targets[0], value.iters[0]
        if not (isinstance(elt, ir.Seq) and len(elt.elts) == 2 and isinstance(target, ir.Name)
                and isinstance(elt.elts[1], ir.Name) and elt.elts[1].id == target.id and isinstance(it, ir.Name)):
            continue  # not {key: x for x in <param>}
        index = next((i for i, p in enumerate(params) if p.name == it.id), None)
        if index is None:
            continue
        param = params[index]
        for site in g.constructions(cls.qualname):
            args: list[ir.Expr] = []
            if param.kind == "vararg":
                args = list(site.call.args[index:])
            else:
                given = site.call.kwarg(param.name) or (site.call.args[index] if index < len(site.call.args) else None)
                args = list(given.elts) if isinstance(given, ir.Seq) else []
            for a in args:
                out.extend(v for v in g.values(a, site.func, site.stmt) if isinstance(v, Instance))
    return out
