"""TRE013: a loop that calls the model feeds results into state it never sends: the request is built
before the loop (from text the loop then extends), or is the original of a conversation whose copy
the loop extends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Union

from agentable.cpg import ir
from agentable.cpg.flow import enclosing_loops
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.findings import Finding, FlowStep, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta

Loop = Union[ir.While, ir.For]


@dataclass(frozen=True)
class _Stale:
    sent: str  # the name the request is built from, unchanged in the loop
    fed: str  # the name the loop extends
    bound: ir.Stmt  # where `sent` is bound before the loop (from `fed`, or `fed` copied from it)
    update: ir.Stmt  # where the loop extends `fed`
    copied: bool  # `fed` is a copy of `sent` (else `sent` was built from `fed`)


class RequestBuiltBeforeLoop(Rule):
    meta = RuleMeta(
        id="TRE013",
        name="loop-feedback-never-sent",
        category="TRE",
        severity=Severity.WARNING,
        short=("A loop that calls the model adds results or feedback to state the model is never sent: the request "
               "was built before the loop (or is the original of a conversation whose copy the loop extends), so "
               "every turn sends the same request."),
        full=("A retry or refinement loop works only if what it learns reaches the next request. When the prompt is "
              "an f-string built before the loop from `memory`, `memory += output` inside the loop changes a string "
              "the prompt no longer looks at; when the loop appends feedback to `thread` (a `deepcopy` of "
              "`prefix_thread`) but calls the model with `prefix_thread`, the feedback is recorded and never sent. "
              "Each turn then asks the same question, gets the same kind of answer, and the loop runs to its limit. "
              "Judged on recognised model calls inside a loop: a name the call's arguments read is not changed in "
              "the loop, and another name the loop extends (`+=`, or the same adding method the original was "
              "filled with before the loop) is either read to build it before the loop, or a copy of it "
              "(python.toml object_copiers, copy_methods), and no model call in the loop reads it."),
        bad_example=('prompt = f"Answer {question}. Earlier notes: {notes}"\nfor page in pages:\n'
                     '    out = llm.complete(prompt=prompt, image=page).text\n    notes += out'),
        good_example=('for page in pages:\n    prompt = f"Answer {question}. Earlier notes: {notes}"\n'
                      '    out = llm.complete(prompt=prompt, image=page).text\n    notes += out'),
        fix="Build the request inside the loop from the updated state, or send the copy the loop extends.",
        tags=("agent-loop",),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for func in graph.agent.functions():
            if func.is_module:
                continue
            for site in func.calls:
                loops = enclosing_loops(func, site.stmt)
                if not loops or not _model_call(graph, site):
                    continue
                for loop in loops:
                    hit = _stale(graph, func, site.call, loop)
                    if hit is None:
                        continue
                    how = (f"`{hit.fed}` is a copy of `{hit.sent}` (line {hit.bound.pos[0]})" if hit.copied else
                           f"`{hit.sent}` was built from `{hit.fed}` before the loop (line {hit.bound.pos[0]})")
                    # the line to change: the call (send the copy), or the update the request never reads
                    at = site.call.pos if hit.copied else hit.update.pos
                    yield self.finding(
                        ctx, func.path, at,
                        f"The model call at line {site.call.pos[0]} sends `{hit.sent}` on every turn of its loop, but "
                        f"the loop adds what it learns to `{hit.fed}` (line {hit.update.pos[0]}) and {how}: the update "
                        f"never reaches the model, so each turn repeats the same request. Build the request from "
                        f"`{hit.fed}` inside the loop.",
                        flow=(FlowStep(graph.span(func.path, hit.bound.pos), f"`{hit.sent}` bound before the loop"),
                              FlowStep(graph.span(func.path, hit.update.pos), f"`{hit.fed}` extended, never sent"),
                              FlowStep(graph.span(func.path, site.call.pos), f"the model is sent `{hit.sent}`")))
                    break


def _model_call(g: ProjectGraph, site: CallSite) -> bool:
    """A recognised model call, or a call of a project function that reaches one (a wrapper)."""
    if g.agent.llm_call_at(site.call) is not None:
        return True
    llm_functions = g.agent.llm_functions
    return any(q in llm_functions for q in g.callees(site))


def _names(e: ir.Expr) -> set[str]:
    return {x.id for x in ir.walk_expr(e) if isinstance(x, ir.Name)}


def _call_args(call: ir.Call) -> list[ir.Expr]:
    return [*call.args, *(k.value for k in call.keywords)]


def _stale(g: ProjectGraph, func: FunctionInfo, call: ir.Call, loop: Loop) -> Optional[_Stale]:
    inside = list(ir.walk_stmts([loop]))
    inside_ids = {id(s) for s in inside}
    model_reads = {n for site in func.calls if id(site.stmt) in inside_ids and _model_call(g, site)
                   for a in _call_args(site.call) for n in _names(a)}
    for name in sorted({n for a in _call_args(call) for n in _names(a)}):
        bound = _single_binding_before(func, name, loop, inside_ids)
        if bound is None or not _unchanged_in(func, name, inside, call):
            continue
        stmt, value = bound
        for fed, update in _extended_in(g, func, inside, call):
            if fed == name or fed in model_reads or func.defs.get(fed) is None:
                continue
            if fed in _names(value) and _only_updates(func, fed, inside, update) and not _copy_of(g, func, value):
                return _Stale(name, fed, stmt, update, copied=False)
            fed_bound = _single_binding_before(func, fed, loop, inside_ids)
            if fed_bound is not None and _copy_of(g, func, fed_bound[1]) == name \
                    and _same_adder(func, name, fed, update, loop):
                return _Stale(name, fed, fed_bound[0], update, copied=True)
    return None


def _single_binding_before(func: FunctionInfo, name: str, loop: Loop, inside_ids: set[int]
                           ) -> Optional[tuple[ir.Stmt, ir.Expr]]:
    """The one assignment of `name` that reaches the loop, when the function binds it once before it
    (any other binding, a parameter's included, must come earlier than that one)."""
    defs = [d for d in func.defs.get(name, []) if d.how != "param"]
    if len(defs) != 1 or defs[0].how != "assign" or defs[0].value is None or id(defs[0].stmt) in inside_ids:
        return None
    stmt = defs[0].stmt
    if not isinstance(stmt, ir.Stmt) or stmt.pos[0] >= loop.pos[0] or name in func.globals_declared:
        return None
    return stmt, defs[0].value


def _unchanged_in(func: FunctionInfo, name: str, inside: list[ir.Stmt], call: ir.Call) -> bool:
    """Is `name` left alone in the loop: no store into it, no method called on it, and not handed to a
    call (which could change it), except as the model call's own argument?"""
    in_call = {id(x) for a in _call_args(call) for x in ir.walk_expr(a)}
    for s in inside:
        if isinstance(s, (ir.Assign, ir.AugAssign)):
            targets = s.targets if isinstance(s, ir.Assign) else [s.target]
            for t in targets:
                if name in _names(t):
                    return False
        for root in ir.stmt_exprs(s):
            for e in ir.walk_expr(root):
                if e is call or id(e) in in_call or not isinstance(e, ir.Call):
                    continue
                if isinstance(e.func, ir.Attribute) and isinstance(e.func.value, ir.Name) and e.func.value.id == name:
                    return False
                if any(isinstance(a, ir.Name) and a.id == name for a in _call_args(e)):
                    return False
    return not any(name in _names_in_defs(inner) for inner in func.nested.values())


def _names_in_defs(inner: FunctionInfo) -> set[str]:
    return {x.id for s in ir.walk_stmts(inner.body) for root in ir.stmt_exprs(s) for x in ir.walk_expr(root)
            if isinstance(x, ir.Name)}


def _extended_in(g: ProjectGraph, func: FunctionInfo, inside: list[ir.Stmt], call: ir.Call
                 ) -> Iterable[tuple[str, ir.Stmt]]:
    """(name, statement) for each `name += ...` and each method call on a name in the loop."""
    for s in inside:
        if isinstance(s, ir.AugAssign) and isinstance(s.target, ir.Name):
            yield s.target.id, s
        elif isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Call) and isinstance(s.value.func, ir.Attribute) \
                and isinstance(s.value.func.value, ir.Name) and s.value is not call:
            yield s.value.func.value.id, s


