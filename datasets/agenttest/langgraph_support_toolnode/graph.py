from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

ORDERS = {
    "A100": {"status": "shipped", "carrier": "DHL", "eta": "2 days"},
    "A101": {"status": "processing", "carrier": None, "eta": "5 days"},
}


@tool
def order_status(order_id: str) -> str:
    """Look up the shipping status, carrier and ETA of an order by its id (e.g. 'A100')."""
    order = ORDERS.get(order_id.upper())
    if not order:
        return f"Order {order_id} not found."
    carrier = order["carrier"] or "not assigned yet"
    return f"Order {order_id}: {order['status']}, carrier {carrier}, ETA {order['eta']}."


@tool
def return_policy(product_type: str) -> str:
    """Explain the return policy for a product type such as 'electronics' or 'clothing'."""
    days = {"electronics": 14, "clothing": 30}.get(product_type.lower(), 21)
    return f"{product_type}: returns accepted within {days} days with receipt."


tools = [order_status, return_policy]
llm = ChatOpenAI(model="gpt-4o-mini", temperature=0).bind_tools(tools)

SYSTEM = SystemMessage("You are a polite e-commerce support agent. Use tools for order data.")


def call_model(state: MessagesState) -> dict:
    response = llm.invoke([SYSTEM, *state["messages"]])
    return {"messages": [response]}


builder = StateGraph(MessagesState)
builder.add_node("agent", call_model)
builder.add_node("tools", ToolNode(tools))
builder.add_edge(START, "agent")
builder.add_conditional_edges("agent", tools_condition)
builder.add_edge("tools", "agent")
graph = builder.compile()


if __name__ == "__main__":
    final = graph.invoke(
        {"messages": [HumanMessage("Where is my order A101, and can I return a jacket?")]},
        config={"recursion_limit": 12},
    )
    print(final["messages"][-1].content)
