"""MNFT012: a model wrapper returns None when the call fails, and a caller uses the result unchecked."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.cpg.flow import handler_type_names
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.fallthrough import fall_through_uses
from agentable.rules.mnft.none_results import unguarded_none_uses


class ModelWrapperNoneUsed(Rule):
    meta = RuleMeta(
        id="MNFT012",
        name="model-wrapper-none-result-used",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A function that calls the model returns None when the call fails, and a caller uses its result "
               "as a value with no test for None; or a handler only reports a failed call and the code after the "
               "try uses the result the call did not give."),
        full=("A wrapper that catches the model call's errors (or runs out of retries) and returns None hands the "
              "failure to its callers as a value. A caller that reads the result at once (`reply[\"content\"]`, "
              "`reply.text`) then fails with TypeError or AttributeError, far from the cause and with the "
              "original error lost: a rate limit or a timeout surfaces as \"'NoneType' object is not "
              "subscriptable\" in the agent's step. Either the wrapper raises (and the caller handles the model "
              "error), or every caller tests the result for None. The same failure is written inline as "
              "`try: reply = call() except SomeError: print(e)` followed by `reply.content`: the handler reports the "
              "error and goes on, and the next read of `reply` raises UnboundLocalError (or, with `reply = None` "
              "before the try, AttributeError/TypeError), which replaces the handled error and ends the step. A "
              "handler that assigns a fallback, returns, raises, continues or breaks is fine, and so is a read "
              "that tests `reply` first."),
        bad_example=('def ask(messages):\n    try:\n        return client.chat.completions.create(model=M, messages=messages)\n'
                     '    except openai.APIError:\n        return None\n\n'
                     'reply = ask(msgs)\ntext = reply.choices[0].message.content'),
        good_example=('reply = ask(msgs)\nif reply is None:\n    return fallback()\ntext = reply.choices[0].message.content'),
        fix=("Test the result for None where it is used (and skip, retry or report the step), or let the wrapper "
             "raise; in a handler that reports the error, also assign a fallback or leave the step."),
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
                f"so the failed call becomes a TypeError/AttributeError here. Test the result for None "
                f"(and skip, retry or report the step), or let the wrapper raise.",
                flow=flow,
            )
        for f in fall_through_uses(graph):
            key = (f.func.path, f.use.pos[0])
            if key in seen:
                continue
            seen.add(key)
            bound = source_text(graph, f.func.path, f.bound.value, 50)
            if bound == "the value":  # (a call over several lines)
                call_expr = f.bound.value.value if isinstance(f.bound.value, ir.Await) else f.bound.value
                bound = f"{ir.dotted(getattr(call_expr, 'func', None)) or 'the call'}(...)"
            caught = ", ".join(handler_type_names(f.handler)) or "<bare except>"
            then = ("is unbound there, so this raises UnboundLocalError" if f.unbound and not f.func.is_module else
                    "is not defined there, so this raises NameError" if f.unbound else
                    "is still None there, so this raises AttributeError/TypeError")
            flow = (FlowStep(graph.span(f.func.path, f.handler.pos),
                             "the handler only reports the error and goes on"),
                    FlowStep(graph.span(f.func.path, f.use.pos), f"`{f.name}` read after the failed call"))
            yield self.finding(
                ctx, f.func.path, f.use.pos,
                f"`{f.name}` is read here, but when `{bound}` (line {f.bound.pos[0]}) fails, the handler "
                f"`except {caught}` (line {f.handler.pos[0]}) only reports the error and goes on: `{f.name}` "
                f"{then} in place of the handled error. Assign a fallback in the handler, or leave the "
                f"step there (return, continue, raise).",
                flow=flow,
            )
