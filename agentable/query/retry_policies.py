"""The retry decorators of a function and their policy (catalog retry.toml): which decorator of a
library re-runs the function, whether anything stops it (MNFT013), and whether it re-runs a
coroutine function at all (MNFT014)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.catalog.specs import RetryDecoratorSpec
from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Const, ExtRef, FuncRef
from agentable.query.guards import decorator_uses
from agentable.query.retry_wrappers import function_trees


@dataclass(frozen=True)
class RetryUse:
    """A catalogued retry decorator on a function: the decorator expression (`@retry` or
    `@retry(...)`), the call when it is one, the catalog path it resolves to and its entry."""

    decorator: ir.Expr
    call: Optional[ir.Call]
    path: str
    spec: RetryDecoratorSpec


def retry_uses(g: ProjectGraph, func: FunctionInfo) -> list[RetryUse]:
    out: list[RetryUse] = []
    for deco, values in decorator_uses(g, func):
        for v in values:
            if not isinstance(v, ExtRef):
                continue
            spec = g.catalog.lookup("retry_decorator", v.path)
            if spec is not None:
                out.append(RetryUse(deco, deco if isinstance(deco, ir.Call) else None, v.path, spec))
                break
    return out


def _argument(call: Optional[ir.Call], keyword: str, position: Optional[int]) -> Optional[ir.Expr]:
    if call is None:
        return None
    for k in call.keywords:
        if k.name == keyword:
            return k.value
    args = call.args
    if position is not None and position < len(args) and not any(isinstance(a, ir.Starred) for a in args[:position + 1]):
        return args[position]
    return None


def _spreads(call: Optional[ir.Call]) -> bool:
    """`retry(**opts)` / `retry(*args)`: its bounds are not known."""
    return call is not None and (any(k.name is None for k in call.keywords) or
                                 any(isinstance(a, ir.Starred) for a in call.args))


def _never_stops(g: ProjectGraph, func: FunctionInfo, use: RetryUse, expr: ir.Expr) -> bool:
    """Does this value of a bound never stop (every value it may take is one of the entry's
    unbounded literals or names)? A value that is not known bounds it, as far as we can tell."""
    spec = use.spec
    if isinstance(expr, ir.UnaryOp) and expr.op == "-" and isinstance(expr.operand, ir.Constant) \
            and isinstance(expr.operand.value, int):
        return -expr.operand.value in spec.unbounded_values  # `tries=-1` (a literal, not a value the graph folds)
    scope = func.parent or func.module.toplevel
    values = g.values(expr, scope, None)
    if not values:
        return False
    for v in values:
        if isinstance(v, Const):
            lit = "None" if v.value is None else v.value
            if isinstance(lit, bool) or lit not in spec.unbounded_values:
                return False
        elif isinstance(v, ExtRef):
            if v.path not in spec.unbounded_names:
                return False
        else:
            return False
    return True


def unbounded(g: ProjectGraph, func: FunctionInfo, use: RetryUse) -> bool:
    """Does the decorator retry with no limit on attempts or time (no bound given, or each bound
    given is a value that never stops)?"""
    spec = use.spec
    if _spreads(use.call):
        return False
    given = {b: _argument(use.call, b, spec.positions.get(b)) for b in spec.bounds}
    present = {b: e for b, e in given.items() if e is not None}
    if spec.default_bounded:
        # the defaults stop it, unless every bound is set to a value that never stops
        return len(present) == len(spec.bounds) and all(_never_stops(g, func, use, e) for e in present.values())
    return all(_never_stops(g, func, use, e) for e in present.values())


def retried_argument(use: RetryUse) -> Optional[ir.Expr]:
    """The argument naming what is retried (exception classes, a predicate), if given."""
    return _argument(use.call, use.spec.retried, use.spec.retried_position) if use.spec.retried else None


def sync_retry_on_coroutine(func: FunctionInfo, use: RetryUse) -> bool:
    """Is a decorator that does not await coroutines wrapped around an `async def`?"""
    return func.node is not None and func.node.is_async and not use.spec.async_aware


def remote_work(g: ProjectGraph, func: FunctionInfo, depth: int = 2) -> str:
    """What in `func` fails the way a retry is meant for: "calls the model" (it reaches a model
    call), "runs the tool `x`", or "makes the web request `requests.get(...)`" (a catalog
    network_io call here or in a project function it calls, `depth` levels); "" for none."""
    if func.qualname in g.agent.llm_functions:
        return "calls the model"
    tool = next((t for t in g.agent.tools if t.func is not None and t.func.qualname == func.qualname), None)
    if tool is not None:
        return f"runs the tool `{tool.name or func.name}`"
    hit = _network_call(g, func, depth, set())
    return f"makes the web request `{hit}(...)`" if hit else ""


def _network_call(g: ProjectGraph, func: FunctionInfo, depth: int, seen: set[str]) -> str:
    if func.qualname in seen:
        return ""
    seen.add(func.qualname)
    for site in func.calls:
        for v in g.values(site.call.func, func, site.stmt):
            if isinstance(v, ExtRef) and g.catalog.does_network_io(v.path):
                return ir.dotted(site.call.func) or v.path
        if depth > 0:
            for q in sorted(g.callees(site)):
                callee = g.functions.get(q)
                if callee is not None:
                    hit = _network_call(g, callee, depth - 1, seen)
                    if hit:
                        return hit
    return ""


@dataclass(frozen=True)
class ProjectRetry:
    """A decorator of the project (`deco`, as written on the function) whose wrapper, a plain
    `def`, calls the wrapped function in a try inside a loop: a hand-written retry (`site` is that
    call, in `wrapper`)."""

    decorator: ir.Expr
    wrapper: FunctionInfo
    site: ir.Call


def sync_project_retries(g: ProjectGraph, func: FunctionInfo) -> list[ProjectRetry]:
    """The hand-written retry decorators on `func` whose wrapper is synchronous: none when the
    decorator defines an `async def` wrapper too or tests for coroutine functions (it handles both)."""
    coro_tests = g.catalog.python.coroutine_tests
    out: list[ProjectRetry] = []
    for deco, values in decorator_uses(g, func):
        for v in values:
            if not isinstance(v, FuncRef) or v.qualname not in g.functions:
                continue
            tree = function_trees(g).get(v.qualname, [])
            if any(f.node is not None and f.node.is_async for f in tree) or any(
                    (ir.dotted(s.call.func) or "").rsplit(".", 1)[-1] in coro_tests for f in tree for s in f.calls):
                continue
            params = {p.name for f in tree if f.node is not None for p in f.node.params}
            for f in tree:
                site = next((s for s in f.calls if isinstance(s.call.func, ir.Name) and s.call.func.id in params
                             and _retried_in(f, s.stmt)), None)
                if site is not None:
                    out.append(ProjectRetry(deco, f, site.call))
                    break
            break
    return out


def _retried_in(func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """Is `stmt` in the body of a try (not its handlers) that is inside a loop?"""
    in_try = False
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.Handler) and not in_try:
            return False
        if isinstance(anc, ir.Try):
            in_try = True
        elif isinstance(anc, (ir.For, ir.While)) and in_try:
            return True
    return False
