import json
import logging

import litellm

from tools import REGISTRY, SCHEMAS

log = logging.getLogger("support_router")

SYSTEM = (
    "You are the first-line support assistant for an online shop. Use the tools to look up orders "
    "and customers. Escalate to a human when the customer is enterprise tier."
)


def handle(ticket: str, model: str = "gpt-4.1-mini") -> str:
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ticket}]
    while True:
        resp = litellm.completion(model=model, messages=messages, tools=SCHEMAS, timeout=60)
        msg = resp.choices[0].message
        if not msg.tool_calls:
            return msg.content or ""
        messages.append(msg.model_dump())
        for call in msg.tool_calls:
            fn = REGISTRY.get(call.function.name)
            if fn is None:
                result = f"error: no tool named {call.function.name}"
            else:
                try:
                    result = fn(**json.loads(call.function.arguments or "{}"))
                except Exception as exc:  # bad args or db hiccup: tell the model
                    log.warning("tool %s failed: %s", call.function.name, exc)
                    result = f"error: {exc}"
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})


if __name__ == "__main__":
    print(handle("Hi, where is my order A-10293? My email is dana@example.com"))
