"""MNFT023: `as_completed(futures, timeout=...)` raises TimeoutError when the time is up, and nothing
catches it."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.structure import CallSite
from agentable.cpg.values import ExtRef
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.guards import is_protected
from agentable.query.literals import source_text
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.executor_timeouts import enclosing_executor

_RAISED = ("TimeoutError",)  # concurrent.futures.TimeoutError is the builtin one since Python 3.11


class FutureTimeoutUncaught(Rule):
    meta = RuleMeta(
        id="MNFT023",
        name="future-timeout-uncaught",
        category="MNFT",
        severity=Severity.WARNING,
        short=("`concurrent.futures.as_completed(..., timeout=...)` raises TimeoutError once the time is up with "
               "tasks unfinished, and no try around it or in its callers catches it."),
        full=("A time limit on a fan-out of model calls or tool runs is meant to let the agent go on with the results "
              "that arrived: `for f in as_completed(futures, timeout=60)` does not stop quietly after 60 s, it raises "
              "TimeoutError from the `for` statement. A try that wraps only `future.result()` inside the loop does not "
              "see it, and code after the loop that marks unfinished tasks (`if not f.done(): ...`) never runs. With "
              "no handler here or in any caller, one slow task ends the step or the whole run with an exception, "
              "and the finished results are lost. When the executor is a `with` block, leaving it also waits for "
              "the slow tasks first (MNFT016). Reported at the call, once, when no try around it, here or on every "
              "call path from its callers, catches TimeoutError (or OSError, Exception)."),
        bad_example=('with ThreadPoolExecutor() as pool:\n    futures = {pool.submit(ask, p): i for i, p in enumerate(prompts)}\n'
                     '    for f in as_completed(futures, timeout=60):\n        try:\n'
                     '            answers[futures[f]] = f.result()\n        except Exception as exc:\n'
                     '            answers[futures[f]] = f"error: {exc}"'),
        good_example=('pool = ThreadPoolExecutor()\nfutures = {pool.submit(ask, p): i for i, p in enumerate(prompts)}\n'
                      'done, late = wait(futures, timeout=60)\nfor f in done:\n    answers[futures[f]] = f.result()\n'
                      'for f in late:\n    answers[futures[f]] = "timed out"\npool.shutdown(wait=False, cancel_futures=True)'),
        fix=("Catch TimeoutError around the loop and mark or cancel what is left, or use "
             "`concurrent.futures.wait(futures, timeout=...)`, which returns the finished and the unfinished tasks "
             "instead of raising."),
        tags=("robustness", "timeout", "concurrency"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        raisers = g.catalog.python.timeout_raisers
        for func in sorted(g.functions.values(), key=lambda f: f.qualname):
            for site in func.calls:
                position = self._raiser(g, site, raisers)
                if position is None:
                    continue
                limit = site.call.argument("timeout", position)
                if limit is None or (isinstance(limit, ir.Constant) and limit.value is None):
                    continue
                if is_protected(g, func, site.stmt, _RAISED):
                    continue
                yield self._finding(ctx, site, limit)

    @staticmethod
    def _raiser(g, site: CallSite, raisers: dict[str, int]) -> Optional[int]:
        for v in g.values(site.call.func, site.func, site.stmt):
            if isinstance(v, ExtRef) and v.path in raisers:
                return raisers[v.path]
        return None

    def _finding(self, ctx: RuleContext, site: CallSite, limit: ir.Expr) -> Finding:
        g = ctx.graph
        path = site.func.path
        call = source_text(g, path, site.call, 60)
        limit_text = source_text(g, path, limit, 30)
        where = "the module code" if site.func.is_module else f"`{site.func.name}`"
        flow = []
        also = ""
        block = enclosing_executor(g, site.func, site.stmt)
        if block is not None:
            w, cls = block
            flow.append(FlowStep(g.span(path, w.pos), f"`with {cls}(...)`: its exit waits for every task"))
            also = f" Leaving the `with {cls}(...)` block also waits for the slow tasks first."
        return self.finding(
            ctx, path, site.call.pos,
            f"`{call}` in {where} raises TimeoutError when `{limit_text}` passes with tasks unfinished, and no try "
            f"around it or in its callers catches it: one slow task ends the run with that error, the results "
            f"that did arrive are lost, and any handling of unfinished tasks after the loop never runs.{also} "
            f"Catch TimeoutError around the loop and mark or cancel what is left, or use "
            f"`concurrent.futures.wait(..., timeout=...)`, which returns the unfinished tasks instead of raising.",
            flow=flow,
        )
