"""Tool calls routed by their name against literals, and the tools the model was given.

A graph node (LangGraph) that binds a list of tools to the model is often followed by a router that
sends each tool call to a node of its own: `if call["name"] == "Question": return "ask_user"`. The
router's literals are the tools it knows; a tool the node binds that the router has no branch for
goes wherever the router's fallback goes (an error node, a "bad tool name" answer), so the model is
offered a tool that can never run. The response attribute that lists the tool calls and the field
that names the tool are catalog data (tools.toml [tool_call_routing])."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.state_graphs import StateGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.binding import argument_for, param_index, self_param
from agentable.cpg.values import ClassRef, FuncRef, LLMOutput, ParamRef
from agentable.query.facts import per_graph
from agentable.query.tools import tool_defs_by_function


@dataclass(frozen=True)
class BoundTool:
    name: str  # the name the model calls it by
    path: str
    pos: ir.Pos  # the list element that binds it


@dataclass(frozen=True)
class UnroutedTool:
    tool: BoundTool
    router: FunctionInfo
    routed: tuple[str, ...]  # the bound tools the router has a branch for
    fallback: Optional[str]  # the node the router's fallback returns, when it is one constant


def _routing(g: ProjectGraph) -> tuple[frozenset[str], frozenset[str]]:
    spec = g.catalog.tool_call_routing
    return frozenset(spec.get("call_lists", ())), frozenset(spec.get("name_fields", ()))


def _reads_calls(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: object, lists: frozenset[str],
                 depth: int = 3) -> bool:
    """Is `e` (the object whose name is compared) one of a reply's tool calls: an expression that
    reads `.tool_calls`, or a name bound (or iterated) from one, a few assignments back?"""
    if any(isinstance(x, ir.Attribute) and x.attr in lists for x in ir.walk_expr(e)):
        return True
    if depth <= 0 or not isinstance(e, ir.Name):
        return False
    owner, defs = g.name_bindings(func, e.id, stmt)
    return any(d.how in ("assign", "walrus", "iter") and d.value is not None
               and _reads_calls(g, d.value, owner, d.stmt, lists, depth - 1) for d in defs)


def _compared_name(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: object,
                   lists: frozenset[str], fields: frozenset[str]) -> bool:
    """Is `e` the tool name of a tool call: `call["name"]`, `call.name`, `call.function.name`?"""
    if isinstance(e, ir.Subscript) and isinstance(e.index, ir.Constant) and e.index.value in fields:
        return _reads_calls(g, e.value, func, stmt, lists)
    if isinstance(e, ir.Attribute) and e.attr in fields:
        return _reads_calls(g, e.value, func, stmt, lists)
    if isinstance(e, ir.Name):  # `name = call["name"]` then `if name == ...`
        owner, defs = g.name_bindings(func, e.id, stmt)
        return bool(defs) and all(d.how in ("assign", "walrus") and d.value is not None
                                  and _compared_name(g, d.value, owner, d.stmt, lists, fields) for d in defs)
    return False


def routed_names(g: ProjectGraph, func: FunctionInfo) -> dict[str, ir.Pos]:
    """The tool names a function compares a tool call's name against (`==`, or `in` a literal tuple)."""
    lists, fields = _routing(g)
    out: dict[str, ir.Pos] = {}
    for cmp, stmt in func.walk(ir.Compare):
        if len(cmp.ops) != 1 or len(cmp.comparators) != 1:
            continue
        left, right = cmp.left, cmp.comparators[0]
        if cmp.ops[0] == "==":
            for subject, lit in ((left, right), (right, left)):
                if isinstance(lit, ir.Constant) and isinstance(lit.value, str) \
                        and _compared_name(g, subject, func, stmt, lists, fields):
                    out.setdefault(lit.value, cmp.pos)
        elif cmp.ops[0] == "in" and isinstance(right, ir.Seq) \
                and _compared_name(g, left, func, stmt, lists, fields):
            for x in right.elts:
                if isinstance(x, ir.Constant) and isinstance(x.value, str):
                    out.setdefault(x.value, cmp.pos)
    return out


def _bound_lists(g: ProjectGraph, node: FunctionInfo) -> list[tuple[ir.Expr, FunctionInfo]]:
    """The tools arguments of the node's model calls: a binder with `tool` in its name
    (`llm.bind_tools(tools)`) or the call's own `tools` setting."""
    out: list[tuple[ir.Expr, FunctionInfo]] = []
    for c in g.agent.llm_calls:
        if c.func is not node:
            continue
        for path, bind in c.binds:
            name = bind.func.attr if isinstance(bind.func, ir.Attribute) else ""
            owner = g.function_of(path, bind.pos)
            if "tool" in name and bind.args and owner is not None:
                out.append((bind.args[0], owner))
        s = c.setting("tools")
        if s is not None:
            out.append((s.expr, s.func))
    return out


