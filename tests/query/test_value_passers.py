"""A call that gives back its argument unchanged (python.toml value_passers, `typing.cast`) has
the argument's constants: a model id read through `cast(str, x)` is still that id. Objects (model
output among them) stay opaque there: their casts narrow a union by a branch the resolver does not
split (`return cast(Response, r)` under `if not stream:`)."""

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


def test_cast_of_model_output_stays_opaque():
    assert not any(isinstance(v, LLMOutput) for v in _values("ask", "text"))
