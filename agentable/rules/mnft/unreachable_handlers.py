"""Handlers that can never run (MNFT017): an `except` whose every exception class an earlier handler
of the same try already catches (the same class again, or `Exception` first), around a model or
web call. The recovery written for that error is dead code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.flow import exception_catches
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ClassRef, ExtRef

_STDLIB = python_facts().stdlib_modules


@dataclass(frozen=True)
class DeadHandler:
    func: FunctionInfo
    handler: ir.Handler  # never reached
    earlier: ir.Handler  # the handler that catches its errors first
    caught: str  # the class, as the later handler names it
    site: CallSite  # the model or web call in the try


def _identity(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, t: ir.Expr) -> tuple[str, bool]:
    """The class an `except` names: its resolved path and True when it is a library or builtin class
    (ExtRef), or a project class's qualname (or the text, unresolved) and False."""
    vals = g.values(t, func, stmt)
    if len(vals) == 1:
        v = next(iter(vals))
        if isinstance(v, ExtRef) and "(" not in v.path:
            return v.path, True
        if isinstance(v, ClassRef):
            return v.qualname, False
    return ir.dotted(t) or "?", False


def _covers(g: ProjectGraph, first: tuple[str, bool], later: tuple[str, bool]) -> bool:
    if first == later:
        return True
    (a, a_ext), (b, b_ext) = first, later
    if not (a_ext and b_ext):
        return False  # a project class may derive from BaseException
    base_only = g.catalog.python.base_only_exceptions
    if a == "BaseException":
        return True
    if a == "Exception":
        return b not in base_only
    # a builtin, then a builtin or standard-library class under it (`ValueError`, `json.JSONDecodeError`);
    # a library's class is not compared by name (requests' ConnectionError is not the builtin's subclass)
    return "." not in a and ("." not in b or b.split(".", 1)[0] in _STDLIB) and exception_catches(a, b)


def _remote_call(g: ProjectGraph, func: FunctionInfo, body: list[ir.Stmt]) -> Optional[CallSite]:
    inside = {id(s) for s in ir.walk_stmts(body)}
    for site in func.calls:
        if id(site.stmt) not in inside:
            continue
        if g.agent.calls_llm(site) or any(isinstance(v, ExtRef) and g.catalog.does_network_io(v.path)
                                          for v in g.values(site.call.func, func, site.stmt)):
            return site
    return None


def dead_handlers(g: ProjectGraph) -> Iterator[DeadHandler]:
    for func in g.functions.values():
        for t in func.stmts:
            if not isinstance(t, ir.Try) or len(t.handlers) < 2:
                continue
            site: Optional[CallSite] = None
            seen: list[tuple[ir.Handler, tuple[str, bool]]] = []
            for h in t.handlers:
                kinds = [(x, _identity(g, func, t, x)) for x in h.types]
                if kinds and all(any(_covers(g, k, ident) for _, k in seen) for _, ident in kinds):
                    site = site or _remote_call(g, func, t.body)
                    if site is None:
                        break
                    first = next(e for e, k in seen if _covers(g, k, kinds[0][1]))
                    yield DeadHandler(func, h, first, ir.dotted(kinds[0][0]) or kinds[0][1][0], site)
                seen.extend((h, ident) for _, ident in kinds)
