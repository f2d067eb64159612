"""Tolerant reading of an LLM's verdict reply. Never raises on bad input: returns an error string."""

from __future__ import annotations

import json
import math
import re
from typing import Iterator

from agentable.nl_check.questions import ANSWERS, Source, Verdict

_FENCE = re.compile(r"```[A-Za-z0-9_-]*\s*\n?(.*?)```", re.S)
MAX_REASON = 300


def _objects(text: str) -> Iterator[str]:
    """Every balanced {...} substring, in order of its opening brace (quotes respected)."""
    for start in (i for i, ch in enumerate(text) if ch == "{"):
        depth, in_str, escaped = 0, False, False
        for end in range(start, len(text)):
            ch = text[end]
            if in_str:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_str = False
            elif ch == '"':
                in_str = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    yield text[start:end + 1]
                    break


def _first_object(text: str) -> dict | None:
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    for chunk in candidates:
        for raw in _objects(chunk):
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            if isinstance(value, dict) and "answer" in value:
                return value
    return None


def _one_sentence(text: str) -> str:
    text = " ".join(text.split())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    text = m.group(1) if m else text
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 1] + "…"


def parse_reply(text: str | None, source: Source = "llm") -> Verdict | str:
    """The verdict in `text`, or a short description of what is wrong with it."""
    if not text or not text.strip():
        return "empty reply"
    obj = _first_object(text)
    if obj is None:
        return "no JSON object with an 'answer' field in the reply"
    answer = obj.get("answer")
    if not isinstance(answer, str) or answer.strip().lower() not in ANSWERS:
        return f"invalid answer {answer!r}"
    confidence = obj.get("confidence", 0.5)
    if isinstance(confidence, str):
        try:
            confidence = float(confidence.strip().rstrip("%")) / (100 if "%" in confidence else 1)
        except ValueError:
            return f"invalid confidence {confidence!r}"
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or math.isnan(confidence):
        return f"invalid confidence {confidence!r}"
    reason = obj.get("reason", "")
    if not isinstance(reason, str):
        reason = json.dumps(reason)
    reason = _one_sentence(reason) or "The model gave no reason."
    return Verdict(answer.strip().lower(), confidence, reason, source)  # type: ignore[arg-type]
