"""The LLM path: one OpenAI-compatible endpoint, a hard budget, retries, format fallback.

`openai` is imported lazily (0.5 s) and only when a question actually reaches the LLM. The
client's own retries are switched off (max_retries=0) and done here instead, so that every HTTP
request passes the budget check: the call budget counts requests, and it is never exceeded.
The endpoint is not trusted to behave: a request is abandoned after `timeout` seconds however
the server dribbles its bytes, the checker stops after a few failures of one kind in a row
(limits.Breaker) and when its wall-clock budget is spent (limits.Clock).
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, TypeVar
from urllib.parse import urlparse

from agentable.findings import Notification
from agentable.nl_check.limits import Breaker, Budget, Clock
from agentable.nl_check.questions import Question, Verdict
from agentable.nl_check.reply import parse_reply
from agentable.nl_check.templates import VERDICT_SCHEMA, build_messages

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_OUTPUT_TOKENS = 300  # a verdict is ~60 tokens; the cap also bounds the budget reservation
MESSAGE_OVERHEAD_TOKENS = 8
MAX_RETRY_AFTER_S = 60.0  # a server asking us to wait longer than this is treated as a failure
# Structured-output modes, best first (ecosystem.md §4.2: local servers often reject json_schema).
MODES = ("json_schema", "json_object", "plain")
# After this many failures of one kind in a row (timeouts, 5xx, 429 after retries, replies that
# are not chat completions), stop asking: a dead, overloaded or misconfigured endpoint must not
# cost `timeout * (1 + max_retries)` or the whole call budget.
MAX_FAILURES_IN_A_ROW = 3
BASE_URL_HINT = "is the base URL right (it usually ends in /v1)?"


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
    max_seconds: float = 120.0  # wall-clock seconds for the whole checker, retries and waits included
    # questions of one kind put to the model per scan: one kind asked in every tool or parse of a
    # large project must not spend the call budget the other kinds need
    max_questions_per_kind: int = 40
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


class _Failure(Exception):
    """A question the LLM could not answer; `category` groups notifications. `not_asked` says why
    no request was sent for it (budget, time, checker stopped), None when one was and failed."""

    def __init__(self, category: str, message: str, not_asked: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.category, self.message, self.not_asked, self.status = category, message, not_asked, status


class _FormatRejected(Exception):
    pass


def _status_message(exc: Any) -> str:
    text = str(getattr(exc, "message", "") or exc)
    return " ".join(text.split())[:200]


def looks_like_html(text: str, content_type: str = "") -> bool:
    return "html" in content_type.lower() or re.match(r"\s*<(?:!doctype\s+html|html|head|body|title)\b",
                                                        text[:1000], re.I) is not None


def _body_of(exc: Any) -> tuple[str, str]:
    """(text, content type) of an error response, empty when there is none."""
    response = getattr(exc, "response", None)
    if response is None:
        return "", ""
    try:
        return response.text or "", response.headers.get("content-type", "")
    except Exception:
        return "", ""


def _error_field(response: Any) -> str:
    """The `error` a JSON reply carries instead of choices (`{"error": {"message": ...}}`), shortened."""
    extra = getattr(response, "model_extra", None)
    error = extra.get("error") if isinstance(extra, dict) else None
    if isinstance(error, dict):
        error = error.get("message", error)
    return f"error: {' '.join(str(error).split())[:120]}" if error else ""


T = TypeVar("T")


class _Abandoned(Exception):
    """The request did not finish in time; its thread is left to end on its own."""


def _call_within(seconds: float, call: Callable[[], T]) -> T:
    """`call()` in a daemon thread, waited for at most `seconds`. The openai client's timeout bounds
    each socket read, not the request: a server sending a byte now and then holds it forever."""
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="nl-check-request", daemon=True).start()
    if not done.wait(max(seconds, 0.0)):
        raise _Abandoned()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _retry_after(exc: Any) -> float | None:
    """The wait a server asks for, in seconds; None when it asks for none we can honour (an HTTP
    date, or `nan` / a negative number, which time.sleep would refuse)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            wait = float(headers[name]) * scale
        except (KeyError, TypeError, ValueError):
            continue
        return wait if wait >= 0 else None  # False for nan; inf is refused later as too long
    return None


