"""A small ReAct-style support agent."""

import json

from llm import ChatModel
from tools import TOOLS

PROMPT = """You are a support agent. Answer the customer's question.
Reply with a JSON object: {{"tool": "<lookup_order|refund>", "args": {{...}}}} or {{"answer": "..."}}.

Conversation so far:
{history}
"""


def run(question: str) -> str:
    model = ChatModel()
    history = [f"Customer: {question}"]
    while True:
        reply = model.complete(PROMPT.format(history="\n".join(history)))
        step = json.loads(reply)
        if "answer" in step:
            return step["answer"]
        result = TOOLS[step["tool"]](**step["args"])
        history.append(f"Tool {step['tool']} returned: {result}")


if __name__ == "__main__":
    print(run("Where is my order 1042?"))
