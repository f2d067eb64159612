"""The LLM path: one OpenAI-compatible endpoint, a hard budget, retries, format fallback.

`openai` is imported lazily (0.5 s) and only when a question actually reaches the LLM. The
client's own retries are switched off (max_retries=0) and done here instead, so that every HTTP
request passes the budget check: the call budget counts requests, and it is never exceeded.
"""

from __future__ import annotations

import ipaddress
import math
import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlparse

from agentable.findings import Notification
from agentable.nl_check.questions import Question, Verdict
from agentable.nl_check.reply import parse_reply
from agentable.nl_check.templates import VERDICT_SCHEMA, build_messages

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_OUTPUT_TOKENS = 300  # a verdict is ~60 tokens; the cap also bounds the budget reservation
MESSAGE_OVERHEAD_TOKENS = 8
MAX_RETRY_AFTER_S = 60.0  # a server asking us to wait longer than this is treated as a failure
# Structured-output modes, best first (ecosystem.md §4.2: local servers often reject json_schema).
MODES = ("json_schema", "json_object", "plain")
# After this many questions in a row time out, stop asking: a dead or overloaded server must not
# cost `timeout * (1 + max_retries)` for every remaining question.
MAX_CONSECUTIVE_TIMEOUTS = 3


@dataclass(frozen=True)
class LLMConfig:
    model: str
    base_url: str | None = None  # None: the OPENAI_BASE_URL environment variable, else OpenAI
    api_key_env: str = "OPENAI_API_KEY"  # the key is read only from this environment variable
    timeout: float = 30.0  # seconds per request
    max_retries: int = 2  # per request, for timeouts, connection errors, 408/409/429/5xx
    max_calls: int = 200  # HTTP requests per scan, retries and fallbacks included
    max_tokens_total: int = 200_000  # prompt + completion tokens per scan
    concurrency: int = 4
    enabled: bool = False

    def resolved_base_url(self) -> str:
        return (self.base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")

    def api_key(self) -> str | None:
        """The key from the environment; a dummy one for keyless servers on this machine."""
        key = os.environ.get(self.api_key_env)
        if key:
            return key
        return "unused" if is_loopback(self.resolved_base_url()) else None

    def problem(self) -> str | None:
        """Why this configuration cannot be used, or None."""
        if not self.model:
            return "LLM checker disabled: no model is configured."
        if self.api_key() is None:
            return (f"LLM checker disabled: the environment variable {self.api_key_env} is not set "
                    f"(needed for {self.resolved_base_url()}).")
        return None


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NoteBook:
    """Notifications about the LLM, one per problem category however often it happens."""

    def __init__(self, sink: Callable[[Notification], None]) -> None:
        self._sink = sink
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def add(self, category: str, message: str, level: str = "warning") -> None:
        with self._lock:
            self.counts[category] += 1
            first = self.counts[category] == 1
        if first:
            self._sink(Notification(message, level=level, kind="llm"))


class Budget:
    """Calls and tokens per scan. A request reserves its worst case first, so totals never pass the caps."""

    def __init__(self, max_calls: int, max_tokens: int) -> None:
        self.max_calls, self.max_tokens = max_calls, max_tokens
        self.calls = 0
        self.tokens = 0
        self._reserved = 0
        self._lock = threading.Lock()

    def reserve(self, tokens: int) -> bool:
        with self._lock:
            if self.calls >= self.max_calls or self.tokens + self._reserved + tokens > self.max_tokens:
                return False
            self.calls += 1
            self._reserved += tokens
            return True

    def settle(self, reserved: int, used: int) -> None:
        with self._lock:
            self._reserved -= reserved
            self.tokens += min(used, reserved)  # a server ignoring max_tokens is charged our cap


class _Failure(Exception):
    """A question the LLM could not answer; `category` groups notifications."""

    def __init__(self, category: str, message: str, counts: bool = True) -> None:
        super().__init__(message)
        self.category, self.message, self.counts = category, message, counts


class _FormatRejected(Exception):
    pass


def _status_message(exc: Any) -> str:
    text = str(getattr(exc, "message", "") or exc)
    return " ".join(text.split())[:200]


def _retry_after(exc: Any) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return float(headers[name]) * scale
        except (KeyError, TypeError, ValueError):
            continue
    return None


class LLMClient:
    def __init__(self, config: LLMConfig, notes: NoteBook) -> None:
        self.config = config
        self.base_url = config.resolved_base_url()
        self.notes = notes
        self.budget = Budget(config.max_calls, config.max_tokens_total)
        self.failures = 0
        self.skipped = 0  # questions not asked because the budget was spent
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._probe_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        # What this endpoint accepts, learnt on first use and kept for the run.
        self._mode: str | None = None
        self._token_param = "max_tokens"
        self._send_temperature = True
        self._timeouts_in_a_row = 0
        self._down: _Failure | None = None  # why the endpoint is unusable for the rest of the run

    # -- public -------------------------------------------------------------------------------

    def ask(self, prepared: Question) -> tuple[Verdict, bool]:
        """(verdict, whether it may be cached). Never raises for endpoint or reply problems."""
        messages = build_messages(prepared)
        try:
            text = self._complete(messages)
        except Exception as exc:  # noqa: BLE001 - a checker problem must never end the scan
            failure = exc if isinstance(exc, _Failure) else _Failure(
                "internal", f"LLM checker error ({type(exc).__name__}: {str(exc)[:120]}).")
            with self._stats_lock:
                if failure.counts:
                    self.failures += 1
                else:
                    self.skipped += 1
                self._timeouts_in_a_row = self._timeouts_in_a_row + 1 if failure.category == "timeout" else 0
                if self._timeouts_in_a_row >= MAX_CONSECUTIVE_TIMEOUTS and self._down is None:
                    self._down = _Failure("timeout", f"{failure.message} Stopped asking after "
                                                     f"{MAX_CONSECUTIVE_TIMEOUTS} timeouts in a row.")
            self.notes.add(failure.category, failure.message)
            return Verdict.unknown(f"The LLM gave no verdict: {failure.message}", "llm"), False
        with self._stats_lock:
            self._timeouts_in_a_row = 0
        result = parse_reply(text)
        if isinstance(result, str):
            with self._stats_lock:
                self.failures += 1
            self.notes.add("malformed", f"LLM reply could not be read as a verdict ({result}); "
                                        "such questions are answered 'unknown'.")
            return Verdict.unknown(f"The LLM reply was malformed ({result}).", "llm"), False
        return result, True

    # -- request plumbing --------------------------------------------------------------------

    def _openai(self) -> Any:
        with self._client_lock:
            if self._client is None:
                import openai  # lazy: importing costs ~0.5 s and is needed only here

                self._client = openai.OpenAI(
                    api_key=self.config.api_key(), base_url=self.base_url,
                    timeout=self.config.timeout, max_retries=0,
                )
            return self._client

    def _complete(self, messages: list[dict[str, str]]) -> str:
        if self._mode is None:
            with self._probe_lock:  # the first request finds the format; the others wait for it
                if self._mode is None:
                    return self._probe(messages)
        return self._request(messages, self._mode)

    def _probe(self, messages: list[dict[str, str]]) -> str:
        for mode in MODES:
            try:
                text = self._request(messages, mode, probing=True)
            except _FormatRejected:
                continue
            self._mode = mode
            return text
        raise _Failure("http", f"{self.base_url} rejected every request format.")  # pragma: no cover

    def _kwargs(self, messages: list[dict[str, str]], mode: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"model": self.config.model, "messages": messages,
                                  self._token_param: MAX_OUTPUT_TOKENS}
        if self._send_temperature:
            kwargs["temperature"] = 0
        if mode == "json_schema":
            kwargs["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "verdict", "schema": VERDICT_SCHEMA, "strict": True}}
        elif mode == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
        return kwargs

    def _adapt(self, message: str) -> bool:
        """Adjust to a server that rejects a parameter (reasoning models: no temperature, no max_tokens)."""
        low = message.lower()
        if "max_tokens" in low and self._token_param == "max_tokens":
            self._token_param = "max_completion_tokens"
            return True
        if "temperature" in low and self._send_temperature:
            self._send_temperature = False
            return True
        return False

    def _classify(self, exc: Exception, mode: str, probing: bool) -> tuple[_Failure, float | None] | None:
        """(failure, server-requested wait) for a failed request; None: adapted, send again."""
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return _Failure("timeout", f"LLM request to {self.base_url} timed out after "
                                       f"{self.config.timeout:g} s."), None
        if isinstance(exc, openai.APIConnectionError):
            return _Failure("unreachable", f"LLM endpoint {self.base_url} is unreachable "
                                           f"({_status_message(exc)})."), None
        if not isinstance(exc, openai.APIStatusError):
            return _Failure("http", f"LLM endpoint {self.base_url} sent an unusable reply "
                                    f"({type(exc).__name__})."), None
        status, message = exc.status_code, _status_message(exc)
        if status in (400, 422) and self._adapt(message):
            return None
        if probing and mode != "plain" and (status in (400, 422) or status >= 500):
            raise _FormatRejected() from exc  # llama.cpp answers 500 to json_schema
        error = _Failure("auth" if status in (401, 403) else "http",
                         f"LLM endpoint {self.base_url} answered HTTP {status}: {message}")
        if status in (401, 403, 404):  # wrong key or model: every later request would fail too
            self._down = error
        if not (status in (408, 409, 429) or status >= 500):
            raise error from exc
        return error, _retry_after(exc)

    def _request(self, messages: list[dict[str, str]], mode: str, probing: bool = False) -> str:
        import openai

        prompt_chars = sum(len(m["content"]) for m in messages)
        # Worst case: a token is at least one byte, and the reply is capped.
        reserve = (sum(len(m["content"].encode("utf-8")) for m in messages)
                   + MESSAGE_OVERHEAD_TOKENS * len(messages) + MAX_OUTPUT_TOKENS)
        attempt = 0
        while True:
            if self._down is not None:
                raise _Failure(self._down.category, self._down.message)
            if not self.budget.reserve(reserve):
                raise _Failure("budget", f"LLM budget reached ({self.config.max_calls} calls / "
                                         f"{self.config.max_tokens_total:,} tokens); remaining "
                                         "questions are answered 'unknown'.", counts=False)
            try:
                response = self._openai().chat.completions.create(**self._kwargs(messages, mode))
            except openai.APIError as exc:
                # A timed-out request may still have been processed (and billed): charge an estimate.
                billed = math.ceil(prompt_chars / 4) if isinstance(exc, openai.APITimeoutError) else 0
                self.budget.settle(reserve, billed)
                classified = self._classify(exc, mode, probing)
                if classified is None:
                    continue
                error, wait = classified
            except BaseException:
                self.budget.settle(reserve, 0)  # release the reservation, then let ask() report it
                raise
            else:
                return self._account(response, prompt_chars, reserve)

            if attempt >= self.config.max_retries or (wait is not None and wait > MAX_RETRY_AFTER_S):
                if error.category == "unreachable":
                    self._down = error
                raise error
            backoff = min(8.0, 0.5 * 2 ** attempt) * (1 - 0.25 * random.random())
            time.sleep(wait if wait is not None else backoff)
            attempt += 1

    def _account(self, response: Any, prompt_chars: int, reserve: int) -> str:
        try:
            text = response.choices[0].message.content or ""
        except (AttributeError, IndexError, TypeError):
            text = ""
        usage = getattr(response, "usage", None)
        total = getattr(usage, "total_tokens", None) if usage is not None else None
        if not isinstance(total, int):
            total = math.ceil((prompt_chars + len(text)) / 4)  # no usage reported: estimate
        self.budget.settle(reserve, total)
        return text
