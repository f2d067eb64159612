"""The tool names a router compares a tool call's name with, and the tools a node binds."""

from agentable.query.tool_routes import bound_tools, routed_names
from tests.conftest import graph_of

_APP = '''
from langchain_core.tools import tool
from pydantic import BaseModel


class Refund(BaseModel):
    """Refund an order."""
    order_id: str


@tool("track_parcel")
def track(number: str) -> str:
    """Where the parcel is now."""
    return number


def route(state):
    call = state["messages"][-1].tool_calls[0]
    if call["name"] == "Refund":
        return "refund"
    if call.name in ("track_parcel", "ask"):
        return "other"
    if state["mode"] == "debug":
        return "debug"
    return "end"


def node(state):
    tools = [Refund, track]
    tools.append(Refund)
    return tools
'''


def _func(g, name):
    return next(f for f in g.agent.functions() if f.name == name)


def test_routed_names_are_compared_tool_call_names_only():
    g = graph_of({"agent.py": _APP})
    assert set(routed_names(g, _func(g, "route"))) == {"Refund", "track_parcel", "ask"}  # not "debug"


def test_bound_tools_are_named_as_the_model_calls_them():
    g = graph_of({"agent.py": _APP})
    node = _func(g, "node")
    ret = node.returns[0].value
    tools = bound_tools(g, ret, node)
    assert tools is not None
    assert [t.name for t in tools] == ["Refund", "track_parcel", "Refund"]
