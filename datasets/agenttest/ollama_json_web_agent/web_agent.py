import json
import sys

import ollama
import requests
from bs4 import BeautifulSoup

SYSTEM = """You browse the web to answer questions. On each turn reply with ONE JSON object:
{"action": "fetch_url", "input": "<url>"} to read a page, or
{"action": "final", "input": "<answer>"} when you can answer.
No other text."""


def fetch_url(url: str) -> str:
    page = requests.get(url, timeout=15, headers={"User-Agent": "json-web-agent/0.1"})
    page.raise_for_status()
    text = BeautifulSoup(page.text, "html.parser").get_text(" ", strip=True)
    return text[:3000]


TOOLS = {"fetch_url": fetch_url}


def browse(question: str, model: str = "llama3.1:8b", max_turns: int = 6) -> str:
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}]
    for _ in range(max_turns):
        reply = ollama.chat(
            model=model,
            messages=messages,
            options={"temperature": 0, "stop": ["}"]},
        )
        content = reply["message"]["content"]
        messages.append({"role": "assistant", "content": content})
        try:
            step = json.loads(content)
            action, arg = step["action"], step["input"]
        except (json.JSONDecodeError, KeyError, TypeError):
            messages.append({"role": "user", "content": "Reply with a single valid JSON object."})
            continue
        if action == "final":
            return arg
        if action not in TOOLS:
            messages.append({"role": "user", "content": f"Unknown action {action}."})
            continue
        messages.append({"role": "user", "content": f"Result:\n{TOOLS[action](arg)}"})
    return "No answer."


if __name__ == "__main__":
    print(browse(" ".join(sys.argv[1:]) or "What is the latest Python release listed on python.org?"))
