import json
import os

from mistralai import Mistral

from kb import lookup, search_faq

client = Mistral(api_key=os.environ["MISTRAL_API_KEY"])
MODEL = "mistral-large-latest"

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "search_faq",
            "description": "Search the store FAQ for shipping, returns and warranty policies.",
            "parameters": {
                "type": "object",
                "properties": {
                    "topic": {"type": "string", "description": "Customer question or keyword"}
                },
                "required": ["topic"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {
                "type": "object",
                "properties": {"ref": {"type": "string"}, "kind": {"type": "string"}},
                "required": ["ref"],
            },
        },
    },
]
FUNCS = {"search_faq": search_faq, "lookup": lookup}


def answer(question: str) -> str:
    messages = [
        {"role": "system", "content": "You are the help desk of an online electronics store."},
        {"role": "user", "content": question},
    ]
    for _ in range(4):
        res = client.chat.complete(model=MODEL, messages=messages, tools=TOOLS, tool_choice="auto")
        msg = res.choices[0].message
        messages.append(msg)
        if not msg.tool_calls:
            return msg.content
        for tc in msg.tool_calls:
            fn = FUNCS.get(tc.function.name)
            try:
                args = tc.function.arguments
                args = json.loads(args) if isinstance(args, str) else args
                out = fn(**args) if fn else f"unknown function {tc.function.name}"
            except (json.JSONDecodeError, TypeError) as exc:
                out = f"invalid arguments: {exc}"
            messages.append({"role": "tool", "name": tc.function.name, "content": out, "tool_call_id": tc.id})
    return "Please contact support@example.com for further help."


if __name__ == "__main__":
    print(answer("Where is my order a1002, and can I still return it?"))
