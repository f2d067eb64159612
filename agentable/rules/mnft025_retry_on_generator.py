"""MNFT025: a retry decorator on a generator function (`def` or `async def` with `yield`) that calls
the model, a tool or a web API: it never retries."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.query.retry_policies import remote_work, retry_uses, sync_retry_on_coroutine
from agentable.rules.base import Rule, RuleContext, RuleMeta


class RetryOnGenerator(Rule):
    meta = RuleMeta(
        id="MNFT025",
        name="retry-on-generator",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A retry decorator wraps a generator function (a streaming reply: `yield` in a `def` or "
               "`async def`) that calls the model, a tool or a web API, so it never retries."),
        full=("Calling a generator function only creates the generator; its body runs, and raises, while the "
              "caller iterates it. A retry decorator calls the function inside its loop, gets the generator back "
              "with no error and returns it at once, so a rate limit, timeout or server error raised during the "
              "stream reaches the caller's `for`/`async for` on the first attempt. tenacity, backoff, `retry` and "
              "`retrying` all wrap the call, not the iteration (tenacity awaits coroutine functions, and an "
              "`async def` with `yield` is not one). The code looks fault tolerant and is not."),
        bad_example=('@retry(stop=stop_after_attempt(3), wait=wait_exponential())\n'
                     'async def stream_reply(messages):\n'
                     '    stream = await client.chat.completions.create(model=M, messages=messages, stream=True)\n'
                     '    async for chunk in stream:\n'
                     '        yield chunk.choices[0].delta.content or ""'),
        good_example=('@retry(stop=stop_after_attempt(3), wait=wait_exponential())\n'
                      'async def open_stream(messages):\n'
                      '    return await client.chat.completions.create(model=M, messages=messages, stream=True)\n\n'
                      'async def stream_reply(messages):\n'
                      '    async for chunk in await open_stream(messages):\n'
                      '        yield chunk.choices[0].delta.content or ""'),
        fix=("Retry the call that opens the stream (a plain function or coroutine that returns it), or retry "
             "inside the generator around the request; the decorator cannot retry an iteration."),
        tags=("robustness", "retry", "streaming"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        for func in sorted(g.functions.values(), key=lambda f: (f.path, f.node.pos if f.node else (0, 0, 0, 0))):
            if func.node is None or not func.yields:
                continue
            uses = retry_uses(g, func)
            work = remote_work(g, func) if uses else ""
            if not work:
                continue
            kind = "async def" if func.node.is_async else "def"
            for use in uses:
                if func.node.is_async and sync_retry_on_coroutine(func, use):
                    continue  # MNFT014's: this decorator does not even await coroutines
                deco = source_text(g, func.path, use.call.func if use.call is not None else use.decorator)
                yield self.finding(
                    ctx, func.path, use.decorator.pos,
                    f"`@{deco}` ({use.spec.package}) wraps `{func.name}`, a generator (`{kind}` with `yield`) that "
                    f"{work}: calling it only creates the generator, so the decorator returns it with no error and "
                    f"the failure is raised while the caller iterates, outside the retry, on the first attempt. "
                    f"Retry the call that opens the stream, or retry inside the generator around the request.",
                    flow=[FlowStep(g.span(func.path, func.node.name_pos), f"`{kind} {func.name}` yields: {work}")],
                )
