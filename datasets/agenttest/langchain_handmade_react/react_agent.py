import re

from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

REACT_TEMPLATE = """Answer the question as well as you can. You have access to these tools:

{tool_descriptions}

Use this format:

Question: the input question
Thought: think about what to do next
Action: the tool to use, one of [{tool_names}]
Action Input: the input for the tool
Observation: the tool result
... (Thought/Action/Action Input/Observation may repeat)
Thought: I now know the final answer
Final Answer: the answer to the question

Question: {question}
{scratchpad}"""

ACTION_RE = re.compile(r"Action:\s*(.+?)\s*\nAction Input:\s*(.*)", re.DOTALL)


@tool
def word_count(text: str) -> str:
    """Count the words in a piece of text."""
    return str(len(text.split()))


@tool
def reverse_text(text: str) -> str:
    """Return the text reversed character by character."""
    return text[::-1]


@tool
def to_upper(text: str) -> str:
    """Return the text converted to upper case."""
    return text.upper()


TOOLS = {t.name: t for t in (word_count, reverse_text, to_upper)}


class TinyReactAgent:
    def __init__(self, model: str = "gpt-4o-mini", max_turns: int = 6):
        self.llm = ChatOpenAI(model=model, temperature=0)
        self.max_turns = max_turns

    def _prompt(self, question: str, scratchpad: str) -> str:
        return REACT_TEMPLATE.format(
            tool_descriptions="\n".join(f"{t.name}: {t.description}" for t in TOOLS.values()),
            tool_names=", ".join(TOOLS),
            question=question,
            scratchpad=scratchpad,
        )

    def run(self, question: str) -> str:
        scratchpad = ""
        for _ in range(self.max_turns):
            output = self.llm.invoke(self._prompt(question, scratchpad)).content
            if "Final Answer:" in output:
                return output.split("Final Answer:", 1)[1].strip()
            match = ACTION_RE.search(output)
            if match is None:
                scratchpad += output + "\nObservation: I could not parse an action; use the format.\n"
                continue
            name, arg = match.group(1).strip(), match.group(2).strip()
            observation = TOOLS[name].invoke(arg)
            scratchpad += f"{output}\nObservation: {observation}\n"
        return "Agent stopped after reaching the turn limit."


if __name__ == "__main__":
    agent = TinyReactAgent()
    print(agent.run("How many words are in 'the quick brown fox jumps'?"))
