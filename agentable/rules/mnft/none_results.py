"""Model wrappers that return None when the model call fails (a handler, or the retry loop running
out of attempts, ends in `return None`), and the callers that use what they return as a value
(`reply["content"]`, `reply.text`, `for x in reply`) with no test for None (MNFT012)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional, TypeGuard

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.query.none_uses import first_unguarded_use

@dataclass(frozen=True, eq=False)
class NoneUse:
    wrapper: FunctionInfo
    gives_none: ir.Return  # the `return None` reached when the model call fails
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


def none_on_failure(g: ProjectGraph, func: FunctionInfo) -> Optional[tuple[ir.Return, CallSite]]:
    """The `return None` that `func` reaches when its model call fails: in a handler of the try
    around the call, or right after the loop that retries it; None when `func` never returns a
    value otherwise (a function that returns nothing is not used for its result)."""
    if not any(r.value is not None and not _returns_none(r) for r in func.returns):
        return None
    model_sites = [s for s in func.calls if func.qualname not in g.callees(s) and g.agent.calls_llm(s)]
    if not model_sites:
        return None
    for t in func.stmts:
        if not isinstance(t, ir.Try):
            continue
        inside = {id(s) for s in _own_stmts(t.body)}
        site = next((m for m in model_sites if id(m.stmt) in inside), None)
        if site is None:
            continue
        for h in t.handlers:
            for s in _own_stmts(h.body):
                if _returns_none(s):
                    return s, site
        # the attempts of a retry loop around the try used up: `return None` right after the loop
        loop = next((a for a in func.ancestors(t) if isinstance(a, (ir.For, ir.While))), None)
        if loop is not None:
            after = _next_stmts(func, loop)
            ret = next((s for s in after if not isinstance(s, ir.ExprStmt)), None)
            if _returns_none(ret):
                return ret, site
    return None


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
    for q in sorted(g.agent.llm_functions):
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
