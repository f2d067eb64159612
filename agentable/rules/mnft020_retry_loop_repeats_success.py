"""MNFT020: a retry loop around a model or web call that does not stop when the call succeeds."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.repeat_on_success import repeated_on_success


class RetryLoopRepeatsSuccess(Rule):
    meta = RuleMeta(
        id="MNFT020",
        name="retry-loop-repeats-success",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A retry loop around a model or web call has no `break` or `return` after the call succeeds, so "
               "the call is made again on every attempt."),
        full=("`for attempt in range(max_retries): try: reply = call(...) ... except ...: sleep(...)` retries a "
              "failed call only if the loop ends once the call works. With no `break` (or `return`) on the success "
              "path, every successful request is sent again until the attempts run out: the agent waits for and "
              "pays for max_retries requests instead of one, a rate limit is hit sooner, and whatever the body "
              "collects (a list of replies, a counter of tokens) holds max_retries results where the code "
              "expects one. Reported when the loop is named a retry loop (its variable or its range's bound "
              "says retry, attempt or tries; catalog retry.toml `[retry_loops] bound_words`), its only try makes "
              "a model call, a call of a project function that reaches one, or a web request, and no "
              "`break`, `continue` or `return` of the loop is written anywhere in its body."),
        bad_example=('for attempt in range(MAX_RETRIES):\n    try:\n        reply = client.chat.completions.create(**req)\n'
                     '        replies.append(reply.choices[0].message.content)\n'
                     '    except openai.APIError:\n        time.sleep(2 ** attempt)'),
        good_example=('for attempt in range(MAX_RETRIES):\n    try:\n        reply = client.chat.completions.create(**req)\n'
                      '        replies.append(reply.choices[0].message.content)\n        break\n'
                      '    except openai.APIError:\n        time.sleep(2 ** attempt)'),
        fix="Add `break` after the call succeeds (or `return` its result) so that only a failed attempt is repeated.",
        tags=("robustness", "retry", "loop"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        for hit in sorted(repeated_on_success(g), key=lambda h: (h.func.path, h.loop.pos)):
            path = hit.func.path
            flow = [FlowStep(g.span(path, hit.tried.pos), f"`{hit.retried}(...)` is tried here"),
                    FlowStep(g.span(path, hit.tried.handlers[0].pos), "a failure goes round again")]
            yield self.finding(
                ctx, path, hit.loop.pos,
                f"This retry loop over `range({hit.bound})` makes `{hit.retried}(...)` in a try but has no `break` or "
                f"`return` once it succeeds, so every successful call is made again on each of the `{hit.bound}` "
                f"attempts (each request paid for and waited on, and its results collected that many times). Add "
                f"`break` after the call succeeds, or return its result.",
                flow=flow,
            )
