"""A small hand-rolled ReAct agent over a local glossary."""
import re

from openai import OpenAI

PROMPT = """Answer the question using the tools below.

Tools:
- glossary[term]: returns a one-paragraph definition of a term from the team glossary.
- word_count[text]: returns the number of words in the given text.

Use this format:
Thought: your reasoning
Action: tool_name[input]
Observation: the tool result
... (Thought/Action/Observation can repeat)
Thought: I know the answer
Final Answer: the answer

Question: {question}
"""

ACTION_RE = re.compile(r"Action:\s*(\w+)\[(.*?)\]", re.DOTALL)
FINAL_RE = re.compile(r"Final Answer:\s*(.*)", re.DOTALL)

GLOSSARY = {
    "sla": "A service level agreement defines the uptime and response times promised to a customer.",
    "rto": "Recovery time objective: the maximum tolerated time to restore a service after an outage.",
    "rpo": "Recovery point objective: the maximum tolerated data loss measured in time.",
}


def glossary(term: str) -> str:
    return GLOSSARY.get(term.strip().lower(), f"No glossary entry for '{term}'.")


def word_count(text: str) -> str:
    return str(len(text.split()))


TOOLS = {"glossary": glossary, "word_count": word_count}


class ReActAgent:
    def __init__(self, model: str = "gpt-4o-mini", max_steps: int = 6):
        self.client = OpenAI()
        self.model = model
        self.max_steps = max_steps

    def _complete(self, transcript: str) -> str:
        resp = self.client.chat.completions.create(
            model=self.model,
            messages=[{"role": "user", "content": transcript}],
            stop=["\nObservation:"],
            temperature=0,
        )
        return resp.choices[0].message.content or ""

    def run(self, question: str) -> str:
        transcript = PROMPT.format(question=question)
        for step in range(self.max_steps):
            text = self._complete(transcript)
            transcript += text
            final = FINAL_RE.search(text)
            if final:
                return final.group(1).strip()
            match = ACTION_RE.search(text)
            if not match:
                transcript += "\nObservation: No valid action found. Use Action: tool[input].\n"
                continue
            name, arg = match.group(1), match.group(2)
            tool = TOOLS.get(name)
            if tool is None:
                obs = f"Unknown tool '{name}'. Available tools: {', '.join(TOOLS)}."
            else:
                obs = tool(arg)
            transcript += f"\nObservation: {obs}\n"
        return "I could not find an answer within the step budget."


if __name__ == "__main__":
    print(ReActAgent().run("What is the difference between RTO and RPO?"))
