"""Small summarisation gateway that can fall back across providers."""
import json
import logging
import os

import litellm
from litellm import completion

log = logging.getLogger(__name__)
litellm.drop_params = True

PRIMARY = os.getenv("GATEWAY_MODEL", "openai/gpt-4o-mini")
FALLBACKS = ["anthropic/claude-haiku-4-5", "gemini/gemini-2.5-flash"]

SCHEMA_HINT = 'Return JSON: {"summary": "<=3 sentences", "tags": ["..."]}'


def summarise(text: str) -> dict:
    resp = completion(
        model=PRIMARY,
        messages=[
            {"role": "system", "content": "You summarise internal documents. " + SCHEMA_HINT},
            {"role": "user", "content": text[:20000]},
        ],
        response_format={"type": "json_object"},
        fallbacks=FALLBACKS,
        num_retries=2,
        timeout=60,
        max_tokens=600,
    )
    content = resp.choices[0].message.content or ""
    try:
        payload = json.loads(content)
    except json.JSONDecodeError:
        log.warning("model returned non-JSON summary; keeping raw text")
        return {"summary": content.strip(), "tags": []}
    if not isinstance(payload, dict):
        return {"summary": str(payload), "tags": []}
    tags = payload.get("tags")
    return {
        "summary": str(payload.get("summary", "")).strip(),
        "tags": [str(t) for t in tags] if isinstance(tags, list) else [],
    }


def summarise_many(docs: dict[str, str], limit: int = 50) -> dict[str, dict]:
    out = {}
    for i, (name, body) in enumerate(docs.items()):
        if i >= limit:
            log.info("stopping after %d documents", limit)
            break
        try:
            out[name] = summarise(body)
        except litellm.exceptions.APIError as exc:
            log.error("summary failed for %s: %s", name, exc)
            out[name] = {"summary": "", "tags": [], "error": str(exc)}
    return out


if __name__ == "__main__":
    import sys

    docs = {p: open(p, encoding="utf-8").read() for p in sys.argv[1:]}
    print(json.dumps(summarise_many(docs), indent=2))
