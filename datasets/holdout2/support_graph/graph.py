from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_openai import ChatOpenAI
from langgraph.graph import END, START, StateGraph

from state import SupportState
from tools import TOOLS

llm = ChatOpenAI(model="gpt-4o-mini", temperature=0)
agent_llm = llm.bind_tools(TOOLS)
tools_by_name = {t.name: t for t in TOOLS}

ROUTER_PROMPT = (
    "Classify the customer's message. Answer in the form 'department: <billing|security|other>'."
)


def classify(state: SupportState) -> dict:
    reply = llm.invoke([SystemMessage(ROUTER_PROMPT), state["messages"][-1]])
    department = reply.content.split(":")[1].strip().lower()
    return {"department": department}


def agent(state: SupportState) -> dict:
    system = SystemMessage(f"You are the {state['department']} support agent. Use tools when useful.")
    return {"messages": [agent_llm.invoke([system, *state["messages"]])]}


def run_tools(state: SupportState) -> dict:
    last = state["messages"][-1]
    outputs = []
    for call in last.tool_calls:
        result = tools_by_name[call["name"]].invoke(call["args"])
        outputs.append(ToolMessage(content=result, tool_call_id=call["id"]))
    return {"messages": outputs}


def needs_tools(state: SupportState) -> str:
    return "tools" if getattr(state["messages"][-1], "tool_calls", None) else END


builder = StateGraph(SupportState)
builder.add_node("classify", classify)
builder.add_node("agent", agent)
builder.add_node("tools", run_tools)
builder.add_edge(START, "classify")
builder.add_edge("classify", "agent")
builder.add_conditional_edges("agent", needs_tools, ["tools", END])
builder.add_edge("tools", "agent")
graph = builder.compile()


if __name__ == "__main__":
    out = graph.invoke({"messages": [HumanMessage("What's my balance? I'm u-99")], "department": ""})
    print(out["messages"][-1].content)
