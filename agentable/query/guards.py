"""Fault tolerance and checks: handlers here or in every caller, suppress and retry (failure_guard),
tests before use in the statements before or in the same expression, membership tests."""

from __future__ import annotations

from typing import Callable, Optional, cast

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.flow import (
    enclosing_handlers,
    exception_catches,
    handler_catches_any,
    handler_reraises_only,
    handler_type_names,
)
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef, FuncRef, Instance, Value
from agentable.query.facts import per_graph
from agentable.query.retry_wrappers import library_retry, project_retry
from agentable.query.taint import config


# What a failing tool typically raises (I/O, network, bad arguments, conversions): a handler for any
# of them around the call shows the loop was written to survive a tool failure.
# A library's own classes (requests.RequestException, sqlite3.Error) count only around a tool that
# calls into that library: catches_library_errors, catalog `library_errors`.
TOOL_FAILURES = python_facts().tool_failures


def is_protected(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...], depth: int = 4,
                 _seen: Optional[set[str]] = None, registered: bool = False) -> bool:
    """Is `stmt` inside a try that catches one of `raised`, in this function or (for every call
    path) in its callers? Functions nobody in the project calls count as unprotected; with
    `registered`, so do functions a decorator registers with a framework (`registered_function`)."""
    catches: HandlerTest = lambda f, s, h: handler_catches_any(h, raised)  # noqa: E731
    return protected_by(g, func, stmt, catches, depth, _seen, registered)


HandlerTest = Callable[[FunctionInfo, ir.Stmt, ir.Handler], bool]


def protected_by(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, catches: HandlerTest, depth: int = 4,
                 _seen: Optional[set[str]] = None, registered: bool = False) -> bool:
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
    # a call of the function from its own body is protected as the outer calls are
    callers = [site for site in g.callers(func) if site.func is not func]
    if not callers or (registered and registered_function(g, func)):
        return False
    return all(protected_by(g, site.func, site.stmt, catches, depth - 1, seen, registered) for site in callers)


def handler_raises_on(h: ir.Handler) -> Optional[tuple[str, ...]]:
    """The exception classes a handler lets out when its body ends in a `raise`: its own classes for
    a bare `raise` or `raise exc` of the caught name, the raised class for `raise Other(...) from
    exc`; None when it ends the error (returns, assigns a fallback, logs and goes on, or raises only
    on some branch)."""
    body = [s for s in h.body if not isinstance(s, ir.ExprStmt)]
    last = body[-1] if body else None
    if not isinstance(last, ir.Raise):
        return None
    exc = last.exc
    if exc is None or (isinstance(exc, ir.Name) and exc.id == h.name):
        return tuple(handler_type_names(h)) or ("BaseException",)
    name = ir.dotted(exc.func if isinstance(exc, ir.Call) else exc)
    return (name,) if name else ("Exception",)


def first_catching_handler(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt,
                           raised: str) -> Optional[tuple[ir.Try, ir.Handler]]:
    """The innermost try of `func` around `stmt` with a handler for `raised`, and the first such
    handler of it (the one Python runs)."""
    lineage = exception_lineage(g, raised)
    child: object = stmt
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.Try) and any(c is child for c in anc.body):
            h = next((h for h in anc.handlers if handler_catches_any(h, lineage)), None)
            if h is not None:
                return anc, h
        child = anc
    return None


def fault_handled(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, raised: str, depth: int = 4,
                  _seen: Optional[frozenset[str]] = None, open_world: bool = False) -> bool:
    """Does an error of class `raised` at `stmt` end in a handler, here or in every caller? Each try
    around it is judged by its first handler that catches the class (Python's order); a handler that
    raises again (`raise`, `raise exc`, `raise ToolError(...) from exc`) hands on what it raises,
    which the tries around that try and the callers must then catch. With `open_world`, the call
    chain must be seen to end uncaught: an agent loop (one that calls the model) that the error
    ends, or the module's code; a function nobody in the project calls (a thread pool, a framework) may be caught there."""
    hit = first_catching_handler(g, func, stmt, raised)
    if hit is not None:
        anc, h = hit
        out = handler_raises_on(h)
        return out is None or any(fault_handled(g, func, anc, o, depth, _seen, open_world) for o in out)
    if open_world and _in_model_loop(g, func, stmt):
        return False  # the agent loop ends here
    seen = _seen or frozenset()
    if depth <= 0 or func.is_module or func.qualname in seen:
        return open_world and not func.is_module
    callers = [site for site in g.callers(func) if site.func is not func]
    if not callers:
        return open_world
    return all(fault_handled(g, site.func, site.stmt, raised, depth - 1, seen | {func.qualname}, open_world)
               for site in callers)


