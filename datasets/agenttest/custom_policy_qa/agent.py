from pathlib import Path

import settings
from llm import LLM


class PolicyQA:
    """Answers employee questions about the HR policy handbook."""

    def __init__(self, policy_path: str = settings.POLICY_FILE):
        self.policy = Path(policy_path).read_text(encoding="utf-8")
        self.llm = LLM(model=settings.MODERATION_MODEL, max_tokens=settings.MAX_ANSWER_TOKENS)

    def ask(self, question: str) -> str:
        if self.llm.is_flagged(question, settings.MODERATION_MODEL):
            return "I can't help with that request."
        system = (
            "Answer strictly based on the handbook below. Quote the section number. "
            "If the handbook does not cover it, say so.\n\n" + self.policy
        )
        return self.llm.generate(system, question)


if __name__ == "__main__":
    qa = PolicyQA()
    print(qa.ask("How many days of parental leave do I get?"))
