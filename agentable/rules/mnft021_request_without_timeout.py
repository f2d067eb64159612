"""MNFT021: a tool or a model request waits on a web server with no timeout."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.processes import unbounded_request, unbounded_requests
from agentable.query.tool_results import tool_bodies
from agentable.rules.base import Rule, RuleContext, RuleMeta


class RequestWithoutTimeout(Rule):
    meta = RuleMeta(
        id="MNFT021",
        name="request-without-timeout",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A tool, or a model request sent with `requests`, makes a web request with no timeout, so a server "
               "that stops answering hangs the agent."),
        full=("`requests` has no default timeout and `urllib.request.urlopen` waits as long as the socket "
              "default, which is forever: a server that accepts the connection and then never answers (an "
              "overloaded API, a model server stuck on a long generation, a proxy that drops the reply) holds the "
              "call forever. In a tool that means the tool call never returns and the agent's step never ends; "
              "in a model request the whole run stops with no error to retry or report. Reported for the "
              "catalogued calls (tools.toml [request_waits]) made with no `timeout=` (and no `**kwargs` that may "
              "carry one) in a tool's body or a project function it calls (two levels), and for a model call "
              "sent with one of them. httpx and aiohttp time out by default and are not reported."),
        bad_example=('@tool\ndef get_quote(symbol: str) -> str:\n    """Latest price of a stock symbol."""\n'
                     '    return requests.get(f"https://api.example.com/quote/{symbol}").text'),
        good_example=('@tool\ndef get_quote(symbol: str) -> str:\n    """Latest price of a stock symbol."""\n'
                      '    try:\n        r = requests.get(f"https://api.example.com/quote/{symbol}", timeout=(5, 30))\n'
                      '    except requests.Timeout:\n        return "The quote service did not answer in time."\n'
                      '    return r.text'),
        fix=("Pass `timeout=` (a (connect, read) pair such as `(5, 60)`), catch `requests.Timeout` and return or "
             "raise an error the agent can report or retry."),
        tags=("tools", "robustness", "network"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        reported: set[int] = set()
        for call in g.agent.llm_calls:
            if id(call.call) in reported or not unbounded_request(g, call.site, call.path):
                continue
            reported.add(id(call.call))
            yield self.finding(
                ctx, call.func.path, call.call.pos,
                f"This model request (`{call.path}` in `{call.func.name}`) has no `timeout=`, and `{call.path}` waits "
                f"for the reply with no time limit: a model server that stops answering hangs the agent run with "
                f"no error to retry or report. Pass `timeout=` and catch the timeout error.",
            )
        for func, _tool, label in tool_bodies(g):
            for pc in unbounded_requests(g, func):
                if id(pc.site.call) in reported:
                    continue
                reported.add(id(pc.site.call))
                name = ir.dotted(pc.site.call.func) or pc.path
                flow = [FlowStep(g.span(func.path, func.node.pos if func.node is not None else pc.site.call.pos),
                                 f"the tool `{label}`")]
                flow += [FlowStep(g.span(s.func.path, s.call.pos), "calls this") for s in pc.via]
                where = "" if not pc.via else f" (through `{pc.func.name}`)"
                yield self.finding(
                    ctx, pc.func.path, pc.site.call.pos,
                    f"`{name}(...)` in the tool `{label}`{where} has no `timeout=`, and `{pc.path}` waits for the "
                    f"server with no time limit: a server that stops answering keeps the tool call from ever "
                    f"returning and hangs the agent. Pass `timeout=` and return an error text the model can read "
                    f"when it expires.",
                    flow=flow,
                )
