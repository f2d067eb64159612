import re

import ollama

from catalog import by_author, search_title

TOOLS = {"search_title": search_title, "by_author": by_author}

TEMPLATE = """Answer the patron's question about the library catalogue.
Tools:
- search_title(q): find books whose title contains q
- by_author(name): list books by an author

Respond in this format:
Thought: <reasoning>
Action: <tool name>
Action Input: <argument>

and wait for the Observation. When you are done, write:
Final Answer: <answer for the patron>

Question: {question}
{scratchpad}"""

STEP = re.compile(r"Action:\s*(?P<tool>\w+)\s*Action Input:\s*(?P<arg>.+)", re.S)


def answer(question: str, model: str = "llama3.1:8b", max_steps: int = 6) -> str:
    scratchpad = ""
    for _ in range(max_steps):
        out = ollama.generate(
            model=model,
            prompt=TEMPLATE.format(question=question, scratchpad=scratchpad),
            options={"temperature": 0, "stop": ["Observation:", "Final Answer:"]},
        )["response"]
        if "Final Answer:" in out:
            return out.split("Final Answer:", 1)[1].strip()
        m = STEP.search(out)
        if not m:
            scratchpad += out + "\nObservation: please use the Action / Action Input format.\n"
            continue
        tool = TOOLS.get(m["tool"])
        try:
            obs = tool(m["arg"].strip().splitlines()[0]) if tool else f"unknown tool {m['tool']}"
        except Exception as exc:
            obs = f"tool error: {exc}"
        scratchpad += f"{out}\nObservation: {obs}\n"
    return "I could not find an answer in the catalogue."


if __name__ == "__main__":
    print(answer("Do you have anything by Ursula K. Le Guin that is available?"))
