"""Helpers of the TRE rules that only one rule uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Union

from agentable.cpg import ir
from agentable.cpg.flow import EXIT, enclosing_loops
from agentable.cpg.project import ProjectGraph
from agentable.cpg.response_paths import CALL, INDEX, documented_paths
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.tools import annotation_text
from agentable.cpg.values import Const, ExtRef, LLMOutput, ParamRef, Typed, Value
from agentable.query.facts import per_graph
from agentable.query.guards import expr_parents
from agentable.query.model_derived import model_derived
from agentable.query.tool_invocations import ToolInvocation, tool_invocations


def annotation_name(e: Optional[ir.Expr]) -> Optional[str]:
    """`str` for an annotation `str` (the lowering wraps annotations in a `type` node); the dotted
    name for `typing.List`; None for subscripted or other annotations."""
    e = ir.unwrap_type(e)
    if isinstance(e, ir.Constant) and isinstance(e.value, str):
        return e.value
    return ir.dotted(e)


def implicit_none_exits(g: ProjectGraph, func: FunctionInfo) -> list[object]:
    """Statements after which control falls off the end of the function (returning None)."""
    if func.node is None:
        return []
    return [p for p in g.reaching(func).predecessors(EXIT) if not isinstance(p, (ir.Return, ir.Raise))]


def bare_returns(func: FunctionInfo) -> list[ir.Return]:
    return [r for r in func.returns if r.value is None or (isinstance(r.value, ir.Constant) and r.value.value is None)]


def value_kinds(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> set[str]:
    """Coarse Python types an expression may have: str, dict, list, none, int, generator, …"""
    kinds: set[str] = set()
    for v in g.values(e, func, stmt):
        kinds.add(value_kind(v))
    return kinds


def value_kind(v: Value) -> str:
    if isinstance(v, Const):
        if v.value is None:
            return "none"
        return type(v.value).__name__
    if isinstance(v, Typed):
        return v.kind
    if isinstance(v, LLMOutput):
        return "str" if v.text else "response"
    return "unknown"


def is_stub(func: FunctionInfo) -> bool:
    """A body of only a docstring, `pass`, `...` or `raise` (abstract methods, protocols)."""
    body = list(func.body)
    if body and isinstance(body[0], ir.ExprStmt) and isinstance(body[0].value, ir.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return all(isinstance(s, ir.Raise) or (isinstance(s, ir.Simple) and s.kind == "pass")
               or (isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Constant)) for s in body)


def declared_result(func: FunctionInfo, tool: Optional[object]) -> Optional[tuple[str, str]]:
    """(type name, how it is declared) of a tool's result: the implementation's return annotation
    (`-> str`), else the framework's result-type attribute (smolagents `output_type = "string"`,
    mapped to a Python type by the catalog). None when neither says."""
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


@dataclass(frozen=True)
class ResponsePart:
    """An SDK response object, or a part of it short of the model's text, that a value may be."""

    type_name: str  # the SDK's type there (catalog sdk_response_types), "" when not catalogued
    read: str  # the access path read from the response so far (`.choices[0]`)
    rest: str  # the documented path on from there to the text (`.message.content`)
    where: Optional[tuple[str, ir.Pos]]  # where that part is read from the response (none: the call's result itself)


def sdk_response_part(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> Optional[ResponsePart]:
    """What `e` is when it may be an LLM SDK call's response or a part of it (a `Choice`, a
    `ChatCompletionMessage`, an `AIMessage`) rather than the text in it: a read of the response
    that is a proper prefix of an access path its API documents as the model's text. Raw HTTP
    replies (the provider's JSON envelope) are data, judged by TRE002."""
    if e is None:
        return None
    for v in g.values(e, func, stmt):
        if not isinstance(v, LLMOutput) or v.text or v.http or CALL in v.read:
            continue
        llm = g.agent.llm_call_at(v.site[1])
        spec = getattr(llm, "spec", None)
        # (a chat model's output carries no paths; its catalog entry has them)
        documented = v.documented or (documented_paths(spec) if spec is not None else ())
        rest = next((doc[len(v.read):] for doc in documented
                     if len(doc) > len(v.read) and doc[:len(v.read)] == v.read), None)
        if rest is None:
            continue
        family = f"{getattr(spec, 'framework', '')}.{getattr(llm, 'api', '')}"
        known = g.catalog.sdk_response_types
        types = known.get(f"{family}.{getattr(llm, 'method', '')}") or known.get(family, {})
        read = access_text(v.read)
        where = (v.steps[-1][0], v.steps[-1][1]) if v.read and v.steps else None
        return ResponsePart(types.get(read, ""), read, access_text(rest), where)
    return None


def access_text(segments: tuple[str, ...]) -> str:
    """("choices", "[]", "message") -> ".choices[0].message" (an index is shown as the first one)."""
    return "".join("[0]" if s == INDEX else "()" if s == CALL else f".{s}" for s in segments)


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


@dataclass(eq=False)
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
    out: list[DroppedToolResult] = []
    invocations = tool_invocations(g)
    for c in g.agent.llm_calls:
        if c.setting("tools") is None:
            continue
        msgs = c.setting("messages")
        if msgs is None or msgs.where != "call":
            continue
        func = c.func
        loops = enclosing_loops(func, c.site.stmt)
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
        import networkx  # deferred, as in cpg.flow: ~0.3 s of a pre-commit run's start-up otherwise

        flow = networkx.restricted_view(cfg, [n for n in cfg if isinstance(n, ir.Handler)], [])
        for inv in invocations:
            if inv.func is not func or id(inv.site.stmt) not in inside_ids or inv.site.call is c.call:
                continue
            if not _runs_on_model_request(g, inv):
                continue
            if inv.site.stmt in flow and networkx.has_path(flow, inv.site.stmt, outer):
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
                   for k, v in zip(e.keys, e.values, strict=False))
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


def _only_receiver_before(g: ProjectGraph, func: FunctionInfo, name: str, loop: ir.Stmt,
                          def_stmt: Union[ir.Stmt, ir.Handler]) -> bool:
    """Before the loop, is `name` only the receiver of method calls (`messages.append(...)`) or
    what a model call is asked with (`client.responses.create(input=messages)`: the SDK sends it
    and keeps no reference), never stored in another structure or passed to other code?"""
    start = loop.pos[0]
    requests = {id(m.expr) for c in _llm_calls_by_function(g).get(func.qualname, ()) if c.func is func  # type: ignore[attr-defined]
                for m in (c.setting("messages"),) if m is not None and m.where == "call"}  # type: ignore[attr-defined]
    for s in ir.walk_stmts(func.body):
        if s.pos[0] >= start or s is def_stmt:
            continue
        parents = expr_parents(s)
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
