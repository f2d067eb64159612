"""On-call helper: Claude inspects the host with read-only tools and suggests the next runbook step."""
import json
import shutil
import subprocess

import anthropic
import psutil

client = anthropic.Anthropic()
MODEL = "claude-sonnet-4-6"
MAX_TURNS = 8


def disk_free(path: str = "/") -> dict:
    total, used, free = shutil.disk_usage(path)
    return {"path": path, "free_gb": round(free / 1e9, 1), "used_pct": round(used / total * 100, 1)}


def top_processes(limit: int = 5) -> list[dict]:
    procs = sorted(psutil.process_iter(["pid", "name", "memory_percent"]), key=lambda p: p.info["memory_percent"] or 0, reverse=True)
    return [p.info for p in procs[:limit]]


def service_status(unit: str) -> str:
    proc = subprocess.run(["systemctl", "is-active", unit], capture_output=True, text=True, timeout=10)
    return proc.stdout.strip() or proc.stderr.strip()


TOOLS = [
    {
        "name": "disk_free",
        "description": "Free space and usage percentage of a mounted filesystem.",
        "input_schema": {"type": "object", "properties": {"path": {"type": "string", "description": "Mount point, default /"}}},
    },
    {
        "name": "top_processes",
        "description": "The processes using the most memory.",
        "input_schema": {"type": "object", "properties": {"limit": {"type": "integer", "description": "How many to return (1-20)"}}},
    },
    {
        "name": "service_status",
        "description": "systemd state (active, failed, inactive) of a unit.",
        "input_schema": {
            "type": "object",
            "properties": {"unit": {"type": "string", "description": "Unit name, e.g. nginx.service"}},
            "required": ["unit"],
        },
    },
]
HANDLERS = {"disk_free": disk_free, "top_processes": top_processes, "service_status": service_status}


def run_tool(name: str, args: dict) -> tuple[str, bool]:
    handler = HANDLERS.get(name)
    if handler is None:
        return f"unknown tool {name}", True
    try:
        return json.dumps(handler(**args), default=str), False
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}", True


def investigate(alert: str) -> str:
    messages = [{"role": "user", "content": f"Alert fired: {alert}. Investigate and propose the next step."}]
    for _ in range(MAX_TURNS):
        resp = client.messages.create(
            model=MODEL,
            max_tokens=2048,
            system="You are a cautious SRE. Use only the provided read-only tools.",
            tools=TOOLS,
            messages=messages,
        )
        messages.append({"role": "assistant", "content": resp.content})
        if resp.stop_reason != "tool_use":
            return "".join(b.text for b in resp.content if b.type == "text")
        results = []
        for block in resp.content:
            if block.type == "tool_use":
                output, failed = run_tool(block.name, block.input)
                results.append({"type": "tool_result", "tool_use_id": block.id, "content": output, "is_error": failed})
        messages.append({"role": "user", "content": results})
    return "Investigation stopped after the turn limit; escalate to a human."


if __name__ == "__main__":
    print(investigate("disk usage above 90% on web-03"))
