"""Parse-error handlers that end the run (LOPE011).

A reply the model did not format as asked is a normal event in an agent. A handler around the
parse of model output (or of model-written tool-call arguments) that raises instead (`raise
ValueError(...) from e`, or a fallback parse that raises when it fails too) hands the failure on.
When nothing between that raise and the loop that calls the model catches it, one malformed reply
ends the loop: the run dies where the error could have gone back to the model or a retry. This
module finds such raises. A raise that no model-calling loop above it receives (a parser in a
library's API, a one-shot script) is left alone, as is a handler in a retry loop that can go on
to the next attempt, and a handler that only re-raises unchanged (LOPE001 reports that parse).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.flow import (
    enclosing_handlers,
    exception_catches,
    handler_catches_any,
    handler_reraises_only,
    handler_type_names,
)
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import UNKNOWN, ClassRef, Const, ExtRef, LLMOutput, ParamRef, Parsed, Typed
from agentable.query.dataflow import flows, model_text, sink_of, text_argument
from agentable.query.facts import per_graph
from agentable.query.guards import decorated_with_retry, handler_raises_on, unreached_branch
from agentable.query.taint import Sink
from agentable.query.tool_arguments import model_written_arguments

_LOOPS = (ir.While, ir.For)
_DEPTH = 6  # call levels walked up from a raise to the loop it escapes


@dataclass(frozen=True, eq=False)
class RaisingHandler:
    """A raise that a parse error of model output leads to, and that escapes a model loop."""

    func: FunctionInfo  # where the raise is
    report: ir.Stmt  # the raise, or the `if` whose whole body it is (the check that rejects the reply)
    raised: str  # the exception raised, for messages
    parse: CallSite  # the parse of model output the handler guards
    sink: Sink
    source: LLMOutput
    tool_arguments: bool  # the parsed text is tool-call arguments
    loop_func: FunctionInfo  # the loop that the exception ends
    loop: ir.Stmt
    marker: Optional[str] = None  # the handler returns this marker, and a test of it raises
    no_match: bool = False  # the raise is the path taken when a regex finds nothing in the reply


@per_graph
def raising_handlers(g: ProjectGraph) -> list[RaisingHandler]:
    out: list[RaisingHandler] = []
    seen: set[int] = set()
    markers: dict[str, tuple[CallSite, Sink, LLMOutput, bool]] = {}

    def add(func: FunctionInfo, r: ir.Raise, lineage: Optional[tuple[str, ...]],
            parse: tuple[CallSite, Sink, LLMOutput, bool], marker: Optional[str] = None,
            no_match: bool = False) -> None:
        if id(r) in seen or not lineage:
            return
        escaped = _escaped_loop(g, func, r, lineage, _DEPTH, frozenset())
        if escaped is not None:
            seen.add(id(r))
            out.append(RaisingHandler(func, _report_at(func, r), lineage[0], *parse, *escaped, marker, no_match))

    for parse in _parses(g):
        site, sink = parse[0], parse[1]
        for func, try_stmt, handler in _first_catchers(g, site.func, site.stmt, sink.raises, _DEPTH, frozenset()):
            if _retries(g, func, try_stmt, handler):
                continue
            for r in _raises_in(handler.body, g, func):
                add(func, r, _raised_lineage(g, func, r, handler, sink.raises), parse)
            for m in _returned_markers(handler.body):
                markers.setdefault(m, parse)
    if markers:
        for func, r, m in _marker_raises(g, markers):
            add(func, r, _raised_lineage(g, func, r, None, ()), markers[m], m)
    for site, sink, src, func, r in _no_match_raises(g):
        add(func, r, _raised_lineage(g, func, r, None, ()), (site, sink, src, False), no_match=True)
    return out


def _no_match_raises(g: ProjectGraph) -> Iterator[tuple[CallSite, Sink, LLMOutput, FunctionInfo, ir.Raise]]:
    """Raises taken when a regex search of model text finds nothing: `if not m: raise ...` (or
    `if m is None`) after `m = re.search(pattern, reply)`, and the `raise` that ends a function
    whose match branch (`if m: ... return ...`) is the only way out."""
    for flow in flows(g):
        if flow.kind != "match" or not flow.name or flow.sink is None or not isinstance(flow.source, LLMOutput):
            continue
        func, name = flow.func, flow.name
        site = next((c for c in func.calls if c.call is flow.origin or c.call is flow.expr), None)
        if site is None:
            continue
        for s in ir.walk_stmts(func.body):
            if isinstance(s, ir.If) and s.body and isinstance(s.body[-1], ir.Raise) and _tests_absent(s.test, name):
                yield site, flow.sink, flow.source, func, s.body[-1]
        last = func.body[-1] if func.body else None
        if isinstance(last, ir.Raise) and any(
                isinstance(s, ir.If) and _tests_present(s.test, name)
                and any(isinstance(b, ir.Return) for b in ir.walk_stmts(s.body)) for s in ir.walk_stmts(func.body)):
            yield site, flow.sink, flow.source, func, last


def _tests_absent(test: ir.Expr, name: str) -> bool:
    """`not m`, `m is None`, `m == None`."""
    if isinstance(test, ir.UnaryOp) and test.op == "not":
        return isinstance(test.operand, ir.Name) and test.operand.id == name
    return (isinstance(test, ir.Compare) and isinstance(test.left, ir.Name) and test.left.id == name
            and test.ops in (["is"], ["=="]) and isinstance(test.comparators[0], ir.Constant)
            and test.comparators[0].value is None)


def _tests_present(test: ir.Expr, name: str) -> bool:
    """`m`, `m is not None`, `m != None`."""
    if isinstance(test, ir.Name):
        return test.id == name
    return (isinstance(test, ir.Compare) and isinstance(test.left, ir.Name) and test.left.id == name
            and test.ops in (["is not"], ["!="]) and isinstance(test.comparators[0], ir.Constant)
            and test.comparators[0].value is None)


def _returned_markers(body: list[ir.Stmt]) -> Iterator[str]:
    """String constants a handler returns (`return Call(name="error-occurred", ...)`): a marker
    that stands for the parse error in what the function returns."""
    for s in ir.walk_stmts(body):
        if isinstance(s, ir.Return) and s.value is not None:
            for x in ir.walk_expr(s.value):
                if isinstance(x, ir.Constant) and isinstance(x.value, str) and x.value:
                    yield x.value


def _marker_raises(g: ProjectGraph, markers: Collection[str]) -> Iterator[tuple[FunctionInfo, ir.Raise, str]]:
    """Raises under an `if` that compares a value holding model output or one of the `markers`
    with that marker (`if call.name == "error-occurred": raise ...`)."""
    for func in g.agent.functions():
        for r in func.stmts:
            if not isinstance(r, ir.Raise):
                continue
            for anc in func.ancestors(r):
                if not isinstance(anc, ir.If):
                    continue
                for x in ir.walk_expr(anc.test):
                    if not (isinstance(x, ir.Compare) and x.ops and all(op in ("==", "is") for op in x.ops)):
                        continue
                    sides = [x.left, *x.comparators]
                    consts = [c.value for c in sides if isinstance(c, ir.Constant) and c.value in markers]
                    for m in consts:
                        other = [e for e in sides if not isinstance(e, ir.Constant)]
                        if any(_holds_marker(g, func, anc, e, m) for e in other):
                            yield func, r, str(m)


def _holds_marker(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr, marker: object) -> bool:
    vals = g.values(e, func, stmt)
    return any(isinstance(v, Const) and v.value == marker for v in vals) and \
        any(isinstance(v, (LLMOutput, Parsed)) for v in vals)


def _parses(g: ProjectGraph) -> Iterator[tuple[CallSite, Sink, LLMOutput, bool]]:
    """Parse sinks (taint.toml) applied to model text or to model-written tool-call arguments."""
    for func in g.agent.functions():
        for site in func.calls:
            sink = sink_of(g, site.call, func, site.stmt)
            if sink is None or sink.kind != "parse" or sink.lenient or sink.code or not site.call.args \
                    or unreached_branch(g, func, site.stmt):
                continue
            arg = text_argument(site.call, sink)
            src = model_text(g, arg, func, site.stmt)
            if src is not None:
                yield site, sink, src, False
                continue
            args = model_written_arguments(g, arg, func, site.stmt)
            if args is not None:
                yield site, sink, args, True


def _first_catchers(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...], depth: int,
                    seen: frozenset[str]) -> list[tuple[FunctionInfo, ir.Try, ir.Handler]]:
    """The handlers that first catch `raised` from `stmt`: of the innermost enclosing try that has
    one here, else (for every call path) in the callers. A handler that only re-raises unchanged
    passes the error on."""
    child: object = stmt
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.Try) and any(c is child for c in anc.body):
            hs = [h for h in anc.handlers if handler_catches_any(h, raised) and not handler_reraises_only(h)]
            if hs:
                return [(func, anc, h) for h in hs]
        child = anc
    if depth <= 0 or func.is_module or func.qualname in seen:
        return []
    out: list[tuple[FunctionInfo, ir.Try, ir.Handler]] = []
    for site in _callers(g, func):
        out.extend(_first_catchers(g, site.func, site.stmt, raised, depth - 1, seen | {func.qualname}))
    return out


def _raises_in(body: list[ir.Stmt], g: Optional[ProjectGraph] = None,
               func: Optional[FunctionInfo] = None) -> Iterator[ir.Raise]:
    """The raises of a handler body; with `g`, not those under an opt-in flag that is off by
    default (`if self.raise_on_error: raise`): the user asked for the exception."""
    stack = list(reversed(body))
    while stack:
        s = stack.pop()
        if isinstance(s, ir.Raise):
            yield s
        if g is not None and func is not None and isinstance(s, ir.If) and _off_by_default(g, func, s):
            stack.extend(reversed(s.orelse))
            continue
        for block in reversed(ir.child_blocks(s)):
            stack.extend(reversed(block))


def _off_by_default(g: ProjectGraph, func: FunctionInfo, s: ir.If) -> bool:
    """`if flag:` / `if self.flag:` where the flag is a setting whose default is False."""
    if not isinstance(s.test, (ir.Name, ir.Attribute)):
        return False
    values = g.values(s.test, func, s)
    return Const(False) in values and all(isinstance(v, (Const, ParamRef, Typed)) or v == UNKNOWN for v in values)


def _retries(g: ProjectGraph, func: FunctionInfo, try_stmt: ir.Try, handler: ir.Handler) -> bool:
    """Is the try in a loop that calls the model again, with a handler that can go on to the next
    attempt (a `continue`, or a path that does not end in raise/return)? Then its raise is the
    last attempt's."""
    if _model_loop(g, func, try_stmt) is None:
        return False
    body = handler.body
    goes_on = any(isinstance(s, ir.Simple) and s.kind == "continue" for s in ir.walk_stmts(body))
    return goes_on or not body or not isinstance(body[-1], (ir.Raise, ir.Return))


