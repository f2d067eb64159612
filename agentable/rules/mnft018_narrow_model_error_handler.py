"""MNFT018: a try around a model call or agent run whose handlers catch only a narrow class (the
SDK's bad-request error, a ValueError), so rate-limit, connection and timeout errors pass it and
end the run."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, FlowStep, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.narrow_handlers import NarrowHandler, narrow_handlers


class NarrowModelErrorHandler(Rule):
    meta = RuleMeta(
        id="MNFT018",
        name="model-error-handler-too-narrow",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A try around a model call or agent run catches only a narrow error class (the SDK's "
               "bad-request error, a ValueError), and nothing up to the entry point catches a rate limit, "
               "a dropped connection or a timeout."),
        full=("A handler written around a model request shows where the code means to survive its failure. "
              "When it names only a narrow class, `except openai.BadRequestError` for a context that is too "
              "long or `except ValueError` for a reply the agent cannot parse, the failures that come and go "
              "are not among them: `RateLimitError`, `APIConnectionError`, `APITimeoutError` and the 5xx "
              "errors derive from the SDK's base class, not from the class caught, and the SDK raises them "
              "once its own few retries are spent. With no handler for them in any caller up to the script, "
              "CLI loop or server handler that runs the step, one busy minute of the provider ends the whole "
              "run and loses its work, while the narrow failure the code prepared for is handled. The same holds "
              "for a handler of the connection errors alone (`except openai.APIConnectionError`, openai<1's "
              "`Timeout`): a 429 is a RateLimitError, which derives from neither (catalog `rate_limit`). Reported at "
              "the handler, with the chain of callers up to the module code that do not catch the error. A try whose body does "
              "more than the model step is reported only when it names an SDK class (a builtin class there is "
              "for the other statements); handlers that re-raise, classes that are not known, functions "
              "a framework runs (tools, graph nodes) and chains that end in a function the project never calls "
              "(whoever calls it may catch the error) are left alone."),
        bad_example=('def answer(question):\n    try:\n        return executor.run(question)\n'
                     '    except ValueError:\n        return "Could not parse the reply."'),
        good_example=('def answer(question):\n    try:\n        return executor.run(question)\n'
                      '    except ValueError:\n        return "Could not parse the reply."\n'
                      '    except openai.APIError as err:  # rate limit, connection, timeout, 5xx\n'
                      '        return f"The model is unavailable: {err}"'),
        fix=("Also catch the SDK's transient errors (its base class, `openai.APIError` or `anthropic.APIError`, "
             "or `Exception`) where the step can be retried, skipped or reported, or retry the step with backoff."),
        tags=("robustness", "llm-call"),
        precision="medium",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for hit in sorted(narrow_handlers(ctx.graph), key=lambda h: (h.func.path, h.handler.pos)):
            yield self._finding(ctx, hit)

    def _finding(self, ctx: RuleContext, hit: NarrowHandler) -> Finding:
        g = ctx.graph
        path = hit.func.path
        caught = ", ".join(ir.dotted(t) or "?" for h in hit.stmt.handlers for t in h.types)
        what = (f"the {'agent run' if hit.step in g.agent.agent_runs else 'model call'} "
                f"`{ir.dotted(hit.step.call.func) or 'call'}(...)`" if hit.step is not None
                else "this model request")
        root = hit.path.root
        up = ("nothing around the try catches them" if not hit.path.chain
              else f"no caller up to the module code of {root.path} catches them")
        flow = [FlowStep(g.span(path, hit.handler.pos), f"`except {caught}`: the only errors handled")]
        if hit.step is not None:
            flow.insert(0, FlowStep(g.span(path, hit.step.call.pos), f"{what}: may fail with a rate limit or timeout"))
        for site in hit.path.chain:
            caller = f"the module code of {site.func.path}" if site.func.is_module else f"`{site.func.name}`"
            flow.append(FlowStep(g.span(site.func.path, site.call.pos), f"called from {caller} with no handler"))
        line, col = hit.handler.pos[0], hit.handler.pos[1]
        if hit.rate_limit_only:
            return self.finding(
                ctx, path, (line, col, line, col + 6),
                f"`except {caught}` is the only handler around {what}: it catches a dropped connection or a "
                f"timeout, but a rate limit (the SDK's RateLimitError, raised on a 429 after the SDK's own retries, "
                f"if it makes any) is none of these, and {up}, so one busy minute of the provider ends the run. Also "
                f"catch RateLimitError (or the SDK's base class, `openai.APIError`, `anthropic.APIError`) here "
                f"and wait before retrying.",
                flow=flow,
            )
        return self.finding(
            ctx, path, (line, col, line, col + 6),
            f"`except {caught}` is the only handler around {what}: a rate limit, a dropped connection or a "
            f"timeout is none of these (the SDK raises RateLimitError, APIConnectionError or APITimeoutError once "
            f"its own retries are spent), and {up}, so one transient failure ends the run. Also catch the SDK's "
            f"base error class (`openai.APIError`, `anthropic.APIError`) or `Exception` here, and retry, skip or "
            f"report the step.",
            flow=flow,
        )
