"""MNFT013: a retry decorator around a model, tool or web call that never stops retrying."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.query.retry_policies import remote_work, retried_argument, retry_uses, unbounded
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.retry_loops import forever_retry_loops


class UnboundedRetryDecorator(Rule):
    meta = RuleMeta(
        id="MNFT013",
        name="retry-decorator-without-limit",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A function that calls the model, runs a tool or makes a web request is wrapped in a retry decorator "
               "with no limit on attempts or time (or a `while True` loop retries such a call by hand), so an error "
               "that does not go away is retried forever."),
        full=("`@backoff.on_exception(backoff.expo, RateLimitError)` with neither `max_tries` nor `max_time`, "
              "tenacity's `@retry` with no `stop=` (its default is `stop_never`, and with no `wait=` it re-sends "
              "at once), `@retry()` of the `retry` package (its default `tries=-1` never stops) and retrying's "
              "`@retry` with no stop condition all retry until the call succeeds. Many errors they catch never go "
              "away by themselves: an exhausted quota is a 429 RateLimitError, a wrong key, a retired model or a "
              "prompt over the context window is an APIError, a search service that rejects the query keeps "
              "rejecting it. The agent then hangs with no error, or sends paid requests for hours, instead of "
              "failing where the caller could fall back, report or stop. A retry is fault tolerance only with a "
              "bound. What bounds each library's decorator, and its default, is catalog data (retry.toml); a "
              "bound given as a value that is not a literal counts. Reported at the argument naming what is "
              "retried (the decorator when there is none), on functions that reach a model call, implement a "
              "tool or make a web request (two levels down). The same holds for a hand-written retry: `while True:` "
              "around a try that leaves the loop when the call succeeds and whose handler for a network error "
              "(URLError, ConnectionError, a timeout: retry.toml `[retry_loops]`) only waits and goes round again, "
              "with no count of attempts and no deadline."),
        bad_example=('@backoff.on_exception(backoff.expo, (openai.RateLimitError, openai.APITimeoutError))\n'
                     'def ask(client, messages):\n'
                     '    return client.chat.completions.create(model=MODEL, messages=messages)'),
        good_example=('@backoff.on_exception(backoff.expo, (openai.RateLimitError, openai.APITimeoutError),\n'
                      '                      max_tries=6, max_time=300)\n'
                      'def ask(client, messages):\n'
                      '    return client.chat.completions.create(model=MODEL, messages=messages)'),
        fix=("Give the decorator a bound (`max_tries=`/`max_time=` for backoff, `stop=stop_after_attempt(n)` for "
             "tenacity, `tries=n` for retry) and let the error through once it is reached."),
        tags=("robustness", "retry", "llm-call"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        yield from self._loops(ctx)
        for func in sorted(g.functions.values(), key=lambda f: (f.path, f.node.pos if f.node else (0, 0, 0, 0))):
            if func.node is None:
                continue
            for use in retry_uses(g, func):
                if not unbounded(g, func, use):
                    continue
                work = remote_work(g, func)
                if not work:
                    continue
                retried = retried_argument(use)
                at = retried if retried is not None else use.decorator
                deco = source_text(g, func.path, use.call.func if use.call is not None else use.decorator) or use.path
                named = source_text(g, func.path, retried) if retried is not None else ""
                what = (f"retries `{named}`" if named and named != "the value"
                        else "retries the errors it names" if retried is not None else "retries every error")
                bounds = " or ".join(f"`{b}=`" for b in use.spec.bounds)
                yield self.finding(
                    ctx, func.path, at.pos,
                    f"`@{deco}` on `{func.name}`, which {work}, {what} with no limit: it has no {bounds} "
                    f"(or only values that never stop), so an error that does not go away (an exhausted quota, a "
                    f"wrong key, a retired model, a request the service rejects) is retried forever and the agent "
                    f"hangs. Bound it by attempts or time and let the error through once the bound is reached.",
                    flow=[FlowStep(g.span(func.path, use.decorator.pos), f"`@{deco}`: no bound"),
                          FlowStep(g.span(func.path, func.node.name_pos), f"`{func.name}` {work}")],
                )

    def _loops(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        for hit in forever_retry_loops(g):
            path = hit.func.path
            yield self.finding(
                ctx, path, hit.loop.pos,
                f"This `while True` loop retries on `{hit.caught}` with no limit: the handler only waits and goes "
                f"round again, and nothing counts the attempts or checks a deadline, so a service that is down for "
                f"good, a URL that moved or a host that refuses the connection keeps the agent here forever. Count "
                f"the attempts (`for attempt in range(n)`) or give it a deadline, and raise or fall back once it is "
                f"reached.",
                flow=[FlowStep(g.span(path, hit.loop.pos), "`while True`: no bound"),
                      FlowStep(g.span(path, hit.handler.pos), f"`except {hit.caught}`: goes round again")],
            )
