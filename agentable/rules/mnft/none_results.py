"""Model wrappers that return None when the model call fails (a handler, or the retry loop running
out of attempts, ends in `return None`), and the callers that use what they return as a value
(`reply["content"]`, `reply.text`, `for x in reply`) with no test for None (MNFT012)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional, TypeGuard

from agentable.cpg import ir
from agentable.cpg.flow import ends_by_leaving
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.query.model_call_faults import handler_class_kinds
from agentable.query.none_uses import first_unguarded_use
from agentable.rules.mnft.fallthrough import never_returns

@dataclass(frozen=True, eq=False)
class NoneUse:
    wrapper: FunctionInfo
    gives_none: ir.Node  # the `return None` reached when the model call fails (or the handler that falls off the end)
    model_site: CallSite  # the model call (or the wrapper that makes it) that fails there
    caller: FunctionInfo
    site: CallSite  # the caller's call of the wrapper
    use: ir.Expr  # where the caller uses the result as a value
    stmt: ir.Stmt


def _returns_none(s: object) -> TypeGuard[ir.Return]:
    return isinstance(s, ir.Return) and (s.value is None or (isinstance(s.value, ir.Constant) and s.value.value is None))


def _own_stmts(block: list[ir.Stmt]) -> Iterator[ir.Stmt]:
    """The statements of `block` and the blocks nested in it, not those of nested defs."""
    for s in block:
        yield s
        if not isinstance(s, (ir.FunctionDef, ir.ClassDef)):
            for b in ir.child_blocks(s):
                yield from _own_stmts(b)
            if isinstance(s, ir.Try):
                for h in s.handlers:
                    yield from _own_stmts(h.body)


def none_on_failure(g: ProjectGraph, func: FunctionInfo) -> Optional[tuple[ir.Node, CallSite]]:
    """The `return None` that `func` reaches when its model call fails: in a handler of the try
    around the call, a handler of the function's last statement that falls off its end, or right
    after the loop that retries it; None when `func` never returns a value otherwise (a function
    that returns nothing is not used for its result). A try whose handler names a model SDK's error
    class (`except openai.BadRequestError`) holds a model request even where its calls do not resolve."""
    if not any(r.value is not None and not _returns_none(r) for r in func.returns):
        return None
    model_sites = [s for s in func.calls if func.qualname not in g.callees(s) and g.agent.calls_llm(s)]
    for t in func.stmts:
        if not isinstance(t, ir.Try):
            continue
        inside = {id(s) for s in _own_stmts(t.body)}
        site = next((m for m in model_sites if id(m.stmt) in inside), None) or _sdk_handled_call(g, func, t)
        if site is None:
            continue
        for h in t.handlers:
            for s in _own_stmts(h.body):
                if _returns_none(s):
                    return s, site
            if func.body and t is func.body[-1] and not _leaves(g, func, h.body):
                return h, site  # the handler goes on, past the end of the function
        # the attempts of a retry loop around the try used up: `return None` right after the loop
        loop = next((a for a in func.ancestors(t) if isinstance(a, (ir.For, ir.While))), None)
        if loop is not None:
            after = _next_stmts(func, loop)
            ret = next((s for s in after if not isinstance(s, ir.ExprStmt)), None)
            if _returns_none(ret):
                return ret, site
    return None


def _leaves(g: ProjectGraph, func: FunctionInfo, block: list[ir.Stmt]) -> bool:
    """Does the handler block end by leaving, counting a call that never returns
    (`self._handle_run_error(e)` that re-raises)?"""
    return ends_by_leaving(block, ("continue", "break"), through_branches=True,
                           leaves=lambda s: isinstance(s, ir.ExprStmt) and never_returns(g, func, s))


def _next_stmts(func: FunctionInfo, stmt: ir.Stmt) -> list[ir.Stmt]:
    parent = func.parents.get(id(stmt))
    blocks = [func.body] if parent is None or (isinstance(parent, ir.FunctionDef) and parent is func.node) else []
    if isinstance(parent, ir.Handler):
        blocks = [parent.body]
    elif isinstance(parent, ir.Stmt) and not blocks:
        blocks = ir.child_blocks(parent)
    for b in blocks:
        for i, s in enumerate(b):
            if s is stmt:
                return b[i + 1:]
    return []


def unguarded_none_uses(g: ProjectGraph) -> list[NoneUse]:
    """Each caller's first use of a None-on-failure wrapper's result as a value, unguarded."""
    out: list[NoneUse] = []
    for q in sorted(g.agent.llm_functions | _sdk_handling_functions(g)):
        func = g.functions.get(q)
        if func is None or func.node is None:
            continue
        found = none_on_failure(g, func)
        if found is None:
            continue
        ret, model_site = found
        for site in g.callers(func):
            if site.func is func:
                continue
            use = first_unguarded_use(g, site)
            if use is not None:
                out.append(NoneUse(func, ret, model_site, site.func, site, *use))
    return out


def _sdk_handled_call(g: ProjectGraph, func: FunctionInfo, t: ir.Try) -> Optional[CallSite]:
    """The first call in the body of a try one of whose handlers names a model SDK's error class:
    the request the handler is written for."""
    if not any(k in ("narrow", "transient") for h in t.handlers for k in handler_class_kinds(g, func, t, h)):
        return None
    inside = {id(s) for s in _own_stmts(t.body) if not isinstance(s, ir.Raise)}
    return next((site for site in func.calls if id(site.stmt) in inside and not _builtin(g, func, site)), None)


def _builtin(g: ProjectGraph, func: FunctionInfo, site: CallSite) -> bool:
    """`print(...)`, `len(...)`: a builtin is not the request the handler is for."""
    values = g.values(site.call.func, func, site.stmt)
    return bool(values) and all(isinstance(v, ExtRef) and "." not in v.path for v in values)


def _sdk_handling_functions(g: ProjectGraph) -> set[str]:
    """Functions with a try whose handler names a model SDK's error class."""
    out: set[str] = set()
    for func in g.agent.functions():
        for t in func.stmts:
            if isinstance(t, ir.Try) and _sdk_handled_call(g, func, t) is not None:
                out.add(func.qualname)
                break
    return out