def _raised_lineage(g: ProjectGraph, func: FunctionInfo, r: ir.Raise, handler: Optional[ir.Handler],
                    caught: tuple[str, ...]) -> Optional[tuple[str, ...]]:
    """The raised exception's class name and its bases' (project classes by their MRO); the caught
    parse errors for `raise` and `raise e` in the handler; None when the class cannot be told."""
    exc = r.exc
    if handler is not None and (exc is None or (isinstance(exc, ir.Name) and exc.id == handler.name)):
        return caught
    if exc is None:
        return None
    target = exc.func if isinstance(exc, ir.Call) else exc
    for v in g.values(target, func, r):
        if isinstance(v, ClassRef) and v.qualname in g.classes:
            names: list[str] = []
            for cls in g.mro(v.qualname):
                names.append(cls.name)
                names.extend(b.rsplit(".", 1)[-1] for b in cls.base_names if b not in g.classes)
            return tuple(dict.fromkeys(names))
        if isinstance(v, ExtRef):
            return (v.path.rsplit(".", 1)[-1],)
    d = ir.dotted(target)
    if d is not None and "." not in d and d[:1].isupper() and d.endswith(("Error", "Exception")):
        return (d,)  # a builtin exception class
    return None


def _caught_by(h: ir.Handler, lineage: tuple[str, ...]) -> bool:
    if not h.types:
        return True
    for t in h.types:
        d = ir.dotted(t)
        if d is None or any(exception_catches(d, n) for n in lineage):
            return True
    return False


