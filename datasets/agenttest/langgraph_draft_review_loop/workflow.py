"""Draft -> review -> revise workflow for release notes, capped at a few revisions."""
from typing import Literal, TypedDict

from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel, Field

MAX_REVISIONS = 3


class Review(BaseModel):
    approved: bool = Field(description="True if the notes are ready to publish")
    feedback: str = Field(description="Concrete changes needed, empty when approved")


class NotesState(TypedDict):
    changelog: str
    draft: str
    feedback: str
    revisions: int
    approved: bool


writer = ChatOpenAI(model="gpt-4o", temperature=0.4)
reviewer = ChatOpenAI(model="gpt-4o-mini", temperature=0).with_structured_output(Review)

draft_prompt = ChatPromptTemplate.from_messages(
    [
        ("system", "Write user-facing release notes from a raw changelog. Group by Added/Changed/Fixed."),
        ("human", "Changelog:\n{changelog}\n\nPrevious draft:\n{draft}\n\nReviewer feedback:\n{feedback}"),
    ]
)


def write_draft(state: NotesState) -> dict:
    msg = (draft_prompt | writer).invoke(state)
    return {"draft": msg.content, "revisions": state["revisions"] + 1}


def review_draft(state: NotesState) -> dict:
    review = reviewer.invoke(
        f"Review these release notes for clarity and missing items.\n\nChangelog:\n{state['changelog']}"
        f"\n\nNotes:\n{state['draft']}"
    )
    return {"approved": review.approved, "feedback": review.feedback}


def next_step(state: NotesState) -> Literal["write", "__end__"]:
    if state["approved"] or state["revisions"] >= MAX_REVISIONS:
        return END
    return "write"


graph = StateGraph(NotesState)
graph.add_node("write", write_draft)
graph.add_node("review", review_draft)
graph.add_edge(START, "write")
graph.add_edge("write", "review")
graph.add_conditional_edges("review", next_step)
pipeline = graph.compile()


def release_notes(changelog: str) -> str:
    result = pipeline.invoke({"changelog": changelog, "draft": "", "feedback": "", "revisions": 0, "approved": False})
    return result["draft"]


if __name__ == "__main__":
    import sys

    print(release_notes(open(sys.argv[1], encoding="utf-8").read()))
