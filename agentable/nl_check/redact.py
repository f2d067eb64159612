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

# A word that makes a name secret-like: `db_password`, `X-API-Key`, `OPENAI_API_KEY`, `authToken`.
# (`tokens`, `tokenizer`: counting and splitting, not credentials.)
_SECRET_WORD = re.compile(r"(?i)password|passwd|pwd|secret|token(?!s|iz)|api[_-]?key|apikey|access[_-]?key|"
                          r"private[_-]?key|credential|auth[_-]?key|subscription[_-]?key")
# Header names that hold a credential without saying so.
_SECRET_HEADER = re.compile(r"(?i)(?:proxy-)?authorization|cookie")
# Names about a secret rather than of it (`api_key_env = "OPENAI_API_KEY"`, `token_url = "https://..."`):
# their values tell the LLM where a secret comes from, which it needs, and are not secret.
_ABOUT_A_SECRET = re.compile(r"(?i)[_.-](?:env|var|name|url|uri|endpoint|path|file|header|field|type)$")

_ENV_SECRET = re.compile(r"PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?")

# The scanned code is hostile input: every pattern below is linear in the text. A name starts only
# where no name character precedes it (not at every position inside a long `a.b.c...` run), and
# whether it is secret-like is decided in Python, not by backtracking into it.
_NAME = r"(?<![\w.-])(?P<name>[\w.-]+)"
_ANNOTATION = r"(?::[ \t]*[\w.|,\[\]]+(?:[ \t]+[\w.|,\[\]]+)*)?"  # `: str`, `: Optional[str]`, `: str | None`
_AUTH_SCHEME = r"(?:bearer|basic|token|digest)\s+"
_QUOTED = (r"(?P<prefix>[rbuf]{0,2})(?P<q>[\"'])(?!(?:" + _AUTH_SCHEME + r")?<REDACTED>)"
           r"(?P<scheme>" + _AUTH_SCHEME + r")?(?P<value>[^\"'\n]+)(?P=q)")


def _secret_name(name: str) -> bool:
    if _ABOUT_A_SECRET.search(name):
        return False
    return bool(_SECRET_WORD.search(name) or _SECRET_HEADER.fullmatch(name))


def _only_placeholders(m: re.Match) -> bool:
    """An f-string value with no literal text (`f"Bearer {api_key}"`): a variable, not a secret."""
    return "f" in m.group("prefix").lower() and not re.search(r"\w", re.sub(r"\{[^{}]*\}", "", m.group("value")))


def _redact_value(m: re.Match) -> str:
    start, end = m.span("value")
    return m.string[m.start():start] + MARK + m.string[end:m.end()]


def _redact_named_literal(m: re.Match) -> str:
    """`name<sep>"value"`: the value goes when the name is secret-like."""
    if not _secret_name(m.group("name")) or _only_placeholders(m):
        return m.group(0)
    return _redact_value(m)


_COMMENT = re.compile(r"#[^\n]*")
_COMMENT_SECRET = re.compile(_NAME + r"(?P<sep>\s*[:=]\s*)(?![\"'<])(?P<value>[^\s\"',;]+)")


def _redact_comment(m: re.Match) -> str:
    """`# password=hunter2`, `# api_key: abc123` (unquoted: in code, `password=pw` is a variable)."""
    return _COMMENT_SECRET.sub(lambda n: _redact_value(n) if _secret_name(n.group("name")) else n.group(0),
                               m.group(0))


# (pattern, replacement), applied in order: whole blocks first, then the narrowest shapes.
_RULES: list[tuple[re.Pattern, Replacement]] = [
    # (a block never spans another BEGIN: without that, each unmatched BEGIN would scan to the end)
    (re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:(?!-----BEGIN )[\s\S])*?"
                r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"), MARK),
    # scheme://user:pass@host (postgres, mongodb+srv, redis, amqp, https ...)
    (re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*://)[^\s:/@'\"]*:[^\s@'\"/]+@"), r"\1" + MARK + "@"),
    # ADO/ODBC connection strings: Server=...;Password=...;
    # (only between ; or quotes, so a keyword argument `password=pw` keeps its variable name)
    (re.compile(r"(?i)(?<=[;'\"])(\s*(?:password|pwd)\s*=\s*)[^;'\"\s]+(?=[;'\"]|\Z)"), r"\1" + MARK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"), MARK),  # JWT
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1\2" + MARK),
    (re.compile(r"(?<![\w-])(?:sk-ant-[\w-]{10,}|sk-[\w-]{16,}|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"
                r"|(?:AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}"
                r"|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[\w-]{30,}|hf_[A-Za-z0-9]{20,}|gsk_[A-Za-z0-9]{20,}"
                r"|r8_[A-Za-z0-9]{20,})"), MARK),
    # api_key = "literal", db_password: str = "literal", {"password": "literal"},
    # {"X-API-Key": "literal"}, {"Authorization": "Token literal"}, os.environ["X_TOKEN"] = "literal"
    (re.compile(r"(?i)" + _NAME + r"(?P<sep>[\"']?\]?" + _ANNOTATION + r"[ \t]*(?:=|:|=>)\s*)" + _QUOTED),
     _redact_named_literal),
    # HTTP basic auth, the password: auth=("admin", "pw"), HTTPBasicAuth(user, "pw"), aiohttp.BasicAuth("u", "pw")
    (re.compile(r"(?i)(?:\b(?:\w+_)?auth\s*=\s*[(\[]|\b(?:HTTPBasicAuth|HTTPDigestAuth|HTTPProxyAuth|BasicAuth"
                r"|DigestAuth)\()\s*(?:[rbuf]{0,2}([\"'])[^\"'\n]*\1|[\w.]+)\s*,\s*" + _QUOTED), _redact_value),
    # os.getenv("DB_PASSWORD", "literal"): a default that is the secret itself
    (re.compile(r"(?i)\b(?:getenv|environ\.get|environ\.setdefault)\(\s*[rbuf]?([\"'])(?P<name>[\w.-]+)\1\s*,\s*"
                + _QUOTED), _redact_named_literal),
    # .env lines and URL query parameters, where the value is not quoted
    # (.env names are upper case with no spaces; Python's `password = pw` keeps its variable)
    (re.compile(r"(?m)^[ \t]*(?:export[ \t]+)?(?P<name>[A-Z0-9_]+)=(?![\"'<])(?P<value>\S+)"),
     lambda m: _redact_value(m) if _ENV_SECRET.search(m.group("name")) else m.group(0)),
    (re.compile(r"(?i)([?&](?:password|passwd|pwd|secret|token|api_?key|access_token|sig)=)[^&#\s'\"]+"),
     r"\1" + MARK),
    (_COMMENT, _redact_comment),
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


# Redaction is linear, but a hostile repository can hold a string of megabytes (0.4 s per MB per
# question): past this size the middle is dropped first, on line boundaries, before redacting.
PRECUT_CHARS = 200_000


def precut(text: str, size: int = PRECUT_CHARS) -> str:
    """Head and tail of a huge text, each cut at a line end so a one-line secret is kept or dropped
    whole; what is kept is far more than any field budget, so truncate() cuts again after redact()."""
    if len(text) <= size:
        return text
    head_end = text.rfind("\n", 0, size // 2)
    tail_start = text.find("\n", len(text) - size // 2)
    head_end = head_end if head_end > 0 else size // 2
    tail_start = tail_start if tail_start >= 0 else len(text) - size // 2
    return text[:head_end] + "\n" + text[tail_start:]


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
        return truncate(redact(precut(value)), limit)
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