def _only_updates(func: FunctionInfo, fed: str, inside: list[ir.Stmt], update: ir.Stmt) -> bool:
    """Is `fed` extended by `+=` and read nowhere in the loop but by its own updates?"""
    if not isinstance(update, ir.AugAssign):
        return False
    for s in inside:
        if isinstance(s, ir.AugAssign) and isinstance(s.target, ir.Name) and s.target.id == fed:
            continue
        if any(fed in _names(root) for root in ir.stmt_exprs(s)):
            return False
    return True


def _copy_of(g: ProjectGraph, func: FunctionInfo, value: ir.Expr) -> Optional[str]:
    """The name `value` copies: `copy.deepcopy(x)`, `x.copy()` (python.toml object_copiers, copy_methods)."""
    if not isinstance(value, ir.Call):
        return None
    py = g.catalog.python
    if isinstance(value.func, ir.Attribute) and value.func.attr in py.copy_methods and isinstance(value.func.value, ir.Name):
        if not value.args and not any(isinstance(v, ExtRef) for v in g.values(value.func.value, func, None)):
            return value.func.value.id
    if value.args and isinstance(value.args[0], ir.Name) and any(
            isinstance(v, ExtRef) and v.path in py.object_copiers for v in g.values(value.func, func, None)):
        return value.args[0].id
    return None


def _same_adder(func: FunctionInfo, sent: str, fed: str, update: ir.Stmt, loop: Loop) -> bool:
    """Does the loop extend the copy with a method the original was filled with before the loop
    (`prefix.add_user(...)` before, `thread.add_user(...)` inside)?"""
    if not (isinstance(update, ir.ExprStmt) and isinstance(update.value, ir.Call)
            and isinstance(update.value.func, ir.Attribute)):
        return False
    method = update.value.func.attr
    for s in func.stmts:
        if s.pos[0] >= loop.pos[0]:
            break
        if isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Call) and isinstance(s.value.func, ir.Attribute) \
                and s.value.func.attr == method and isinstance(s.value.func.value, ir.Name) \
                and s.value.func.value.id == sent:
            return True
    return False
