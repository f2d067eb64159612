import json
import random

from openai import OpenAI

client = OpenAI()

PRICES = {"AAPL": 227.5, "MSFT": 415.2, "NVDA": 121.9, "ASML": 702.0}
HOLDINGS = {"AAPL": 10, "NVDA": 40}

TOOLS = [
    {
        "type": "function",
        "name": "get_quote",
        "description": "Get the latest price quote for a stock.",
        "parameters": {"type": "object", "properties": {}},
    },
    {
        "type": "function",
        "name": "get_holdings",
        "description": "List the user's current holdings as ticker: shares.",
        "parameters": {"type": "object", "properties": {}},
    },
]


def get_quote(ticker: str) -> str:
    base = PRICES.get(ticker.upper())
    if base is None:
        return f"Unknown ticker {ticker}"
    return f"{ticker.upper()}: {base * random.uniform(0.99, 1.01):.2f} USD"


def get_holdings() -> str:
    return ", ".join(f"{t}: {n}" for t, n in HOLDINGS.items())


FUNCTIONS = {"get_quote": get_quote, "get_holdings": get_holdings}


def portfolio_chat(question: str, max_turns: int = 5) -> str:
    response = client.responses.create(model="gpt-4.1-mini", input=question, tools=TOOLS)
    for _ in range(max_turns):
        calls = [item for item in response.output if item.type == "function_call"]
        if not calls:
            return response.output_text
        outputs = []
        for call in calls:
            args = json.loads(call.arguments)
            fn = FUNCTIONS.get(call.name)
            try:
                result = fn(**args) if fn else f"unknown function {call.name}"
            except TypeError as exc:
                result = f"bad arguments: {exc}"
            outputs.append({"type": "function_call_output", "call_id": call.call_id, "output": result})
        response = client.responses.create(
            model="gpt-4.1-mini",
            previous_response_id=response.id,
            input=outputs,
            tools=TOOLS,
        )
    return response.output_text


if __name__ == "__main__":
    print(portfolio_chat("What is my portfolio worth right now?"))
