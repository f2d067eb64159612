import json

import anthropic

from calendar_store import add_event, list_events

client = anthropic.Anthropic()
MODEL = "claude-3-sonnet-20240229"

TOOLS = [
    {
        "name": "list_events",
        "description": "List the events on one calendar day, ordered by start time.",
        "input_schema": {
            "type": "object",
            "properties": {"day": {"type": "string", "description": "ISO date, e.g. 2025-03-14"}},
            "required": ["day"],
        },
    },
    {
        "name": "add_event",
        "description": "Create a calendar event.",
        "input_schema": {
            "type": "object",
            "properties": {
                "date": {"type": "string", "description": "ISO date of the event"},
                "time": {"type": "string", "description": "Start time HH:MM"},
                "title": {"type": "string", "description": "Short event title"},
            },
            "required": ["date", "time", "title"],
        },
    },
]

HANDLERS = {"list_events": list_events, "add_event": add_event}


def chat(user_text: str, max_rounds: int = 6) -> str:
    messages = [{"role": "user", "content": user_text}]
    for _ in range(max_rounds):
        reply = client.messages.create(
            model=MODEL, max_tokens=1024, tools=TOOLS, messages=messages
        )
        messages.append({"role": "assistant", "content": reply.content})
        if reply.stop_reason != "tool_use":
            return "".join(b.text for b in reply.content if b.type == "text")
        results = []
        for block in reply.content:
            if block.type != "tool_use":
                continue
            handler = HANDLERS.get(block.name)
            try:
                out = handler(**block.input) if handler else f"no tool {block.name}"
                results.append({"type": "tool_result", "tool_use_id": block.id, "content": json.dumps(out)})
            except Exception as exc:
                results.append(
                    {"type": "tool_result", "tool_use_id": block.id, "content": str(exc), "is_error": True}
                )
        messages.append({"role": "user", "content": results})
    return "Sorry, I could not finish that request."


if __name__ == "__main__":
    print(chat("What's on my calendar for 2025-03-14? Add lunch with Priya at 12:30 that day."))