def _escaped_loop(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, lineage: tuple[str, ...], depth: int,
                  seen: frozenset[str]) -> Optional[tuple[FunctionInfo, ir.Stmt]]:
    """The model loop that an exception raised at `stmt` ends, on some call path on which nothing
    catches it first (a handler that only re-raises does not). A retry decorator on a function
    that calls the model catches it."""
    if any(_caught_by(h, lineage) and not _passes_on(h) for h in enclosing_handlers(func, stmt)):
        return None
    loop = _model_loop(g, func, stmt)
    if loop is not None:
        return func, loop
    if depth <= 0 or func.is_module or func.qualname in seen:
        return None
    if decorated_with_retry(g, func) and func.qualname in g.agent.llm_functions:
        return None
    for site in _callers(g, func):
        found = _escaped_loop(g, site.func, site.stmt, lineage, depth - 1, seen | {func.qualname})
        if found is not None:
            return found
    return None


def _passes_on(h: ir.Handler) -> bool:
    """`except E: raise` or `except E as e: log(e); raise e`: the same error goes on up."""
    out = handler_raises_on(h)
    return handler_reraises_only(h) or (out is not None and out == (tuple(handler_type_names(h)) or ("BaseException",)))


def _model_loop(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt) -> Optional[ir.Stmt]:
    """The innermost loop around `stmt` in `func` whose body calls a model (directly or through
    project functions)."""
    loops = [a for a in func.ancestors(stmt) if isinstance(a, _LOOPS)]
    if not loops:
        return None
    calling = [s for s in func.calls if _calls_model(g, s)]
    for loop in loops:
        if any(func.inside(s.stmt, loop) for s in calling):
            return loop
    return None


