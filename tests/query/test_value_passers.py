"""A call that gives back its argument unchanged (python.toml value_passers, `typing.cast`) has
the argument's values: a model id or a reply read through `cast(str, x)` is still that value."""

from agentable.cpg.values import Const, LLMOutput
from tests.conftest import graph_of, returned_name_values

_SRC = '''
import typing
from typing import cast
from openai import OpenAI

client = OpenAI()
FALLBACK = "gpt-4o-mini"

def pick(name=None):
    chosen = typing.cast(str, name or FALLBACK)
    narrowed = cast("str", FALLBACK)
    return chosen, narrowed

def ask(q):
    r = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}])
    text = cast(str, r.choices[0].message.content)
    return text
'''


def _values(func_name: str, name: str) -> list:
    return returned_name_values(graph_of({"agent.py": _SRC}), func_name, name)


def test_cast_gives_its_argument():
    assert Const("gpt-4o-mini") in _values("pick", "chosen")
    assert Const("gpt-4o-mini") in _values("pick", "narrowed")


def test_cast_keeps_model_output():
    assert any(isinstance(v, LLMOutput) and v.text for v in _values("ask", "text"))
