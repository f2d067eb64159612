from openai import OpenAI


class LLM:
    """Small convenience wrapper used by every agent in this repo."""

    def __init__(self, model: str, max_tokens: int = 512):
        self.client = OpenAI()
        self.model = model
        self.max_tokens = max_tokens

    def generate(self, system: str, user: str) -> str:
        resp = self.client.chat.completions.create(
            model=self.model,
            max_tokens=self.max_tokens,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        )
        return resp.choices[0].message.content or ""

    def is_flagged(self, text: str, moderation_model: str) -> bool:
        result = self.client.moderations.create(model=moderation_model, input=text)
        return any(r.flagged for r in result.results)
