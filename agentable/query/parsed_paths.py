"""Whether a use of parsed model output is protected on the call paths that bring it (LOPE).

`guards.is_protected` asks whether every caller of a function handles an exception. A helper that
reads a parameter (`def save(meta): meta.get("title")`) is called with literal dicts by most
callers and with a parsed model reply by one: only the callers that pass the parsed value decide
whether a bad reply can crash the agent there.
"""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.binding import argument_for, is_staticmethod, param_index
from agentable.cpg.flow import locally_protected
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Parsed
from agentable.query.guards import is_protected


def protected_where_passed(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, name: Optional[str],
                           raised: tuple[str, ...], depth: int = 4, _seen: Optional[set[str]] = None) -> bool:
    """Is the use of `name` at `stmt` protected against `raised` on every call path that passes
    the parsed value in: `name` is a parameter of `func`, and each call site whose argument for
    it is parsed model output handles the exception there or in its own callers (following the
    value through further parameters). False when `name` is not a parameter or no call site
    passes a parsed value (nothing to restrict the callers to)."""
    root = name.split(".", 1)[0] if name else None
    idx = param_index(func, root) if root else None
    if idx is None or depth <= 0:
        return False
    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return False
    seen.add(func.qualname)
    param = func.params[idx]
    offset = 1 if func.cls is not None and not is_staticmethod(func) else 0
    carrying = []
    for site in g.argument_sites(func):
        arg = argument_for(site.call, param, idx - offset)
        if arg is not None and any(isinstance(v, Parsed) and not v.validated for v in g.values(arg, site.func, site.stmt)):
            carrying.append((site, arg))
    if not carrying:
        return False
    for site, arg in carrying:
        if locally_protected(site.func, site.stmt, raised) is not None:
            continue
        inner = _root_name(arg)
        if inner is not None and protected_where_passed(g, site.func, site.stmt, inner, raised, depth - 1, seen):
            continue
        if not is_protected(g, site.func, site.stmt, raised):
            return False
    return True


def _root_name(e: ir.Expr) -> Optional[str]:
    """`data` for `data`, `data["meta"]`, `data.meta`."""
    while isinstance(e, (ir.Subscript, ir.Attribute)):
        e = e.value
    return e.id if isinstance(e, ir.Name) else None


def passing_functions(g: ProjectGraph, func: FunctionInfo, name: Optional[str]) -> Optional[list[FunctionInfo]]:
    """The functions whose calls pass parsed model output for the parameter `name` (its root) of
    `func`, or None when `name` is not a parameter or no call passes a parsed value."""
    root = name.split(".", 1)[0] if name else None
    idx = param_index(func, root) if root else None
    if idx is None:
        return None
    param = func.params[idx]
    offset = 1 if func.cls is not None and not is_staticmethod(func) else 0
    out: dict[str, FunctionInfo] = {}
    for site in g.argument_sites(func):
        arg = argument_for(site.call, param, idx - offset)
        if arg is not None and any(isinstance(v, Parsed) and not v.validated for v in g.values(arg, site.func, site.stmt)):
            out.setdefault(site.func.qualname, site.func)
    return list(out.values()) or None
