"""What bounds the LLM checker's cost: calls and tokens (Budget), wall-clock time (Clock), and
failures of one kind in a row (Breaker). All three are shared by the checker's worker threads."""

from __future__ import annotations

import threading
import time
from collections import Counter
from contextlib import contextmanager
from typing import Callable, Iterator


class Budget:
    """Calls and tokens per scan. A request reserves its worst case first, so totals never pass the caps.

    `tokens` counts replies received only. A request that got no reply may still have been processed
    and billed (a timeout): its estimate goes to `unanswered_tokens`, reported apart, and counts
    against the cap all the same.
    """

    def __init__(self, max_calls: int, max_tokens: int) -> None:
        self.max_calls, self.max_tokens = max_calls, max_tokens
        self.calls = 0
        self.tokens = 0
        self.unanswered_tokens = 0
        self._reserved = 0
        self._lock = threading.Lock()

    def reserve(self, tokens: int) -> bool:
        with self._lock:
            spent = self.tokens + self.unanswered_tokens + self._reserved
            if self.calls >= self.max_calls or spent + tokens > self.max_tokens:
                return False
            self.calls += 1
            self._reserved += tokens
            return True

    def settle(self, reserved: int, used: int, unanswered: int = 0) -> None:
        """Release a reservation; `used`: tokens of a reply received, `unanswered`: estimate for none."""
        with self._lock:
            self._reserved -= reserved
            self.tokens += min(used, reserved)  # a server ignoring max_tokens is charged our cap
            self.unanswered_tokens += min(unanswered, reserved)


class Clock:
    """Wall-clock seconds the checker may spend, counted only while questions are being asked (the
    rest of the scan between two batches of questions is not the checker's time)."""

    def __init__(self, max_seconds: float, now: Callable[[], float] = time.monotonic) -> None:
        self.max_seconds = max_seconds
        self._now = now
        self._spent = 0.0
        self._running = 0  # batches in progress; the clock runs while any is
        self._since = 0.0
        self._lock = threading.Lock()

    @contextmanager
    def running(self) -> Iterator[None]:
        with self._lock:
            if self._running == 0:
                self._since = self._now()
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    self._spent += self._now() - self._since

    def remaining(self) -> float:
        with self._lock:
            spent = self._spent + (self._now() - self._since if self._running else 0.0)
        return self.max_seconds - spent


# What the breaker counts, and how its notification says it.
BREAKER_KINDS = {
    "timeout": "requests in a row timed out",
    "server_error": "requests in a row got a server error (HTTP 5xx)",
    "rate_limited": "questions in a row were refused with HTTP 429 after their retries",
    "unusable": "replies in a row were not chat completions",
}


class Breaker:
    """Failures of each kind since the last reply; `limit` of one kind trips it, once.

    A reply of any sort resets every count: one slow answer among fast ones, or a 503 during a
    deploy, is not a dead endpoint, but `limit` timeouts with no reply in between are.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.counts: Counter[str] = Counter()
        self.tripped: str | None = None  # the kind that tripped it
        self._lock = threading.Lock()

    def failed(self, kind: str) -> bool:
        """Count a failure; True for the one call that trips the breaker."""
        if kind not in BREAKER_KINDS:
            raise ValueError(f"not a breaker kind: {kind}")
        with self._lock:
            self.counts[kind] += 1
            if self.tripped is None and self.counts[kind] >= self.limit:
                self.tripped = kind
                return True
            return False

    def succeeded(self) -> None:
        with self._lock:
            self.counts.clear()

    def reason(self) -> str:
        return f"{self.limit} {BREAKER_KINDS[self.tripped or 'timeout']}"
