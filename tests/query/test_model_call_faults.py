"""query/model_call_faults: a model call's automatic retries (catalog [[retry_default]], settings,
framework defaults and binders) and the unguarded path from it to an entry point."""

from __future__ import annotations

from typing import Optional

import pytest

from agentable.cpg.manifests import normalize_dist
from agentable.cpg.manifests.model import ManifestSet, Requirement
from agentable.query.model_call_faults import call_retries, unguarded_path
from tests.conftest import graph_of


def _graph(src: str, *declared: str):
    manifests = None
    if declared:
        reqs = []
        for i, line in enumerate(declared, 1):
            name, _, spec = line.partition(" ")
            reqs.append(Requirement(normalize_dist(name), name, spec, (), "", "requirements.txt", i, 1, len(line) + 1, "main"))
        manifests = ManifestSet(reqs, ["requirements.txt"])
    return graph_of({"app.py": src}, manifests)


def _retries(src: str, *declared: str) -> Optional[int]:
    g = _graph(src, *declared)
    (call,) = g.agent.llm_calls
    r = call_retries(g, call)
    return None if r is None else r.count


V1 = "from openai import OpenAI\nc = OpenAI({})\ndef f(m):\n    return c.chat.completions.create(model='x', messages=m)\n"
POST = ("import requests\ndef f(m):\n    return requests.post('https://api.openai.com/v1/chat/completions', "
        "json={'model': 'x', 'messages': m}).json()\n")
LC = "from langchain_openai import ChatOpenAI\nllm = {}\ndef f(p):\n    return llm.invoke(p)\n"
LEGACY = 'import openai\ndef f(m):\n    return openai.ChatCompletion.create(model="gpt-4", messages=m)\n'


@pytest.mark.parametrize("src, declared, count", [
    (LEGACY, (), 0),  # openai<1.0 sends once
    (LEGACY, ("openai ==0.28.1",), 0),
    (LEGACY, ("openai >=1.2",), None),  # the call form is gone in the declared SDK: another failure
    (V1.format(""), (), 2),
    (V1.format("max_retries=0"), (), 0),
    (V1.format("max_retries=n"), (), None),  # not a literal: not known
    ('import anthropic\nc = anthropic.Anthropic()\n'
     'def f(m):\n    return c.messages.create(model="x", max_tokens=9, messages=m)\n', (), 2),
    (LC.format("ChatOpenAI()"), (), 2),
    (LC.format("ChatOpenAI(max_retries=0)"), (), 0),
    (LC.format("ChatOpenAI(max_retries=0).with_retry()"), (), 1),
    (POST, (), 0),
    ('import litellm\ndef f(m):\n    return litellm.completion(model="x", messages=m)\n', (), None),  # no catalog row
])
def test_call_retries(src: str, declared: tuple[str, ...], count: Optional[int]) -> None:
    assert _retries(src, *declared) == count


def _path(src: str):
    g = _graph(src)
    (call,) = g.agent.llm_calls
    return unguarded_path(g, call)


def test_chain_to_module_code() -> None:
    p = _path(LEGACY + "def g():\n    return f([])\nprint(g())\n")
    assert p is not None and p.root.is_module
    assert [s.func.name for s in p.chain] == ["g", "<module>"]


@pytest.mark.parametrize("tail", [
    "def g():\n    try:\n        return f([])\n    except Exception:\n        return ''\nprint(g())\n",
    "def g():\n    try:\n        return f([])\n    except openai.error.RateLimitError:\n        return ''\nprint(g())\n",
    "for m in [[]]:\n    try:\n        f(m)\n    except:\n        continue\n",
])
def test_a_caller_that_catches_guards(tail: str) -> None:
    assert _path(LEGACY + tail) is None


@pytest.mark.parametrize("tail", [
    # a handler for other errors, or one that hands the error on, does not
    "def g():\n    try:\n        return f([])\n    except KeyError:\n        return ''\nprint(g())\n",
    "def g():\n    try:\n        return f([])\n    except Exception as e:\n        raise RuntimeError('x') from e\ng()\n",
])
def test_a_caller_that_does_not_catch_the_error(tail: str) -> None:
    assert _path(LEGACY + tail) is not None


def test_every_caller_must_guard() -> None:
    src = LEGACY + ("def safe():\n    try:\n        return f([])\n    except Exception:\n        return ''\n"
                    "def unsafe():\n    return f([])\nsafe()\nunsafe()\n")
    p = _path(src)
    assert p is not None and [s.func.name for s in p.chain] == ["unsafe", "<module>"]


def test_retry_decorator_and_registered_handler_guard() -> None:
    assert _path("from tenacity import retry\n" + LEGACY.replace("def f", "@retry\ndef f") + "f([])\n") is None
    web = "from fastapi import FastAPI\napp = FastAPI()\n" + LEGACY.replace("def f", "@app.post('/')\ndef f")
    assert _path(web) is None


@pytest.mark.parametrize("tail", [
    "import threading\nthreading.Thread(target=f, args=([],)).start()\n",
    "class Runner:\n    def __init__(self, tools):\n        self.tools = tools\nRunner(tools=[f])\n",
])
def test_a_function_handed_to_a_call_is_left_to_its_runner(tail: str) -> None:
    assert _path(LEGACY + tail) is None


def test_a_function_kept_in_a_project_table_is_still_a_root() -> None:
    p = _path(LEGACY + "STEPS = {'default': [f]}\n")
    assert p is not None and p.root.name == "f" and not p.chain
