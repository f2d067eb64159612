"""MNFT016: a timeout on a future of an executor opened with `with`, whose exit waits for the task anyway."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.executor_timeouts import undone_timeouts


class ExecutorTimeoutInWith(Rule):
    meta = RuleMeta(
        id="MNFT016",
        name="executor-timeout-undone-by-with",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A task is given a time limit with `future.result(timeout=...)`, but the executor is a `with` "
               "block, whose exit waits for the task to finish: the limit bounds nothing."),
        full=("Agents run model-written code, tools and remote calls in a worker thread or process so that one "
              "that hangs can be abandoned: `future.result(timeout=5)` raises TimeoutError after 5 s. When the "
              "executor was opened with `with ThreadPoolExecutor() as pool:`, leaving the block (by the return, "
              "or by that TimeoutError) calls `pool.shutdown(wait=True)`, which joins the worker: the caller "
              "waits until the task ends on its own. Generated code with an endless loop, or a request that "
              "stalls, still hangs the agent, and the timeout handler runs only after it. Python cannot kill a "
              "thread; the time limit holds only if the caller does not wait for it. Reported at the `with`, where "
              "the fix goes, once per block."),
        bad_example=('with ThreadPoolExecutor() as pool:\n    future = pool.submit(run_snippet, code)\n'
                     '    return future.result(timeout=5)'),
        good_example=('pool = ThreadPoolExecutor(max_workers=1)\nfuture = pool.submit(run_snippet, code)\ntry:\n'
                      '    return future.result(timeout=5)\nexcept TimeoutError:\n    return "Timed out"\nfinally:\n'
                      '    pool.shutdown(wait=False, cancel_futures=True)'),
        fix=("Create the executor outside a `with` block and call `shutdown(wait=False, cancel_futures=True)` "
             "when the time is up, or run the task in a child process that can be killed (`subprocess.run(..., "
             "timeout=...)`, `multiprocessing` with `terminate()`)."),
        tags=("robustness", "timeout", "concurrency"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        seen: set[int] = set()
        for u in sorted(undone_timeouts(g), key=lambda u: (u.func.path, u.wait.pos)):
            if id(u.block) in seen:
                continue  # one finding per block: the fix is there
            seen.add(id(u.block))
            path = u.func.path
            wait = source_text(g, path, u.wait, 50)
            limit = source_text(g, path, u.timeout, 30)
            task = source_text(g, path, u.submit.args[0], 40) if u.submit.args else "the task"
            flow = (FlowStep(g.span(path, u.block.pos), f"`with {u.executor}(...)`: its exit waits for every task"),
                    FlowStep(g.span(path, u.submit.pos), f"`{task}` runs in the executor"),
                    FlowStep(g.span(path, u.wait.pos), f"waits at most `{limit}` here only"))
            line, col = u.block.pos[0], u.block.pos[1]
            yield self.finding(
                ctx, path, (line, col, line, col + 4),  # the `with` keyword, not the whole block
                f"`{wait}` (line {u.wait.pos[0]}) gives `{task}` a time limit of `{limit}`, but the executor is "
                f"this `with {u.executor}(...)` block: leaving it, also on the TimeoutError, calls "
                f"`shutdown(wait=True)`, which waits until `{task}` ends on its own, so a task that hangs still "
                f"hangs the agent. Create the executor outside a `with` and shut it down with `wait=False, "
                f"cancel_futures=True` on timeout, or run the task in a process that can be killed.",
                flow=flow,
            )
