"""Offline research helper: a local Llama model reasons over a notes folder."""
import re
from pathlib import Path

from langchain_ollama import ChatOllama

NOTES = Path.home() / "notes"
MAX_STEPS = 8

SYSTEM = """You answer questions using the user's notes.
Tools:
  search_notes[query] - list note files whose text contains the query
  read_note[filename] - return the text of one note

Respond in this format:
Thought: <reasoning>
Action: <tool name>
Action Input: <argument>

When you know the answer, respond with:
Final Answer: <answer>
"""


def search_notes(query: str) -> str:
    hits = [p.name for p in NOTES.glob("*.md") if query.lower() in p.read_text(encoding="utf-8").lower()]
    return ", ".join(hits[:10]) if hits else "no matching notes"


def read_note(filename: str) -> str:
    path = NOTES / Path(filename).name
    if not path.exists():
        return f"{filename} does not exist"
    return path.read_text(encoding="utf-8")[:3000]


TOOLS = {"search_notes": search_notes, "read_note": read_note}

llm = ChatOllama(model="llama3.1:8b", temperature=0)
step_llm = llm.bind(stop=["\nAction:"])

ACTION = re.compile(r"Action:\s*(\w+)\s*Action Input:\s*(.+)", re.S)


def research(question: str) -> str:
    transcript = f"Question: {question}\n"
    for _ in range(MAX_STEPS):
        reply = step_llm.invoke([("system", SYSTEM), ("human", transcript)]).content
        if "Final Answer:" in reply:
            return reply.split("Final Answer:", 1)[1].strip()
        found = ACTION.search(reply)
        if not found:
            transcript += reply + "\nObservation: no valid Action found, follow the format.\n"
            continue
        tool_name, tool_arg = found.group(1), found.group(2).strip()
        tool_fn = TOOLS.get(tool_name)
        observation = tool_fn(tool_arg) if tool_fn else f"unknown tool {tool_name}"
        transcript += f"{reply}\nObservation: {observation}\n"
    return "I could not find an answer in time."


if __name__ == "__main__":
    print(research(input("question: ")))
