"""Turns free-form chat messages into bot commands (/remind, /poll, /weather)."""
import json
import logging
from datetime import datetime, timedelta

from litellm import completion

log = logging.getLogger("router")

INSTRUCTIONS = """Map the user's message to one command. Reply with JSON only:
{"tool": "remind" | "poll" | "none", "args": {...}}
remind args: {"minutes": int, "text": str}
poll args: {"question": str, "options": [str, ...]}"""


def remind(minutes: int, text: str) -> str:
    at = datetime.now() + timedelta(minutes=int(minutes))
    return f"Reminder set for {at:%H:%M}: {text}"


def poll(question: str, options: list) -> str:
    lines = [f"{chr(0x31 + i)}. {opt}" for i, opt in enumerate(options[:9])]
    return f"Poll: {question}\n" + "\n".join(lines)


HANDLERS = {"remind": remind, "poll": poll}


def route(message: str, model: str = "gpt-4o-mini") -> str:
    resp = completion(
        model=model,
        messages=[{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": message}],
        temperature=0,
    )
    raw = resp.choices[0].message.content or ""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        log.warning("unparseable router output: %s", raw)
        return "Sorry, I didn't understand that."
    tool = data["tool"]
    args = data["args"]
    if tool not in HANDLERS:
        return "No command matched."
    try:
        return HANDLERS[tool](**args)
    except (TypeError, ValueError) as exc:
        return f"Could not run /{tool}: {exc}"


if __name__ == "__main__":
    print(route("remind me in 20 minutes to stretch"))
    print(route("ask the team whether we do pizza or sushi on friday"))
