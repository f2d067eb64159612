import os

import ollama


class LLM:
    def __init__(self, model: str = "qwen2.5:7b-instruct", host: str | None = None):
        self.client = ollama.Client(host=host or os.environ.get("OLLAMA_HOST", "http://localhost:11434"))
        self.model = model

    def generate(self, prompt: str, system: str | None = None, temperature: float = 0.0) -> str:
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": prompt})
        response = self.client.chat(
            model=self.model, messages=messages, options={"temperature": temperature}
        )
        return response["message"]["content"].strip()
