"""agentable.deep_stack: recursion far past Python's default limit, on a thread of its own, with
the caller's limit and its exceptions back as they were."""

from __future__ import annotations

import sys
import threading

import pytest

from agentable.deep_stack import RECURSION_LIMIT, call_deep, in_deep_thread, shallow_threads


def _down(n: int) -> int:
    return 0 if n == 0 else 1 + _down(n - 1)


def test_recursion_far_past_the_default_limit() -> None:
    depth = 30_000
    assert depth > sys.getrecursionlimit()
    with pytest.raises(RecursionError):
        _down(depth)
    assert call_deep(_down, depth) == depth


def test_the_limit_is_raised_only_while_it_runs() -> None:
    before = sys.getrecursionlimit()
    assert call_deep(sys.getrecursionlimit) == RECURSION_LIMIT
    assert sys.getrecursionlimit() == before


def test_exceptions_come_back_to_the_caller() -> None:
    def fail() -> None:
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        call_deep(fail)
    assert not in_deep_thread()


def test_nested_calls_run_on_the_same_thread() -> None:
    def inner() -> tuple[str, bool]:
        return threading.current_thread().name, in_deep_thread()

    outer_name, nested = call_deep(lambda: (threading.current_thread().name, call_deep(inner)))
    assert nested == (outer_name, True)
    assert outer_name != threading.current_thread().name


def test_threads_started_from_the_deep_thread_get_the_usual_limit_back() -> None:
    before = sys.getrecursionlimit()

    def start_a_thread() -> int:
        seen: list[int] = []
        with shallow_threads():
            worker = threading.Thread(target=lambda: seen.append(sys.getrecursionlimit()))
            worker.start()
            worker.join()
        assert sys.getrecursionlimit() == RECURSION_LIMIT
        return seen[0]

    assert call_deep(start_a_thread) == before
