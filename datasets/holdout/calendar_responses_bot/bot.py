"""Scheduling assistant on the OpenAI Responses API with a local calendar store."""
import datetime as dt
import json

from openai import OpenAI

client = OpenAI()

EVENTS: list[dict] = []

TOOLS = [
    {
        "type": "function",
        "name": "list_events",
        "description": "List calendar events on a given day.",
        "parameters": {
            "type": "object",
            "properties": {"day": {"type": "string", "description": "Date as YYYY-MM-DD"}},
            "required": ["day"],
            "additionalProperties": False,
        },
        "strict": True,
    },
    {
        "type": "function",
        "name": "add_event",
        "description": "Add an event to the calendar.",
        "parameters": {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "start": {"type": "string", "description": "ISO 8601 start time"},
                "minutes": {"type": "integer", "description": "Duration in minutes"},
            },
            "required": ["title", "start", "minutes"],
            "additionalProperties": False,
        },
        "strict": True,
    },
]


def list_events(day: str) -> list[dict]:
    return [e for e in EVENTS if e["start"].startswith(day)]


def add_event(title: str, start: str, minutes: int) -> dict:
    dt.datetime.fromisoformat(start)
    event = {"title": title, "start": start, "minutes": minutes}
    EVENTS.append(event)
    return {"ok": True, "event": event}


HANDLERS = {"list_events": list_events, "add_event": add_event}


def chat(user_text: str) -> str:
    today = dt.date.today().isoformat()
    response = client.responses.create(
        model="gpt-4.1",
        instructions=f"You manage the user's calendar. Today is {today}.",
        input=user_text,
        tools=TOOLS,
    )
    for _ in range(5):
        calls = [item for item in response.output if item.type == "function_call"]
        if not calls:
            return response.output_text
        log = []
        for call in calls:
            handler = HANDLERS.get(call.name)
            try:
                result = handler(**json.loads(call.arguments)) if handler else {"error": f"unknown tool {call.name}"}
            except (ValueError, TypeError) as exc:
                result = {"error": str(exc)}
            log.append({"tool": call.name, "result": result})
        response = client.responses.create(
            model="gpt-4.1",
            previous_response_id=response.id,
            input=[{"role": "user", "content": "Continue."}],
            tools=TOOLS,
        )
    return response.output_text


if __name__ == "__main__":
    print(chat("Book a 30 minute 1:1 with Priya tomorrow at 10, unless I already have something then."))
