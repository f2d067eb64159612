"""MNFT017: an `except` around a model or web call that never runs, because an earlier handler of the
same try catches the same errors first."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, FlowStep, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.unreachable_handlers import dead_handlers


class UnreachableErrorHandler(Rule):
    meta = RuleMeta(
        id="MNFT017",
        name="unreachable-error-handler",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A handler for a model or web call's error never runs: an earlier `except` of the same try "
               "catches the same class (or `Exception`) first."),
        full=("Python tries the `except` clauses of a try in order and runs the first that matches. A second "
              "`except RateLimitError:` written to shrink the history when the context is too long, or an "
              "`except openai.APITimeoutError:` after `except Exception:`, is dead code: the error it was "
              "written for goes to the earlier handler, whose recovery (wait and resend the same request) does "
              "not fit it. The agent retries a request that cannot succeed, or gives up on one it could have "
              "saved, and nothing shows that the intended recovery never ran. Reported at the handler that is "
              "never reached; a project exception class is compared only with itself (it may derive from "
              "BaseException, which `except Exception` does not catch)."),
        bad_example=('try:\n    reply = client.chat.completions.create(model=m, messages=history)\n'
                     'except openai.RateLimitError:\n    time.sleep(20)\n    reply = resend(history)\n'
                     'except openai.RateLimitError:  # context too long\n    reply = resend(shrink(history))'),
        good_example=('try:\n    reply = client.chat.completions.create(model=m, messages=history)\n'
                      'except openai.RateLimitError:\n    time.sleep(20)\n    reply = resend(history)\n'
                      'except openai.BadRequestError:  # context too long\n    reply = resend(shrink(history))'),
        fix=("Catch the class the SDK raises for that failure (a context-length error is a BadRequestError, not "
             "a RateLimitError), put the narrower handler before the broader one, or merge the two handlers."),
        tags=("robustness", "llm-call"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        for d in sorted(dead_handlers(g), key=lambda d: (d.func.path, d.handler.pos)):
            path = d.func.path
            call = ir.dotted(d.site.call.func) or "the call"
            first = ", ".join(ir.dotted(t) or "?" for t in d.earlier.types)
            flow = (FlowStep(g.span(path, d.site.call.pos), f"`{call}(...)` fails"),
                    FlowStep(g.span(path, d.earlier.pos), f"`except {first}` catches the error first"),
                    FlowStep(g.span(path, d.handler.pos), "this handler is never reached"))
            line, col = d.handler.pos[0], d.handler.pos[1]
            yield self.finding(
                ctx, path, (line, col, line, col + 6),
                f"This `except {d.caught}` never runs: the handler at line {d.earlier.pos[0]} (`except {first}`) "
                f"catches every error it names first, so when `{call}(...)` (line {d.site.call.pos[0]}) fails "
                f"that way the recovery written here is skipped and the earlier handler's runs instead. Catch the "
                f"class the SDK raises for this failure, put the narrower handler first, or merge the two.",
                flow=flow,
            )
