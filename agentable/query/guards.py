"""Fault tolerance and checks: handlers here or in every caller, tests before use, None returns."""

from __future__ import annotations

from typing import Callable, Optional

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.flow import EXIT, enclosing_handlers, handler_catches_any, handler_reraises_only
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Const, LLMOutput, Typed, Value

# What a failing tool typically raises (I/O, network, bad arguments, conversions): a handler for any
# of them around the call shows the loop was written to survive a tool failure.
# A library's own classes (requests.RequestException, sqlite3.Error) count only around a tool that
# calls into that library: catches_library_errors, catalog `library_errors`.
TOOL_FAILURES = python_facts().tool_failures


def is_protected(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...], depth: int = 4,
                 _seen: Optional[set[str]] = None) -> bool:
    """Is `stmt` inside a try that catches one of `raised`, in this function or (for every call
    path) in its callers? Functions nobody in the project calls count as unprotected."""
    return protected_by(g, func, stmt, lambda f, s, h: handler_catches_any(h, raised), depth, _seen)


HandlerTest = Callable[[FunctionInfo, ir.Stmt, ir.Handler], bool]


def protected_by(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, catches: HandlerTest, depth: int = 4,
                 _seen: Optional[set[str]] = None) -> bool:
    """is_protected for any test of a handler: is `stmt` inside a try with a handler that
    `catches(function, protected statement, handler)` accepts and that does not only re-raise, here
    or (for every call path) in the callers?"""
    if any(catches(func, stmt, h) and not handler_reraises_only(h) for h in enclosing_handlers(func, stmt)):
        return True
    if depth <= 0 or func.is_module:
        return False
    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return False
    seen.add(func.qualname)
    callers = g.callers(func)
    if not callers:
        return False
    return all(protected_by(g, site.func, site.stmt, catches, depth - 1, seen) for site in callers)


def catches_library_errors(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, errors: frozenset[str]) -> bool:
    """Is `stmt` protected (protected_by) by a handler for one of `errors` (catalog names of library
    exception classes, `sqlite3.Error`) or for one of their bases? The handler's classes are
    resolved to the paths they are imported from (`from redis.exceptions import RedisError`,
    `s3.exceptions.ClientError`), so another library's class of the same short name does not count."""
    from agentable.cpg.values import ExtRef

    if not errors:
        return False
    cat = g.catalog
    caught = {base for e in errors for base in cat.exception_lineage(e)}

    def catches(f: FunctionInfo, s: ir.Stmt, h: ir.Handler) -> bool:
        for t in h.types:
            for v in g.values(t, f, s):
                if isinstance(v, ExtRef) and cat.exception_aliases.get(v.path, v.path) in caught:
                    return True
        return False

    return protected_by(g, func, stmt, catches)


def protecting_handler_names(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt) -> list[str]:
    from agentable.cpg.flow import enclosing_handlers, handler_type_names

    names: list[str] = []
    for h in enclosing_handlers(func, stmt):
        names.extend(handler_type_names(h) or ["<bare except>"])
    return names


def _names_in(e: ir.Expr) -> set[str]:
    out: set[str] = set()
    for x in ir.walk_expr(e):
        d = ir.dotted(x)
        if d:
            out.add(d)
    return out


def _exits(block: list[ir.Stmt]) -> bool:
    return bool(block) and (isinstance(block[-1], (ir.Return, ir.Raise)) or
                            (isinstance(block[-1], ir.Simple) and block[-1].kind in ("continue", "break")))


def tested_before(func: FunctionInfo, stmt: ir.Stmt, test: Callable[[ir.Expr], bool]) -> bool:
    """Does a condition satisfying `test` guard `stmt`: an enclosing `if`/`while` test, or an
    earlier `if ...: return/raise/continue/break` or `assert ...` in an enclosing block?"""
    child: object = stmt
    for anc in func.ancestors(stmt):
        if isinstance(anc, (ir.If, ir.While)) and test(anc.test):
            return True
        block = _block_containing(anc, child)
        if block is not None and _guard_in_prefix(block, child, test):
            return True
        child = anc
    return _guard_in_prefix(func.body, child, test)


