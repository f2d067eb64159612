"""Thin wrapper around the OpenAI client so the rest of the app stays provider-agnostic."""
from typing import Optional

from openai import OpenAI


class LLM:
    def __init__(self, model: str = "gpt-4o-mini", temperature: float = 0.0):
        self._client = OpenAI()
        self.model = model
        self.temperature = temperature

    def generate(self, prompt: str, system: Optional[str] = None, max_tokens: int = 512) -> str:
        messages = []
        if system:
            messages.append({"role": "system", "content": system})
        messages.append({"role": "user", "content": prompt})
        out = self._client.chat.completions.create(
            model=self.model,
            messages=messages,
            temperature=self.temperature,
            max_tokens=max_tokens,
        )
        return out.choices[0].message.content or ""
