"""MNFT012: a model wrapper returns None when the call fails, and a caller uses the result unchecked."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.none_results import unguarded_none_uses


class ModelWrapperNoneUsed(Rule):
    meta = RuleMeta(
        id="MNFT012",
        name="model-wrapper-none-result-used",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A function that calls the model returns None when the call fails, and a caller uses its result "
               "as a value with no test for None."),
        full=("A wrapper that catches the model call's errors (or runs out of retries) and returns None hands the "
              "failure to its callers as a value. A caller that reads the result at once (`reply[\"content\"]`, "
              "`reply.text`) then fails with TypeError or AttributeError, far from the cause and with the "
              "original error lost: a rate limit or a timeout surfaces as \"'NoneType' object is not "
              "subscriptable\" in the agent's step. Either the wrapper raises (and the caller handles the model "
              "error), or every caller tests the result for None."),
        bad_example=('def ask(messages):\n    try:\n        return client.chat.completions.create(model=M, messages=messages)\n'
                     '    except openai.APIError:\n        return None\n\n'
                     'reply = ask(msgs)\ntext = reply.choices[0].message.content'),
        good_example=('reply = ask(msgs)\nif reply is None:\n    return fallback()\ntext = reply.choices[0].message.content'),
        fix="Test the result for None where it is used (and skip, retry or report the step), or let the wrapper raise.",
        tags=("robustness", "llm-call", "none"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        seen: set[tuple[str, int]] = set()
        for u in unguarded_none_uses(graph):
            key = (u.caller.path, u.use.pos[0])
            if key in seen:
                continue
            seen.add(key)
            call = source_text(graph, u.caller.path, u.site.call.func, 40) + "(...)"
            use = source_text(graph, u.caller.path, u.use, 40)
            flow = (FlowStep(graph.span(u.wrapper.path, u.gives_none.pos),
                             f"`{u.wrapper.name}` returns None when the model call fails"),
                    FlowStep(graph.span(u.caller.path, u.use.pos), "the result used as a value"))
            yield self.finding(
                ctx, u.caller.path, u.use.pos,
                f"`{use}` uses the result of `{call}` as a value, but `{u.wrapper.name}` returns None when its model "
                f"call (line {u.model_site.call.pos[0]} of {u.wrapper.path}) fails (line {u.gives_none.pos[0]}), "
                f"so a rate limit or timeout becomes a TypeError/AttributeError here. Test the result for None "
                f"(and skip, retry or report the step), or let the wrapper raise.",
                flow=flow,
            )
