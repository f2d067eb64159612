import asyncio
import json
import sys

import httpx
from openai import AsyncOpenAI

client = AsyncOpenAI()
MODEL = "gpt-4o"

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "fetch_wikipedia_summary",
            "description": "Fetch the lead summary of an English Wikipedia article.",
            "parameters": {
                "type": "object",
                "properties": {
                    "title": {"type": "string", "description": "Exact article title, e.g. 'Alan Turing'."}
                },
                "required": ["title"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "count_words",
            "description": "Count the words in a piece of text.",
            "parameters": {
                "type": "object",
                "properties": {"text": {"type": "string", "description": "The text to count."}},
                "required": ["text"],
            },
        },
    },
]


async def fetch_wikipedia_summary(title: str) -> str:
    url = "https://en.wikipedia.org/api/rest_v1/page/summary/" + title.replace(" ", "_")
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            r = await http.get(url)
            r.raise_for_status()
            return r.json().get("extract", "No summary available.")
    except (httpx.HTTPError, ValueError) as exc:
        return f"Could not fetch '{title}': {exc}"


async def count_words(text: str) -> str:
    return str(len(text.split()))


REGISTRY = {"fetch_wikipedia_summary": fetch_wikipedia_summary, "count_words": count_words}


async def call_tool(name: str, raw_args: str) -> str:
    try:
        args = json.loads(raw_args or "{}")
    except json.JSONDecodeError:
        return "Error: arguments were not valid JSON."
    try:
        fn = REGISTRY[name]
    except KeyError:
        return f"Error: no tool named {name}."
    try:
        return await fn(**args)
    except TypeError as exc:
        return f"Error: bad arguments for {name}: {exc}"


async def research(question: str, max_rounds: int = 6) -> str:
    messages = [{"role": "user", "content": question}]
    for _ in range(max_rounds):
        resp = await client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS)
        msg = resp.choices[0].message
        if not msg.tool_calls:
            return msg.content or ""
        messages.append(msg)
        outputs = await asyncio.gather(
            *(call_tool(tc.function.name, tc.function.arguments) for tc in msg.tool_calls)
        )
        for tc, out in zip(msg.tool_calls, outputs):
            messages.append({"role": "tool", "tool_call_id": tc.id, "content": out})
    return "Gave up after too many tool rounds."


if __name__ == "__main__":
    print(asyncio.run(research(" ".join(sys.argv[1:]) or "Summarise who Ada Lovelace was.")))
