import json
import logging
import random

from openai import OpenAI

from config import MAX_TOOL_ROUNDS, MODELS, SERVICES

log = logging.getLogger("responder")
client = OpenAI()

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "service_health",
            "description": "Return error rate and p95 latency for a service over the last 15 minutes.",
            "parameters": {
                "type": "object",
                "properties": {"service": {"type": "string", "enum": SERVICES, "description": "Service name."}},
                "required": ["service"],
            },
        },
    }
]


def service_health(service: str) -> str:
    if service not in SERVICES:
        return f"unknown service {service}"
    return f"{service}: error_rate={random.uniform(0, 5):.2f}% p95={random.randint(80, 900)}ms"


def triage(alert: str) -> str:
    messages = [
        {"role": "system", "content": "You triage production alerts. Check service health before concluding."},
        {"role": "user", "content": alert},
    ]
    findings = []
    for _ in range(MAX_TOOL_ROUNDS):
        resp = client.chat.completions.create(model=MODELS["triage"], messages=messages, tools=TOOLS)
        msg = resp.choices[0].message
        if not msg.tool_calls:
            return msg.content or ""
        for call in msg.tool_calls:
            try:
                args = json.loads(call.function.arguments)
            except json.JSONDecodeError:
                continue
            if not isinstance(args, dict):
                continue
            result = service_health(args.get("service", ""))
            findings.append(result)
            log.info("tool %s -> %s", call.function.name, result)
    return "Triage inconclusive:\n" + "\n".join(findings)


def summarize(text: str) -> str:
    resp = client.chat.completions.create(
        model=MODELS["summary"],
        messages=[{"role": "user", "content": f"Summarise for the status page in one sentence:\n{text}"}],
    )
    return resp.choices[0].message.content or ""


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    report = triage("ALERT: checkout 5xx rate above 3% for 10 minutes")
    print(report)
    print(summarize(report))
