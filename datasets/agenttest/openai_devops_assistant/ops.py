#!/usr/bin/env python3
"""Chat-ops helper: answers questions about the local server using a couple of tools."""
import json
import shutil
import subprocess
import sys

from openai import OpenAI

client = OpenAI()

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "disk_usage",
            "description": "Report total, used and free space for a mount point.",
            "parameters": {
                "type": "object",
                "properties": {"mount": {"type": "string", "description": "Mount point, e.g. '/' or '/var'."}},
                "required": ["mount"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "tail_log",
            "description": "",
            "parameters": {
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "Absolute path of the log file."},
                    "lines": {"type": "integer", "description": "How many lines from the end."},
                },
                "required": ["path"],
            },
        },
    },
]


def disk_usage(mount: str) -> str:
    try:
        total, used, free = shutil.disk_usage(mount)
    except OSError as exc:
        return f"cannot stat {mount}: {exc}"
    gb = 1024 ** 3
    return f"{mount}: {used / gb:.1f} GiB used of {total / gb:.1f} GiB ({free / gb:.1f} GiB free)"


def tail_log(path: str, lines: int = 50) -> str:
    proc = subprocess.run(
        ["tail", "-n", str(lines), path], capture_output=True, text=True, check=True, timeout=10
    )
    return proc.stdout


HANDLERS = {"disk_usage": disk_usage, "tail_log": tail_log}


def ask(question: str, max_calls: int = 6) -> str:
    messages = [
        {"role": "system", "content": "You are a careful SRE assistant for a single Linux host."},
        {"role": "user", "content": question},
    ]
    for _ in range(max_calls):
        reply = client.chat.completions.create(model="gpt-4o", messages=messages, tools=TOOLS)
        msg = reply.choices[0].message
        if not msg.tool_calls:
            return msg.content or ""
        messages.append(msg)
        for call in msg.tool_calls:
            handler = HANDLERS.get(call.function.name)
            if handler is None:
                content = f"No such tool: {call.function.name}"
            else:
                try:
                    kwargs = json.loads(call.function.arguments)
                except json.JSONDecodeError:
                    kwargs = None
                content = handler(**kwargs) if isinstance(kwargs, dict) else "Arguments must be a JSON object."
            messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
    return "Too many tool calls; stopping."


if __name__ == "__main__":
    print(ask(" ".join(sys.argv[1:]) or "Why is nginx returning 502? Check /var/log/nginx/error.log"))
