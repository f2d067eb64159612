"""MNFT019: a retry loop over `range(n)` whose attempt test can never do its job: a give-up test
after the loop that compares the counter with `n` (it stops at `n - 1`) or with `n - 1` (also
reached by a success on the last attempt), or a handler that retries only on the last attempt and
raises on every other."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.attempt_tests import DeadAttemptTest, dead_attempt_tests


class AttemptTestNeverHolds(Rule):
    meta = RuleMeta(
        id="MNFT019",
        name="retry-attempt-test-off-by-one",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A retry loop `for i in range(n)` tests its counter against a value that defeats the retry: "
               "`if i == n` after the loop never holds, `if i == n - 1: raise` after it also holds when the "
               "last attempt succeeded, or its handler retries only when `i == n - 1`, the last attempt, and "
               "raises on every other."),
        full=("`for i in range(n)` gives `i` the values 0 to n - 1 and leaves it at n - 1 when the attempts "
              "run out. A give-up test after the loop, `if i == n:` (or `i >= n`), therefore never holds: the "
              "code that reports the failure never runs, and the function goes on as if an attempt had "
              "succeeded, often falling off its end and returning None to a caller that unpacks or reads the "
              "result. The opposite test, `if i == n - 1: raise`, holds whenever the loop ran to its last "
              "attempt, also when that attempt succeeded and left with `break`: a step that worked is reported "
              "as failed (and its side effects are already done). Inside the loop, a handler written as "
              "`if i == n - 1: reconnect; continue` / `else: raise` has its test the wrong way round: on every "
              "attempt but the last it raises at once, so the first failure ends the step, and the reconnect "
              "branch runs only when no attempt is left. Either way the model call, tool or connection is not "
              "retried as the code says. Reported at the test."),
        bad_example=('for attempt in range(MAX_TRIES):\n    reply = ask(messages)\n    if reply.ok:\n'
                     '        return reply.text\nif attempt == MAX_TRIES:\n    return "gave up"'),
        good_example=('for attempt in range(MAX_TRIES):\n    reply = ask(messages)\n    if reply.ok:\n'
                      '        return reply.text\nreturn "gave up"  # reached only when every attempt failed'),
        fix=("After the loop, give up unconditionally when every success returns, or in the loop's `else:` when a "
             "success breaks out; in the handler, retry while "
             "`i < n - 1` and raise on the last attempt."),
        tags=("robustness", "retry"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        for hit in sorted(dead_attempt_tests(g), key=lambda h: (h.func.path, h.where.pos)):
            yield self._finding(ctx, hit)

    def _finding(self, ctx: RuleContext, hit: DeadAttemptTest) -> Finding:
        g = ctx.graph
        path = hit.func.path
        i, n = hit.counter, hit.bound
        test = hit.where.test.pos
        loop_line = hit.loop.pos[0]
        last = f"{n} - 1" if not n.isdigit() else str(int(n) - 1)
        flow = [FlowStep(g.span(path, hit.loop.pos), f"`{i}` runs from 0 to {last}"),
                FlowStep(g.span(path, test), "the attempt test")]
        if hit.kind == "success":
            assert hit.success_exit is not None
            flow.insert(1, FlowStep(g.span(path, hit.success_exit.pos), "a successful attempt leaves the loop here"))
            msg = (f"After `for {i} in range({n})` (line {loop_line}), `{i}` is {last} both when every attempt "
                   f"failed and when the last attempt succeeded and left the loop with `break` (line "
                   f"{hit.success_exit.pos[0]}), so this give-up test raises after a success on the last attempt. "
                   f"Give up in the loop's `else:` (it runs only when no attempt broke out) or test a success "
                   f"flag.")
        elif hit.kind == "after":
            msg = (f"`{i}` never reaches {n} after `for {i} in range({n})` (line {loop_line}): it stops at {last}, "
                   f"so this give-up test never holds and its branch never runs; when every attempt fails the code "
                   f"goes on as if one had succeeded. Give up unconditionally after the loop (or in its `else:`).")
        else:
            msg = (f"This handler retries only when `{i}` is {last}, the last attempt of `for {i} in range({n})` "
                   f"(line {loop_line}), and raises on every other: the first failure is raised at once and the "
                   f"retry branch runs only when no attempt is left. Retry while `{i} < {last}` and raise on the "
                   f"last attempt.")
        return self.finding(ctx, path, (test[0], test[1], test[0], test[1] + 1) if test[2] != test[0] else test,
                            msg, flow=flow)
