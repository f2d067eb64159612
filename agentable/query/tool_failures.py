"""Fault tolerance of tool calls: what a tool implementation may raise, and whether the framework
definition of the tool turns on error handling that catches it (MNFT002, MNFT005)."""

from __future__ import annotations

from typing import Optional, Union

from agentable.catalog.specs import ToolConstructorSpec
from agentable.cpg import ir
from agentable.cpg.agent import ToolDef
from agentable.cpg.flow import enclosing_handlers, handler_reraises_only
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ClassRef, ExtRef, FuncRef, Instance
from agentable.query.tools import tool_definition_call


def tool_raised_errors(g: ProjectGraph, func: FunctionInfo, depth: int = 2,
                       _seen: Optional[set[str]] = None) -> frozenset[str]:
    """The library exception classes (catalog `library_errors`) the tool function `func` can let
    out: those of every call into a library that no try in the function encloses, directly or in a
    project function it calls (`depth` levels, as tool_can_fail)."""
    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return frozenset()
    seen.add(func.qualname)
    out: set[str] = set()
    for site in func.calls:
        if any(not handler_reraises(h) for h in enclosing_handlers(func, site.stmt)):
            continue
        for v in g.values(site.call.func, func, site.stmt):
            if isinstance(v, ExtRef):
                out.update(g.catalog.errors_raised_by(v.path))
            elif isinstance(v, (FuncRef, Instance, ClassRef)) and depth > 0:
                for q in sorted(g.callees(site)):
                    callee = g.functions.get(q)
                    if callee is not None and callee.name != "__init__":
                        out |= tool_raised_errors(g, callee, depth - 1, seen)
    return frozenset(out)


def tool_raised_classes(g: ProjectGraph, func: FunctionInfo, depth: int = 2,
                        _seen: Optional[set[str]] = None) -> frozenset[str]:
    """The exception classes the tool function `func` raises itself (`raise QuotaExceeded(...)`)
    outside any handler and any try that ends the error, directly or in a project function it
    calls (`depth` levels)."""
    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return frozenset()
    seen.add(func.qualname)
    out: set[str] = set()
    for r in func.raises:
        if r.exc is None or any(isinstance(a, ir.Handler) for a in func.ancestors(r)) \
                or any(not handler_reraises(h) for h in enclosing_handlers(func, r)):
            continue
        name = ir.dotted(r.exc.func if isinstance(r.exc, ir.Call) else r.exc)
        if name:
            out.add(name)
    if depth > 0:
        for site in func.calls:
            if any(not handler_reraises(h) for h in enclosing_handlers(func, site.stmt)):
                continue
            for q in sorted(g.callees(site)):
                callee = g.functions.get(q)
                if callee is not None and callee.name != "__init__":
                    out |= tool_raised_classes(g, callee, depth - 1, seen)
    return frozenset(out)


def handler_reraises(h: ir.Handler) -> bool:
    return handler_reraises_only(h) or any(isinstance(s, ir.Raise) for s in h.body)


def tool_error_handling_configured(g: ProjectGraph, tool: Optional[Union[ToolDef, ToolConstructorSpec]]) -> bool:
    """Does the tool's definition turn on its framework's error handling (catalog `error_param`,
    e.g. `handle_tool_error=True`)?"""
    spec = getattr(tool, "spec", None)
    param = getattr(spec, "error_param", None)
    if tool is None or not param:
        return False
    call = tool_definition_call(g, tool)
    if call is not None:
        v = call.kwarg(param)
        if v is not None and not (isinstance(v, ir.Constant) and v.value in (None, False)):
            return True
    cls = getattr(tool, "cls", None)
    if cls is not None:
        for c in g.mro(cls.qualname):
            for value, _s, _m in c.attrs.get(param, []):
                if value is not None and not (isinstance(value, ir.Constant) and value.value in (None, False)):
                    return True
    return False
