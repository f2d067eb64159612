import asyncio
import json
from pathlib import Path

from openai import AsyncOpenAI

LOG_DIR = Path("/var/log/myapp")

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "list_logs",
            "description": "List the log files available for inspection.",
            "parameters": {"type": "object", "properties": {}},
        },
    },
    {
        "type": "function",
        "function": {
            "name": "open_log",
            "description": "Open a log file by name and return its contents.",
            "parameters": {
                "type": "object",
                "properties": {"name": {"type": "string", "description": "File name from list_logs."}},
                "required": ["name"],
            },
        },
    },
]


async def list_logs() -> str:
    return "\n".join(p.name for p in sorted(LOG_DIR.glob("*.log"))) or "no logs"


async def open_log(name: str):
    return open(LOG_DIR / Path(name).name, encoding="utf-8", errors="replace")


REGISTRY = {"list_logs": list_logs, "open_log": open_log}


class LogInspector:
    def __init__(self, model: str = "gpt-4o-mini"):
        self.client = AsyncOpenAI()
        self.model = model

    async def _run_tool(self, call) -> str:
        fn = REGISTRY.get(call.function.name)
        if fn is None:
            return f"unknown tool {call.function.name}"
        try:
            args = json.loads(call.function.arguments or "{}")
            return await fn(**args)
        except (json.JSONDecodeError, TypeError, OSError) as exc:
            return f"tool error: {exc}"

    async def investigate(self, incident: str) -> str:
        messages = [
            {"role": "system", "content": "You are an on-call engineer. Find the root cause in the logs."},
            {"role": "user", "content": incident},
        ]
        while True:
            resp = await self.client.chat.completions.create(model=self.model, messages=messages, tools=TOOLS)
            msg = resp.choices[0].message
            if not msg.tool_calls:
                return msg.content or ""
            messages.append(msg)
            for call in msg.tool_calls:
                content = await self._run_tool(call)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": content})


if __name__ == "__main__":
    print(asyncio.run(LogInspector().investigate("Checkout requests started failing at 14:05 UTC.")))
