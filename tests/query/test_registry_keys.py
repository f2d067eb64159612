"""query.registry_keys: a key that can only be one of the registry's own keys."""

from __future__ import annotations

from agentable.cpg import ir
from agentable.query.registry_keys import own_key
from agentable.query.tool_dispatch import lookup_shape
from tests.conftest import graph_of

_HEAD = """
import json
import re
from openai import OpenAI
client = OpenAI()
def ask(q):
    r = client.chat.completions.create(model="gpt-4.1-mini", messages=[{"role": "user", "content": q}])
    return r.choices[0].message.content
def a(t): return t
def b(t): return t
HANDLERS = {"one": a, "two": b}
"""


def _lookup_is_own_key(body: str) -> bool:
    g = graph_of({"app.py": _HEAD + body})
    func = g.functions["app.run"]
    for e, s in func.exprs.get(ir.Subscript, ()):
        _kind, key, container = lookup_shape(e)
        if key is not None:
            return own_key(g, key, container, func, s)
    raise AssertionError("no lookup")


def test_regex_built_from_the_keys() -> None:
    assert _lookup_is_own_key("""
def run(q):
    m = re.search("(" + "|".join(HANDLERS) + ")", ask(q))
    if m:
        return HANDLERS[m.group(1).strip()](q)
""")


def test_loop_over_items_and_a_constant_key_through_a_helper() -> None:
    assert _lookup_is_own_key("""
def pick(text):
    for name, h in HANDLERS.items():
        if h(text):
            return name, text
    return "one", text
def run(q):
    name, text = pick(ask(q))
    return HANDLERS[name](text)
""")


def test_a_key_the_model_wrote_is_not_own() -> None:
    assert not _lookup_is_own_key("""
def run(q):
    return HANDLERS[json.loads(ask(q))["tool"]](q)
""")


def test_a_constant_that_is_not_a_key_is_not_own() -> None:
    assert not _lookup_is_own_key("""
def pick(text):
    for name in HANDLERS:
        if name in text:
            return name
    return "three"
def run(q):
    return HANDLERS[pick(ask(q))](q)
""")
