"""MNFT003: a hand-written agent loop calls a model with no iteration bound."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.agent_model import AgentLoop
from agentable.cpg.flow import assigned_names, counted_names, exits_of, is_counter_test, build_cfg
from agentable.findings import Finding, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.infinite_limit import infinite_step_limit
from agentable.rules.mnft.optional_limit import OptionalLimit, limit_default_off, none_guarded_limits, off_when_none
from agentable.query.literals import source_text
from agentable.rules.mnft.helpers import human_wait_stmts, loop_unbounded
from agentable.rules.mnft.dispatch import dispatched_call, dispatched_loops
from agentable.rules.mnft.paced import consumer_paces
from agentable.rules.mnft.recursion import recursive_agent_loops


class UnboundedAgentLoop(Rule):
    meta = RuleMeta(
        id="MNFT003",
        name="agent-loop-without-iteration-limit",
        category="MNFT",
        severity=Severity.WARNING,
        short="An agent loop calls the model over and over with no maximum number of steps.",
        full=("A loop that keeps calling the model until the model says it is done (a final answer, no more tool "
              "calls) never ends when the model does not: it repeats the same tool call, keeps asking for more "
              "information, or never produces the stop marker. Without a step limit (or a time limit) the agent "
              "runs forever and burns tokens and money. Agent frameworks cap the loop by default (max_iterations, "
              "max_steps, max_turns); a hand-written loop needs its own cap. A cap whose default turns it off "
              "(`max_steps=float('inf')`, or `max_iteration=None` tested as `max_iteration is not None and "
              "n >= max_iteration`) is reported at that default when a call leaves it out."),
        bad_example=('while True:\n    reply = llm(messages)\n    if "Final Answer:" in reply:\n        return reply\n'
                     '    messages.append(run_tool(reply))'),
        good_example=('for step in range(MAX_STEPS):\n    reply = llm(messages)\n    if "Final Answer:" in reply:\n'
                      '        return reply\n    messages.append(run_tool(reply))\nraise RuntimeError("agent did not finish")'),
        fix=("Bound the loop (`for _ in range(max_steps)` or a step counter checked each iteration) and handle running "
             "out of steps."),
        tags=("loop", "robustness"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        seen: set[int] = set()
        off_by_default: dict[int, tuple[OptionalLimit, list[tuple[AgentLoop, str]]]] = {}
        for loop in [*graph.agent.loops, *dispatched_loops(graph)]:
            if id(loop.loop) in seen:
                continue
            seen.add(id(loop.loop))
            if _inner_of_reported(graph, loop, seen):
                continue
            why = loop_unbounded(graph, loop)
            limit = None if why else infinite_step_limit(graph, loop.func, loop.loop)
            if limit is not None and limit.default is not None:
                yield self.finding(
                    ctx, loop.func.path, limit.default.pos,
                    f"The step limit `{limit.name}` of this agent loop (line {loop.loop.pos[0]}) defaults to "
                    f"infinity, and a call that leaves it out runs the loop until the model stops asking for "
                    f"tools or turns. Give `{limit.name}` a finite default (and stop or report when it is reached).")
                continue
            if not why and limit is None and not consumer_paces(graph, loop.func, loop.loop):
                off = _limit_off_by_default(graph, loop)
                if off is not None:
                    off_by_default.setdefault(id(off[0].param), (off[0], []))[1].append((loop, off[1]))
            if not why or consumer_paces(graph, loop.func, loop.loop):
                continue  # (a generator that yields every pass runs as many passes as its consumer asks for)
            call = _model_call_in(graph, loop)
            header = loop.loop.pos
            bypass = _human_bypass(graph, loop)
            if bypass is not None and (bypass[3] or _counts_skips(bypass[0].test, not bypass[2],
                                                                  counted_names(loop.loop.body))):
                continue  # `if auto and auto_steps < 5:` the person is asked again after a few steps
            if bypass is not None:  # where the person is taken out of the loop is the defect
                branch, wait_line, waits_if_true, _leaves = bypass
                test = source_text(graph, loop.func.path, branch.test, 40)
                when, other = ("holds", "it does not") if waits_if_true else ("is false", "it holds")
                yield self.finding(
                    ctx, loop.func.path, branch.test.pos,
                    f"This loop calls the model ({call}) and waits for a person (line {wait_line}) only when "
                    f"`{test}` {when}; when {other} (an automatic or continuous mode) nothing bounds the loop: "
                    f"{why}. Cap the automatic steps with a step limit and stop or hand back to the person when it "
                    f"is reached.",
                )
                continue
            yield self.finding(
                ctx, loop.func.path, (header[0], header[1], header[0], header[1] + 5),
                f"This loop calls the model ({call}) with no iteration bound: {why}. Cap it with a step limit "
                f"(`for step in range(max_steps)` or a counter) and stop or report when the limit is reached.",
            )
        for limit_off, loops in off_by_default.values():
            yield _off_by_default_finding(self, ctx, limit_off, loops)
        yield from _recursion_findings(self, ctx)


def _limit_off_by_default(graph, loop: AgentLoop) -> Optional[tuple[OptionalLimit, str]]:
    """The limit that bounds the loop only when it is not None, whose default is None, and why
    the loop is unbounded without it."""
    stmt = loop.loop
    tests = [stmt.test] if isinstance(stmt, ir.While) else []
    tests += [t[-1] for _e, t in exits_of(stmt) if t]
    limits = [lim for t in tests if off_when_none(t) for lim in none_guarded_limits(t)]
    if not limits:
        return None
    why = loop_unbounded(graph, loop, limit_off=True)
    if not why:
        return None  # (something else bounds it too)
    for lim in limits:
        off = limit_default_off(graph, loop.func, lim)
        if off is not None:
            return off, why
    return None


def _off_by_default_finding(rule: Rule, ctx: RuleContext, off: OptionalLimit,
                            loops: list[tuple[AgentLoop, str]]) -> Finding:
    lines = ", ".join(f"{lp.func.path}:{lp.loop.pos[0]}" if lp.func.path != off.owner.path else f"line {lp.loop.pos[0]}"
                      for lp, _why in loops)
    what = "this agent loop" if len(loops) == 1 else "these agent loops"
    assert off.param.default is not None
    return rule.finding(
        ctx, off.owner.path, off.param.default.pos,
        f"The step limit `{off.param.name}` of {what} ({lines}) defaults to None, and `{off.read_as}` is tested "
        f"only when it is not None, so a call that leaves it out runs the loop until the model stops asking "
        f"for tools or turns. Give `{off.param.name}` a finite default (and stop or report when it is reached).")


def _recursion_findings(rule: Rule, ctx: RuleContext) -> Iterable[Finding]:
    """The agent loop written as recursion: the function asks the model and, when the reply asks
    for more (tool calls), calls itself again, with no depth or step parameter."""
    graph = ctx.graph
    for rec in recursive_agent_loops(graph):
        if rec.continuation:
            continue  # a re-request to continue a long answer: MNFT006's
        call = f"{ir.dotted(rec.site.call.func) or rec.func.name}(...)"
        model = ir.dotted(rec.model_call.call.func) or "the model call"
        yield rule.finding(
            ctx, rec.func.path, rec.site.call.pos,
            f"`{call}` makes `{rec.func.name}` an agent loop by recursion: it asks the model (`{model}` at line "
            f"{rec.model_call.call.pos[0]}) and calls itself again whenever the reply (tested at line "
            f"{rec.decided_at.pos[0]}) asks for more, with no depth or step limit, so a model that keeps asking "
            f"for tools runs until RecursionError. Pass a step counter, stop or report when it reaches a limit, "
            f"or turn the recursion into a bounded loop.")


def _model_call_in(graph, loop) -> str:
    if loop.llm_calls:
        c = loop.llm_calls[0]
        return f"`{ir.dotted(c.call.func) or 'the model call'}` at line {c.call.pos[0]}"
    for site in loop.func.calls:
        if graph.agent.calls_llm(site) and loop.func.inside(site.stmt, loop.loop):
            return f"through `{ir.dotted(site.call.func) or 'a wrapper'}` at line {site.call.pos[0]}"
    site = dispatched_call(graph, loop)
    if site is not None:  # a method of a declared class whose subclasses' overrides call the model
        return f"through `{source_text(graph, loop.func.path, site.call.func, 40)}` at line {site.call.pos[0]}"
    return "through a wrapper"


def _inner_of_reported(graph, loop, seen) -> bool:
    """An unbounded loop nested in another loop of the same function that is reported is not reported twice."""
    for anc in loop.func.ancestors(loop.loop):
        if isinstance(anc, (ir.While, ir.For)):
            for other in graph.agent.loops:
                if other.loop is anc and loop_unbounded(graph, other):
                    return True
    return False


def _human_bypass(graph, loop) -> Optional[tuple[ir.If, int, bool, bool]]:
    """The `if` inside the loop whose one branch waits for a person and whose other branch does not
    (`if continuous: answer = "y" else: answer = input(...)`), the line of the wait, whether it is
    the `if` branch that waits, and whether the other branch leaves the loop: the loop waits for a
    person only on some passes."""
    waiting = human_wait_stmts(graph, loop.func, loop.loop.body)
    changed = assigned_names(loop.loop.body)
    for stmt in sorted((s for s in ir.walk_stmts(loop.loop.body) if id(s) in waiting), key=lambda s: s.pos):
        child: object = stmt
        for anc in loop.func.ancestors(stmt):
            if anc is loop.loop:
                break
            if isinstance(anc, ir.If) and _mode_test(anc.test, changed):
                mine = anc.body if any(c is child for c in anc.body) else anc.orelse
                other = anc.orelse if mine is anc.body else anc.body
                if not any(id(s) in waiting for s in ir.walk_stmts(other)) and _every_pass_waits(loop, waiting, anc):
                    # (a mode without the person that runs one pass and leaves, `return`, is bounded)
                    return anc, stmt.pos[0], mine is anc.body, _leaves_loop(other, loop.loop, loop.func, anc)
            child = anc
    return None


def _leaves_loop(block: list[ir.Stmt], loop: ir.Stmt, func, branch: ir.If) -> bool:
    """Does the branch end by leaving the loop on every path: a last `return` or `raise`, or a
    `break` when no inner loop lies between the branch and `loop`?"""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, (ir.Return, ir.Raise)):
        return True
    if not (isinstance(last, ir.Simple) and last.kind == "break"):
        return False
    for anc in func.ancestors(branch):
        if anc is loop:
            return True
        if isinstance(anc, (ir.While, ir.For)):
            return False
    return False


def _counts_skips(test: ir.Expr, holds: bool, counted: set[str]) -> bool:
    """Does a counter bound the passes that skip the person: those where `test` is `holds`? True
    when that needs a counter comparison (`auto and steps < 5`), not when a flag alone does
    (`continuous or n > 1`)."""
    if isinstance(test, ir.UnaryOp) and test.op == "not":
        return _counts_skips(test.operand, not holds, counted)
    if isinstance(test, ir.BoolOp):
        parts = [_counts_skips(v, holds, counted) for v in test.values]
        # `a and b` holds only when both do; `a or b` is false only when both are
        return any(parts) if (test.op == "and") == holds else all(parts)
    return is_counter_test(test, counted)


def _mode_test(test: ir.Expr, changed: set[str]) -> bool:
    """Does the test read a setting fixed before the loop (a flag, a parameter, an attribute the loop
    does not assign: `continuous`, `self.auto`)? A test on what each pass computes (the model's
    command) is the model deciding, not a mode."""
    names = {d for e in ir.walk_expr(test) if isinstance(e, (ir.Name, ir.Attribute)) and (d := ir.dotted(e))}
    return any(n not in changed and not any(n.startswith(c + ".") for c in changed) for n in names)


def _every_pass_waits(loop, waiting: set[int], branch: ir.If) -> bool:
    """With the mode set so that `branch` takes its waiting side (the `if` itself counted as a
    wait), does every pass of the loop wait for the person: no path of the function's CFG goes
    from the start of the body back to the loop head around the waits?"""
    import networkx as nx  # deferred, as in cpg.flow: a scan that never gets here does not pay for it

    cfg = build_cfg(loop.func)
    blocked = [n for n in cfg if id(n) in waiting or n is branch]
    cfg.remove_nodes_from(blocked)
    first = loop.loop.body[0] if loop.loop.body else None
    return first is None or first not in cfg or not nx.has_path(cfg, first, loop.loop)
