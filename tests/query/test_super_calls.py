"""`super().<model method>()` in a project subclass of a catalog chat model is the model's reply."""

from __future__ import annotations

from agentable.cpg import ir
from agentable.cpg.values import LLMOutput
from tests.conftest import graph_of

_HEAD = """
from langchain_openai import ChatOpenAI
"""


def _outputs(src: str, qualname: str, name: str = "reply") -> list:
    """The model outputs `name` carries in the last `return` of method `qualname` of module `agent`."""
    g = graph_of({"agent.py": _HEAD + src})
    func = g.functions[f"agent.{qualname}"]
    ret = func.returns[-1]
    e = next(x for x in ir.walk_expr(ret.value) if isinstance(x, ir.Name) and x.id == name)
    return [v for v in g.values(e, func, ret) if isinstance(v, LLMOutput)]


def test_super_invoke_of_a_chat_model_subclass_is_model_output() -> None:
    assert _outputs("""
class Tagged(ChatOpenAI):
    def invoke(self, input, config=None, **kw):
        reply = super().invoke(input, config, **kw)
        return reply
""", "Tagged.invoke")


def test_two_argument_super_naming_the_class_counts() -> None:
    assert _outputs("""
class Tagged(ChatOpenAI):
    async def ainvoke(self, input, config=None, **kw):
        reply = await super(Tagged, self).ainvoke(input)
        return reply
""", "Tagged.ainvoke")


def test_a_project_base_that_defines_the_method_is_not_skipped() -> None:
    assert not _outputs("""
class Canned(ChatOpenAI):
    def invoke(self, input, config=None, **kw):
        return "fixed"

class Leaf(Canned):
    def invoke(self, input, config=None, **kw):
        reply = super().invoke(input)
        return reply
""", "Leaf.invoke")


def test_super_of_a_class_that_is_not_a_model_is_not_model_output() -> None:
    assert not _outputs("""
from collections import UserDict

class Store(UserDict):
    def get(self, key, default=None):
        reply = super().get(key, default)
        return reply
""", "Store.get")
