"""Local voice-assistant backend: turns requests into Home Assistant service calls."""
import os

import ollama
import requests

HA_URL = os.getenv("HA_URL", "http://homeassistant.local:8123")
HA_TOKEN = os.environ["HA_TOKEN"]
MODEL = "gemma2:9b"


def _call_service(domain: str, service: str, entity_id: str, **data) -> str:
    r = requests.post(
        f"{HA_URL}/api/services/{domain}/{service}",
        headers={"Authorization": f"Bearer {HA_TOKEN}"},
        json={"entity_id": entity_id, **data},
        timeout=10,
    )
    r.raise_for_status()
    return f"{service} {entity_id}: ok"


def set_light(entity_id: str, on: bool, brightness: int = 255) -> str:
    """Switch a light on or off.

    Args:
        entity_id: Home Assistant entity, e.g. light.kitchen
        on: True to switch on, False to switch off
        brightness: 0-255, only used when switching on
    """
    if on:
        return _call_service("light", "turn_on", entity_id, brightness=brightness)
    return _call_service("light", "turn_off", entity_id)


def set_thermostat(entity_id: str, temperature: float) -> str:
    """Set the target temperature of a climate entity.

    Args:
        entity_id: Home Assistant entity, e.g. climate.living_room
        temperature: target temperature in degrees Celsius
    """
    return _call_service("climate", "set_temperature", entity_id, temperature=temperature)


TOOLS = {"set_light": set_light, "set_thermostat": set_thermostat}


def run(utterance: str) -> str:
    messages = [
        {"role": "system", "content": "You control a smart home. Use the tools, then confirm briefly."},
        {"role": "user", "content": utterance},
    ]
    for _ in range(4):
        response = ollama.chat(model=MODEL, messages=messages, tools=list(TOOLS.values()))
        messages.append(response.message)
        if not response.message.tool_calls:
            return response.message.content
        for call in response.message.tool_calls:
            output = TOOLS[call.function.name](**call.function.arguments)
            messages.append({"role": "tool", "content": output, "tool_name": call.function.name})
    return "Sorry, I could not finish that."


if __name__ == "__main__":
    print(run("dim the kitchen lights to half and set the living room to 21 degrees"))
