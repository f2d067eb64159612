import re
import sys
from dataclasses import dataclass, field

import httpx

from llm_client import ChatClient

SYSTEM = """You answer questions using tools. Tools:
- search[query]: search DuckDuckGo instant answers
- calc[expression]: evaluate an arithmetic expression

Use this format and stop after each Action:
Thought: ...
Action: tool[input]
Observation: ...
Final Answer: ..."""

ACTION = re.compile(r"Action:\s*(\w+)\[(.*?)\]")


def search(query: str) -> str:
    r = httpx.get("https://api.duckduckgo.com/", params={"q": query, "format": "json"}, timeout=10)
    data = r.json() if r.status_code == 200 else {}
    return data.get("AbstractText") or "No instant answer."


def calc(expression: str) -> str:
    if not re.fullmatch(r"[\d\s.+\-*/()]+", expression):
        return "Only arithmetic is supported."
    try:
        return str(eval(expression, {"__builtins__": {}}, {}))
    except (SyntaxError, ZeroDivisionError) as exc:
        return f"Error: {exc}"


@dataclass
class Researcher:
    llm: ChatClient = field(default_factory=ChatClient)
    max_steps: int = 8
    tools: dict = field(default_factory=lambda: {"search": search, "calc": calc})

    def run(self, question: str) -> str:
        scratch = f"Question: {question}\n"
        for _ in range(self.max_steps):
            out = self.llm.complete(SYSTEM, scratch)
            scratch += out + "\n"
            if "Final Answer:" in out:
                return out.split("Final Answer:", 1)[1].strip()
            match = ACTION.search(out)
            if not match:
                scratch += "Observation: Invalid format, use Action: tool[input]\n"
                continue
            name, arg = match.groups()
            tool = self.tools.get(name)
            obs = tool(arg) if tool else f"Unknown tool {name}"
            scratch += f"Observation: {obs}\n"
        return "I could not find an answer."


if __name__ == "__main__":
    print(Researcher().run(" ".join(sys.argv[1:]) or "What is the population of Iceland divided by 3?"))
