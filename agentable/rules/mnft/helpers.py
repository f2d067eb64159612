"""Helpers of the MNFT rules that only one rule uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from agentable.catalog import python_facts
from agentable.catalog.specs import AgentSpec, ToolConstructorSpec
from agentable.cpg import ir
from agentable.cpg.agent import AgentConstruct, ToolDef
from agentable.cpg.flow import (
    assigned_names,
    counted_names,
    exits_of,
    is_counter_test,
    emptied_test,
    enclosing_handlers,
    ends_by_leaving,
    exception_catches,
    handler_type_names,
    is_always_true,
)
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ClassRef, Const, ExtRef, FuncRef, Instance, Typed
from agentable.query.run_budgets import budget_bound, raise_leaves_loop, raised_classes
from agentable.query.facts import per_graph
from agentable.query.function_runners import ran_function
from agentable.query.guards import (decorated_with_retry, expr_parents, failure_guard, guarded_in_expr, names_in,
                                    suppressed_here, tested_before)
from agentable.query.literals import construction_arg
from agentable.query.model_call_faults import call_retries
from agentable.query.tool_dispatch import ToolDispatch
from agentable.query.tool_failures import tool_error_handling_configured
from agentable.rules.mnft.none_loops import none_loop_settles
from agentable.rules.mnft.callee_counters import counted_in_self_callees
from agentable.rules.mnft.descent import descends_tree
from agentable.rules.mnft.limit_gates import model_calls_gated_by_limit
from agentable.rules.mnft.optional_limit import off_when_none
from agentable.rules.mnft.recursion import reply_size_test
from agentable.rules.mnft.step_equality import equals_step_limit
from agentable.rules.mnft.declared_types import declared_external


def _key_guard(test: ir.Expr, names: set[str]) -> bool:
    """A test that validates a looked-up name: a membership test (`name in TOOLS`,
    `name not in registry.keys()`), a call given the name (`hasattr(obj, name)`, `is_known(name)`),
    or a None test on the looked-up value."""
    for x in ir.walk_expr(test):
        if isinstance(x, ir.Compare):
            if any(op in ("in", "not in") for op in x.ops) and names & names_in(x.left):
                if not all(isinstance(c, ir.Constant) and isinstance(c.value, str) for c in x.comparators):
                    return True
            if any(op in ("is", "is not") for op in x.ops) and names & names_in(x.left):
                return True
        elif isinstance(x, ir.Call) and any(names & names_in(a) for a in x.args):
            return True
    if names & {ir.dotted(test) or ""}:
        return True  # `if tool:` / `if not tool:` on the looked-up value
    if isinstance(test, ir.UnaryOp) and test.op == "not" and names & {ir.dotted(test.operand) or ""}:
        return True
    return False


def name_validated_before(func: FunctionInfo, stmt: ir.Stmt, names: set[str], expr: Optional[ir.Expr] = None) -> bool:
    """Is one of `names` validated (see _key_guard) before `stmt` runs: in the test of an enclosing
    if/while, an earlier `if …: return/raise/continue/break`, an assert, or within the expression
    (`TOOLS[n] if n in TOOLS else …`, `n in TOOLS and TOOLS[n](…)`, `[TOOLS[c.name]() for c in calls
    if c.name in TOOLS]`)?"""
    names = {n for n in names if n}
    if not names:
        return False
    if expr is not None and guarded_in_expr(expr, expr_parents(stmt), lambda t: _key_guard(t, names)):
        return True
    return tested_before(func, stmt, lambda t: _key_guard(t, names))


def dispatch_guard(g: ProjectGraph, d: ToolDispatch) -> str:
    """Why an unknown name cannot crash this dispatch: "check" (validated before), "try" (a handler
    for the lookup's error here or in every caller), "suppress"; "" when nothing handles it."""
    names = {_key_name(d.key)}
    if d.bound:
        names_bound = {d.bound}
        if d.kind == "get" and all(name_validated_before(d.func, site.stmt, names_bound, site.call) for site in d.calls):
            return "check"
    if name_validated_before(d.func, d.stmt, names, d.lookup):
        return "check"
    built = _built_from(d.func, names)
    if built and tested_before(d.func, d.stmt, lambda t: _passed_to_call(t, built)):
        return "check"  # `if os.path.isfile(path_of(name)):` finds out whether the tool exists
    raised = (*d.raises, "LookupError") if d.kind == "subscript" else d.raises
    guard = failure_guard(g, d.func, d.stmt, raised)
    if guard:
        return guard
    if d.kind == "get":
        if all(failure_guard(g, d.func, site.stmt, d.raises) for site in d.calls):
            return "try"
    return ""


def _built_from(func: FunctionInfo, names: set[str]) -> set[str]:
    """Local names the function builds from one of `names` (`tool_dir = os.path.join(root, name)`,
    then `handler = os.path.join(tool_dir, "handler.py")`), the names themselves excluded."""
    names = {n for n in names if n}
    built: set[str] = set()
    for _ in range(3):  # a path built in a few steps
        for s in func.stmts:
            if isinstance(s, ir.Assign) and s.value is not None and names_in(s.value) & (names | built):
                built |= {t.id for t in s.targets if isinstance(t, ir.Name)}
    return built - names


def _passed_to_call(test: ir.Expr, built: set[str]) -> bool:
    """A test that calls something with a value built from the name (`os.path.isfile(handler)`)."""
    return any(isinstance(x, ir.Call) and any(built & names_in(a) for a in x.args) for x in ir.walk_expr(test))


def _key_name(e: ir.Expr) -> str:
    d = ir.dotted(e)
    if d:
        return d
    for x in ir.walk_expr(e):
        d = ir.dotted(x)
        if d:
            return d
    return ""


def tool_error_handling_covers(g: ProjectGraph, tool: Optional[Union[ToolDef, ToolConstructorSpec]],
                               raised: frozenset[str]) -> bool:
    """Does the error handling the tool's definition turns on catch one of the errors `raised`?
    LangChain's `handle_tool_error=True` catches ToolException only (catalog
    `error_param_catches`): a `requests` HTTPError still propagates; an empty list catches all."""
    if not tool_error_handling_configured(g, tool):
        return False
    catches = getattr(getattr(tool, "spec", None), "error_param_catches", ()) or ()
    return not catches or any(exception_catches(c, r) for c in catches for r in raised)


# Calls and methods that block on a person (catalog python.toml).
_HUMAN_INPUT = python_facts().human_input_calls
_HUMAN_METHODS = python_facts().human_input_methods
_HUMAN_TAILS = tuple("." + t for t in python_facts().human_input_tails)


# Work queues: a loop that blocks on the next item each turn is a worker, driven by its producers.
_QUEUE_TYPES = ("asyncio.Queue()", "queue.Queue()", "asyncio.queues.Queue()", "multiprocessing.Queue()",
                "queue.SimpleQueue()", "asyncio.PriorityQueue()", "queue.PriorityQueue()")


_CLOCKS = python_facts().clock_calls


def _always_reaches(body: list[ir.Stmt], hit: set[int]) -> bool:
    """Does every run of `body` execute one of the statements in `hit`: one at its top level, in
    a `with`/`try` block or an inner loop's body, or in both branches of an `if`? A prompt that only
    some passes show (`elif ask_user: input(...)`, skipped in a --continuous mode) puts nobody in
    the loop; `if auto: line = script.pop() else: line = input()` does."""
    for s in body:
        if id(s) in hit:
            return True
        if isinstance(s, (ir.With, ir.For, ir.While)) and _always_reaches(s.body, hit):
            return True
        if isinstance(s, ir.Try) and (_always_reaches(s.body, hit) or _always_reaches(s.finalbody, hit)):
            return True
        if isinstance(s, ir.If) and _always_reaches(s.body, hit) and _always_reaches(s.orelse, hit):
            return True
        if _may_continue(s):
            return False  # a pass that takes this `continue` skips what follows (a --continuous mode)
    return False


def _asked_once_emptied(body: list[ir.Stmt], hit: set[int]) -> bool:
    """`if not task: task = input(...)` ... `task = None` at the end of the pass: the person is
    asked only when there is no task yet (the first task may come from the command line), and every
    pass that gets to the end empties it, so each later pass waits for them again."""
    for i, s in enumerate(body):
        if isinstance(s, ir.If) and _always_reaches(s.body, hit):
            name = _emptiness_tested(s.test)
            for r in body[i + 1:] if name else []:
                if _may_continue(r):
                    return False
                if isinstance(r, ir.Assign) and any(ir.dotted(t) == name for t in r.targets) \
                        and isinstance(r.value, ir.Constant) and not r.value.value:
                    return True
            return False
        if _may_continue(s):
            return False
    return False


def _emptiness_tested(test: ir.Expr) -> Optional[str]:
    """The name `test` finds empty: `not task`, `task is None`, `task == ""`."""
    if isinstance(test, ir.UnaryOp) and test.op == "not":
        return ir.dotted(test.operand)
    if isinstance(test, ir.Compare) and len(test.ops) == 1 and test.ops[0] in ("is", "==") \
            and isinstance(test.comparators[0], ir.Constant) and not test.comparators[0].value:
        return ir.dotted(test.left)
    return None


def _may_continue(s: ir.Stmt) -> bool:
    """Does `s` hold a `continue` of the loop around it (not one of a loop nested in `s`)?"""
    if isinstance(s, ir.Simple):
        return s.kind == "continue"
    if isinstance(s, (ir.While, ir.For, ir.FunctionDef, ir.ClassDef)):
        return False
    return any(_may_continue(x) for b in ir.child_blocks(s) for x in b)


def _short_circuited(stmt: ir.Stmt, call: ir.Call) -> bool:
    """Is `call` evaluated only on some passes through `stmt`: after the first operand of
    `and`/`or` (`if not auto and input(...)`) or in a branch of a conditional expression?"""
    for root in ir.stmt_exprs(stmt):
        for e in ir.walk_expr(root):
            parts = e.values[1:] if isinstance(e, ir.BoolOp) else (
                [e.body, e.orelse] if isinstance(e, ir.IfExp) else [])
            if any(x is call for part in parts for x in ir.walk_expr(part)):
                return True
    return False


def waits_for_human(g: ProjectGraph, func: FunctionInfo, body: list[ir.Stmt], depth: int = 2) -> bool:
    """Does this block (or a project function it calls, `depth` levels) wait for outside input each
    time it runs: `input()`, stdin, a prompt library, a websocket receive or a work queue's `get()`?"""
    waiting = human_wait_stmts(g, func, body, depth)
    if waiting and (_always_reaches(body, waiting) or _asked_once_emptied(body, waiting)):
        return True
    for s in ir.walk_stmts(body):
        if isinstance(s, ir.For):  # `for line in sys.stdin`
            d = ir.dotted(s.iter) or ""
            if d in ("sys.stdin",) or d.endswith(".stdin"):
                return True
    return False


def human_wait_stmts(g: ProjectGraph, func: FunctionInfo, body: list[ir.Stmt], depth: int = 2) -> set[int]:
    """ids of the statements of the block that wait for outside input (see waits_for_human)."""
    inside = {id(s) for s in ir.walk_stmts(body)}
    waiting: set[int] = set()
    for site in func.calls:
        if id(site.stmt) not in inside or id(site.stmt) in waiting or _short_circuited(site.stmt, site.call):
            continue
        if _waits(g, func, site, depth):
            waiting.add(id(site.stmt))
    return waiting


def _waits(g: ProjectGraph, func: FunctionInfo, site: object, depth: int) -> bool:
    """Does this call wait for a person (directly, or in a project function it calls)?"""
    f = site.call.func  # type: ignore[attr-defined]
    stmt = site.stmt  # type: ignore[attr-defined]
    if isinstance(f, ir.Attribute) and f.attr in _HUMAN_METHODS:
        return True
    if isinstance(f, ir.Attribute) and f.attr == "get" and (not site.call.args or any(  # type: ignore[attr-defined]
            isinstance(v, ExtRef) and v.path.startswith(_QUEUE_TYPES) for v in g.values(f.value, func, stmt))):
        return True  # a work queue's get(); with no key, `.get()` is never a dict's (a queue passed in)
    ran = ran_function(g, site.call, func, stmt)  # type: ignore[attr-defined]
    # (`await loop.run_in_executor(None, input, "> ")` waits for the person as `input("> ")` does)
    for callee in (f,) if ran is None else (f, ran):
        if any(isinstance(v, ExtRef) and _human_input_path(v.path) for v in g.values(callee, func, stmt)):
            return True
    if depth > 0:
        for q in g.callees(site):  # type: ignore[arg-type]
            callee = g.functions.get(q)
            if callee is not None and callee is not func and waits_for_human(g, callee, callee.body, depth - 1):
                return True
    return False


def _human_input_path(path: str) -> bool:
    return path in _HUMAN_INPUT or path.endswith(_HUMAN_TAILS) or (
        path.rsplit(".", 1)[-1] in ("input", "prompt", "ask")
        and path.split(".")[0] in ("builtins", "click", "typer", "rich", "questionary", "prompt_toolkit", "inquirer"))


def _compares_clock(g: ProjectGraph, func: FunctionInfo, test: ir.Expr) -> bool:
    for x in ir.walk_expr(test):
        if isinstance(x, ir.Call):
            for v in g.values(x.func, func, None):
                if isinstance(v, ExtRef) and v.path in _CLOCKS:
                    return True
    return False


def _flag_assignments(loop: ir.Stmt, names: set[str]) -> list[tuple[ir.Stmt, list[ir.Expr]]]:
    """Assignments in the loop body to one of `names`, with the if-tests guarding each."""
    out: list[tuple[ir.Stmt, list[ir.Expr]]] = []

    def visit(block: list[ir.Stmt], tests: list[ir.Expr]) -> None:
        for s in block:
            if isinstance(s, (ir.Assign, ir.AugAssign)):
                targets = s.targets if isinstance(s, ir.Assign) else [s.target]
                if any(ir.dotted(t) in names for t in targets):
                    out.append((s, tests))
            if isinstance(s, ir.If):
                visit(s.body, [*tests, s.test])
                visit(s.orelse, [*tests, s.test])
            else:
                for b in ir.child_blocks(s):
                    visit(b, tests)

    visit(loop.body, [])  # type: ignore[attr-defined]
    return out


def loop_unbounded(g: ProjectGraph, loop: object, limit_off: bool = False) -> Optional[str]:
    """Why an agent loop (graph.agent.loops item) has no iteration bound, or None when it has one:
    a `for` over a finite iterable, a counter or step limit in the condition or guarding an exit
    (or guarding the assignment that ends a `while not done` loop), a time limit, or a person in the
    loop (each iteration waits for their input). With `limit_off`, a limit tested only when it is
    not None (`lim is not None and n >= lim`) is taken as None, as its default may leave it."""
    info = loop.info  # type: ignore[attr-defined]
    stmt = loop.loop  # type: ignore[attr-defined]
    func = loop.func  # type: ignore[attr-defined]
    if waits_for_human(g, func, stmt.body) or (isinstance(stmt, ir.While) and waits_for_human_in_test(g, func, stmt)):
        return None
    if isinstance(stmt, ir.For):
        return None if info.bounded or budget_bound(g, func, stmt) else info.reason
    if info.kind == "single-pass":
        return None  # every pass leaves the loop: a place to `break` from, not an agent loop
    changed = assigned_names(stmt.body)
    counted = counted_names(stmt.body)
    # an exit guarded by a counter or clock bounds the loop
    for e, tests in exits_of(stmt):
        # a counter bounds the loop when it decides the exit (the innermost test), not when it only
        # picks the branch in which the model or a person then decides (`if auto or n > 1: ... else:
        # ... if answer == "exit": return`)
        if (tests and not (limit_off and off_when_none(tests[-1])) and (
                is_counter_test(tests[-1], counted) or equals_step_limit(tests[-1], stmt))) or any(
                _compares_clock(g, func, t) or emptied_test(t, stmt.body) for t in tests):
            return None
        if not tests and isinstance(e, ir.Return) and ir_is_true(stmt.test) and not _retried_on_failure(g, func, stmt, e):
            return None  # returns on the first pass that gets there: a retry loop, not an agent loop
    if _exit_flag_set_at_limit(g, func, stmt, changed):
        return None  # `if node.depth() >= MAX: node.pruned = True` ... `if node.pruned: return node`
    if model_calls_gated_by_limit(g, func, stmt):
        return None  # (`if early_stop(...)[0]: action = stop else: action = model(...)`: no call past the limit)
    if resumes_bounded_runs(g, func, stmt) or calls_limit_check(g, func, stmt) or budget_bound(g, func, stmt):
        return None  # (a cost, token or time budget checked each pass, here or in what the loop calls)
    if none_loop_settles(g, func, stmt):
        return None  # `while plan is None: plan = parse(llm(p))` with a parse that never gives None: one pass
    if ir_is_true(stmt.test):  # (its counter-guarded exits were judged above; a walk down a tree ends)
        return None if descends_tree(stmt) else (
            "`while True` whose only exits depend on what the model returns, not on a step limit")
    test = stmt.test
    if (is_counter_test(test, counted) and not (limit_off and off_when_none(test))) or _compares_clock(g, func, test):
        return None
    mentioned = {n for n in changed if _mentions_name(test, n)}
    if not mentioned and counted_in_self_callees(g, func, stmt, test):
        return None
    if not mentioned:
        return "the loop condition does not change in the body, so only the model's output can end it"
    # `while not done:` / `while resp.stop_reason == "tool_use":` — bounded only if a counter decides
    for s, tests in _flag_assignments(stmt, mentioned):
        if any((is_counter_test(t, counted) and not (limit_off and off_when_none(t))) or _compares_clock(g, func, t)
               for t in tests):
            return None
        if isinstance(s, ir.AugAssign) and is_counter_test(test, changed | mentioned) and not (
                limit_off and off_when_none(test)):
            return None
    return "the loop condition depends only on what the model returns, with no step limit"


def _exit_flag_set_at_limit(g: ProjectGraph, func: FunctionInfo, loop: ir.While, changed: set[str]) -> bool:
    """Does an exit of the loop test a flag (`node.pruned`) that the body sets to a true constant
    under an ordering test of something the body moves each pass (`node.depth() >= MAX_DEPTH`, with
    `node = child`), other than a size of the model's reply (`len(text) >= 4000`)?"""
    flags = {d for _e, tests in exits_of(loop) if tests for x in ir.walk_expr(tests[-1])
             if isinstance(x, (ir.Name, ir.Attribute)) for d in [ir.dotted(x)] if d}
    for s, tests in _flag_assignments(loop, flags):
        if not (isinstance(s, ir.Assign) and isinstance(s.value, ir.Constant) and s.value.value is True):
            continue
        if any(is_counter_test(t, changed) and not any(
                reply_size_test(g, func, loop, c) for c in ir.walk_expr(t)) for t in tests):
            return True
    return False


def _retried_on_failure(g: ProjectGraph, func: FunctionInfo, loop: ir.Stmt, ret: ir.Stmt) -> bool:
    """Does the return come only on some passes: inside an except handler, or inside a try whose
    handler goes round the loop again (ends in `continue` or falls through) after a reply that did
    not parse (a JSON or schema parse in the try) or after any error (`except Exception`)? Then the
    pass that reaches the return may never come, and each failed pass asks the model again."""
    child: object = ret
    for anc in func.ancestors(ret):
        if anc is loop or isinstance(anc, (ir.While, ir.For, ir.FunctionDef)):
            return False
        if isinstance(anc, ir.Handler):
            return True  # returns only when that error comes, not on every pass
        if isinstance(anc, ir.Try) and any(c is child for c in anc.body):
            again = [h for h in anc.handlers if not ends_by_leaving(h.body)]
            if any(not handler_type_names(h) or any(n in ("Exception", "BaseException") for n in handler_type_names(h))
                   for h in again) or (again and _parses_reply(g, func, anc.body)):
                return True
        child = anc
    return False


def _parses_reply(g: ProjectGraph, func: FunctionInfo, body: list[ir.Stmt]) -> bool:
    """Does the block parse text as JSON or validate it against a schema (catalog json_parsers,
    validation_methods)?"""
    facts = g.catalog.python
    inside = {id(s) for s in ir.walk_stmts(body)}
    for site in func.calls:
        if id(site.stmt) not in inside:
            continue
        f = site.call.func
        if isinstance(f, ir.Attribute) and f.attr in facts.validation_methods:
            return True
        if ir.dotted(f) in facts.json_parsers or any(
                isinstance(v, ExtRef) and v.path in facts.json_parsers for v in g.values(f, func, site.stmt)):
            return True
    return False


def resumes_bounded_runs(g: ProjectGraph, func: FunctionInfo, loop: ir.Stmt) -> bool:
    """Every model call in the loop is a framework run that the framework bounds by default, and
    the loop goes round again only to resume after a pause: each run resumes from a previous run's
    state (`Runner.run(agent, result.to_state())`, the turn count kept across resumes), or the loop
    condition is the run's pause list (`while result.interruptions:`, emptied once a person or a
    policy has decided on each paused call)."""
    runs = [site for site in func.calls
            if (site.stmt is loop or loop in func.ancestors(site.stmt)) and g.agent.calls_llm(site)]
    if not runs:
        return False
    for site in runs:
        runner = _runner_of(g, func, site)
        if runner is None or not runner.bounded_by_default:
            return False
        if isinstance(loop, ir.While) and _tests_pause(loop.test, runner.pause_fields):
            continue
        state = site.call.argument("input", 1)
        if not runner.resume_methods or not _is_resume_state(g, state, func, site.stmt, runner.resume_methods):
            return False
    return True


def _runner_of(g: ProjectGraph, func: FunctionInfo, site: CallSite) -> Optional[AgentSpec]:
    """The catalog runner a call runs: an imported one, or the project's own definition of it
    when the project is that framework (its examples import the runner from the package)."""
    own = _own_runners(g)
    for v in g.values(site.call.func, func, site.stmt):
        spec = g.catalog.agent_runner(v.path) if isinstance(v, ExtRef) else (
            own.get(v.qualname) if isinstance(v, FuncRef) else None)
        if spec is not None:
            return spec
    return None


@per_graph
def _own_runners(g: ProjectGraph) -> dict[str, AgentSpec]:
    """Project functions that a catalog runner's public name resolves to (`agents.Runner.run` ->
    `agents.run.Runner.run` in the framework's own repository)."""
    out: dict[str, AgentSpec] = {}
    for spec in g.catalog.agents:
        # the project is the framework only when its agent class is the project's too
        if not any(isinstance(v, ClassRef) for c in spec.callees for v in g.lookup(c)):
            continue
        for m in spec.run_methods:
            if "." in m:
                for v in g.lookup(m):
                    if isinstance(v, FuncRef):
                        out[v.qualname] = spec
    return out


def _tests_pause(test: ir.Expr, fields: tuple[str, ...]) -> bool:
    """`while result.interruptions:` / `while len(r.interruptions) > 0:` on a pause field."""
    return bool(fields) and any(isinstance(x, ir.Attribute) and x.attr in fields for x in ir.walk_expr(test))


def calls_limit_check(g: ProjectGraph, func: FunctionInfo, loop: ir.Stmt) -> bool:
    """Does the loop call a project function that counts and raises past a limit
    (`self._count_step()` with `self.steps += 1; if self.steps > self.max_steps: raise ...`)?
    The raise leaves the loop as a guarded exit would, unless a handler in the loop swallows it
    and goes round again."""
    for site in func.calls:
        if not (site.stmt is loop or loop in func.ancestors(site.stmt)):
            continue
        for q in g.callees(site):
            callee = g.functions.get(q)
            if callee is None or callee is func:
                continue
            if any(raise_leaves_loop(g, func, site.stmt, raised_classes(g, callee, r), loop)  # type: ignore[arg-type]
                   for r in _raises_past_count(callee)):
                return True
    return False


def _raises_past_count(callee: FunctionInfo) -> list[ir.Raise]:
    """The raises of `self.steps += 1; if self.steps > self.max_steps: raise` (or a count passed in
    and handed back): a counter that lives across calls, not a local loop index."""
    params = {p.name for p in callee.node.params} if callee.node is not None else set()
    counters = {d for s in ir.walk_stmts(callee.body) if isinstance(s, ir.AugAssign)
                for d in [ir.dotted(s.target) or ""] if d.startswith("self.") or d in params}
    if not counters:
        return []
    return [x for s in ir.walk_stmts(callee.body) if isinstance(s, ir.If) and is_counter_test(s.test, counters)
            for x in s.body if isinstance(x, ir.Raise)]


def _is_resume_state(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                     methods: tuple[str, ...], depth: int = 3) -> bool:
    """`result.to_state()`, directly or through the names it is bound to."""
    if isinstance(e, ir.Call):
        return isinstance(e.func, ir.Attribute) and e.func.attr in methods
    if depth == 0 or not isinstance(e, ir.Name):
        return False
    defs = g._literal_defs(e, func, stmt)
    return bool(defs) and all(_is_resume_state(g, x, f, s, methods, depth - 1) for x, f, s in defs)


def waits_for_human_in_test(g: ProjectGraph, func: FunctionInfo, loop: ir.While) -> bool:
    """`while (q := input()) != "quit":`"""
    for x in ir.walk_expr(loop.test):
        if isinstance(x, ir.Call):
            for v in g.values(x.func, func, None):
                if isinstance(v, ExtRef) and v.path in _HUMAN_INPUT:
                    return True
    return False


def ir_is_true(test: ir.Expr) -> bool:
    return is_always_true(test)


def _mentions_name(e: ir.Expr, name: str) -> bool:
    return any(ir.dotted(x) == name for x in ir.walk_expr(e))


# A step limit this large is no limit: at a second per step a million steps run for eleven days.
_NO_LIMIT = 1_000_000


_INFINITE = frozenset({"sys.maxsize", "math.inf", "numpy.inf"})


def no_step_limit(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> Optional[str]:
    """How the value given as a step limit removes it, or None when it bounds the run: `sys.maxsize`,
    `math.inf`, `float("inf")` or an int of a million or more (a limit no run reaches)."""
    if e is None:
        return None
    if isinstance(e, ir.Call) and ir.dotted(e.func) == "float" and e.args and isinstance(e.args[0], ir.Constant) \
            and str(e.args[0].value).strip().lower().lstrip("+") in ("inf", "infinity"):
        return 'float("inf")'
    vals = g.values(e, func, stmt)
    if not vals:
        return None
    names = set()
    for v in vals:
        if isinstance(v, ExtRef) and v.path in _INFINITE:
            names.add(v.path)
        elif isinstance(v, Const) and isinstance(v.value, (int, float)) and not isinstance(v.value, bool) \
                and v.value >= _NO_LIMIT:
            names.add(f"{v.value:,}" if v.value < 1e15 else "an enormous number")
        else:
            return None
    return " / ".join(sorted(names)) if names else None


@dataclass(eq=False)
class NetworkCall:
    """A call in a tool's code that fails when the network or the remote service does: `func`
    holds it (the tool's function or a project function it calls), `what` names the callee."""

    func: FunctionInfo
    site: CallSite
    what: str


def unhandled_network_io(g: ProjectGraph, func: FunctionInfo, depth: int = 2,
                         _seen: Optional[set[str]] = None) -> Optional[NetworkCall]:
    """The first network call (catalog `network_io` modules) or HTTP-status check
    (`resp.raise_for_status()`) in `func`, or in a project function it calls (`depth` levels),
    that no try statement encloses. Any enclosing handler counts as handling: one that re-raises
    turns the error into an exception chosen on purpose (pydantic-ai's ModelRetry, LangChain's
    ToolException)."""
    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return None
    seen.add(func.qualname)
    cat = g.catalog
    declared_hit: Optional[NetworkCall] = None  # reported only when nothing else is (`raise_for_status` first)
    for site in func.calls:
        if enclosing_handlers(func, site.stmt) or suppressed_here(func, site.stmt, ("Exception",)):
            continue
        f = site.call.func
        if isinstance(f, ir.Attribute) and f.attr in cat.raising_methods:
            return NetworkCall(func, site, ir.dotted(f) or f.attr)
        values = g.values(f, func, site.stmt)
        if declared_hit is None and isinstance(f, ir.Attribute) and all(
                isinstance(v, Typed) and v.kind == "unknown" for v in values):
            # an object the framework builds (`ctx.deps.client`): its class is in the annotations
            declared = declared_external(g, func, f.value)
            if declared is not None and cat.does_network_io(f"{declared}().{f.attr}"):
                declared_hit = NetworkCall(func, site, ir.dotted(f) or f.attr)
        if _sent_once(g, site):
            return NetworkCall(func, site, ir.dotted(f) or "the model call")
        for v in values:
            if isinstance(v, ExtRef) and cat.does_network_io(v.path):
                return NetworkCall(func, site, ir.dotted(f) or v.path)
            if isinstance(v, (FuncRef, Instance, ClassRef)) and depth > 0:
                for q in sorted(g.callees(site)):
                    callee = g.functions.get(q)
                    if callee is not None and callee.name != "__init__":
                        hit = unhandled_network_io(g, callee, depth - 1, seen)
                        if hit is not None:
                            return hit
    return declared_hit


def _sent_once(g: ProjectGraph, site: CallSite) -> bool:
    """A model call its client sends once, with no retry (google-genai with no retry options,
    openai<1.0, `max_retries=0`): a rate limit or a dropped connection raises at once, as a plain
    web request's failure does. A client that retries (or whose retries are not known) is not one."""
    call = g.agent.llm_call_at(site.call)
    if call is None or decorated_with_retry(g, site.func):
        return False
    retries = call_retries(g, call)
    return retries is not None and retries.count == 0


def _tools_argument(ac: AgentConstruct) -> Optional[ir.Expr]:
    spec = ac.spec
    params = [spec.tools_param] if getattr(spec, "tools_param", None) else []  # type: ignore[attr-defined]
    return construction_arg(ac.site.call, params, getattr(spec, "tools_positional", None))


def agents_running(g: ProjectGraph, tool: ToolDef) -> list[AgentConstruct]:
    """The framework agents a tool is given to: listed in the agent's tools argument
    (`AgentExecutor(tools=[search])`), or registered on the agent object by its decorator
    (`@agent.tool` on a pydantic-ai Agent)."""
    index = _agent_tools(g)
    hits: set[int] = set()
    if tool.kind == "decorator" and tool.func is not None and tool.func.node is not None:
        scope = tool.func.parent or tool.func.module.toplevel
        for d in tool.func.node.decorators:
            target = d.func if isinstance(d, ir.Call) else d
            if isinstance(target, ir.Attribute):
                for v in g.values(target.value, scope, None):
                    if isinstance(v, ExtRef) and v.site is not None:
                        hits.update(index.by_call.get(id(v.site[1]), ()))
    if tool.kind in ("decorator", "function") and tool.func is not None:
        hits.update(index.by_func.get(tool.func.qualname, ()))
    elif tool.kind == "constructor":
        hits.update(index.by_ext.get((tool.path, tool.pos), ()))
    elif tool.kind == "class" and tool.cls is not None:
        for q in (tool.cls.qualname, *g.subclasses(tool.cls.qualname)):
            hits.update(index.by_instance.get(q, ()))
    constructs = g.agent.agent_constructs
    return [constructs[i] for i in sorted(hits)]


@dataclass
class _AgentTools:
    """The agent constructs (positions in `graph.agent.agent_constructs`) by what their tools
    argument holds, and by their constructor call (for tools registered by a decorator on the
    agent object)."""

    by_call: dict[int, list[int]]  # id(constructor call) -> constructs
    by_func: dict[str, list[int]]  # a project function (FuncRef) listed as a tool
    by_ext: dict[tuple[str, ir.Pos], list[int]]  # a framework tool object, by the (path, position) that built it
    by_instance: dict[str, list[int]]  # an instance of a project class listed as a tool


@per_graph
def _agent_tools(g: ProjectGraph) -> _AgentTools:
    """Every agent construct's tools argument resolved once (asking each construct for each tool
    cost tools x constructs resolutions)."""
    index = _AgentTools({}, {}, {}, {})
    for i, ac in enumerate(g.agent.agent_constructs):
        index.by_call.setdefault(id(ac.site.call), []).append(i)
        arg = _tools_argument(ac)
        if arg is None:
            continue
        func, stmt = ac.site.func, ac.site.stmt
        for v in g.resolver.elements(g.values(arg, func, stmt), arg, func, stmt):
            if isinstance(v, FuncRef):
                index.by_func.setdefault(v.qualname, []).append(i)
            elif isinstance(v, ExtRef) and v.site is not None:
                index.by_ext.setdefault((v.site[0], v.site[1].pos), []).append(i)
            elif isinstance(v, Instance):
                index.by_instance.setdefault(v.qualname, []).append(i)
    return index
