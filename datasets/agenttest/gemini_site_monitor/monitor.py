"""Ask Gemini to check our sites listed in a YAML config and explain any problems."""
import sys

import requests
import yaml
from google import genai
from google.genai import types

DECLARATIONS = [
    types.FunctionDeclaration(
        name="read_config",
        description="Read the monitoring config (YAML) that lists the sites to check.",
        parameters={
            "type": "object",
            "properties": {"path": {"type": "string", "description": "Path of the YAML config file."}},
            "required": ["path"],
        },
    ),
    types.FunctionDeclaration(
        name="fetch_page",
        description="Fetch a URL and report the HTTP status and response time.",
        parameters={
            "type": "object",
            "properties": {"url": {"type": "string", "description": "Absolute http(s) URL."}},
            "required": ["url"],
        },
    ),
]


def read_config(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        sites = yaml.safe_load(fh).get("sites", [])
    return "\n".join(sites)


def fetch_page(url: str):
    try:
        resp = requests.get(url, timeout=10)
    except requests.RequestException as exc:
        return f"request failed: {exc}"
    return resp


FUNCS = {"read_config": read_config, "fetch_page": fetch_page}


def check(config_path: str, rounds: int = 8) -> str:
    client = genai.Client()
    config = types.GenerateContentConfig(tools=[types.Tool(function_declarations=DECLARATIONS)])
    contents = [
        types.Content(role="user", parts=[types.Part(text=f"Check every site in {config_path} and report problems.")])
    ]
    for _ in range(rounds):
        response = client.models.generate_content(model="gemini-2.5-flash", contents=contents, config=config)
        if not response.function_calls:
            return response.text or ""
        contents.append(response.candidates[0].content)
        parts = []
        for call in response.function_calls:
            fn = FUNCS.get(call.name)
            result = fn(**(call.args or {})) if fn else f"unknown function {call.name}"
            parts.append(types.Part.from_function_response(name=call.name, response={"result": result}))
        contents.append(types.Content(role="user", parts=parts))
    return "Monitoring run did not finish."


if __name__ == "__main__":
    print(check(sys.argv[1] if len(sys.argv) > 1 else "sites.yaml"))
