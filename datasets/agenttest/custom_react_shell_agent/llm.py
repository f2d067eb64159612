from openai import OpenAI


class LLM:
    def __init__(self, model: str = "gpt-4o-mini", temperature: float = 0.0):
        self.client = OpenAI()
        self.model = model
        self.temperature = temperature

    def complete(self, prompt: str, stop: list[str] | None = None) -> str:
        r = self.client.chat.completions.create(
            model=self.model,
            messages=[{"role": "user", "content": prompt}],
            temperature=self.temperature,
            stop=stop,
        )
        return r.choices[0].message.content or ""
