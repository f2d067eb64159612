import json
import logging
from typing import Literal

from openai import APIConnectionError, OpenAI, RateLimitError
from pydantic import BaseModel, Field, ValidationError
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from . import config

log = logging.getLogger(__name__)
_client = OpenAI()


class Classification(BaseModel):
    queue: str
    priority: Literal["p1", "p2", "p3"] = "p3"
    confidence: float = Field(ge=0, le=1, default=0.0)


FALLBACK = Classification(queue="other", priority="p3", confidence=0.0)


@retry(
    retry=retry_if_exception_type((RateLimitError, APIConnectionError)),
    wait=wait_exponential(min=1, max=20),
    stop=stop_after_attempt(4),
)
def _ask(model: str, queues: list[str], ticket: str) -> str:
    resp = _client.chat.completions.create(
        model=model,
        response_format={"type": "json_object"},
        messages=[
            {
                "role": "system",
                "content": "Classify the support ticket. Return JSON with queue (one of "
                + ", ".join(queues)
                + "), priority (p1|p2|p3) and confidence (0-1).",
            },
            {"role": "user", "content": ticket},
        ],
        temperature=0,
    )
    return resp.choices[0].message.content or ""


def classify(ticket: str, config_path: str | None = None) -> Classification:
    cfg = config.load(config_path)
    raw = _ask(cfg["model"], cfg["queues"], ticket)
    try:
        result = Classification.model_validate(json.loads(raw))
    except (json.JSONDecodeError, ValidationError) as exc:
        log.warning("unparseable classification %r: %s", raw[:200], exc)
        return FALLBACK
    if result.queue not in cfg["queues"]:
        return result.model_copy(update={"queue": "other"})
    return result
