"""LOPE011: a parse-error handler for model output raises, and the exception ends the model loop."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.raising_handlers import raising_handlers
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ParseErrorHandlerRaises(Rule):
    meta = RuleMeta(
        id="LOPE011",
        name="parse-error-handler-ends-run",
        category="LOPE",
        severity=Severity.WARNING,
        short="A handler for a malformed model reply raises, and nothing up to the model loop catches it.",
        full=("A reply that misses the requested format is a normal event in an agent, not a bug: models wrap "
              "JSON in fences, truncate it, or write tool-call arguments that are not valid JSON. Wrapping the "
              "parse in try/except only helps if the handler recovers. A handler that raises instead (`raise "
              "ValueError(...) from e`, a fallback parse that raises when it fails too, or an error marker that "
              "a later check turns into an exception) hands the failure on, and when nothing between that raise "
              "and the loop that calls the model catches it, one malformed reply ends the whole run. Feeding the "
              "error back to the model (as the next message or as the tool result) and asking again, or falling "
              "back to a default, keeps the agent going. A raise that a caller catches (a retry loop, a handler "
              "that reports the error to the model) is not reported, nor is one that no model loop receives, "
              "such as a parser in a library's API. The same holds for a regex search of the reply whose no-match "
              "path raises (`if not m: raise ValueError(...)`, or a `raise` after the loop over patterns): a reply "
              "that words the marker a little differently ends the run."),
        bad_example=('while not done:\n    reply = chat(messages)\n    try:\n        action = json.loads(reply)\n'
                     '    except json.JSONDecodeError as e:\n        raise AgentError("bad reply") from e'),
        good_example=('while not done:\n    reply = chat(messages)\n    try:\n        action = json.loads(reply)\n'
                      '    except json.JSONDecodeError as e:\n'
                      '        messages.append({"role": "user", "content": f"Invalid JSON ({e}); answer again."})\n'
                      '        continue'),
        fix=("Return the parse error to the model and ask again (bounded), or fall back to a default; if the "
             "handler must raise, catch that exception in the loop and report it to the model."),
        tags=("parsing", "robustness"),
        precision="medium",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for h in raising_handlers(graph):
            parse = h.parse
            what = "tool-call arguments the model wrote" if h.tool_arguments else "model output"
            where = f"{parse.func.path}:{parse.call.pos[0]}"
            loop = f"the loop at {h.loop_func.path}:{h.loop.pos[0]} (`{h.loop_func.name}`)"
            if h.no_match:
                how = (f"When `{h.sink.name}` at {where} finds nothing in the model's reply (a reply worded a little "
                       f"differently), this raises `{h.raised}`")
            elif h.marker is not None:
                how = (f"The handler of `{h.sink.name}` at {where} returns the marker `{h.marker!r}` for a malformed "
                       f"reply, and this check turns the marker into `{h.raised}`")
            else:
                how = f"The handler for a failed `{h.sink.name}` of {what} at {where} raises `{h.raised}` here"
            msg = (f"{how} (the text comes from {describe_llm_source(graph, h.source)}). Nothing between this raise and "
                   f"{loop} catches it, so one malformed reply ends the run. Return the error to the model and ask "
                   f"again, or fall back to a default.")
            steps = flow_steps(graph, h.source, (parse.func.path, parse.call.pos, f"parsed with {h.sink.name}"))
            steps += (FlowStep(graph.span(h.func.path, h.report.pos), f"raises {h.raised}"),
                      FlowStep(graph.span(h.loop_func.path, h.loop.pos), "the model loop it ends"))
            yield self.finding(ctx, h.func.path, h.report.pos, msg, flow=steps)
