"""Structures parsed from model output, followed through calls that keep or map items
(python.toml item_keepers, item_callbacks), and the position of a marker in model text."""

from agentable.cpg import ir
from agentable.cpg.values import Parsed
from agentable.query.guards import registered_function
from agentable.query.text_ops import position_call
from tests.conftest import graph_of, returned_name_values

_SRC = '''
import json
from concurrent.futures import ThreadPoolExecutor
from openai import OpenAI

client = OpenAI()

def judge(text):
    r = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])
    return json.loads(r.choices[0].message.content)

def rank(texts):
    with ThreadPoolExecutor() as pool:
        pooled = list(pool.map(judge, texts))
    mapped = sorted(map(judge, texts), key=lambda v: v["score"])
    listed = [judge(t) for t in texts]
    filtered = [judge(t) for t in texts if t]
    best = max(listed, key=lambda v: v["score"])
    lengths = list(map(len, texts))
    return pooled, mapped, listed, filtered, best, lengths
'''


def _parsed(vals) -> bool:
    return any(isinstance(v, Parsed) for v in vals)


def test_items_kept_through_map_list_sorted_and_comprehensions():
    g = graph_of({"agent.py": _SRC})
    for name in ("pooled", "mapped", "listed"):
        assert _parsed(returned_name_values(g, "rank", name)), name
    # a filtering comprehension is taken to test its items; len() results are not parsed
    assert not _parsed(returned_name_values(g, "rank", "filtered"))
    assert not _parsed(returned_name_values(g, "rank", "lengths"))


def test_key_lambda_parameter_is_an_item():
    g = graph_of({"agent.py": _SRC})
    func = next(f for f in g.agent.functions() if f.name == "rank")
    reads = [(e, s) for e, s in func.walk(ir.Subscript) if isinstance(e.value, ir.Name) and e.value.id == "v"]
    assert len(reads) == 2
    assert all(_parsed(g.values(e.value, func, s)) for e, s in reads)


def test_position_call_through_names_and_offsets():
    g = graph_of({"agent.py": '''
def cut(reply):
    start = reply.find("Answer:")
    end = reply.rfind("]") + 1
    return reply[start + len("Answer:"):end], reply[reply.find(":") + 1:], reply[:start - 1]
'''})
    func = next(f for f in g.functions.values() if f.name == "cut")
    finders = frozenset({"find", "rfind"})
    ret = func.returns[0]
    got = []
    for sub in [e for e in ir.walk_expr(ret.value) if isinstance(e, ir.Subscript)]:
        assert isinstance(sub.index, ir.Slice)
        for part in sub.index.parts:
            hit = position_call(g, part, func, ret, 2, finders)
            marker = hit[0].args[0] if hit else None
            got.append((marker.value, sorted(hit[1]), hit[2]) if hit and isinstance(marker, ir.Constant) else None)
    assert got == [("Answer:", ["start"], 7), ("]", ["end"], 1), (":", [], 1), ("Answer:", ["start"], -1)]


def test_registered_function_is_a_method_of_an_object_used_as_decorator():
    g = graph_of({"agent.py": '''
import functools
from fastapi import FastAPI

app = FastAPI()

class Registry:
    def register(self, name):
        def add(fn):
            return fn
        return add

reg = Registry()

@reg.register("a")
def a(): ...

@app.post("/b")
def b(): ...

@functools.lru_cache(maxsize=8)
def c(): ...

def d(): ...
'''})
    by_name = {f.name: f for f in g.functions.values()}
    assert registered_function(g, by_name["a"]) and registered_function(g, by_name["b"])
    assert not registered_function(g, by_name["c"]) and not registered_function(g, by_name["d"])
