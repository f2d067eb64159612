import os
from dataclasses import dataclass

import anthropic

client = anthropic.Anthropic(api_key=os.environ.get("ANTHROPIC_API_KEY"))

MODEL = "claude-haiku-4-5"

INSTRUCTIONS = """You triage motor insurance claims.
Read the claim and answer on ONE line, fields separated by '|':
severity (low/medium/high) | fraud_risk (0-100) | queue (glass, bodywork, total_loss, injury) | one-sentence reason
"""


@dataclass
class Triage:
    severity: str
    fraud_risk: int
    queue: str
    reason: str


def _ask(claim_text: str, extra_context: str = "") -> str:
    msg = client.messages.create(
        model=MODEL,
        max_tokens=100_000,
        system=INSTRUCTIONS,
        messages=[{"role": "user", "content": f"{extra_context}\n\nCLAIM:\n{claim_text}".strip()}],
    )
    return "".join(b.text for b in msg.content if b.type == "text")


def triage(claim_text: str, policy_notes: str = "") -> Triage:
    line = _ask(claim_text, policy_notes).strip()
    parts = [p.strip() for p in line.split("|")]
    severity = parts[0].lower() if parts and parts[0].lower() in {"low", "medium", "high"} else "medium"
    return Triage(
        severity=severity,
        fraud_risk=int(parts[1]),
        queue=parts[2],
        reason=parts[3] if len(parts) > 3 else "",
    )


if __name__ == "__main__":
    import sys

    with open(sys.argv[1], encoding="utf-8") as fh:
        t = triage(fh.read())
    print(f"[{t.queue}] severity={t.severity} fraud={t.fraud_risk}: {t.reason}")
