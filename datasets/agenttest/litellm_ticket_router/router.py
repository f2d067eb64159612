"""Route incoming support tickets to a team, falling back across providers."""
import logging
import re

import litellm
from litellm import completion

logger = logging.getLogger(__name__)

MODELS = ["gpt-4o-mini", "anthropic/claude-sonnet-4-20250514"]
TEAMS = ("billing", "technical", "sales", "other")
TEAM_RE = re.compile(r"TEAM:\s*(billing|technical|sales|other)", re.IGNORECASE)

PROMPT = """Classify the support ticket into one team: billing, technical, sales or other.
Explain briefly, then end with a line 'TEAM: <team>'.

Ticket:
{ticket}"""


def classify(ticket: str) -> str:
    for model in MODELS:
        try:
            response = completion(
                model=model,
                messages=[{"role": "user", "content": PROMPT.format(ticket=ticket)}],
                max_tokens=300,
                timeout=30,
                num_retries=2,
            )
        except litellm.exceptions.APIError as exc:
            logger.warning("model %s failed: %s", model, exc)
            continue
        text = response.choices[0].message.content or ""
        match = TEAM_RE.search(text)
        if match:
            return match.group(1).lower()
        logger.info("model %s gave no TEAM line", model)
    return "other"


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    for t in ["I was charged twice this month", "The API returns 502 since this morning"]:
        print(f"{classify(t):>10}  {t}")
