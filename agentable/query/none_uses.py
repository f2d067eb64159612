"""Uses of a call's result as a value with no test for None: what a caller does with a helper
that may return None (a model wrapper on failure, MNFT012; an extractor whose pattern the reply
lacks, LOPE002)."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite
from agentable.query.guards import checked_before, expr_parents, is_protected, names_tested_in_expr

# what using None as a value raises: a handler for one of them around the use guards it
NONE_USE_ERRORS = ("TypeError", "AttributeError")


def first_unguarded_use(g: ProjectGraph, site: CallSite) -> Optional[tuple[ir.Expr, ir.Stmt]]:
    """The caller's first use of the call's result as a value (`call()[k]`, `call().attr`, or through
    the name it is assigned to: `r.split()`, `r["k"]`) with no test of the result before it and no
    handler for what using None raises; None when there is no such use."""
    caller, stmt = site.func, site.stmt
    parents = expr_parents(stmt)
    inner: ir.Expr = site.call
    holder = parents.get(id(inner))
    if isinstance(holder, ir.Await):
        inner, holder = holder, parents.get(id(holder))
    if holder is not None and _uses_as_value(holder, inner):
        return None if is_protected(g, caller, stmt, NONE_USE_ERRORS) else (holder, stmt)
    if not (isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.Name)):
        return None
    value = stmt.value.value if isinstance(stmt.value, ir.Await) else stmt.value
    if value is not site.call:
        return None
    name = stmt.targets[0].id
    rebinds = sorted(d.stmt.pos for d in caller.defs.get(name, ()) if d.stmt is not stmt and d.stmt.pos > stmt.pos)
    end = rebinds[0] if rebinds else None
    for e, s in sorted(caller.walk(ir.Subscript, ir.Attribute), key=lambda p: p[0].pos):
        base = e.value  # type: ignore[attr-defined]
        if not (isinstance(base, ir.Name) and base.id == name) or s.pos <= stmt.pos or (end and s.pos >= end):
            continue
        if isinstance(s, ir.Assign) and any(t is e for t in s.targets):
            continue
        if checked_before(caller, s, name) or names_tested_in_expr(e, expr_parents(s), {name}):
            return None  # the caller tests the result (once is enough to show it knows)
        if is_protected(g, caller, s, NONE_USE_ERRORS):
            return None
        return e, s
    return None


def _uses_as_value(parent: Optional[ir.Expr], child: ir.Expr) -> bool:
    """`call()[k]` or `call().attr`: the result read as a value in the same expression."""
    return (isinstance(parent, ir.Subscript) and parent.value is child) or \
        (isinstance(parent, ir.Attribute) and parent.value is child)
