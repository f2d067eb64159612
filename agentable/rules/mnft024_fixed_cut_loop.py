"""MNFT024: a loop makes room by cutting a value to a fixed length, which stops shrinking after the
first pass, while the rest of what it measures stays over the limit."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.fixed_cuts import FixedCutLoop, fixed_cut_loops


class FixedCutLoopNeverEnds(Rule):
    meta = RuleMeta(
        id="MNFT024",
        name="fixed-cut-loop-never-ends",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A loop that trims a prompt to fit a limit cuts it to a fixed length (`query = query[:limit]`) "
               "and ends only when the prompt and something it does not trim are under the limit together."),
        full=("Agents fit a request into the context window by trimming the newest part until the whole is "
              "small enough: `while tokens(history + query) > max_tokens: query = query[:step]`. A cut to a "
              "fixed length shortens the value on the first pass only; after that `query[:step]` is `query`. "
              "When the other part of the measure (the history, the system prompt, a document) is itself "
              "over the limit, nothing changes from pass to pass and the loop spins forever, hanging the "
              "agent with no error. Reported at the cut when the loop has no step limit and the test that "
              "ends it adds the cut value to something the loop does not change."),
        bad_example=('while True:\n    if count_tokens(history + query) > max_tokens:\n'
                     '        query = query[:step]\n    else:\n        break'),
        good_example=('while count_tokens(history + query) > max_tokens and query:\n'
                      '    query = query[:len(query) - step]\nif count_tokens(history + query) > max_tokens:\n'
                      '    history = summarise(history)'),
        fix=("Shrink by a step each pass (`query = query[:len(query) - step]`), stop when the value is empty, "
             "and trim or summarise the other part when that is not enough."),
        tags=("robustness", "loop", "context"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for hit in sorted(fixed_cut_loops(ctx.graph), key=lambda h: (h.func.path, h.cut.pos)):
            yield self._finding(ctx, hit)

    def _finding(self, ctx: RuleContext, hit: FixedCutLoop) -> Finding:
        g = ctx.graph
        path = hit.func.path
        cut = f"{hit.name} = {source_text(g, path, hit.cut.value, 45)}"
        kept = source_text(g, path, hit.kept, 40)
        test = source_text(g, path, hit.test, 60)
        flow = (FlowStep(g.span(path, hit.loop.pos), "the loop has no step limit"),
                FlowStep(g.span(path, hit.test.pos), f"goes on or stops on `{test}`"))
        return self.finding(
            ctx, path, hit.cut.pos,
            f"`{cut}` cuts `{hit.name}` to the same length on every pass, so it stops shrinking after the first "
            f"one, and whether the loop goes on depends on `{test}`: when `{kept}` alone is over the limit, "
            f"nothing changes and the loop never ends, hanging the agent. Shrink `{hit.name}` by a step each pass "
            f"(`{hit.name}[:len({hit.name}) - step]`), stop when it is empty, and trim `{kept}` when that is not "
            f"enough.",
            flow=flow,
        )
