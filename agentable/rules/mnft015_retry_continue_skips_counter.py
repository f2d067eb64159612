"""MNFT015: a retry loop bounded by an attempt counter whose `continue` starts the next attempt before
the counter is increased."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, FlowStep, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.query.literals import source_text
from agentable.rules.mnft.retry_counters import skipped_counters, uncounted_bounds


class RetryContinueSkipsCounter(Rule):
    meta = RuleMeta(
        id="MNFT015",
        name="retry-continue-skips-counter",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A retry loop around a model or web call is bounded by an attempt counter, but a `continue` starts "
               "the next attempt before the counter is increased, so that error is retried forever."),
        full=("`while attempt < max_retries:` bounds the retries only if every path through the body increases "
              "`attempt`. A handler that logs the error and says `continue` before the `attempt += 1` at the end "
              "of the body (`except ConnectionError: continue`, `if error == 'rate_limit_exceeded': "
              "time.sleep(1); continue`) starts the next attempt with the same count: with the network down, or "
              "a quota that is used up, the loop spins forever, often with no pause, and never raises the error "
              "the caller could handle. Reported at the first condition (`except` clause or `if`) whose "
              "`continue` skips the counter, with the others as steps; a loop with no model call, project "
              "function reaching one or web request in it is left alone. The same holds, on every path, for a "
              "counter that the loop compares with its limit (`if retry > 3: raise`) but never increases: it is "
              "reported at that test."),
        bad_example=('attempt = 0\nwhile attempt < 5:\n    try:\n'
                     '        return requests.post(URL, json=body, timeout=30).json()\n'
                     '    except requests.ConnectionError:\n        continue\n    attempt += 1'),
        good_example=('attempt = 0\nwhile attempt < 5:\n    attempt += 1\n    try:\n'
                      '        return requests.post(URL, json=body, timeout=30).json()\n'
                      '    except requests.ConnectionError:\n        time.sleep(2 ** attempt)\n'
                      'raise RuntimeError("model endpoint unreachable")'),
        fix=("Increase the counter at the top of the loop (or in a `finally`), or use `for attempt in range(n):`, "
             "so that every path through the body counts as an attempt."),
        tags=("robustness", "retry", "loop"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        for hit in sorted(skipped_counters(g), key=lambda h: (h.func.path, h.loop.pos)):
            path = hit.func.path
            first_cont, first_cond = hit.skips[0]
            at = first_cond.pos if isinstance(first_cond, (ir.Handler, ir.If)) else first_cont.pos
            inc = hit.increments[0]
            flow = [FlowStep(g.span(path, hit.loop.pos), f"the retry loop, bounded by `{hit.counter}`")]
            flow += [FlowStep(g.span(path, c.pos), f"`continue` before `{hit.counter}` is increased")
                     for c, _ in hit.skips]
            flow.append(FlowStep(g.span(path, inc.pos), f"`{hit.counter}` is increased here only"))
            n = len(hit.skips)
            others = f" ({n} `continue` statements do)" if n > 1 else ""
            yield self.finding(
                ctx, path, at,
                f"The loop `while` on `{hit.counter}` retries `{hit.retried}(...)`, but this path `continue`s before "
                f"`{hit.counter}` is increased (line {inc.pos[0]}){others}, so this error is retried forever and the "
                f"bound never applies. Increase `{hit.counter}` at the top of the loop or in a `finally`, or loop "
                f"over `range(n)`.",
                flow=flow,
            )
        for u in sorted(uncounted_bounds(g), key=lambda u: (u.func.path, u.loop.pos)):
            path = u.func.path
            test = source_text(g, path, u.test.test, 40)
            retried = u.retried
            flow = [FlowStep(g.span(path, u.start.pos), f"`{u.counter}` set here, and never changed after"),
                    FlowStep(g.span(path, u.loop.pos), f"the retry loop around `{retried}(...)`"),
                    FlowStep(g.span(path, u.test.pos), "the limit that never comes")]
            yield self.finding(
                ctx, path, u.test.pos,
                f"`if {test}:` is meant to end the loop at line {u.loop.pos[0]} (which calls `{retried}(...)`) after a "
                f"few attempts, but nothing in the loop increases `{u.counter}` (set once at line "
                f"{u.start.pos[0]}), so the test never holds and a failure that persists is retried forever. "
                f"Increase `{u.counter}` on every attempt (or loop over `range(n)`) and raise or report when the "
                f"attempts run out.",
                flow=flow,
            )
