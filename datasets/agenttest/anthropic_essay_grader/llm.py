import anthropic


class ClaudeLLM:
    """Minimal wrapper so the grader can be tested with a fake LLM."""

    def __init__(self, model: str = "claude-2.0", max_tokens: int = 1024, temperature: float = 0.0):
        self.client = anthropic.Anthropic()
        self.model = model
        self.max_tokens = max_tokens
        self.temperature = temperature

    def generate(self, prompt: str, system: str = "") -> str:
        msg = self.client.messages.create(
            model=self.model,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            system=system,
            messages=[{"role": "user", "content": prompt}],
        )
        return "".join(part.text for part in msg.content if part.type == "text")
