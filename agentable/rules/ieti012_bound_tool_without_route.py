"""IETI012: a tool bound to the model that the router of its tool calls has no branch for."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.query.tool_routes import unrouted_bound_tools
from agentable.rules.base import Rule, RuleContext, RuleMeta


class BoundToolWithoutRoute(Rule):
    meta = RuleMeta(
        id="IETI012",
        name="bound-tool-without-route",
        category="IETI",
        severity=Severity.WARNING,
        short="A tool is given to the model, but the code that dispatches its tool calls by name has no branch "
              "for it.",
        full=("A LangGraph node that binds a list of tools to the model is often followed by a conditional edge "
              "whose router sends each tool call to a node by comparing its name with literals "
              "(`if call[\"name\"] == \"Question\": return \"ask_user\"`). The model is told it may call every "
              "bound tool; a tool the router never names falls through to the router's fallback (an error "
              "node, a \"could not find tool\" answer), so every call of it fails and the model retries or "
              "loops until the recursion limit. Reported when the router names at least three of the bound "
              "tools and only them, routes every branch to a node of the project (no prebuilt tool executor "
              "takes the rest), and leaves out fewer tools than it names. The same holds for a hand-written "
              "executor (`if tool_name == \"water_plant\": ... else: return \"Unknown tool\"`) whose name comes "
              "from the reply of a call given a written-out tool list (`tools=TOOLS`), when it neither looks "
              "the other tools up by name nor hands the name on to another runner, and no caller does."),
        bad_example=('tools = [SearchFlights, BookFlight, CancelBooking, AskUser]\n'
                     'model = llm.bind_tools(tools)\n'
                     'def route(state):\n'
                     '    name = state["messages"][-1].tool_calls[0]["name"]\n'
                     '    if name == "SearchFlights": return "search"\n'
                     '    elif name == "BookFlight": return "book"\n'
                     '    elif name == "AskUser": return "ask"\n'
                     '    return "unknown_tool"'),
        good_example=('    elif name == "CancelBooking": return "cancel"\n'
                      '    return "unknown_tool"'),
        fix="Add a branch (and a node) for the tool, or stop binding it.",
        tags=("tools", "dispatch", "langgraph"),
        precision="medium",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for u in unrouted_bound_tools(ctx.graph):
            router = u.router
            routed = ", ".join(f"`{n}`" for n in u.routed)
            lands = f"the fallback `{u.fallback}`" if u.fallback else "the fallback after its branches"
            where = router.node.name_pos if router.node is not None else u.tool.pos
            step = FlowStep(ctx.graph.span(router.path, where), f"`{router.name}` routes the tool calls by name")
            yield self.finding(
                ctx, u.tool.path, u.tool.pos,
                f"`{u.tool.name}` is bound to the model here, but `{router.name}`, which routes its tool calls by "
                f"name, has no branch for it (it routes {routed}): every call of `{u.tool.name}` goes to {lands} "
                f"instead of running. Add a branch for `{u.tool.name}`, or stop binding it.",
                flow=[step])
