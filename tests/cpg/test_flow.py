"""cpg.flow: which handler catches which error (exception_catches), and whether a loop is bounded
(loop_info)."""

import pytest

from agentable.cpg import ir
from agentable.cpg.flow import exception_catches, loop_info
from tests.conftest import graph_of


@pytest.mark.parametrize("handler, raised", [
    ("IOError", "FileNotFoundError"),  # IOError is OSError in Python 3
    ("EnvironmentError", "ConnectionError"),
    ("socket.error", "TimeoutError"),
    ("OSError", "IOError"),
    ("ValueError", "json.JSONDecodeError"),
    ("Exception", "KeyError"),
])
def test_handler_catches(handler: str, raised: str) -> None:
    assert exception_catches(handler, raised)


@pytest.mark.parametrize("handler, raised", [
    ("IOError", "ValueError"),
    ("KeyError", "IndexError"),
    ("TimeoutError", "ConnectionError"),
    ("socket.timeout", "ConnectionError"),
])
def test_handler_does_not_catch(handler: str, raised: str) -> None:
    assert not exception_catches(handler, raised)


def test_loop_info_counter_and_condition() -> None:
    g = graph_of({"m.py": """
        def a(llm):
            steps = 0
            while True:
                steps += 1
                if steps > 10:
                    break
                llm()

        def b(llm, done):
            while not done:
                llm()
    """})
    loops = [s for f in g.functions.values() for s in ir.walk_stmts(f.body) if isinstance(s, ir.While)]
    assert loop_info(loops[0]).bounded is True
    assert loop_info(loops[1]).bounded is False


def test_loop_info_deadline_in_condition_or_exit() -> None:
    """A `while <status>` loop is bounded by a deadline on the clock, in its condition or in a
    test that leaves it; a wait on the status alone is not."""
    g = graph_of({"m.py": """
        import asyncio
        import time

        def until_deadline(job, limit):
            deadline = time.monotonic() + limit
            while time.monotonic() < deadline:
                if job.done():
                    return job.result()
                time.sleep(2)

        def exit_on_elapsed(job, limit):
            started = time.time()
            while not job.done():
                if time.time() - started > limit:
                    raise TimeoutError(job.id)
                time.sleep(2)

        def exit_on_attempts(job, attempts):
            while job.state != "DONE":
                polled = job.reload()
                if polled.attempt >= attempts:
                    break

        async def event_loop_clock(page):
            end_time = asyncio.get_event_loop().time() + 10
            while asyncio.get_event_loop().time() < end_time:
                if await page.is_ready():
                    return True
                await asyncio.sleep(0.1)

        def status_only(job):
            started = time.time()
            while not job.done():
                print("waited", time.time() - started)
                time.sleep(2)
    """})
    loops = {f.name: s for f in g.functions.values() for s in ir.walk_stmts(f.body) if isinstance(s, ir.While)}
    assert loop_info(loops["until_deadline"]).bounded is True
    assert loop_info(loops["exit_on_elapsed"]).bounded is True
    assert loop_info(loops["event_loop_clock"]).bounded is True
    assert loop_info(loops["status_only"]).bounded is False
    assert loop_info(loops["exit_on_attempts"]).bounded is False  # (`polled` is rebound from a call: not a counter)


def test_loop_info_fixed_cut_is_no_counter() -> None:
    """`x = x[:limit]` with a fixed limit shortens `x` on the first pass only; `x = x[:len(x) - step]`
    and `x = x[1:]` shorten it on every pass."""
    g = graph_of({"m.py": """
        def fixed(history, query, budget, keep):
            while True:
                if len(history + query) > budget:
                    query = query[:keep]
                else:
                    break

        def stepped(history, query, budget, step):
            while True:
                if len(history + query) > budget:
                    query = query[:len(query) - step]
                else:
                    break

        def dropped(history, budget):
            while True:
                if len(history) > budget:
                    history = history[1:]
                else:
                    break
    """})
    loops = {f.name: s for f in g.functions.values() for s in ir.walk_stmts(f.body) if isinstance(s, ir.While)}
    assert loop_info(loops["fixed"]).bounded is False
    assert loop_info(loops["stepped"]).bounded is True
    assert loop_info(loops["dropped"]).bounded is True
