"""MNFT022: a tool waits for an outside job by polling its status, with no deadline or attempt limit."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.query.tool_results import tool_label
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.polling import UnboundedPoll, unbounded_polls


class ToolPollsWithoutDeadline(Rule):
    meta = RuleMeta(
        id="MNFT022",
        name="tool-polls-without-deadline",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A tool waits for an outside job (a query, a training run, a remote task) by checking its status "
               "in a loop with a sleep between checks, and nothing limits how long it waits."),
        full=("Tools often start work elsewhere and wait for it: a BigQuery or batch job, an assistant run, a "
              "render, a file that another process writes. `while not job.done(): time.sleep(5)` returns only "
              "when the job ends. A job that takes hours, is queued behind others or never finishes keeps the "
              "tool call from returning, so the agent's turn (and the request that carries it) hangs with no "
              "error for the model to act on and no way to report progress. Reported when the loop sleeps on "
              "its normal path (a sleep in an `except` block is a retry, not a wait), its condition or its "
              "exits test a status read from a call or an object, and no deadline on the clock, attempt counter "
              "or budget check in a function it calls ends it; in the tool's function or in a project function "
              "it calls (two calls down). A loop with no exit at all (a service loop) is not a wait and is not "
              "reported."),
        bad_example=('def train_model(sql: str) -> str:\n    """Run a BigQuery ML statement and wait for it."""\n'
                     '    job = client.query(sql)\n    while not job.done():\n        time.sleep(5)\n'
                     '    return f"done: {job.job_id}"'),
        good_example=('def train_model(sql: str) -> str:\n    """Run a BigQuery ML statement and wait up to 10 minutes."""\n'
                      '    job = client.query(sql)\n    deadline = time.monotonic() + 600\n'
                      '    while not job.done():\n        if time.monotonic() > deadline:\n'
                      '            return f"still running after 10 minutes; job id {job.job_id}"\n'
                      '        time.sleep(5)\n    return f"done: {job.job_id}"'),
        fix=("Give the wait a deadline (`time.monotonic() > deadline`) or a number of checks, and when it passes "
             "return a message the model can read (the job id to check later, or that the job is still running)."),
        tags=("robustness", "timeout", "tools"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for hit in sorted(unbounded_polls(ctx.graph), key=lambda h: (h.func.path, h.loop.pos)):
            yield self._finding(ctx, hit)

    def _finding(self, ctx: RuleContext, hit: UnboundedPoll) -> Finding:
        g = ctx.graph
        path = hit.func.path
        label = tool_label(hit.tool.func, hit.tool, g) if hit.tool.func is not None else (hit.tool.name or "the tool")
        head = source_text(g, path, hit.loop.test, 50)
        sleep = source_text(g, path, hit.sleep, 40)
        where = f"tool `{label}`" if not hit.chain else f"`{hit.func.name}`, which tool `{label}` calls,"
        flow = [FlowStep(g.span(s.func.path, s.call.pos), "calls this, with no time limit") for s in hit.chain]
        flow.append(FlowStep(g.span(path, hit.sleep.pos), f"`{sleep}` between checks; nothing counts them"))
        line, col = hit.loop.pos[0], hit.loop.pos[1]
        return self.finding(
            ctx, path, (line, col, line, col + 5),  # the `while` keyword, not the whole loop
            f"This loop (`while {head}`) in {where} waits for a status with `{sleep}` between checks and no "
            f"deadline or limit on the checks: a job that runs for hours or never finishes keeps the tool call "
            f"from returning and hangs the agent's turn with no error for the model. Stop after a time limit "
            f"(`time.monotonic() > deadline`) or a number of checks and return a message the model can read "
            f"(e.g. the job id to check later).",
            flow=flow,
        )
