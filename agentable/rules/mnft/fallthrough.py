"""Handlers that only report a failed call and go on, and the statement after the try that uses
the name the call would have bound (MNFT012): with the call failed, the name is unbound (or still
None), so the use raises in place of the handled error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional, Union

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.query.guards import checked_before
from agentable.rules.mnft.can_fail import call_can_fail


@dataclass(frozen=True, eq=False)
class FallThroughUse:
    func: FunctionInfo
    handler: ir.Handler  # reports the error and goes on
    bound: ir.Assign  # the statement in the try that binds `name`
    name: str
    use: ir.Expr  # the first read of `name` after the try
    unbound: bool  # no other binding reaches the use (else only `name = None`)


def _only_reports(g: ProjectGraph, func: FunctionInfo, h: ir.Handler, bound: set[str]) -> bool:
    """A handler body of calls (print, logging, traceback), `pass` and bindings of other names than
    the try binds (`log += f"error: {e}"`) only: none of `bound` rebound, nothing returned or
    raised, no loop left, and no call that never returns (`sys.exit`, `parser.error`, python.toml
    `terminating_calls`, or a project function that ends in one or in a raise)."""
    return all((isinstance(s, ir.ExprStmt) and not never_returns(g, func, s)) or
               (isinstance(s, ir.Simple) and s.kind == "pass") or _binds_other(s, bound) for s in h.body)


def _binds_other(s: ir.Stmt, bound: set[str]) -> bool:
    """`x = ...` / `x += ...` of plain names none of which is in `bound`."""
    targets = s.targets if isinstance(s, ir.Assign) else [s.target] if isinstance(s, ir.AugAssign) else None
    return bool(targets) and all(isinstance(t, ir.Name) and t.id not in bound for t in targets or ())


def _names_bound(body: list[ir.Stmt]) -> set[str]:
    """The plain names the statements of a try's body assign (`a, b = call()` binds both)."""
    out: set[str] = set()
    for b in ir.walk_stmts(body):
        if isinstance(b, (ir.Assign, ir.AugAssign)):
            for t in (b.targets if isinstance(b, ir.Assign) else [b.target]):
                out |= {x.id for x in ir.walk_expr(t) if isinstance(x, ir.Name)}
    return out


def never_returns(g: ProjectGraph, func: FunctionInfo, s: ir.ExprStmt, depth: int = 1) -> bool:
    """Is `s` a call that never returns: `sys.exit`, `parser.error` (python.toml `terminating_calls`),
    or a project function whose last statement raises or is such a call (`self._handle_error(e)`)?"""
    call = s.value.value if isinstance(s.value, ir.Await) else s.value
    if not isinstance(call, ir.Call):
        return False
    ends = g.catalog.python.terminating_calls
    if isinstance(call.func, ir.Name) and call.func.id in ends and call.func.id not in func.defs:
        return True  # a builtin (`exit`, `quit`)
    site = next((c for c in func.calls if c.call is call), None)
    for v in g.values(call.func, func, site.stmt if site else s):
        if isinstance(v, ExtRef) and v.path in ends:
            return True
    if site is None or depth <= 0:
        return False
    for q in g.callees(site):
        callee = g.functions.get(q)
        last = callee.body[-1] if callee is not None and callee.body else None
        if isinstance(last, ir.Raise) or (isinstance(last, ir.ExprStmt) and callee is not None
                                          and never_returns(g, callee, last, depth - 1)):
            return True
    return False


def _in_block(func: FunctionInfo, node: Union[ir.Stmt, ir.Handler], block: list[ir.Stmt]) -> bool:
    child: object = node
    for anc in [*func.ancestors(node), None]:
        if any(s is child for s in block):
            return True
        if anc is None:
            return False
        child = anc
    return False


def _enclosing_block(func: FunctionInfo, stmt: ir.Stmt) -> Optional[list[ir.Stmt]]:
    parent = next(iter(func.ancestors(stmt)), None)
    if parent is None:
        return func.body
    blocks = [parent.body] if isinstance(parent, (ir.Handler, ir.FunctionDef, ir.ClassDef)) else \
        ir.child_blocks(parent) if isinstance(parent, ir.Stmt) else []
    return next((b for b in blocks if any(s is stmt for s in b)), None)


def _reads(s: ir.Stmt) -> list[ir.Expr]:
    """The expressions `s` evaluates for their value (a plain name target is written, not read)."""
    if isinstance(s, ir.Assign):
        return [t for t in s.targets if not isinstance(t, ir.Name)] + ([s.value] if s.value is not None else [])
    if isinstance(s, ir.For):
        return [s.iter]
    return ir.stmt_exprs(s)


def _first_read(func: FunctionInfo, try_stmt: ir.Try, name: str) -> Optional[tuple[ir.Stmt, ir.Name]]:
    """The first read of `name` in the statements after the try in its block, before any rebinding;
    a compound statement is looked into only for its own header (its test, iterable, context). When
    the rest of the block neither reads nor leaves, the search goes on after the `if` or `with` that
    holds the block (`if azure: try: r = call() except E: print(e)` and `r.content` after the `if`)."""
    rebinds = {id(d.stmt) for d in func.defs.get(name, [])}
    stmt: ir.Stmt = try_stmt
    while True:
        block = _enclosing_block(func, stmt)
        if block is None:
            return None
        rest = block[next(i for i, s in enumerate(block) if s is stmt) + 1:]
        for s in rest:
            for e in _reads(s):
                for x in ir.walk_expr(e):
                    if isinstance(x, ir.Name) and x.id == name:
                        return s, x
            if id(s) in rebinds or ir.child_blocks(s) or isinstance(s, (ir.FunctionDef, ir.ClassDef)):
                return None
            if isinstance(s, (ir.Return, ir.Raise)) or (isinstance(s, ir.Simple) and s.kind in ("break", "continue")):
                return None  # the rest is not reached
        parent = next(iter(func.ancestors(stmt)), None)
        if not isinstance(parent, (ir.If, ir.With)):
            return None
        stmt = parent


