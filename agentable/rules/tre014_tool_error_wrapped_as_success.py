"""TRE014: a tool wraps error text in its project's success result."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.query.result_status import result_constructors, wrapped_error_texts
from agentable.query.tool_results import tool_bodies
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ToolErrorWrappedAsSuccess(Rule):
    meta = RuleMeta(
        id="TRE014",
        name="tool-error-wrapped-as-success",
        category="TRE",
        severity=Severity.WARNING,
        short=("A tool hands error text to its project's success result (`ToolResult.success(\"Error: ...\")`), so "
               "a failed call is reported as one that worked."),
        full=("Some projects return tool results through a class of their own with a success and a failure "
              "constructor (`ToolResult.success(x)` sets `status=\"success\"`, `ToolResult.fail(x)` sets "
              "`status=\"error\"`); the agent loop reads that status to tell the model the call failed, to count "
              "failures or to retry. A tool that passes error text to the success constructor, itself or as the "
              "result of a helper that reports its failures as text (`return \"Error: no such task\"` beside its "
              "normal result), marks a failed call as a success: the loop's failure handling never runs and the "
              "model, told the call worked, often tells the user it did. Reported when the project's result class "
              "has both constructors (tools.toml [result_status]), the text opens with an error word and a colon, "
              "and the tool does not test the helper's result before wrapping it."),
        bad_example=('def execute(self, args: dict) -> ToolResult:\n'
                     '    return ToolResult.success(self._cancel(args["order_id"]))\n\n'
                     'def _cancel(self, order_id: str) -> str:\n'
                     '    if order_id not in self.orders:\n        return f"Error: no order {order_id}"\n'
                     '    self.orders.pop(order_id)\n    return f"Order {order_id} cancelled"'),
        good_example=('def execute(self, args: dict) -> ToolResult:\n'
                      '    order_id = args["order_id"]\n    if order_id not in self.orders:\n'
                      '        return ToolResult.fail(f"no order {order_id}")\n'
                      '    self.orders.pop(order_id)\n    return ToolResult.success(f"Order {order_id} cancelled")'),
        fix=("Return the failure result for these paths: have the helper raise (and catch it in the tool) or return "
             "a status beside its text, and call the failure constructor when it failed."),
        tags=("tools", "errors"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        if not result_constructors(g):
            return
        for func, _tool, label in tool_bodies(g):
            wrapped = wrapped_error_texts(g, func)
            if not wrapped:
                continue
            first = wrapped[0]
            success = first.success.call
            shown = _short(first.text)
            if first.helper is not None and first.via is not None:
                helpers = list(dict.fromkeys(w.helper.name for w in wrapped if w.helper is not None))
                others = f" (also {', '.join(f'`{h}`' for h in helpers[1:3])})" if len(helpers) > 1 else ""
                how = (f"it passes what `{first.helper.name}` returns{others} to the success result at line "
                       f"{success.pos[0]}, and `{first.helper.name}` returns error text on some paths "
                       f"(`{shown}`, line {first.text_at[0]})")
                anchor = first.via.pos
            else:
                how = f"it passes the error text `{shown}` to the success result at line {success.pos[0]}"
                anchor = success.pos
            name = ir.dotted(success.func) or "the success result"
            yield self.finding(
                ctx, func.path, anchor,
                f"Tool `{label}` reports failures as successes: {how}, so a failed call comes back as `{name}` and "
                f"the agent and the model are told it worked. Return the project's failure result on those paths.",
            )


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
