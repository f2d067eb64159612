"""A text-protocol ReAct agent expressed as a LangGraph state machine."""
import re
from typing import TypedDict

from langchain_groq import ChatGroq
from langgraph.graph import END, StateGraph

PROMPT = """You can use these tools:
- lookup_country[name]: capital, population and currency of a country
- compare_numbers[a, b]: tells which number is larger

Follow this format exactly:
Thought: ...
Action: tool_name[argument]
Observation: (the tool result will be inserted here)
... repeat ...
Final Answer: ...

Question: {question}
{scratchpad}"""

COUNTRIES = {
    "france": "capital Paris, population 68000000, currency EUR",
    "japan": "capital Tokyo, population 124000000, currency JPY",
    "brazil": "capital Brasilia, population 216000000, currency BRL",
}


def lookup_country(name: str) -> str:
    return COUNTRIES.get(name.strip().lower(), f"unknown country {name}")


def compare_numbers(arg: str) -> str:
    try:
        a, b = (float(x) for x in arg.split(","))
    except ValueError:
        return "expected two numbers separated by a comma"
    return f"{max(a, b):g} is larger"


TOOLS = {"lookup_country": lookup_country, "compare_numbers": compare_numbers}
ACTION_RE = re.compile(r"Action:\s*(\w+)\[(.*?)\]")


class AgentState(TypedDict):
    question: str
    scratchpad: str
    last_output: str
    answer: str


llm = ChatGroq(model="llama-3.3-70b-versatile", temperature=0)


def think(state: AgentState) -> dict:
    text = llm.invoke(PROMPT.format(**state)).content
    return {"last_output": text}


def act(state: AgentState) -> dict:
    text = state["last_output"]
    if "Final Answer:" in text:
        return {"answer": text.split("Final Answer:", 1)[1].strip()}
    match = ACTION_RE.search(text)
    if match is None:
        obs = "Invalid format. Use Action: tool_name[argument]."
    elif match.group(1) not in TOOLS:
        obs = f"Unknown tool {match.group(1)}."
    else:
        obs = TOOLS[match.group(1)](match.group(2))
    return {"scratchpad": state["scratchpad"] + f"{text}\nObservation: {obs}\n"}


def route(state: AgentState) -> str:
    return END if state.get("answer") else "think"


g = StateGraph(AgentState)
g.add_node("think", think)
g.add_node("act", act)
g.set_entry_point("think")
g.add_edge("think", "act")
g.add_conditional_edges("act", route)
agent = g.compile()

if __name__ == "__main__":
    res = agent.invoke(
        {"question": "Which has more people, Japan or Brazil?", "scratchpad": "", "last_output": "", "answer": ""},
        {"recursion_limit": 16},
    )
    print(res["answer"])
