"""forwarded_keywords: a model id given to a wrapper and spread into the model call as `**kwargs`."""

from agentable.query.models import model_uses
from tests.conftest import graph_of


def _uses(src: str) -> list[tuple[str, int]]:
    g = graph_of({"app.py": src})
    return sorted((u.model_id, u.literal[1][0] if u.literal else 0) for u in model_uses(g))


def test_constructor_kwargs_spread_into_a_chat_model_two_levels_up():
    assert _uses("""
        from langchain_openai import ChatOpenAI

        class Wrapper:
            def __init__(self, *args, **kwargs):
                self.llm = ChatOpenAI(*args, **kwargs)

        def make(**kwargs):
            return Wrapper(temperature=0, **kwargs)

        a = Wrapper(model_name="gpt-4o-mini")
        b = make(model_name="o3")
        """) == [("gpt-4o-mini", 11), ("o3", 12)]


def test_function_kwargs_spread_into_an_sdk_call():
    assert _uses("""
        import litellm

        def complete(messages, **kwargs):
            return litellm.completion(messages=messages, **kwargs)

        complete([], model="gpt-4o", temperature=0)
        """) == [("gpt-4o", 7)]


def test_rebound_or_popped_kwargs_are_not_followed():
    assert _uses("""
        import litellm
        from langchain_openai import ChatOpenAI

        def complete(messages, **kwargs):
            kwargs = {"temperature": 0}
            return litellm.completion(messages=messages, **kwargs)

        class Wrapper:
            def __init__(self, **kwargs):
                kwargs.pop("model_name", None)
                self.llm = ChatOpenAI(**kwargs)

        complete([], model="gpt-4o")
        Wrapper(model_name="o3")
        """) == []


def test_dict_param_built_by_a_helper_per_branch():
    # `create(**request)` with `request` a parameter its callers fill from a helper that returns
    # one of two dict literals: the model comes from the helper's callers
    assert _uses("""
        from openai import OpenAI

        client = OpenAI()

        def build(prompt, model, long=False):
            if long:
                request = {"model": model, "max_tokens": 2048, "messages": [prompt]}
            else:
                request = {"model": model, "messages": [prompt]}
            return request

        def send(request):
            return client.chat.completions.create(**request)

        def ask(prompt):
            return send(build(prompt, model="gpt-4.1-mini"))

        def ask_later(prompt):
            req = build(prompt, model="o3", long=True)
            return send(req)
        """) == [("gpt-4.1-mini", 17), ("gpt-4.1-mini", 17), ("o3", 20), ("o3", 20)]  # one slot per branch
