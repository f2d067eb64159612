"""ReAct agent that answers HR questions from a handbook and a holiday calendar."""
import os
from datetime import date

from openai import OpenAI

HANDBOOK = {
    "vacation": "Full-time employees get 25 vacation days per year, prorated in the first year.",
    "remote": "Up to 3 remote days per week with manager approval.",
    "expenses": "Submit receipts within 30 days via the finance portal.",
}
HOLIDAYS = {date(2025, 1, 1): "New Year", date(2025, 5, 1): "Labour Day", date(2025, 12, 25): "Christmas"}


def handbook(topic: str) -> str:
    hits = [text for key, text in HANDBOOK.items() if key in topic.lower()]
    return " ".join(hits) or "No handbook section found for that topic."


def next_holiday(_: str = "") -> str:
    upcoming = sorted(d for d in HOLIDAYS if d >= date.today())
    if not upcoming:
        return "No more holidays this year."
    return f"{HOLIDAYS[upcoming[0]]} on {upcoming[0].isoformat()}"


TOOLS = {"handbook": handbook, "next_holiday": next_holiday}

SYSTEM = """Answer HR questions. Tools:
handbook: look up a handbook section by topic (vacation, remote, expenses)
next_holiday: the next public holiday (input ignored)

Always use exactly this format:
Thought: <reasoning>
Action: <tool name>: <tool input>
Observation: <tool result>
(repeat as needed)
Final Answer: <answer for the employee>"""


def run(question: str, max_iterations: int = 5) -> str:
    client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
    scratchpad = ""
    for _ in range(max_iterations):
        completion = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": f"Question: {question}\n{scratchpad}"},
            ],
            stop=["\nObservation"],
            temperature=0,
        )
        text = completion.choices[0].message.content or ""
        scratchpad += text
        if "Final Answer:" in text:
            return text.split("Final Answer:")[-1].strip()
        action_line = text.split("Action:")[1].strip()
        tool_name, tool_input = action_line.split(":", 1)
        observation = TOOLS[tool_name.strip()](tool_input.strip())
        scratchpad += f"\nObservation: {observation}\n"
    return "Sorry, I couldn't find the answer."


if __name__ == "__main__":
    print(run("How many vacation days do I get and when is the next public holiday?"))
