import re

from llama_index.core.agent import ReActAgent
from llama_index.core.tools import FunctionTool
from llama_index.llms.openai import OpenAI

POLICIES = {
    "remote work": "Employees may work remotely up to three days per week with manager approval.",
    "expenses": "Expenses above 200 EUR require a receipt and pre-approval from finance.",
    "travel": "Economy class is required for flights under six hours.",
    "equipment": "Laptops are replaced every three years; accessories up to 150 EUR per year.",
}


def lookup_policy(topic: str) -> str:
    """Return the company policy paragraph for a topic such as 'travel' or 'expenses'."""
    text = POLICIES.get(topic.strip().lower())
    if text is None:
        return f"Observation: no policy found for '{topic}'. Thought: I should try a broader topic."
    return text


def list_policy_topics() -> str:
    """List all topics that have a written policy."""
    return ", ".join(sorted(POLICIES))


agent = ReActAgent.from_tools(
    [FunctionTool.from_defaults(fn=lookup_policy), FunctionTool.from_defaults(fn=list_policy_topics)],
    llm=OpenAI(model="gpt-4o-mini", temperature=0),
    max_iterations=8,
)

ANSWER_SUFFIX = "\nEnd your answer with a line 'Confidence: N' where N is 0-100."


def ask(question: str) -> tuple[str, int]:
    response = str(agent.chat(question + ANSWER_SUFFIX))
    confidence = int(re.search(r"Confidence:\s*(\d+)", response).group(1))
    body = response.rsplit("Confidence:", 1)[0].strip()
    return body, confidence


if __name__ == "__main__":
    answer, conf = ask("Can I fly business class to Singapore for a conference?")
    flag = "" if conf >= 70 else " (low confidence - check with HR)"
    print(f"{answer}{flag}")
