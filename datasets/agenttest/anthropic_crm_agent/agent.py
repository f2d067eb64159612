import anthropic

from tools import REGISTRY, TOOL_SCHEMAS


class CRMAgent:
    def __init__(self, model: str = "claude-sonnet-4-20250514", max_steps: int = 6):
        self.client = anthropic.Anthropic()
        self.model = model
        self.max_steps = max_steps

    def _execute(self, block):
        tool = REGISTRY.get(block.name)
        if tool is None:
            return f"unknown tool {block.name}"
        try:
            return tool(**block.input)
        except TypeError as exc:
            return f"invalid input: {exc}"

    def handle(self, request: str) -> str:
        messages = [{"role": "user", "content": request}]
        for _ in range(self.max_steps):
            resp = self.client.messages.create(
                model=self.model,
                max_tokens=1500,
                system="You are a CRM assistant for account managers.",
                tools=TOOL_SCHEMAS,
                messages=messages,
            )
            if resp.stop_reason != "tool_use":
                return "\n".join(b.text for b in resp.content if b.type == "text")
            messages.append({"role": "assistant", "content": resp.content})
            tool_results = []
            for block in resp.content:
                if block.type != "tool_use":
                    continue
                result = self._execute(block)
                tool_results.append({"type": "tool_result", "tool_use_id": block.id, "content": result})
            messages.append({"role": "user", "content": tool_results})
        return "Step limit reached."


if __name__ == "__main__":
    print(CRMAgent().handle("Summarise ana@example.com's account and log that I called her today."))
