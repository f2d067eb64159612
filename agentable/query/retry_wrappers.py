"""Retry decorators a project builds on a retry library (catalog retry.toml: tenacity, backoff,
retry, retrying, stamina). `@retry_with_backoff(pattern=...)` is a project function, a decorator
factory, whose inner decorator returns a wrapper that the library's `@retry` re-runs; `@with_retry`
may return `tenacity.retry(stop=...)(fn)`; `@llm_retry()` may return `retry(stop=...)` itself. The
function under such a decorator is re-run on failure as under the library's own."""

from __future__ import annotations

from typing import Optional

from agentable.catalog.specs import RetryDecoratorSpec
from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef, Value
from agentable.query.facts import per_graph


def library_retry(g: ProjectGraph, v: Value, names: frozenset[str]) -> Optional[tuple[str, Optional[RetryDecoratorSpec]]]:
    """The catalog path (and retry.toml entry, if it has one) of a value that is a retry library's
    decorator: `tenacity.retry`, or the decorator a call of it made (`tenacity.retry()`); `names` are
    the last names also taken for one (taint.toml `retry_names`)."""
    if not isinstance(v, ExtRef):
        return None
    path = v.path.removesuffix("()")
    if "(" in path:
        return None
    spec = g.catalog.lookup("retry_decorator", path)
    if spec is None and path.rsplit(".", 1)[-1] not in names:
        return None
    if spec is not None and spec.retried == "predicate":
        return None  # (backoff.on_predicate re-runs on a result, not on an error)
    return path, spec


def _awaits(spec: Optional[RetryDecoratorSpec]) -> bool:
    return spec is None or spec.async_aware


def project_retry(g: ProjectGraph, qualname: str, called: bool, coroutine: bool, names: frozenset[str]) -> bool:
    """Does the project function `qualname`, written as a decorator (`@deco(...)` when `called`,
    else `@deco`), wrap the function it decorates in a retry library's decorator? Three forms:
    - a function in its tree (itself, its nested defs) carries the library's decorator and calls a
      parameter of the tree, the wrapped function (`@retry(...) def wrapped(*a): return func(*a)`);
    - a call in its tree hands a parameter to a decorator the library made (`retry(stop=s)(func)`);
    - called (`@deco(...)`), it returns the library's decorator (`return tenacity.retry(stop=s)`).
    On an `async def` the library must await coroutines (retry.toml `async_aware`), and a wrapper
    must be an `async def` itself: a plain one hands the coroutine back and no error reaches the retry."""
    tree = function_trees(g).get(qualname, [])
    if not tree:
        return False
    params = {p.name for f in tree if f.node is not None for p in f.node.params}
    for f in tree:
        if f.node is None:
            continue
        scope = f.parent or f.module.toplevel
        for d in f.node.decorators:
            for v in g.values(d.func if isinstance(d, ir.Call) else d, scope, None):
                hit = library_retry(g, v, names)
                if hit is None:
                    continue
                if coroutine and not (f.node.is_async and _awaits(hit[1])):
                    continue
                # it calls the decorated function: a parameter of an enclosing def, not one of its own
                outer = params - {p.name for p in f.node.params}
                if any(isinstance(s.call.func, ir.Name) and s.call.func.id in outer for s in f.calls):
                    return True
        for site in f.calls:
            inner = site.call.func
            if not (isinstance(inner, ir.Call) and
                    any(isinstance(a, ir.Name) and a.id in params for a in site.call.args)):
                continue
            for v in g.values(inner.func, f, site.stmt):
                hit = library_retry(g, v, names)
                if hit is not None and (not coroutine or _awaits(hit[1])):
                    return True
    if called:
        root = g.functions[qualname]
        for r in root.returns:
            if r.value is None:
                continue
            for v in g.values(r.value, root, r):
                hit = library_retry(g, v, names)
                if hit is not None and isinstance(v, ExtRef) and v.path.endswith("()") and \
                        (not coroutine or _awaits(hit[1])):
                    return True
    return False


@per_graph
def function_trees(g: ProjectGraph) -> dict[str, list[FunctionInfo]]:
    """Function qualname -> that function and every function whose qualname it prefixes up to a
    dot (its nested defs, a class's methods), in `g.functions` order: built once, a scan of every
    function per decorator use was functions x decorated functions."""
    out: dict[str, list[FunctionInfo]] = {}
    functions = g.functions
    for q, f in functions.items():
        prefix = ""
        for part in q.split("."):
            prefix = f"{prefix}.{part}" if prefix else part
            if prefix in functions:
                out.setdefault(prefix, []).append(f)
    return out