def _prior_binding_is_none_only(func: FunctionInfo, try_stmt: ir.Try, name: str) -> Optional[bool]:
    """True when no binding of `name` outside the try's body may reach the statements after it,
    False when the only other bindings are `name = None`, None when another value may (a parameter,
    a fallback, a binding later in an enclosing loop)."""
    loops = [a for a in func.ancestors(try_stmt) if isinstance(a, (ir.For, ir.While))]
    others = [d for d in func.defs.get(name, []) if not _in_block(func, d.stmt, try_stmt.body)]
    unbound = True
    for d in others:
        if d.how in ("global", "import", "def", "class", "param") or not isinstance(d.stmt, ir.Stmt):
            return None
        before = d.stmt.pos[:2] < try_stmt.pos[:2]
        in_loop = any(_in_block(func, d.stmt, lp.body) for lp in loops)
        if not before and not in_loop:
            continue  # bound only after the use
        if d.how == "assign" and isinstance(d.value, ir.Constant) and d.value.value is None:
            unbound = False
            continue
        return None
    return unbound


def _bound_first(g: ProjectGraph, func: FunctionInfo, try_stmt: ir.Try, name: str) -> Optional[bool]:
    """Is `name` bound by the opening statements of the try's body, which cannot raise (`out = []`,
    `reply = None`, `code = extract_code(reply, lang="json")` with a project helper that cannot be
    seen to fail): True for a value, False for None; None when the body does not start so. A later
    statement of the try that fails (and rebinds `name`) leaves it bound to that first value."""
    found: Optional[bool] = None
    for s in try_stmt.body:
        if not (isinstance(s, ir.Assign) and s.value is not None and all(isinstance(t, ir.Name) for t in s.targets)
                and (_cannot_raise(s.value) or _quiet_call(g, func, s))):
            break
        if any(isinstance(t, ir.Name) and t.id == name for t in s.targets):
            found = not (isinstance(s.value, ir.Constant) and s.value.value is None)
    return found


def _quiet_call(g: ProjectGraph, func: FunctionInfo, s: ir.Assign) -> bool:
    """Is the assigned value a call of project code that cannot be seen to fail (call_can_fail)?"""
    site = next((c for c in func.calls if c.call is s.value and c.stmt is s), None)
    return site is not None and call_can_fail(g, func, site) is None


def _cannot_raise(e: ir.Expr) -> bool:
    """A literal, or a display of literals (`[]`, `{"ok": False}`, `("", 0)`)."""
    if isinstance(e, ir.Constant):
        return True
    if isinstance(e, ir.Seq):
        return all(_cannot_raise(x) for x in e.elts)
    if isinstance(e, ir.Dict):
        return all(k is not None and _cannot_raise(k) for k in e.keys) and all(_cannot_raise(v) for v in e.values)
    return False


def _dereferenced(stmt: ir.Stmt, name: ir.Name) -> bool:
    """Is the name used in a way None fails at once: `x.attr`, `x[...]`, `x(...)`, `for _ in x`?"""
    if isinstance(stmt, ir.For) and stmt.iter is name:
        return True
    for root in ir.stmt_exprs(stmt):
        for e in ir.walk_expr(root):
            if isinstance(e, (ir.Attribute, ir.Subscript)) and e.value is name:
                return True
            if isinstance(e, ir.Call) and e.func is name:
                return True
    return False


def fall_through_uses(g: ProjectGraph) -> Iterator[FallThroughUse]:
    """In every project function: `try: x = call() except E: log(...)` followed by a read of `x`
    that runs when the call failed."""
    for func in g.functions.values():
        if func.node is None and not func.is_module:
            continue
        for s in ir.walk_stmts(func.body):
            if not isinstance(s, ir.Try) or s.orelse or not s.handlers:
                continue
            bound = _names_bound(s.body)
            quiet = [h for h in s.handlers if _only_reports(g, func, h, bound)]
            if not quiet:
                continue
            # one finding per try, at the first read that fails: that read raises, the later never run
            uses = sorted(_fall_through_reads(g, func, s, quiet[0]), key=lambda u: u.use.pos)
            if uses:
                yield uses[0]


def _fall_through_reads(g: ProjectGraph, func: FunctionInfo, s: ir.Try, quiet: ir.Handler) -> Iterator[FallThroughUse]:
    """Each name bound in the try whose read after it fails when the try's call did."""
    for b in ir.walk_stmts(s.body):
        if not (isinstance(b, ir.Assign) and isinstance(b.value, (ir.Call, ir.Await))):
            continue
        for t in b.targets:
            for x in ir.walk_expr(t):
                if not isinstance(x, ir.Name):
                    continue
                if isinstance(t, (ir.Attribute, ir.Subscript)):
                    break  # `self.x = call()` binds no local
                if x.id in func.globals_declared:
                    continue  # a global or nonlocal: bound elsewhere
                hit = _first_read(func, s, x.id)
                state = _prior_binding_is_none_only(func, s, x.id) if hit else None
                first = _bound_first(g, func, s, x.id) if state is not None else None
                if first is not None:  # bound at the top of the try, before anything can fail
                    state = None if first else False
                if hit is None or state is None:
                    continue
                use_stmt, use = hit
                if not state and (checked_before(func, use_stmt, x.id) or not _dereferenced(use_stmt, use)):
                    continue  # still None there: tested first, or handed on as a value
                yield FallThroughUse(func, quiet, b, x.id, use, state)
