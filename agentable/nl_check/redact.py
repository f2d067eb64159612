"""Remove secrets from every snippet before it leaves the machine, and keep snippets small.

Secrets are replaced by `<REDACTED>` in place, so the code around them keeps its shape
(`OpenAI(api_key="<REDACTED>")`), which is what the LLM needs to judge it.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from typing import Callable, Mapping, TypeVar, Union

MARK = "<REDACTED>"
Replacement = Union[str, Callable[[re.Match], str]]

_ASSIGN_NAME = (r"[\w.-]*(?:password|passwd|pwd|secret|token(?!s)|api_?key|apikey|access_?key|"
                r"private_?key|credential|auth_?key)[\w.-]*")

# (pattern, replacement), applied in order: whole blocks first, then the narrowest shapes.
_RULES: list[tuple[re.Pattern, Replacement]] = [
    (re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----",
                re.S), MARK),
    # scheme://user:pass@host (postgres, mongodb+srv, redis, amqp, https ...)
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s:/@'\"]*:[^\s@'\"/]+@"), r"\1" + MARK + "@"),
    # ADO/ODBC connection strings: Server=...;Password=...;
    # (only between ; or quotes, so a keyword argument `password=pw` keeps its variable name)
    (re.compile(r"(?i)(?<=[;'\"])(\s*(?:password|pwd)\s*=\s*)[^;'\"\s]+(?=[;'\"]|\Z)"), r"\1" + MARK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"), MARK),  # JWT
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1\2" + MARK),
    (re.compile(r"(?<![\w-])(?:sk-ant-[\w-]{10,}|sk-[\w-]{16,}|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"
                r"|(?:AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}"
                r"|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[\w-]{30,}|hf_[A-Za-z0-9]{20,}|gsk_[A-Za-z0-9]{20,}"
                r"|r8_[A-Za-z0-9]{20,})"), MARK),
    # api_key = "literal", {"password": "literal"}, os.environ["X_TOKEN"] = "literal"
    (re.compile(r"(?i)\b(" + _ASSIGN_NAME + r")([\"']?\]?\s*(?:=|:|=>)\s*[rbuf]?)(\"|')(?!<REDACTED>)([^\"'\n]+)\3"),
     lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{MARK}{m.group(3)}"),
    # .env lines and URL query parameters, where the value is not quoted
    # (.env names are upper case with no spaces; Python's `password = pw` keeps its variable)
    (re.compile(r"(?m)^(\s*(?:export\s+)?[A-Z0-9_]*(?:PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY"
                r"|PRIVATE_?KEY|CREDENTIALS?)[A-Z0-9_]*=)(?![\"'<])\S+"), r"\1" + MARK),
    (re.compile(r"(?i)([?&](?:password|passwd|pwd|secret|token|api_?key|access_token|sig)=)[^&#\s'\"]+"),
     r"\1" + MARK),
]
_CANDIDATE = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/=_-]{24,}(?![A-Za-z0-9+/=_-])")


def _entropy(s: str) -> float:
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())


def looks_random(token: str) -> bool:
    """Long high-entropy literal: mixed-case base64-ish with digits, or long hex."""
    if re.fullmatch(r"[0-9a-fA-F]{32,}", token):
        return _entropy(token) >= 3.0 and re.search(r"\d", token) is not None
    has_all = (re.search(r"[a-z]", token) and re.search(r"[A-Z]", token) and re.search(r"\d", token))
    return bool(has_all) and _entropy(token) >= 4.0


def redact(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return _CANDIDATE.sub(lambda m: MARK if looks_random(m.group(0)) else m.group(0), text)


def truncate(text: str, limit: int) -> str:
    """Keep head and tail: format instructions usually sit at the end of a prompt."""
    if len(text) <= limit:
        return text
    note = f"\n...[{len(text) - limit} characters omitted]...\n"
    keep = max(limit - len(note), 0)
    head = keep * 2 // 3
    return text[:head] + note + text[len(text) - (keep - head):]


T = TypeVar("T")


def _clean(value: object, limit: int) -> object:
    if isinstance(value, str):
        return truncate(redact(value), limit)
    if isinstance(value, tuple):
        return tuple(_clean(v, limit) for v in value)
    if isinstance(value, dict):
        return {str(_clean(k, limit)): _clean(v, limit) for k, v in value.items()}
    return value


def redact_question(question: T, budgets: Mapping[str, int], default_budget: int = 2000,
                    max_items: int = 200) -> T:
    """A copy of a question dataclass with every string redacted and cut to its field's budget."""
    changes: dict[str, object] = {}
    for f in dataclasses.fields(question):  # type: ignore[arg-type]
        value = getattr(question, f.name)
        if isinstance(value, tuple):
            value = value[:max_items]
        elif isinstance(value, dict):
            value = dict(list(value.items())[:max_items])
        changes[f.name] = _clean(value, budgets.get(f.name, default_budget))
    return dataclasses.replace(question, **changes)  # type: ignore[type-var]
