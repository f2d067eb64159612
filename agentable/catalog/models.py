"""Model-id normalisation and lookup (exact > longest prefix > regex)."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from .specs import ModelInfo

# Provider prefixes written before a model id by routers and frameworks
# (litellm "openai/gpt-4o", pydantic-ai "openai:gpt-4o", Gemini "models/gemini-pro").
_PREFIXES = (
    "openai", "azure", "azure_ai", "anthropic", "ollama", "ollama_chat", "groq", "gemini", "google",
    "google-gla", "google-vertex", "vertex_ai", "vertex_ai_beta", "models", "mistral", "mistralai",
    "together_ai", "together", "togethercomputer", "deepseek", "cohere", "cohere_chat", "bedrock",
    "bedrock_converse", "openrouter", "fireworks_ai", "huggingface", "hf", "text-completion-openai",
    "perplexity", "xai", "meta-llama", "mistral-community", "anyscale", "deepinfra", "replicate",
)
_PREFIX_RE = re.compile(r"^(?:%s)[/:]" % "|".join(re.escape(p) for p in sorted(_PREFIXES, key=len, reverse=True)))
# Bedrock ids: "us.anthropic.claude-3-5-sonnet-20240620-v1:0", "meta.llama3-1-8b-instruct-v1:0".
_BEDROCK_RE = re.compile(r"^(?:[a-z]{2}\.)?(?:anthropic|meta|mistral|amazon|cohere|ai21|deepseek)\.")
_BEDROCK_SUFFIX_RE = re.compile(r"-v\d+(?::\d+)?$")
# Bedrock's names of the first Claude generations, where "-v2" is the model, not a revision:
# "anthropic.claude-v2:1" is Claude 2.1, "anthropic.claude-instant-v1" Claude Instant 1.
_BEDROCK_LEGACY_CLAUDE_RE = re.compile(r"^claude-(instant-)?v(\d+)(?::(\d+))?$")
# Characters after which a prefix entry may end: "gpt-4" matches "gpt-4-0613" but not "gpt-4o".
_BOUNDARY = "-:._@/ "
# A dated snapshot or alias written after a model's id: "-0613", "-20240229", "-2024-08-06", "-latest",
# "@20240620" (Vertex), "-v1:0" (Bedrock is stripped by normalize_model_id).
_SNAPSHOT_RE = re.compile(r"(?:[-@](?:\d{4}|\d{8}|\d{4}-\d{2}-\d{2}|\d{3}|latest|exp))$")


def normalize_model_id(model_id: str) -> str:
    """Lower-case and strip provider prefixes and Bedrock decoration."""
    s = model_id.strip().lower()
    while True:
        m = _PREFIX_RE.match(s)
        if not m:
            break
        s = s[m.end():]
    if _BEDROCK_RE.match(s):
        s = _BEDROCK_RE.sub("", s, count=1)
        legacy = _BEDROCK_LEGACY_CLAUDE_RE.match(s)
        if legacy:
            instant, major, minor = legacy.groups()
            return f"claude-{instant or ''}{major}" + (f".{minor}" if minor and minor != "0" else "")
        s = _BEDROCK_SUFFIX_RE.sub("", s)
    return s


def _candidates(model_id: str) -> list[str]:
    s = normalize_model_id(model_id)
    out = [s]
    raw = model_id.strip().lower()
    if raw != s and ":" in raw:  # "mistral:7b" is an ollama tag, not pydantic-ai "mistral:<model>"
        out.append(raw)
    if "/" in s:  # e.g. "openrouter/anthropic/claude-3-opus" or an unknown router prefix
        out.append(s.rsplit("/", 1)[1])
    for c in list(out):
        if ":" in c:  # ollama tags: "llama3.1:8b" -> "llama3.1"
            out.append(c.split(":", 1)[0])
    return out


class ModelIndex:
    """O(len(id)) lookup over exact and prefix entries; regex entries are a fallback."""

    def __init__(self, models: Iterable[ModelInfo]) -> None:
        self.exact: dict[str, ModelInfo] = {}
        self.prefix: dict[str, ModelInfo] = {}
        self.regex: list[tuple[re.Pattern[str], ModelInfo]] = []
        for m in models:
            key = m.id.lower()
            if m.match == "exact":
                self.exact[key] = m
            elif m.match == "prefix":
                self.prefix[key] = m
            elif m.match == "regex":
                self.regex.append((re.compile(m.id, re.IGNORECASE), m))
            else:
                raise ValueError(f"model {m.id!r}: unknown match {m.match!r}")

    def _longest(self, s: str) -> Optional[tuple[int, ModelInfo]]:
        if s in self.exact:
            return len(s) + 1, self.exact[s]  # exact beats a prefix of the same length
        for i in range(len(s), 0, -1):
            hit = self.prefix.get(s[:i])
            if hit is not None and (i == len(s) or s[i] in _BOUNDARY):
                return i, hit
        return None

    def lookup_exact(self, model_id: str) -> Optional[ModelInfo]:
        """The entry naming `model_id` itself: an exact entry, a prefix entry's own id, that id with
        a dated snapshot or alias suffix (`gpt-4-0613`, `claude-3-opus-20240229`, `-latest`), or a
        regex entry; None for a longer id a prefix entry merely starts (`gpt-4-1106-preview-0613`)."""
        if not model_id:
            return None
        cands = _candidates(model_id)
        for c in cands:
            if c in self.exact:
                return self.exact[c]
            stem = _SNAPSHOT_RE.sub("", c)
            for key in (c, stem):
                if key in self.prefix:
                    return self.prefix[key]
        for c in cands:
            for rx, m in self.regex:
                if rx.fullmatch(c):
                    return m
        return None

    def lookup(self, model_id: str) -> Optional[ModelInfo]:
        if not model_id:
            return None
        best: Optional[tuple[int, ModelInfo]] = None
        cands = _candidates(model_id)
        for c in cands:
            hit = self._longest(c)
            if hit is not None and (best is None or hit[0] > best[0]):
                best = hit
            if best is not None:
                break  # the fuller candidate wins over its shortened forms
        if best is not None:
            return best[1]
        for c in cands:
            for rx, m in self.regex:
                if rx.fullmatch(c):
                    return m
        return None