def _calls_model(g: ProjectGraph, site: CallSite) -> bool:
    if g.agent.calls_llm(site):
        return True
    return any(f.qualname in g.agent.llm_functions for f in _protocol_callees(g, site))


def _callers(g: ProjectGraph, func: FunctionInfo) -> list[CallSite]:
    """g.callers, and for `__next__` the `next(obj)` calls on an instance of its class."""
    sites = g.callers(func)
    if func.name == "__next__" and func.cls is not None:
        sites = sites + _next_calls(g)[0].get(func.qualname, [])
    return sites


def _protocol_callees(g: ProjectGraph, site: CallSite) -> list[FunctionInfo]:
    return [f for q in _next_calls(g)[1].get(id(site.call), ()) if (f := g.functions.get(q)) is not None]


@per_graph
def _next_calls(g: ProjectGraph) -> tuple[dict[str, list[CallSite]], dict[int, list[str]]]:
    """`__next__` method -> the `next(obj)` calls whose object may be an instance of its class (the
    iterator protocol, which the call graph does not follow), and the reverse index by call."""
    by_method: dict[str, list[CallSite]] = {}
    by_call: dict[int, list[str]] = {}
    for f in g.functions.values():
        for site in f.calls:
            call = site.call
            if not (isinstance(call.func, ir.Name) and call.func.id == "next" and call.args):
                continue
            for v in g.values(call.args[0], f, site.stmt):
                q: Optional[str] = getattr(v, "qualname", None)
                if q is None or q not in g.classes or isinstance(v, ClassRef):
                    continue
                for cls in g.mro(q):
                    if "__next__" in cls.methods:
                        method = cls.methods["__next__"].qualname
                        by_method.setdefault(method, []).append(site)
                        by_call.setdefault(id(call), []).append(method)
                        break
    return by_method, by_call


def _report_at(func: FunctionInfo, r: ir.Raise) -> ir.Stmt:
    """The `if` whose whole body is the raise (`if not m: raise ...`): the check that rejects the
    reply; else the raise itself."""
    parent = next(iter(func.ancestors(r)), None)
    if isinstance(parent, ir.If) and len(parent.body) == 1 and parent.body[0] is r:
        return parent
    return r
