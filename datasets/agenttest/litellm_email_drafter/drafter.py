import os
import sys
from dataclasses import dataclass

from litellm import completion


@dataclass
class DraftConfig:
    model: str
    temperature: float = 0.6
    signature: str = "Best regards,\nThe Support Team"

    @classmethod
    def from_env(cls) -> "DraftConfig":
        return cls(
            model=os.environ.get("DRAFT_MODEL", ""),
            temperature=float(os.environ.get("DRAFT_TEMPERATURE", "0.6")),
        )


def draft_reply(cfg: DraftConfig, incoming: str, points: list[str]) -> str:
    bullet_list = "\n".join(f"- {p}" for p in points)
    messages = [
        {"role": "system", "content": "You write polite, concise customer service emails."},
        {
            "role": "user",
            "content": f"Customer email:\n{incoming}\n\nCover these points:\n{bullet_list}\n"
            "Do not include a signature.",
        },
    ]
    resp = completion(model=cfg.model, messages=messages, temperature=cfg.temperature)
    body = (resp.choices[0].message.content or "").strip()
    return f"{body}\n\n{cfg.signature}"


if __name__ == "__main__":
    cfg = DraftConfig.from_env()
    email = sys.stdin.read()
    print(draft_reply(cfg, email, ["refund issued today", "arrives in 5-7 days"]))
