"""MNFT014: a synchronous retry decorator on an `async def` that calls the model, a tool or a web API:
it never retries."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.query.retry_policies import remote_work, retry_uses, sync_project_retries, sync_retry_on_coroutine
from agentable.rules.base import Rule, RuleContext, RuleMeta


class SyncRetryOnCoroutine(Rule):
    meta = RuleMeta(
        id="MNFT014",
        name="sync-retry-on-coroutine",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A retry decorator that does not await coroutines (`retry.retry`, `retrying.retry`, a hand-written "
               "wrapper that is a plain `def`) wraps an `async def` that calls the model, a tool or a web API, so "
               "it never retries."),
        full=("Calling an `async def` only creates a coroutine; its body runs, and raises, when the caller awaits it. "
              "A synchronous retry wrapper calls the function inside its try, gets the coroutine back with no error, "
              "and returns it at once: the rate limit, timeout or server error is raised later at the caller's "
              "`await`, outside the wrapper's loop, on the first attempt. The code looks fault tolerant and is not: "
              "`tries=5` is never used. tenacity's `@retry`, backoff's decorators and stamina detect coroutine "
              "functions and await them; the `retry` and `retrying` packages do not (catalog retry.toml "
              "`async_aware`). A project decorator counts when its only wrapper is a plain `def` that calls the "
              "wrapped function in a try inside a loop and it never tests for a coroutine function."),
        bad_example=('from retry import retry\n\n'
                     '@retry(exceptions=(openai.APIError, openai.RateLimitError), tries=5, delay=2)\n'
                     'async def complete(messages):\n'
                     '    return await client.chat.completions.create(model=MODEL, messages=messages)'),
        good_example=('from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential\n\n'
                      '@retry(retry=retry_if_exception_type((openai.APIError, openai.RateLimitError)),\n'
                      '       stop=stop_after_attempt(5), wait=wait_exponential(min=2, max=30))\n'
                      'async def complete(messages):\n'
                      '    return await client.chat.completions.create(model=MODEL, messages=messages)'),
        fix=("Use a decorator that awaits coroutines (tenacity `@retry`, backoff `@on_exception`), or write the "
             "wrapper as an `async def` that awaits the wrapped function inside its loop."),
        tags=("robustness", "retry", "async"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        for func in sorted(g.functions.values(), key=lambda f: (f.path, f.node.pos if f.node else (0, 0, 0, 0))):
            if func.node is None or not func.node.is_async:
                continue
            work = ""
            for use in retry_uses(g, func):
                if not sync_retry_on_coroutine(func, use):
                    continue
                work = work or remote_work(g, func)
                if not work:
                    break
                deco = source_text(g, func.path, use.call.func if use.call is not None else use.decorator)
                yield self.finding(
                    ctx, func.path, use.decorator.pos,
                    f"`@{deco}` ({use.spec.package}) does not await coroutines, and `{func.name}`, which {work}, is "
                    f"an `async def`: the decorator gets the coroutine back with no error and returns it, so the "
                    f"error is raised at the caller's `await`, outside the retry, on the first attempt. Use a "
                    f"decorator that awaits coroutines (tenacity `@retry`, backoff `@on_exception`).",
                    flow=[FlowStep(g.span(func.path, func.node.name_pos), f"`async def {func.name}`: {work}")],
                )
            for pr in sync_project_retries(g, func):
                work = work or remote_work(g, func)
                if not work:
                    break
                deco = source_text(g, func.path, pr.decorator)
                yield self.finding(
                    ctx, func.path, pr.decorator.pos,
                    f"`@{deco}` retries in `{pr.wrapper.name}`, a plain `def`, and `{func.name}`, which {work}, is an "
                    f"`async def`: the wrapper's try gets the coroutine back with no error and returns it, so the "
                    f"error is raised at the caller's `await` and never retried. Make the wrapper an `async def` "
                    f"that awaits the call inside its loop (or use tenacity `@retry`).",
                    flow=[FlowStep(g.span(pr.wrapper.path, pr.site.pos), f"`{pr.wrapper.name}` calls the function "
                                   "in a try inside a loop, without awaiting it"),
                          FlowStep(g.span(func.path, func.node.name_pos), f"`async def {func.name}`: {work}")],
                )