class LLMClient:
    def __init__(self, config: LLMConfig, notes: NoteBook) -> None:
        self.config = config
        self.base_url = config.resolved_base_url()
        self.notes = notes
        self.budget = Budget(config.max_calls, config.max_tokens_total)
        self.clock = Clock(config.max_seconds)
        self.breaker = Breaker(MAX_FAILURES_IN_A_ROW)
        self.failures = 0  # questions asked that got no verdict
        self.not_asked: Counter[str] = Counter()  # questions never sent, by reason
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._probe_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        # What this endpoint accepts, learnt on first use and kept for the run.
        self._mode: str | None = None
        self._token_param = "max_tokens"
        self._send_temperature = True
        self._down: _Failure | None = None  # why the endpoint is unusable for the rest of the run

    # -- public -------------------------------------------------------------------------------

    def ask(self, prepared: Question) -> tuple[Verdict, bool]:
        """(verdict, whether it may be cached). Never raises for endpoint or reply problems."""
        messages = build_messages(prepared)
        try:
            text = self._complete(messages)
        except Exception as exc:
            failure = exc if isinstance(exc, _Failure) else _Failure(
                "internal", f"LLM checker error ({type(exc).__name__}: {str(exc)[:120]}).")
            with self._stats_lock:
                if failure.not_asked:
                    self.not_asked[failure.not_asked] += 1
                else:
                    self.failures += 1
            self.notes.add(failure.category, failure.message)
            down = self._down
            if down is not None:  # after the failure that stopped it, say once that it stopped
                self.notes.add(down.category, down.message)
            return Verdict.unknown(f"The LLM gave no verdict: {failure.message}", "llm"), False
        result = parse_reply(text)
        if isinstance(result, str):
            with self._stats_lock:
                self.failures += 1
            self.notes.add("malformed", f"LLM reply could not be read as a verdict ({result}); "
                                        "such questions are answered 'unknown'.")
            return Verdict.unknown(f"The LLM reply was malformed ({result}).", "llm"), False
        return result, True

    # -- stopping ----------------------------------------------------------------------------

    def _failed(self, kind: str, error: _Failure) -> _Failure:
        """Count a failure with the breaker; the one that trips it stops the checker."""
        if self.breaker.failed(kind) and self._down is None:
            self._down = _Failure("stopped", f"LLM checker stopped: {self.breaker.reason()} "
                                             f"({self.base_url}); the remaining questions are "
                                             "answered 'unknown'.", not_asked="checker stopped")
        return error

    def _time_up(self, not_asked: str | None) -> _Failure:
        return _Failure("time", f"LLM checker time budget of {self.config.max_seconds:g} s spent; "
                                "the remaining questions are answered 'unknown'.", not_asked)

    def _refusal(self) -> _Failure | None:
        """Why no request may be sent now, if so."""
        down = self._down
        if down is not None:
            return _Failure(down.category, down.message, not_asked="checker stopped")
        if self.clock.remaining() <= 0:
            return self._time_up(not_asked="time budget reached")
        return None

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

    def _not_a_completion(self, body: str | None, detail: str = "") -> _Failure:
        """A 200 reply that is not a chat completion: an HTML page, other text, or foreign JSON."""
        if body is not None and looks_like_html(body):
            error = _Failure("html", f"LLM endpoint {self.base_url} answered with HTML, not a chat "
                                     f"completion: {BASE_URL_HINT}")
        else:
            shown = detail or (" ".join((body or "").split())[:80] if body is not None else "")
            error = _Failure("unusable", f"LLM endpoint {self.base_url} answered with something that is "
                                         f"not a chat completion{f' ({shown})' if shown else ''}: {BASE_URL_HINT}")
        return self._failed("unusable", error)

    def _classify(self, exc: Exception, mode: str, probing: bool) -> tuple[_Failure, float | None] | None:
        """(failure, server-requested wait) for a failed request; None: adapted, send again."""
        import openai

        if isinstance(exc, openai.APIConnectionError):
            return _Failure("unreachable", f"LLM endpoint {self.base_url} is unreachable "
                                           f"({_status_message(exc)})."), None
        if not isinstance(exc, openai.APIStatusError):
            return _Failure("http", f"LLM endpoint {self.base_url} sent an unusable reply "
                                    f"({type(exc).__name__})."), None
        status, message = exc.status_code, _status_message(exc)
        if status in (400, 422) and self._adapt(message):
            return None
        text, content_type = _body_of(exc)
        if looks_like_html(text, content_type):
            message = f"an HTML page, not a chat completion: {BASE_URL_HINT}"
        error = _Failure("auth" if status in (401, 403) else "http",
                         f"LLM endpoint {self.base_url} answered HTTP {status}: {message}", status=status)
        if status >= 500:
            self._failed("server_error", error)
        if probing and mode != "plain" and (status in (400, 422) or status >= 500) and self._down is None:
            raise _FormatRejected() from exc  # llama.cpp answers 500 to json_schema
        if status in (401, 403, 404):  # wrong key, model or URL: every later request would fail too
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
        kwargs = self._kwargs(messages, mode)
        attempt = 0
        while True:
            refusal = self._refusal()
            if refusal is not None:
                raise refusal
            if not self.budget.reserve(reserve):
                raise _Failure("budget", f"LLM budget reached ({self.config.max_calls} calls / "
                                         f"{self.config.max_tokens_total:,} tokens); remaining "
                                         "questions are answered 'unknown'.", not_asked="budget reached")
            # The whole request, not each read of it, ends by the timeout or the checker's deadline.
            limit = min(self.config.timeout, self.clock.remaining())
            try:
                client = self._openai()
                response = _call_within(limit, partial(client.chat.completions.create, timeout=limit, **kwargs))
            except (openai.APITimeoutError, _Abandoned):
                # No reply, but the server may have processed (and billed) it: an estimate, kept apart.
                self.budget.settle(reserve, 0, unanswered=math.ceil(prompt_chars / 4))
                if limit < self.config.timeout:  # cut by the checker's deadline, not the server's slowness
                    raise self._time_up(not_asked=None) from None
                error, wait = self._failed("timeout", _Failure(
                    "timeout", f"LLM request to {self.base_url} timed out after {self.config.timeout:g} s.")), None
            except openai.APIError as exc:
                self.budget.settle(reserve, 0)
                classified = self._classify(exc, mode, probing)
                if classified is None:
                    kwargs = self._kwargs(messages, mode)
                    continue
                error, wait = classified
            except json.JSONDecodeError as exc:  # a JSON content type on a body that is not JSON
                self.budget.settle(reserve, 0)
                raise self._not_a_completion(exc.doc) from None
            except BaseException:
                self.budget.settle(reserve, 0)  # release the reservation, then let ask() report it
                raise
            else:
                return self._account(response, prompt_chars, reserve)

            if self._down is not None:  # this failure stopped the checker: no retry
                raise error
            retry_after_too_long = wait is not None and wait > MAX_RETRY_AFTER_S
            if attempt >= self.config.max_retries or retry_after_too_long:
                raise self._give_up(error)
            pause = wait if wait is not None else min(8.0, 0.5 * 2 ** attempt) * (1 - 0.25 * random.random())
            if pause >= self.clock.remaining():  # the retry could not be sent within the checker's time
                raise self._give_up(error)
            time.sleep(pause)
            attempt += 1

    def _give_up(self, error: _Failure) -> _Failure:
        if error.category == "unreachable":
            self._down = error
        elif error.status == 429:
            self._failed("rate_limited", error)
        return error

    def _account(self, response: Any, prompt_chars: int, reserve: int) -> str:
        if isinstance(response, str):  # a body that is not JSON: the openai client hands back its text
            self.budget.settle(reserve, 0)
            raise self._not_a_completion(response)
        try:
            message = response.choices[0].message
            text = message.content or ""
        except (AttributeError, IndexError, TypeError):
            self.budget.settle(reserve, 0)  # not a model's answer: no tokens to count
            raise self._not_a_completion(None, _error_field(response)) from None
        self.breaker.succeeded()
        usage = getattr(response, "usage", None)
        total = getattr(usage, "total_tokens", None) if usage is not None else None
        if not isinstance(total, int):
            total = math.ceil((prompt_chars + len(text)) / 4)  # no usage reported: estimate
        self.budget.settle(reserve, total)
        return text
