"""A loop whose model calls run only while a step limit is not reached, the limit checked by a
helper the loop calls each pass:

    while True:
        stop, why = early_stop(trajectory, max_steps)
        if stop:
            action = stop_action(why)
        else:
            action = agent.next_action(trajectory)
        trajectory.append(action)
        ...

`early_stop` returns a true flag once `len(trajectory)` (grown by the loop) reaches `max_steps`.
From that pass on no pass calls the model, so the model is called a bounded number of times,
whatever later decides to leave the loop."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.binding import argument_for, self_param
from agentable.cpg.flow import counted_names
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo

_ORDER = ("<", "<=", ">", ">=")


def model_calls_gated_by_limit(g: ProjectGraph, func: FunctionInfo, loop: ir.Stmt) -> bool:
    """Does every call in the loop that reaches the model sit in the branch taken while a limit
    helper's flag is false (the `else` of `if stop:`, the body of `if not stop:`)?"""
    body: list[ir.Stmt] = loop.body  # type: ignore[attr-defined]
    inside = [s for s in func.calls if loop in func.ancestors(s.stmt)]
    model_sites = [s for s in inside if g.agent.calls_llm(s)]
    if not model_sites:
        return False
    counted = counted_names(body)
    flags = _limit_flags(g, func, inside, counted)
    if not flags:
        return False
    return all(_gated(func, site, loop, flags) for site in model_sites)


def _limit_flags(g: ProjectGraph, func: FunctionInfo, sites: list[CallSite], counted: set[str]) -> set[str]:
    """Names the loop binds to a limit helper's flag: `stop` in `stop, why = early_stop(...)` or
    `stop = out_of_steps(...)`, as the `id`s of the calls too (`if early_stop(...)[0]:`)."""
    out: set[str] = set()
    for site in sites:
        if not any(_limit_helper(g.functions[q], site.call, counted) for q in g.callees(site) if q in g.functions):
            continue
        out.add(f"#call{id(site.call)}")
        stmt = site.stmt
        value = stmt.value.value if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Await) else (
            stmt.value if isinstance(stmt, ir.Assign) else None)
        if isinstance(stmt, ir.Assign) and value is site.call and len(stmt.targets) == 1:
            target = stmt.targets[0]
            first = target.elts[0] if isinstance(target, ir.Seq) and target.elts else target
            if isinstance(first, ir.Name):
                out.add(first.id)
    return out


def _limit_helper(callee: FunctionInfo, call: ir.Call, counted: set[str]) -> bool:
    """Does the function return a true flag (`True`, or a tuple starting with `True`) under an
    ordering test of something computed from a parameter whose argument at `call` the loop
    advances (`len(trajectory)` with the loop appending to `trajectory`)?"""
    if callee.node is None:
        return False
    me = self_param(callee)
    offset = 1 if me is not None else 0
    grown: set[str] = set()
    for index, p in enumerate(callee.params):
        if p.name == me:
            continue
        arg = argument_for(call, p, index - offset)
        if arg is not None and any((d := ir.dotted(x)) and d in counted for x in ir.walk_expr(arg)):
            grown.add(p.name)
    if not grown:
        return False
    derived = _derived(callee.body, grown)
    for s in ir.walk_stmts(callee.body):
        if isinstance(s, ir.If) and _orders(s.test, derived) and any(_returns_true(x) for x in s.body):
            return True
    return False


def _derived(body: list[ir.Stmt], names: set[str]) -> set[str]:
    """`names` and the local names computed from them (`n = (len(trajectory) - 1) / 2`)."""
    out = set(names)
    grew = True
    while grew:
        grew = False
        for s in ir.walk_stmts(body):
            if isinstance(s, ir.Assign) and s.value is not None and _mentions(s.value, out):
                for t in s.targets:
                    if isinstance(t, ir.Name) and t.id not in out:
                        out.add(t.id)
                        grew = True
    return out


def _orders(test: ir.Expr, names: set[str]) -> bool:
    return any(isinstance(e, ir.Compare) and any(op in _ORDER for op in e.ops)
               and any(_mentions(o, names) for o in (e.left, *e.comparators)) for e in ir.walk_expr(test))


def _returns_true(s: ir.Stmt) -> bool:
    if not isinstance(s, ir.Return) or s.value is None:
        return False
    v = s.value.elts[0] if isinstance(s.value, ir.Seq) and s.value.elts else s.value
    return isinstance(v, ir.Constant) and v.value is True


def _mentions(e: ir.Expr, names: set[str]) -> bool:
    return any(isinstance(x, ir.Name) and x.id in names for x in ir.walk_expr(e))


def _gated(func: FunctionInfo, site: CallSite, loop: ir.Stmt, flags: set[str]) -> bool:
    """Is the call in the branch of an `if` on a limit flag that runs while the flag is false?"""
    child: object = site.stmt
    for anc in func.ancestors(site.stmt):
        if anc is loop:
            return False
        if isinstance(anc, ir.If):
            holds = _flag_polarity(anc.test, flags)
            in_body = any(c is child for c in anc.body)
            if holds is not None and in_body != holds:
                return True
        child = anc
    return False


def _flag_polarity(test: ir.Expr, flags: set[str]) -> Optional[bool]:
    """True when the test holds exactly when the limit flag does (`stop`, `early_stop(...)[0]`),
    False for its negation (`not stop`), None for any other test."""
    if isinstance(test, ir.UnaryOp) and test.op == "not":
        inner = _flag_polarity(test.operand, flags)
        return None if inner is None else not inner
    if isinstance(test, ir.Name) and test.id in flags:
        return True
    call = test.value if isinstance(test, ir.Subscript) else test
    if isinstance(call, ir.Call) and f"#call{id(call)}" in flags:
        return True
    return None