def _schema_names(g: ProjectGraph) -> dict[int, Optional[str]]:
    """id of each JSON tool schema dict literal -> the tool name it declares."""
    return {id(t.schema): t.name for t in g.agent.tools if t.kind == "schema" and t.schema is not None}


def _tool_name(g: ProjectGraph, v: object, tools_by_func: dict) -> Optional[str]:
    if isinstance(v, ClassRef):
        return v.qualname.rpartition(".")[2]  # a pydantic model bound as a tool is called by its class name
    if isinstance(v, FuncRef):
        tool = tools_by_func.get(v.qualname)
        return tool.name if tool is not None else v.qualname.rpartition(".")[2]
    return None


def bound_tools(g: ProjectGraph, e: ir.Expr, func: FunctionInfo) -> Optional[list[BoundTool]]:
    """The tools of a list written out in the node (`tools = [A, B]`, plus `tools.append(C)`), each
    by the name the model calls it; None when any element is not a project class or function."""
    lit = g.bound_literal(e, func, None, (ir.Seq,))
    if lit is None:
        return None
    seq, scope = lit[0], lit[1]
    elts: list[ir.Expr] = list(seq.elts)
    if isinstance(e, ir.Name):
        for site in scope.calls:  # `tools.append(Ignore)`
            f = site.call.func
            if isinstance(f, ir.Attribute) and f.attr == "append" and isinstance(f.value, ir.Name) \
                    and f.value.id == e.id and len(site.call.args) == 1:
                elts.append(site.call.args[0])
    by_func = tool_defs_by_function(g)
    schemas = _schema_names(g)
    out: list[BoundTool] = []
    for x in elts:
        if isinstance(x, ir.Dict):  # a JSON tool schema written in the list
            declared = schemas.get(id(x))
            if not declared:
                return None
            out.append(BoundTool(declared, scope.path, x.pos))
            continue
        names = {n for v in g.values(x, scope, None) if (n := _tool_name(g, v, by_func)) is not None}
        if len(names) != 1 or isinstance(x, ir.Starred):
            return None
        out.append(BoundTool(names.pop(), scope.path, x.pos))
    return out


def _returned_constants(func: FunctionInfo) -> Optional[list[str]]:
    """The string constants the router returns; None when it returns anything else but names (END)."""
    out: list[str] = []
    for s in func.returns:
        v = s.value
        if isinstance(v, ir.Constant) and isinstance(v.value, str):
            out.append(v.value)
        elif not isinstance(v, (ir.Name, ir.Attribute)):
            return None
    return out


def _fallback(func: FunctionInfo) -> Optional[str]:
    """The constant the function's last top-level statement returns (the router's fallback)."""
    body = func.node.body if func.node is not None else []
    last = body[-1] if body else None
    while isinstance(last, ir.If) and last.orelse:
        last = last.orelse[-1]
    if isinstance(last, ir.Return) and isinstance(last.value, ir.Constant) and isinstance(last.value.value, str):
        return last.value.value
    return None


_MIN_ROUTED = 3  # a router that singles out one or two tools sends the rest on to a general executor


def _graph_unrouted(g: ProjectGraph, sg: StateGraph) -> list[UnroutedTool]:
    out: list[UnroutedTool] = []
    node_names = {n for n, funcs in sg.nodes.items() if funcs}  # a prebuilt ToolNode is no project function
    for node_name, routers in sg.routers.items():
        for node in sg.nodes.get(node_name, ()):
            for e, scope in _bound_lists(g, node):
                tools = bound_tools(g, e, scope)
                if not tools:
                    continue
                bound = {t.name for t in tools}
                for router in routers:
                    routed = routed_names(g, router)
                    returns = _returned_constants(router)
                    # every branch goes to a node of the project's own (no prebuilt executor takes the rest),
                    # every compared name is one of the bound tools, and most of them are routed
                    if returns is None or not returns or any(r not in node_names for r in returns):
                        continue
                    if not routed or any(n not in bound for n in routed) or len(routed) < _MIN_ROUTED:
                        continue
                    missing = [t for t in tools if t.name not in routed]
                    if not missing or len(missing) >= len(routed):
                        continue
                    for t in missing:
                        out.append(UnroutedTool(t, router, tuple(sorted(routed)), _fallback(router)))
    return out


