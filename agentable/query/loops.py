"""Agent loop bounds: counters, time limits, REPLs (MNFT)."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo

# Calls that block on a person: a loop that waits for them each turn is a REPL, bounded by the user.
_HUMAN_INPUT = frozenset({"input", "sys.stdin.readline", "sys.stdin.read", "getpass.getpass", "click.prompt",
                          "typer.prompt", "rich.prompt.Prompt.ask", "Prompt.ask", "prompt_toolkit.prompt"})


_HUMAN_METHODS = frozenset({"receive_text", "receive_json", "receive", "recv", "receive_bytes", "iter_text"})
# Work queues: a loop that blocks on the next item each turn is a worker, driven by its producers.
_QUEUE_TYPES = ("asyncio.Queue()", "queue.Queue()", "asyncio.queues.Queue()", "multiprocessing.Queue()",
                "queue.SimpleQueue()", "asyncio.PriorityQueue()", "queue.PriorityQueue()")


_CLOCKS = frozenset({"time.time", "time.monotonic", "time.perf_counter", "datetime.datetime.now", "datetime.now",
                     "loop.time", "asyncio.get_event_loop().time"})


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
    return False


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
    inside = {id(s) for s in ir.walk_stmts(body)}
    waiting: set[int] = set()  # statements that wait for a person
    for site in func.calls:
        if id(site.stmt) not in inside or id(site.stmt) in waiting or _short_circuited(site.stmt, site.call):
            continue
        if _waits(g, func, site, depth):
            waiting.add(id(site.stmt))
    if waiting and _always_reaches(body, waiting):
        return True
    for s in ir.walk_stmts(body):
        if isinstance(s, ir.For):  # `for line in sys.stdin`
            d = ir.dotted(s.iter) or ""
            if d in ("sys.stdin",) or d.endswith(".stdin"):
                return True
    return False


def _waits(g: ProjectGraph, func: FunctionInfo, site: object, depth: int) -> bool:
    """Does this call wait for a person (directly, or in a project function it calls)?"""
    from agentable.cpg.values import ExtRef

    f = site.call.func  # type: ignore[attr-defined]
    stmt = site.stmt  # type: ignore[attr-defined]
    if isinstance(f, ir.Attribute) and f.attr in _HUMAN_METHODS:
        return True
    if isinstance(f, ir.Attribute) and f.attr == "get" and any(
            isinstance(v, ExtRef) and v.path.startswith(_QUEUE_TYPES) for v in g.values(f.value, func, stmt)):
        return True
    for v in g.values(f, func, stmt):
        if isinstance(v, ExtRef) and (v.path in _HUMAN_INPUT or (v.path.rsplit(".", 1)[-1] in ("input", "prompt", "ask") and v.path.split(".")[0] in ("builtins", "click", "typer", "rich", "questionary", "prompt_toolkit", "inquirer"))):
            return True
    if depth > 0:
        for q in g.callees(site):  # type: ignore[arg-type]
            callee = g.functions.get(q)
            if callee is not None and callee is not func and waits_for_human(g, callee, callee.body, depth - 1):
                return True
    return False


def _compares_clock(g: ProjectGraph, func: FunctionInfo, test: ir.Expr) -> bool:
    from agentable.cpg.values import ExtRef

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
                visit(s.body, tests + [s.test])
                visit(s.orelse, tests + [s.test])
            else:
                for b in ir.child_blocks(s):
                    visit(b, tests)

    visit(loop.body, [])  # type: ignore[attr-defined]
    return out


def loop_unbounded(g: ProjectGraph, loop: object) -> Optional[str]:
    """Why an agent loop (graph.agent.loops item) has no iteration bound, or None when it has one:
    a `for` over a finite iterable, a counter or step limit in the condition or guarding an exit
    (or guarding the assignment that ends a `while not done` loop), a time limit, or a person in the
    loop (each iteration waits for their input)."""
    from agentable.cpg.flow import _assigned_names, _counted_names, _is_counter_test, emptied_test

    info = loop.info  # type: ignore[attr-defined]
    stmt = loop.loop  # type: ignore[attr-defined]
    func = loop.func  # type: ignore[attr-defined]
    if waits_for_human(g, func, stmt.body) or (isinstance(stmt, ir.While) and waits_for_human_in_test(g, func, stmt)):
        return None
    if isinstance(stmt, ir.For):
        return None if info.bounded else info.reason
    changed = _assigned_names(stmt.body)
    counted = _counted_names(stmt.body)
    # an exit guarded by a counter or clock bounds the loop
    from agentable.cpg.flow import _exits_of

    for e, tests in _exits_of(stmt):
        if any(_is_counter_test(t, counted) or _compares_clock(g, func, t) or emptied_test(t, stmt.body) for t in tests):
            return None
        if not tests and isinstance(e, ir.Return) and ir_is_true(stmt.test):
            return None  # returns on the first pass that gets there: a retry loop, not an agent loop
    if resumes_bounded_runs(g, func, stmt):
        return None
    if ir_is_true(stmt.test):
        return None if info.bounded else "`while True` whose only exits depend on what the model returns, not on a step limit"
    test = stmt.test
    if _is_counter_test(test, counted) or _compares_clock(g, func, test):
        return None
    mentioned = {n for n in changed if _mentions_name(test, n)}
    if not mentioned:
        return "the loop condition does not change in the body, so only the model's output can end it"
    # `while not done:` / `while resp.stop_reason == "tool_use":` — bounded only if a counter decides
    for s, tests in _flag_assignments(stmt, mentioned):
        if any(_is_counter_test(t, counted) or _compares_clock(g, func, t) for t in tests):
            return None
        if isinstance(s, ir.AugAssign) and _is_counter_test(test, changed | mentioned):
            return None
    return "the loop condition depends only on what the model returns, with no step limit"


def resumes_bounded_runs(g: ProjectGraph, func: FunctionInfo, loop: ir.Stmt) -> bool:
    """Every model call in the loop resumes a framework run from a previous run's state
    (`Runner.run(agent, result.to_state())` after approvals), and that framework keeps the turn
    count across resumes and bounds it by default: the run's own limit ends the loop."""
    from agentable.cpg.values import ExtRef

    runs = [site for site in func.calls
            if (site.stmt is loop or loop in func.ancestors(site.stmt)) and g.agent.calls_llm(site)]
    if not runs:
        return False
    for site in runs:
        runners = (g.catalog.agent_runner(v.path) for v in g.values(site.call.func, func, site.stmt)
                   if isinstance(v, ExtRef))
        runner = next((r for r in runners if r is not None), None)
        if runner is None or not runner.resume_methods or not runner.bounded_by_default:
            return False
        state = site.call.kwarg("input") or (site.call.args[1] if len(site.call.args) > 1 else None)
        if not _is_resume_state(g, state, func, site.stmt, runner.resume_methods):
            return False
    return True


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
    from agentable.cpg.values import ExtRef

    for x in ir.walk_expr(loop.test):
        if isinstance(x, ir.Call):
            for v in g.values(x.func, func, None):
                if isinstance(v, ExtRef) and v.path in _HUMAN_INPUT:
                    return True
    return False


def ir_is_true(test: ir.Expr) -> bool:
    from agentable.cpg.flow import is_always_true

    return is_always_true(test)


def _mentions_name(e: ir.Expr, name: str) -> bool:
    return any(ir.dotted(x) == name for x in ir.walk_expr(e))


def annotation_name(e: Optional[ir.Expr]) -> Optional[str]:
    """`str` for an annotation `str` (the lowering wraps annotations in a `type` node); the dotted
    name for `typing.List`; None for subscripted or other annotations."""
    e = ir.unwrap_type(e)
    if isinstance(e, ir.Constant) and isinstance(e.value, str):
        return e.value
    return ir.dotted(e)


# A step limit this large is no limit: at a second per step a million steps run for eleven days.
_NO_LIMIT = 1_000_000
_INFINITE = frozenset({"sys.maxsize", "math.inf", "numpy.inf"})


def no_step_limit(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> Optional[str]:
    """How the value given as a step limit removes it, or None when it bounds the run: `sys.maxsize`,
    `math.inf`, `float("inf")` or an int of a million or more (a limit no run reaches)."""
    from agentable.cpg.values import Const, ExtRef

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
