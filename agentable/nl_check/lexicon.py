"""Identifier and word normalization for the deterministic checks: split, lowercase, stem, map synonyms."""

from __future__ import annotations

import re
from functools import lru_cache

# Words that mean the same thing in tool names, descriptions and code. Data, not logic:
# extend freely. A word may sit in several groups ("query" is both search and sql).
SYNONYM_GROUPS: dict[str, tuple[str, ...]] = {
    "weather": ("weather", "forecast", "temperature", "climate", "rain", "humidity", "wind",
                "meteo", "openweathermap", "celsius", "fahrenheit"),
    "search": ("search", "query", "lookup", "find", "retrieve", "google", "bing", "serp",
               "serpapi", "duckduckgo", "tavily", "wikipedia"),
    "email": ("email", "mail", "smtp", "smtplib", "sendmail", "send", "inbox", "gmail",
              "recipient", "mime"),
    "file": ("file", "read", "open", "path", "pathlib", "write", "directory", "folder", "disk",
             "filename", "filesystem", "glob", "listdir"),
    "sql": ("sql", "query", "database", "db", "select", "table", "cursor", "execute", "sqlite",
            "sqlite3", "postgres", "postgresql", "mysql", "psycopg", "psycopg2", "sqlalchemy"),
    "web": ("web", "http", "url", "request", "requests", "fetch", "download", "website", "page",
            "browse", "scrape", "html", "httpx", "urllib"),
    "finance": ("stock", "price", "ticker", "market", "finance", "share", "nasdaq", "yfinance",
                "portfolio", "dividend"),
    "math": ("calculate", "calculator", "math", "compute", "arithmetic", "equation", "multiply",
             "divide", "sqrt", "sympy", "numexpr"),
    "time": ("time", "date", "clock", "datetime", "timezone", "today", "now", "zoneinfo", "pytz"),
    "shell": ("shell", "command", "subprocess", "bash", "terminal", "exec", "popen", "system"),
    "chat": ("slack", "message", "channel", "discord", "telegram", "notify", "notification",
             "webhook", "chat"),
    "calendar": ("calendar", "event", "meeting", "schedule", "appointment", "ical"),
    "payment": ("payment", "pay", "charge", "invoice", "refund", "stripe", "billing"),
    "translate": ("translate", "translation", "translator", "deepl", "language"),
    "image": ("image", "picture", "photo", "pil", "pillow", "png", "jpeg", "resize", "thumbnail"),
}

# Words that carry no domain meaning in tool descriptions or code.
STOPWORDS: frozenset[str] = frozenset("""
a an the of for to in on at by with from into onto about as and or not no nor but if then else
when while is are was were be been being it its this that these those which who whom whose what
you your yours we our us they them their i me my he she his her can could will would shall should
may might must do does did done has have had get gets got return returns returned give given gives
use used uses using provide provides tool tools function functions method helper value values result
results output input inputs data info information specified specific some any all each every other
current new based via such more most less very also only just like e g eg ie etc string str int
float bool dict list tuple none true false self cls args kwargs arg param params argument arguments
def lambda pass import none async await yield raise try except finally class global nonlocal del
assert elif break continue print len range format join strip split append items keys
http https www com org net api v1 v2 json utf encoding name names text texts response
""".split())

_CAMEL_1 = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD = re.compile(r"[A-Za-z]+")
_DOUBLE = re.compile(r"([b-df-hj-km-np-rtvwy])\1$")  # "runn" -> "run"; not l/s/z ("fill", "pass")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A deliberately light stemmer: both sides go through it, so consistency beats linguistics."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith("sses"):
        w = w[:-2]
    elif len(w) > 3 and re.search(r"(s|x|z|ch|sh)es$", w):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not re.search(r"(ss|us|is)$", w):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = _DOUBLE.sub(r"\1", w[:-3])
    elif len(w) > 4 and w.endswith("ed"):
        w = _DOUBLE.sub(r"\1", w[:-2])
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def split_words(text: str) -> list[str]:
    """Split identifiers and prose into lowercase words: getWeatherURL -> get, weather, url."""
    text = _CAMEL_2.sub(r"\1 \2", _CAMEL_1.sub(r"\1 \2", text))
    return [w.lower() for w in _WORD.findall(text)]


def content_stems(text: str) -> set[str]:
    """Stems of the meaningful words of `text` (stopwords and one-letter words dropped)."""
    out: set[str] = set()
    for word in split_words(text):
        if len(word) < 2 or word in STOPWORDS:
            continue
        s = stem(word)
        if s not in STOPWORDS:
            out.add(s)
    return out


@lru_cache(maxsize=1)
def _group_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for group, words in SYNONYM_GROUPS.items():
        for word in words:
            index.setdefault(stem(word), set()).add(group)
    return {k: frozenset(v) for k, v in index.items()}


def groups_of(stem_: str) -> frozenset[str]:
    return _group_index().get(stem_, frozenset())


def concepts(stems: set[str]) -> set[str]:
    """A stem stands for itself and for every synonym group it belongs to."""
    out = set(stems)
    for s in stems:
        out.update("group:" + g for g in groups_of(s))
    return out


def domain_hits(stems: set[str]) -> dict[str, set[str]]:
    """group -> the stems that point to it."""
    hits: dict[str, set[str]] = {}
    for s in stems:
        for g in groups_of(s):
            hits.setdefault(g, set()).add(s)
    return hits
