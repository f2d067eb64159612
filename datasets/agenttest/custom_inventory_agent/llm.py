import os

from dotenv import load_dotenv
from openai import OpenAI

load_dotenv()


class LLM:
    def __init__(self, model: str | None = None):
        self.model = model or os.getenv("INVENTORY_MODEL", "gpt-4o-mini")
        self.client = OpenAI()

    def chat(self, messages: list, tools: list | None = None):
        kwargs = {"model": self.model, "messages": messages}
        if tools:
            kwargs["tools"] = tools
        return self.client.chat.completions.create(**kwargs).choices[0].message
