from typing import Annotated, TypedDict

from langchain_core.messages import AnyMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from langgraph.graph import END, StateGraph
from langgraph.graph.message import add_messages

RATES_TO_EUR = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "JPY": 0.0061, "CHF": 1.04}


class State(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]


@tool
def convert_currency(amount: float, source: str, target: str) -> str:
    eur = amount * RATES_TO_EUR[source.upper()]
    converted = eur / RATES_TO_EUR[target.upper()]
    return f"{amount:.2f} {source.upper()} = {converted:.2f} {target.upper()}"


@tool
def supported_currencies() -> str:
    """List the ISO currency codes the converter supports."""
    return ", ".join(sorted(RATES_TO_EUR))


TOOL_REGISTRY = {t.name: t for t in (convert_currency, supported_currencies)}
model = ChatOpenAI(model="gpt-4o-mini", temperature=0).bind_tools(list(TOOL_REGISTRY.values()))


def agent_node(state: State) -> dict:
    return {"messages": [model.invoke(state["messages"])]}


def execute_tools(state: State) -> dict:
    last = state["messages"][-1]
    outputs = []
    for tc in last.tool_calls:
        tool_fn = TOOL_REGISTRY[tc["name"]]
        result = tool_fn.invoke(tc["args"])
        outputs.append(ToolMessage(content=str(result), tool_call_id=tc["id"], name=tc["name"]))
    return {"messages": outputs}


def should_continue(state: State) -> str:
    last = state["messages"][-1]
    return "tools" if getattr(last, "tool_calls", None) else END


workflow = StateGraph(State)
workflow.add_node("agent", agent_node)
workflow.add_node("tools", execute_tools)
workflow.set_entry_point("agent")
workflow.add_conditional_edges("agent", should_continue, {"tools": "tools", END: END})
workflow.add_edge("tools", "agent")
app = workflow.compile()

if __name__ == "__main__":
    out = app.invoke({"messages": [HumanMessage("How much is 250 GBP in JPY?")]})
    print(out["messages"][-1].content)