def exception_lineage(g: ProjectGraph, name: str) -> tuple[str, ...]:
    """`name` and, for a class the project defines (`class ToolError(ValueError)`), the names of
    its bases, so that `except ValueError` is seen to catch it."""
    short = name.rsplit(".", 1)[-1]
    out = [name]
    for q, cls in g.classes.items():
        if cls.name == short:
            for c in g.mro(q):
                out += [b.rsplit(".", 1)[-1] for b in c.base_names if b.rsplit(".", 1)[-1] not in out]
    return tuple(out)


def _in_model_loop(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """Is `stmt` in a loop of `func` whose body calls the model (an agent loop)?"""
    loops = [a for a in func.ancestors(stmt) if isinstance(a, (ir.For, ir.While))]
    return any(func.inside(site.stmt, lp) and g.agent.calls_llm(site)
               for lp in loops for site in func.calls)


def registered_function(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Is `func` decorated by a method of an object (`@app.get("/")`, `@mcp.tool()`,
    `@registry.register_function(...)`), not of a module (`@functools.lru_cache`)? Such a
    decorator registers it with a framework, which calls it too, beyond the project's callers."""
    if func.node is None:
        return False
    for d in func.node.decorators:
        target = d.func if isinstance(d, ir.Call) else d
        if isinstance(target, ir.Attribute):
            for v in g.values(target.value, func.module.toplevel, None):
                if isinstance(v, Instance) or (isinstance(v, ExtRef) and v.path.endswith("()")):
                    return True
    return False


def catches_library_errors(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, errors: frozenset[str]) -> bool:
    """Is `stmt` protected (protected_by) by a handler for one of `errors` (catalog names of library
    exception classes, `sqlite3.Error`) or for one of their bases? The handler's classes are
    resolved to the paths they are imported from (`from redis.exceptions import RedisError`,
    `s3.exceptions.ClientError`), so another library's class of the same short name does not count."""
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


def names_in(e: ir.Expr) -> set[str]:
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
    return tested_before(func, stmt, lambda t: name in names_in(t))


def guarded_in_expr(node: ir.Expr, parents: dict[int, ir.Expr], test: Callable[[ir.Expr], bool]) -> bool:
    """Does a condition satisfying `test` have to hold before `node` is evaluated, within the same
    expression: the test of a conditional expression around it (`H[n] if n in H else …`), an earlier
    operand of a boolean chain (`n in H and H[n](…)`), or an `if` clause of a comprehension
    evaluated before it (`[H[b.name]() for b in blocks if b.name in H]`)? `parents` maps id(expr) to
    its parent expression (text_uses.expr_parents)."""
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
        if isinstance(s, ir.If) and test(s.test) and (_settles(s.body, test) or _settles(s.orelse, test)):
            return True
        if isinstance(s, ir.Simple) and s.kind == "assert" and s.exprs and test(s.exprs[0]):
            return True
    return False


def _settles(block: list[ir.Stmt], test: Callable[[ir.Expr], bool]) -> bool:
    """Does the branch of a guard leave, or end in a guard of its own (`if not m: m = retry(); if
    not m: raise`: the value it recomputes is tested again before the code after the `if` runs)?"""
    last = block[-1] if block else None
    if isinstance(last, ir.If) and test(last.test):
        return _settles(last.body, test) or _settles(last.orelse, test)
    if isinstance(last, ir.Simple) and last.kind == "assert" and last.exprs and test(last.exprs[0]):
        return True
    return _exits(block)


def failure_guard(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...],
                  kind: str = "parse", catch_all: bool = False) -> str:
    """Why a failing operation at `stmt` cannot crash the agent: "try" (a handler catching one of
    `raised` here or in every caller; each of them with `catch_all`), "suppress"
    (`contextlib.suppress`), "retry" (the function or every caller is wrapped in a retry decorator
    that re-runs the model call); "" otherwise."""
    cfg = config()
    if cfg.applies("handler", kind):
        registered = cfg.applies("registered_callers", kind)
        if catch_all:
            if all(is_protected(g, func, stmt, (r,), registered=registered) for r in raised):
                return "try"
        elif is_protected(g, func, stmt, raised, registered=registered):
            return "try"
    if cfg.applies("suppress", kind) and suppressed_here(func, stmt, raised):
        return "suppress"
    if cfg.applies("retry", kind) and decorated_with_retry(g, func):
        return "retry"
    return ""


def decorator_uses(g: ProjectGraph, func: FunctionInfo) -> list[tuple[ir.Expr, frozenset[Value]]]:
    """Each of `func`'s decorators with what it is (the called one for `@deco(...)`), resolved in
    the scope that defines `func`."""
    if func.node is None:
        return []
    scope = func.parent or func.module.toplevel
    return [(d, g.values(d.func if isinstance(d, ir.Call) else d, scope, None)) for d in func.node.decorators]


def decorator_values(g: ProjectGraph, func: FunctionInfo) -> list[Value]:
    """What `func`'s decorators are (the called one for `@deco(...)`), resolved in the scope that
    defines `func`."""
    return [v for _, values in decorator_uses(g, func) for v in values]


def decorated_with_retry(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Is `func` wrapped in a retry decorator of a library (tenacity `@retry`, backoff
    `@backoff.on_exception`: retry.toml, taint.toml `retry_names`), or in a project decorator that
    puts one around it (`@retry_with_backoff(...)` returning a tenacity-wrapped wrapper)? On an
    `async def`, a decorator that retry.toml says does not await coroutines (`retry.retry`)
    re-runs nothing: it does not count."""
    names = config().names.get("retry", frozenset())
    coroutine = func.node is not None and func.node.is_async
    for deco, values in decorator_uses(g, func):
        for v in values:
            # a decorator made earlier (`deco = retry(stop=...)`, a `_create_retry_decorator()` helper) is
            # the result of calling the library's decorator: `tenacity.retry()`
            hit = library_retry(g, v, names)
            if hit is not None and (not coroutine or hit[1] is None or hit[1].async_aware):
                return True
            # a project decorator (or decorator factory) built on the library's
            if isinstance(v, FuncRef) and project_retry(g, v.qualname, isinstance(deco, ir.Call), coroutine, names):
                return True
    return False


def suppressed_here(func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...]) -> bool:
    names = config().names.get("suppress", frozenset())
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.With):
            for item in anc.items:
                c = item.context
                if isinstance(c, ir.Call) and (ir.dotted(c.func) or "").rsplit(".", 1)[-1] in names:
                    for a in c.args:
                        t = ir.dotted(a) or ""
                        if any(exception_catches(t, r) for r in raised):
                            return True
    return False


def expr_parents(stmt: ir.Stmt) -> dict[int, ir.Expr]:
    parents: dict[int, ir.Expr] = {}
    for root in ir.stmt_exprs(stmt):
        for e in ir.walk_expr(root):
            for c in ir.iter_child_exprs(e):
                parents[id(c)] = e
    return parents


def names_tested_in_expr(node: ir.Expr, parents: dict[int, ir.Expr], names: set[str]) -> bool:
    """`x.group(1) if x else …`, `x and x.group(1)`, `[… for … if len(x) > 1]`: a test on one
    of `names` that must pass before `node` is evaluated, within the same expression."""
    return guarded_in_expr(node, parents, lambda t: bool(names & names_in(t)))


def keys_tested_in_expr(node: ir.Expr, parents: dict[int, ir.Expr], names: set[str]) -> bool:
    """`d["k"] if "k" in d else …`, `"k" in d and d["k"]`, `[d["k"] for d in ds if "k" in d]`: a
    membership test in the same expression."""
    return guarded_in_expr(node, parents, lambda t: any(_membership_test(t, n) for n in names))


def any_checked_before(func: FunctionInfo, stmt: ir.Stmt, names: set[str]) -> bool:
    return any(checked_before(func, stmt, n) for n in names if n)


def _membership_test(test: Optional[ir.Expr], name: str) -> bool:
    """Does the test check keys of `name`: `"k" in name`, `name.keys() >= {...}`, `name.get(...)`,
    `all(k in name for …)`? (A None/truthiness/isinstance test does not.)"""
    for x in ir.walk_expr(test):
        if isinstance(x, ir.Compare) and any(op in ("in", "not in") for op in x.ops) and \
                any(name in names_in(c) for c in x.comparators):
            return True
        if isinstance(x, ir.Call) and isinstance(x.func, ir.Attribute) \
                and x.func.attr in ("get", "keys", "issubset", "issuperset") \
                and name in names_in(x.func.value):
            return True
    return False


def membership_checked(func: FunctionInfo, stmt: ir.Stmt, name: str) -> bool:
    """Are keys of `name` tested before `stmt`: an enclosing if/while with a membership test, or an
    earlier `if "k" not in name: return/raise/continue` (see `_membership_test`)."""
    return tested_before(func, stmt, lambda t: _membership_test(t, name))


# ---------------------------------------------------------------- branches no caller takes

_UNKNOWN = object()


def unreached_branch(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """Is `stmt` in a branch that no call in the project takes: under `if p:` / `if p is not None:`
    (or the else of `if not p:` / `if p is None:`) where `p` is a parameter that every caller leaves
    at its literal default (`validator=None`)? A function no one calls, one a decorator wraps, one
    referenced as a value (a callback may pass anything), or one that rebinds `p` keeps its branches."""
    if func.node is None:
        return False
    child: object = stmt
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.If) and (any(c is child for c in anc.body) or any(c is child for c in anc.orelse)):
            taken = _static_test(g, func, anc.test)
            if taken is not None and taken != any(c is child for c in anc.body):
                return True
        child = anc
    return False


def _static_test(g: ProjectGraph, func: FunctionInfo, test: ir.Expr) -> Optional[bool]:
    """The value of a branch test on a parameter that keeps its default, or None when unknown."""
    if isinstance(test, ir.UnaryOp) and test.op == "not":
        inner = _static_test(g, func, test.operand)
        return None if inner is None else not inner
    if isinstance(test, ir.Name):
        v = _fixed_param(g, func, test.id)
        return None if v is _UNKNOWN else bool(v)
    if isinstance(test, ir.Compare) and len(test.ops) == 1 and isinstance(test.left, ir.Name) \
            and test.ops[0] in ("is", "is not") and isinstance(test.comparators[0], ir.Constant) \
            and test.comparators[0].value is None:
        v = _fixed_param(g, func, test.left.id)
        return None if v is _UNKNOWN else (v is None) == (test.ops[0] == "is")
    return None


def _fixed_param(g: ProjectGraph, func: FunctionInfo, name: str) -> object:
    """The literal default of parameter `name` when no call in the project passes it, else _UNKNOWN."""
    assert func.node is not None
    params = func.node.params
    idx = next((i for i, p in enumerate(params) if p.name == name), None)
    if idx is None:
        return _UNKNOWN
    p = params[idx]
    if not isinstance(p.default, ir.Constant) or p.kind in ("vararg", "kwarg") or func.node.decorators:
        return _UNKNOWN
    if any(d.how != "param" for d in func.defs.get(name, ())):
        return _UNKNOWN  # rebound in the body
    callers = g.callers(func)
    if not callers or _referenced(g, func):
        return _UNKNOWN
    # a method called through its instance receives `self` implicitly: count positions from 0 anyway
    # (a call that fills `idx - 1` positions may reach the parameter)
    first = idx - 1 if func.cls is not None and idx > 0 else idx
    for site in callers:
        c = site.call
        if c.has_kwargs_splat() or any(isinstance(a, ir.Starred) for a in c.args):
            return _UNKNOWN
        if c.kwarg(name) is not None or len(c.args) > first:
            return _UNKNOWN
    return p.default.value


def referenced_as_value(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Is `func` used other than as a call's callee, so that it may be called with any arguments?"""
    return _referenced(g, func)


def _referenced(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Is `func` used other than as a call's callee (`callback=self.extract`, `partial(f, ...)`,
    `tools=[f]`)? Then it may be called with any arguments. A use that does not resolve counts."""
    for f, s, e in _value_uses(g).get(func.name, ()):
        vals = g.values(e, f, s)
        if not vals or any(isinstance(v, FuncRef) and v.qualname == func.qualname for v in vals):
            return True
    return False


@per_graph
def _value_uses(g: ProjectGraph) -> dict[str, list[tuple[FunctionInfo, ir.Stmt, ir.Expr]]]:
    """Name -> the names and attributes so spelled that are not a call's callee."""
    out: dict[str, list[tuple[FunctionInfo, ir.Stmt, ir.Expr]]] = {}
    # the function's own expressions as the graph indexed them (`expr_walk`: walk_stmts, then
    # stmt_exprs/walk_expr order), rather than walking its statements again
    name_cls, attr_cls = ir.Name, ir.Attribute
    for f in g.functions.values():
        callees = {id(cast(ir.Call, c).func) for c, _s in f.exprs.get(ir.Call, ())}
        for e, s in f.expr_walk:
            cls = e.__class__
            if cls is name_cls:
                name = cast(ir.Name, e).id
            elif cls is attr_cls:
                name = cast(ir.Attribute, e).attr
            else:
                continue
            if id(e) not in callees:
                out.setdefault(name, []).append((f, s, e))
    return out
