import sys

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_ID = "microsoft/Phi-3-mini-4k-instruct"


class LocalPlanner:
    def __init__(self, model_id: str = MODEL_ID):
        self.tokenizer = AutoTokenizer.from_pretrained(model_id)
        self.model = AutoModelForCausalLM.from_pretrained(
            model_id, torch_dtype=torch.bfloat16, device_map="auto"
        )

    def _generate(self, messages: list[dict], max_new_tokens: int = 200) -> str:
        inputs = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt"
        ).to(self.model.device)
        with torch.no_grad():
            out = self.model.generate(inputs, max_new_tokens=max_new_tokens, do_sample=False)
        return self.tokenizer.decode(out[0][inputs.shape[-1]:], skip_special_tokens=True).strip()

    def plan(self, goal: str) -> list[str]:
        messages = [
            {"role": "system", "content": "Plan one step at a time. Reply with the next step only, or DONE when the plan is complete."},
            {"role": "user", "content": f"Goal: {goal}"},
        ]
        steps: list[str] = []
        while True:
            step = self._generate(messages)
            if step.upper().startswith("DONE"):
                break
            steps.append(step)
            messages.append({"role": "assistant", "content": step})
            messages.append({"role": "user", "content": "Next step?"})
        return steps


if __name__ == "__main__":
    for n, s in enumerate(LocalPlanner().plan(" ".join(sys.argv[1:]) or "Host a board game night for 8 people"), 1):
        print(n, s)
