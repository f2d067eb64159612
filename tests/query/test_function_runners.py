"""A function handed to a runner returns through it (python.toml function_runners,
future_submitters, future_results): the future of `executor.submit(fn, x)` read with `.result()`,
`asyncio.to_thread(fn, x)`, `loop.run_in_executor(None, fn, x)` give what `fn` returns."""

from agentable.cpg.values import LLMOutput, Typed
from tests.conftest import graph_of, returned_name_values

_SRC = '''
import asyncio
from concurrent.futures import ThreadPoolExecutor
from openai import OpenAI

client = OpenAI()

def ask(q):
    r = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}])
    return r.choices[0].message.content

def count(q):
    return len(q)

def fan_out(qs):
    pool = ThreadPoolExecutor()
    one = pool.submit(ask, qs[0]).result()
    futures = [pool.submit(ask, q) for q in qs]
    many = [f.result() for f in futures]
    sized = pool.submit(count, qs[0]).result()
    done = pool.submit(ask, qs[0]).done()
    return one, many, sized, done

async def threaded(q):
    loop = asyncio.get_running_loop()
    first = await asyncio.to_thread(ask, q)
    second = await loop.run_in_executor(None, ask, q)
    third = await loop.run_in_executor(None, count, q)
    return first, second, third
'''


def _values(func_name: str, name: str) -> list:
    return returned_name_values(graph_of({"agent.py": _SRC}), func_name, name)


def _text(vals) -> bool:
    return any(isinstance(v, LLMOutput) and v.text for v in vals)


def test_future_result_is_the_submitted_functions_return():
    assert _text(_values("fan_out", "one"))
    assert _text(_values("fan_out", "many"))  # a list of futures, each read with .result()
    assert Typed("int") in _values("fan_out", "sized") and not _text(_values("fan_out", "sized"))
    assert not _text(_values("fan_out", "done"))  # another method of the future is not the return


def test_awaited_runners_give_the_functions_return():
    assert _text(_values("threaded", "first"))
    assert _text(_values("threaded", "second"))
    assert not _text(_values("threaded", "third"))
