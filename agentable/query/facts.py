"""Per-graph memoisation shared by the query helpers, and the types their signatures share."""

from __future__ import annotations

from functools import wraps
from typing import Callable, Optional, TypeVar, Union

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph


_F = TypeVar("_F", bound=Callable)

# Where an expression is evaluated, for value resolution: the statement that holds it (the except
# handler for the name an `except ... as e` binds), or None for anywhere in the function.
EvalAt = Optional[Union[ir.Stmt, ir.Handler]]


def per_graph(fn: _F) -> _F:
    """Memoise a query helper once per graph, by its (hashable) arguments: a fact several rules
    ask for is computed once per scan. The cache lives on the graph (`ProjectGraph.facts`): one
    dict per helper, keyed by the positional-argument tuple of the call itself (no key tuple
    built per call; a hit is one lookup)."""
    slot, slot_kw = object(), object()  # this helper's keys in `g.facts`

    @wraps(fn)
    def cached(g: ProjectGraph, *args, **kwargs):
        facts = g.facts
        # with keywords: a dict per set of keyword names, keyed by one flat tuple of the values
        at = (slot_kw, tuple(kwargs)) if kwargs else slot
        memo: Optional[dict[object, object]] = facts.get(at)  # type: ignore[assignment]  # no cast(): hot
        if memo is None:
            memo = {}
            facts[at] = memo
        key: object = args + tuple(kwargs.values()) if kwargs else args
        hit = memo.get(key, _MISSING)
        if hit is _MISSING:
            hit = memo[key] = fn(g, *args, **kwargs)
        return hit

    return cached  # type: ignore[return-value]


_MISSING = object()


@per_graph
def code_strings(g: ProjectGraph) -> frozenset[str]:
    """Every string constant written in the project's Python code, module level included."""
    funcs = list(g.functions.values()) + [m.toplevel for m in g.modules.values()]
    return frozenset(e.value for _f, _s, e in g.expressions(ir.Constant, funcs)
                     if isinstance(e, ir.Constant) and isinstance(e.value, str))
