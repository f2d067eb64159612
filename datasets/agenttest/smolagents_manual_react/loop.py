import json
import re

from smolagents import InferenceClientModel, tool
from smolagents.models import ChatMessage


@tool
def stock_price(ticker: str) -> str:
    """
    Return the last closing price of a stock.

    Args:
        ticker: Stock ticker symbol such as "AAPL".
    """
    prices = {"AAPL": 227.5, "MSFT": 415.2, "NVDA": 131.9}
    price = prices.get(ticker.upper())
    return f"{ticker.upper()} closed at {price} USD" if price else f"No data for {ticker}"


@tool
def percent_change(old: float, new: float) -> str:
    """
    Compute the percentage change between two values.

    Args:
        old: The starting value.
        new: The ending value.
    """
    if old == 0:
        return "old value must not be zero"
    return f"{(new - old) / old * 100:.2f}%"


TOOLS = {"stock_price": stock_price, "percent_change": percent_change}

SYSTEM = f"""Solve the task step by step using these tools: {', '.join(TOOLS)}.
Each step, write:
Thought: your reasoning
Action: {{"tool": "<name>", "args": {{...}}}}
Then wait for the Observation. When done, write "Final Answer: <answer>"."""

ACTION_RE = re.compile(r"Action:\s*(\{.*\})", re.S)


def solve(task: str, max_steps: int = 6) -> str:
    model = InferenceClientModel(model_id="Qwen/Qwen2.5-72B-Instruct")
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": task}]
    for _ in range(max_steps):
        reply: ChatMessage = model.generate(messages)
        text = reply.content or ""
        messages.append({"role": "assistant", "content": text})
        if "Final Answer:" in text:
            return text.split("Final Answer:", 1)[1].strip()
        match = ACTION_RE.search(text)
        if not match:
            messages.append({"role": "user", "content": "Observation: no Action found."})
            continue
        try:
            action = json.loads(match.group(1))
        except json.JSONDecodeError as exc:
            messages.append({"role": "user", "content": f"Observation: invalid JSON ({exc})."})
            continue
        result = TOOLS[action["tool"]](**action.get("args", {}))
        messages.append({"role": "user", "content": f"Observation: {result}"})
    return "No answer within the step budget."


if __name__ == "__main__":
    print(solve("If NVDA went from 98.5 to its last close, what was the percentage gain?"))