def checked_before(func: FunctionInfo, stmt: ir.Stmt, name: str) -> bool:
    """Is `name` tested before `stmt` runs: an enclosing `if`/`while` whose test mentions it, an
    earlier `if not name: return/raise/continue`, an `assert name`, or a walrus in the test."""
    return tested_before(func, stmt, lambda t: name in _names_in(t))


def guarded_in_expr(node: ir.Expr, parents: dict[int, ir.Expr], test: Callable[[ir.Expr], bool]) -> bool:
    """Does a condition satisfying `test` have to hold before `node` is evaluated, within the same
    expression: the test of a conditional expression around it (`H[n] if n in H else …`), an earlier
    operand of a boolean chain (`n in H and H[n](…)`), or an `if` clause of a comprehension
    evaluated before it (`[H[b.name]() for b in blocks if b.name in H]`)? `parents` maps id(expr) to
    its parent expression (text_uses._expr_parents)."""
    child: ir.Expr = node
    cur = parents.get(id(node))
    while cur is not None:
        if isinstance(cur, ir.IfExp) and child is not cur.test and test(cur.test):
            return True
        if isinstance(cur, ir.BoolOp):
            for v in cur.values:
                if v is child:
                    break
                if test(v):
                    return True
        if isinstance(cur, ir.Comp) and any(test(c) for c in _comp_conds_before(cur, child)):
            return True
        child, cur = cur, parents.get(id(cur))
    return False


def _comp_conds_before(comp: ir.Comp, child: ir.Expr) -> list[ir.Expr]:
    """The `if` clauses of `comp` evaluated before its part `child`: all of them for the element
    (written first, evaluated last), else the clauses written before it (clauses run left to right)."""
    if child is comp.elt:
        return list(comp.conds)
    return [c for c in comp.conds if c is not child and c.pos[:2] < child.pos[:2]]


def _block_containing(anc: object, child: object) -> Optional[list[ir.Stmt]]:
    blocks: list[list[ir.Stmt]] = []
    if isinstance(anc, ir.Handler):
        blocks = [anc.body]
    elif isinstance(anc, ir.Stmt):
        blocks = ir.child_blocks(anc)
        if isinstance(anc, (ir.FunctionDef, ir.ClassDef)):
            blocks = [anc.body]
    for b in blocks:
        if any(s is child for s in b):
            return b
    return None


def _guard_in_prefix(block: list[ir.Stmt], child: object, test: Callable[[ir.Expr], bool]) -> bool:
    for s in block:
        if s is child:
            return False
        if isinstance(s, ir.If) and test(s.test) and (_exits(s.body) or _exits(s.orelse)):
            return True
        if isinstance(s, ir.Simple) and s.kind == "assert" and s.exprs and test(s.exprs[0]):
            return True
    return False


def implicit_none_exits(g: ProjectGraph, func: FunctionInfo) -> list[object]:
    """Statements after which control falls off the end of the function (returning None)."""
    if func.node is None:
        return []
    return [p for p in g.reaching(func).predecessors(EXIT) if not isinstance(p, (ir.Return, ir.Raise))]


def bare_returns(func: FunctionInfo) -> list[ir.Return]:
    return [r for r in func.returns if r.value is None or (isinstance(r.value, ir.Constant) and r.value.value is None)]


def value_kinds(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> set[str]:
    """Coarse Python types an expression may have: str, dict, list, none, int, generator, …"""
    kinds: set[str] = set()
    for v in g.values(e, func, stmt):
        kinds.add(value_kind(v))
    return kinds


def value_kind(v: Value) -> str:
    if isinstance(v, Const):
        if v.value is None:
            return "none"
        return type(v.value).__name__
    if isinstance(v, Typed):
        return v.kind
    if isinstance(v, LLMOutput):
        return "str" if v.text else "response"
    return "unknown"
