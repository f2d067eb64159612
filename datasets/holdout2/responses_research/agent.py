import json
import sys

from openai import OpenAI

from tools import REGISTRY, SCHEMAS

client = OpenAI()

INSTRUCTIONS = (
    "You are a research assistant. Use wiki_summary to gather facts, "
    "save a short note for each topic, then answer the user."
)


def research(question: str, model: str = "gpt-4.1") -> str:
    items: list = [{"role": "user", "content": question}]
    while True:
        response = client.responses.create(
            model=model,
            instructions=INSTRUCTIONS,
            input=items,
            tools=SCHEMAS,
        )
        calls = [o for o in response.output if o.type == "function_call"]
        if not calls:
            return response.output_text
        items += response.output
        for call in calls:
            fn = REGISTRY.get(call.name)
            if fn is None:
                result = f"Unknown tool {call.name}"
            else:
                try:
                    result = fn(**json.loads(call.arguments))
                except Exception as exc:
                    result = f"Tool error: {exc}"
            items.append(
                {"type": "function_call_output", "call_id": call.call_id, "output": str(result)}
            )


if __name__ == "__main__":
    print(research(" ".join(sys.argv[1:]) or "Summarise the history of the Hanseatic League."))