def _compare_subjects(func: FunctionInfo) -> dict[str, list[tuple[str, ir.Name, ir.Stmt]]]:
    """Name -> the string literals it is compared with by `==` in the function (a cheap first test:
    a hand-written executor compares the tool name it was given with each tool's name)."""
    out: dict[str, list[tuple[str, ir.Name, ir.Stmt]]] = {}
    for cmp, stmt in func.walk(ir.Compare):
        if cmp.ops == ["=="] and len(cmp.comparators) == 1:
            left, right = cmp.left, cmp.comparators[0]
            if isinstance(left, ir.Name) and isinstance(right, ir.Constant) and isinstance(right.value, str):
                out.setdefault(left.id, []).append((right.value, left, stmt))
    return out


def _passed_on(func: FunctionInfo, name: str) -> bool:
    """Is `name` handed to a call other than to print it (a registry, a plugin, another executor
    may run the tools the literals leave out)?"""
    for site in func.calls:
        call = site.call
        f = call.func
        callee = f.attr if isinstance(f, ir.Attribute) else f.id if isinstance(f, ir.Name) else ""
        if callee in _TEXT_CALLS:
            continue
        args = list(call.args) + [k.value for k in call.keywords]
        if any(isinstance(a, ir.Name) and a.id == name for a in args):
            return True
    return False


# calls that only show or record a name (logging, formatting)
_TEXT_CALLS = frozenset({"print", "str", "repr", "format", "debug", "info", "warning", "warn", "error",
                         "exception", "critical", "log", "append"})


def _reply_sites(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: object,
                 depth: int = 2) -> set[tuple[str, ir.Pos]]:
    """(path, position) of the model calls whose reply `e` is a value of, a parameter followed to
    the arguments its callers pass (`run_tool(block.name, block.input)`)."""
    out: set[tuple[str, ir.Pos]] = set()
    for v in g.values(e, func, stmt):
        if isinstance(v, LLMOutput):
            out.add((v.site[0], v.site[1].pos))
        elif isinstance(v, ParamRef) and v.func == func.qualname and depth > 0:
            idx = param_index(func, v.name)
            if idx is None:
                continue
            shift = 1 if self_param(func) is not None else 0  # `self.run_tool(name, ...)`
            for site in g.callers(func):
                arg = argument_for(site.call, func.params[idx], idx - shift)
                if arg is not None:
                    out |= _reply_sites(g, arg, site.func, site.stmt, depth - 1)
    return out


def _executor_unrouted(g: ProjectGraph) -> list[UnroutedTool]:
    """Hand-written executors: a function that compares the name of a model's tool call (a value of
    the model's reply) with three or more literals, against the tools the same call is given."""
    from agentable.query.tool_dispatch import tool_dispatches

    by_site: dict[tuple[str, ir.Pos], list[BoundTool]] = {}
    for c in g.agent.llm_calls:
        s = c.setting("tools")
        if s is None:
            continue
        tools = bound_tools(g, s.expr, s.func)
        if tools:
            by_site[(c.func.path, c.call.pos)] = tools
    if not by_site:
        return []
    generic = {id(d.func) for d in tool_dispatches(g)}
    out: list[UnroutedTool] = []
    for func in g.agent.functions():
        if id(func) in generic or g.is_test_code(func.path):
            continue
        if any(id(site.func) in generic for site in g.callers(func)):
            continue  # special cases singled out before the caller looks the other tools up by name
        for subject, hits in _compare_subjects(func).items():
            routed = {lit for lit, _p, _s in hits}
            if len(routed) < _MIN_ROUTED or _passed_on(func, subject):
                continue
            _lit, expr, stmt = hits[0]
            sites = _reply_sites(g, expr, func, stmt)
            for key in sites:
                tools = by_site.get(key)
                if tools is None:
                    continue
                bound = {t.name for t in tools}
                missing = [t for t in tools if t.name not in routed]
                if any(n not in bound for n in routed) or not missing or len(missing) >= len(routed):
                    continue
                for t in missing:
                    out.append(UnroutedTool(t, func, tuple(sorted(routed)), None))
    return out


@per_graph
def unrouted_bound_tools(g: ProjectGraph) -> list[UnroutedTool]:
    """Tools the model is given that the code routing its tool calls by name has no branch for: the
    router of a graph node's tool calls, or a hand-written executor."""
    out: list[UnroutedTool] = []
    seen: set[tuple[str, ir.Pos]] = set()
    found = [u for sg in g.agent.state_graphs for u in _graph_unrouted(g, sg)] + _executor_unrouted(g)
    if found:
        for u in found:
            key = (u.tool.path, u.tool.pos)
            if key not in seen:
                seen.add(key)
                out.append(u)
    return out
