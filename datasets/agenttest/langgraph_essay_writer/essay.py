from typing import TypedDict

from langchain_openai import ChatOpenAI
from langgraph.graph import END, StateGraph


class EssayState(TypedDict, total=False):
    topic: str
    outline: str
    draft: str
    score: int


planner = ChatOpenAI(model="gpt-4o-mini", temperature=0.3)
writer = ChatOpenAI(model="gpt-4o-mini", max_tokens=64000, temperature=0.7)
grader = ChatOpenAI(model="gpt-4o-mini", temperature=0)

GRADE_PROMPT = """Grade the following essay from 1 to 10 for structure, argument and style.
Respond with the number only.

{essay}"""


def outline(state: EssayState) -> EssayState:
    reply = planner.invoke(f"Write a 5-point outline for a long-form essay about: {state['topic']}")
    return {"outline": reply.content}


def write(state: EssayState) -> EssayState:
    reply = writer.invoke(
        f"Write a detailed 8000-word essay following this outline.\n\n{state['outline']}"
    )
    return {"draft": reply.content}


def grade(state: EssayState) -> EssayState:
    reply = grader.invoke(GRADE_PROMPT.format(essay=state["draft"]))
    score = int(reply.content.strip())
    return {"score": score}


builder = StateGraph(EssayState)
builder.add_node("outline", outline)
builder.add_node("write", write)
builder.add_node("grade", grade)
builder.set_entry_point("outline")
builder.add_edge("outline", "write")
builder.add_edge("write", "grade")
builder.add_edge("grade", END)
essay_graph = builder.compile()

if __name__ == "__main__":
    out = essay_graph.invoke({"topic": "How cities can adapt to extreme heat"})
    print(out["draft"][:2000], "...\n")
    print("score:", out["score"])
