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
    ask for is computed once per scan. The cache lives on the graph (`ProjectGraph.facts`)."""

    @wraps(fn)
    def cached(g: ProjectGraph, *args, **kwargs):
        key = (fn, args, tuple(kwargs.items()))
        facts = g.facts
        if key not in facts:
            facts[key] = fn(g, *args, **kwargs)
        return facts[key]

    return cached  # type: ignore[return-value]
