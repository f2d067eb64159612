"""LangGraph state channels: node functions per graph, and model output read back from a channel."""

from agentable.query.graph_state import graph_nodes, state_channel_read
from agentable.query.model_derived import channel_model_output
from tests.conftest import graph_of

_GRAPH = '''
from typing import TypedDict

from langchain_openai import ChatOpenAI
from langgraph.graph import StateGraph

llm = ChatOpenAI(model="gpt-4o")


class S(TypedDict):
    messages: list
    plan: list


def think(state: S):
    return {"messages": [llm.invoke(state["messages"])]}


def plan(state: S):
    return {"plan": ["a", "b"]}


def act(state: S):
    last = state.get("messages")[-1]
    first = state["plan"][0]
    return {}


def helper(state):
    return state["messages"]


g = StateGraph(S)
g.add_node("think", think)
g.add_node(plan)
g.add_node("act", action=act)
'''


def _read(g, func, line):
    from agentable.cpg import ir

    f = g.functions[func]
    return [(e, s) for e, s in f.walk(ir.Subscript) + f.walk(ir.Call) if e.pos[0] == line]


def test_nodes_of_a_graph_in_every_add_node_form():
    g = graph_of({"app.py": _GRAPH})
    (nodes,) = graph_nodes(g).nodes.values()
    assert [f.name for f in nodes] == ["think", "plan", "act"]


def test_channel_reads_and_what_they_hold():
    g = graph_of({"app.py": _GRAPH})
    act = g.functions["app.act"]
    keys = {state_channel_read(g, e, act) for e, _s in _read(g, "app.act", 24)} - {None}
    assert keys == {"messages"}
    assert channel_model_output(g, act, "messages") is not None  # think returns the model's reply there
    assert channel_model_output(g, act, "plan") is None  # only literals go into plan
    helper = g.functions["app.helper"]  # not a node: its parameter is no graph state
    assert all(state_channel_read(g, e, helper) is None for e, _s in _read(g, "app.helper", 30))
