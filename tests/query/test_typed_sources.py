"""A parameter annotated with an SDK response class holds model output (cpg/typed_sources.py),
unless its call sites say what it holds."""

from agentable.cpg.typed_sources import response_type_at
from agentable.cpg.values import LLMOutput
from tests.conftest import graph_of


def _param(g, func_name: str, name: str):
    func = next(f for f in g.functions.values() if f.name == func_name)
    return [v for v in g.resolver.param_values(func, name) if isinstance(v, LLMOutput)]


def test_annotated_parameter_is_a_model_response():
    g = graph_of({"agent.py": """
        from typing import Optional
        from openai.types.chat import ChatCompletion
        import litellm

        def plan(result: Optional[ChatCompletion]):
            return result

        def act(response: "litellm.ModelResponse"):
            return response
    """})
    for func, name in (("plan", "result"), ("act", "response")):
        (v,) = _param(g, func, name)
        assert not v.text and response_type_at(v.site[1]) is not None
        assert ("choices", "[]", "message", "content") in v.documented


def test_project_class_of_the_same_name_is_not():
    g = graph_of({"agent.py": """
        class ChatCompletion:
            text: str

        def plan(result: ChatCompletion):
            return result
    """})
    assert _param(g, "plan", "result") == []


def test_callers_that_build_the_object_decide():
    g = graph_of({"agent.py": """
        import json
        from openai.types.chat import ChatCompletionMessage

        def handle(message: ChatCompletionMessage):
            return message

        def replay(entry: dict):
            return handle(ChatCompletionMessage(role="assistant", content=json.dumps(entry)))
    """})
    assert _param(g, "handle", "message") == []


def test_callers_passing_the_call_output_replace_the_stand_in():
    g = graph_of({"agent.py": """
        from openai import OpenAI
        from openai.types.chat import ChatCompletion

        def parse(result: ChatCompletion):
            return result

        def run(prompt: str):
            reply = OpenAI().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
            return parse(reply)
    """})
    (v,) = _param(g, "parse", "result")
    assert response_type_at(v.site[1]) is None  # the real call, with its own settings
