import os
from typing import Sequence

from openai import OpenAI


class ChatClient:
    def __init__(self, model: str | None = None, temperature: float = 0.0) -> None:
        self._client = OpenAI(timeout=60, max_retries=3)
        self.model = model or os.getenv("RESEARCH_MODEL", "gpt-4o")
        self.temperature = temperature

    def complete(self, system: str, user: str, stop: Sequence[str] | None = None) -> str:
        kwargs = {"stop": list(stop)} if stop else {}
        resp = self._client.chat.completions.create(
            model=self.model,
            temperature=self.temperature,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            **kwargs,
        )
        return resp.choices[0].message.content or ""
