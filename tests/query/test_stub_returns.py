"""A stub method of a project interface returns the model output its implementations return."""

from __future__ import annotations

from agentable.cpg import ir
from agentable.cpg.values import LLMOutput
from tests.conftest import graph_of

_BASE = """
class Reply:
    def __init__(self, text):
        self.text = text

class Model:
    def ask(self, prompt: str) -> Reply:
        raise NotImplementedError
"""

_OPENAI = """
from openai import OpenAI
from base import Model, Reply

class GPT(Model):
    def ask(self, prompt):
        r = OpenAI().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
        return Reply(r.choices[0].message.content)
"""

_USER = """
from openai import OpenAI
from base import Model

def answer(model: Model):
    reply = model.ask("hi").text
    return reply
"""


def _outputs(files: dict[str, str]) -> list:
    g = graph_of(files)
    func = g.functions["app.answer"]
    ret = func.returns[-1]
    e = next(x for x in ir.walk_expr(ret.value) if isinstance(x, ir.Name) and x.id == "reply")
    return [v for v in g.values(e, func, ret) if isinstance(v, LLMOutput)]


def test_a_stub_returns_what_its_implementations_return() -> None:
    assert _outputs({"base.py": _BASE, "gpt.py": _OPENAI, "app.py": _USER})


def test_an_implementation_in_test_code_does_not_count() -> None:
    assert not _outputs({"base.py": _BASE, "tests/test_gpt.py": _OPENAI, "app.py": _USER})


def test_an_implemented_method_is_not_a_stub() -> None:
    base = "class Model:\n    def ask(self, prompt):\n        return ''\n"
    gpt = _OPENAI.replace("Reply(r.choices[0].message.content)", "r.choices[0].message.content").replace(", Reply", "")
    user = _USER.replace('model.ask("hi").text', 'model.ask("hi")')
    assert not _outputs({"base.py": base, "gpt.py": gpt, "app.py": user})
    assert _outputs({"base.py": base.replace("return ''", "..."), "gpt.py": gpt, "app.py": user})


def test_a_returned_object_with_methods_of_its_own_is_not_carried() -> None:
    render = "        self.text = text\n\n    def render(self):\n        return self.text\n"
    base = _BASE.replace("        self.text = text\n", render)
    assert not _outputs({"base.py": base, "gpt.py": _OPENAI, "app.py": _USER})
