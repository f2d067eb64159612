"""Run the analysis on a thread with a deep stack, so that deeply nested code cannot end a scan.

The lowering, the graph layers and the rules walk the IR recursively, and the IR is as deep as
the code is nested: an if/elif chain of 1,000 branches (CPython compiles 2,000) is an `If` 1,000
levels deep, `a + a + ...` a `BinOp` as deep as it has terms. With Python's default limit of
1,000 frames such a walk ends in a RecursionError. `call_deep` runs a function on a new thread
whose stack is large and raises the recursion limit while it runs.

Sizing, measured on CPython 3.11: the most C stack one counted recursion level used in our probes
(a key function called back by `sorted()`, which keeps a 2 KB merge buffer on the C stack) is
about 2.6 KB; pickle, repr, ==, json, generators and `functools.lru_cache` use less. 512 MiB for
50,000 levels leaves over 10 KB a level, so a runaway walk ends in a RecursionError, which the
scan reports per file, long before the stack overflows, which would kill the process. The stack
is virtual memory: only the pages that a deep walk touches are ever used.

The recursion limit is per interpreter, not per thread: every other thread may also recurse
50,000 levels while a deep call runs, on its own smaller stack. `shallow_threads` gives the
normal limit back for a moment while the deep thread waits on threads it started.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Callable, Iterator, Optional, TypeVar

T = TypeVar("T")

STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 50_000

_state = threading.local()  # .deep: this thread is a deep one
_lock = threading.Lock()
_active = 0  # deep calls running; the last one to end restores the limit
_saved_limit = 0


def in_deep_thread() -> bool:
    return getattr(_state, "deep", False)


def call_deep(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    """`fn(*args, **kwargs)` on a thread with a deep stack and a raised recursion limit; its
    result, or its exception raised here. Runs `fn` here when already on such a thread or when
    the platform refuses the thread."""
    if in_deep_thread():
        return fn(*args, **kwargs)
    outcome: dict[str, object] = {}

    def run() -> None:
        _state.deep = True
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the caller, traceback included
            outcome["error"] = exc

    _raise_limit()
    try:
        thread = _start(run)
        if thread is not None:
            thread.join()
    finally:
        _restore_limit()
    if thread is None:
        return fn(*args, **kwargs)  # here, with the usual stack and limit
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def _start(run: Callable[[], None]) -> threading.Thread | None:
    """A started daemon thread with the deep stack (daemon: Ctrl-C in the caller may end the
    process without waiting for it), or None where stack sizes cannot be set."""
    with _lock:
        try:
            previous = threading.stack_size(STACK_BYTES)
        except (ValueError, RuntimeError):
            return None
        try:
            thread = threading.Thread(target=run, name="agentable-deep", daemon=True)
            thread.start()
        except (RuntimeError, MemoryError):  # no memory for the stack: run in the caller
            return None
        finally:
            threading.stack_size(previous)  # threads started later get the usual stack
    return thread


def _raise_limit() -> None:
    global _active, _saved_limit
    with _lock:
        if _active == 0:
            _saved_limit = sys.getrecursionlimit()
        _active += 1
        if sys.getrecursionlimit() < RECURSION_LIMIT:
            sys.setrecursionlimit(RECURSION_LIMIT)


def _restore_limit() -> None:
    global _active
    with _lock:
        _active -= 1
        if _active == 0:
            sys.setrecursionlimit(_saved_limit)


@contextmanager
def shallow_threads() -> Iterator[None]:
    """The usual recursion limit while the deep thread waits on threads it starts (a pool of
    LLM requests): their stacks are the platform's default, too small for 50,000 levels of,
    say, a JSON reply nested that deep. The limit cannot go below the depth of the caller."""
    if not in_deep_thread():
        yield
        return
    with _lock:
        saved = sys.getrecursionlimit()
        try:
            sys.setrecursionlimit(max(_saved_limit or saved, _depth() + 50))
        except RecursionError:
            saved = 0
    try:
        yield
    finally:
        if saved:
            with _lock:
                sys.setrecursionlimit(saved)


def _depth() -> int:
    frame: Optional[FrameType] = sys._getframe()
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth
