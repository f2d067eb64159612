"""query.retry_policies: which retry decorators never stop, which do not await coroutines, and
`query.guards.decorated_with_retry` on an async def (catalog retry.toml)."""

from __future__ import annotations

from agentable.query.guards import decorated_with_retry
from agentable.query.retry_policies import retry_uses, sync_project_retries, sync_retry_on_coroutine, unbounded
from agentable.query.sdk_exceptions import _misfit
from tests.conftest import graph_of

_SRC = '''
import backoff, retrying
from tenacity import retry as tretry, stop_after_attempt, stop_never
from retry import retry

LIMIT = 4

@backoff.on_exception(backoff.expo, ValueError)
def a(): pass

@backoff.on_exception(backoff.expo, ValueError, max_time=30)
def b(): pass

@backoff.on_exception(backoff.expo, ValueError, max_tries=None)
def c(): pass

@tretry
def d(): pass

@tretry(stop=stop_after_attempt(3))
def e(): pass

@tretry(stop=stop_never)
def f(): pass

@retry()
def g(): pass

@retry(ValueError, 3)
async def h(): pass

@retry(tries=-1)
def i(): pass

@retry(tries=LIMIT)
def j(): pass

@retrying.retry
def k(): pass

@retrying.retry(stop_max_attempt_number=3)
async def m(): pass

@tretry(**{"stop": stop_never})
def n(): pass
'''


def _facts() -> dict[str, tuple[bool, bool]]:
    g = graph_of({"agent.py": _SRC})
    out = {}
    for q, fn in g.functions.items():
        for use in retry_uses(g, fn):
            out[q.rsplit(".", 1)[-1]] = (unbounded(g, fn, use), sync_retry_on_coroutine(fn, use))
    return out


def test_bounds_and_coroutines() -> None:
    facts = _facts()
    assert {k for k, (never, _) in facts.items() if never} == {"a", "c", "d", "f", "g", "i", "k"}
    assert {k for k, (_, sync) in facts.items() if sync} == {"h", "m"}


def test_sync_decorator_on_async_def_is_no_retry() -> None:
    g = graph_of({"agent.py": _SRC})
    assert decorated_with_retry(g, g.functions["agent.a"])
    assert not decorated_with_retry(g, g.functions["agent.h"])
    assert not decorated_with_retry(g, g.functions["agent.m"])


def test_hand_written_wrapper() -> None:
    g = graph_of({"agent.py": '''
def again(fn):
    def wrapper(*a):
        while True:
            try:
                return fn(*a)
            except OSError:
                pass
    return wrapper

@again
async def fetch(): pass
'''})
    [hit] = sync_project_retries(g, g.functions["agent.fetch"])
    assert hit.wrapper.name == "wrapper"


def test_constructor_fit() -> None:
    assert _misfit("self,message,request,*,body", 0, set()) == "no `message`, `request`, `body`"
    assert _misfit("self,message,request,*,body", 2, {"body"}) == ""
    assert _misfit("self,message,*,response,body=", 1, set()) == "no `response`"
    assert _misfit("self,*args", 3, set()) == ""
    assert _misfit("self", 1, set()).startswith("1 positional")
