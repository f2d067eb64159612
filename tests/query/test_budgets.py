"""Context budgets: token limits the input of an LLM call is trimmed to."""

import pytest



from agentable.rules.adal.helpers import context_budgets, is_context_budget_name
from tests.conftest import graph_of


@pytest.mark.parametrize("name", ["MAX_CONTEXT_TOKENS", "history_token_limit", "PROMPT_TOKEN_BUDGET",
                                  "max_input_tokens", "CONTEXT_WINDOW_TOKENS"])
def test_input_token_limits_are_budgets(name: str) -> None:
    assert is_context_budget_name(name)


@pytest.mark.parametrize("name", ["MAX_TOKENS", "MAX_REPLY_TOKENS", "max_output_tokens", "CONTEXT_CHARS",
                                  "CHUNK_TOKENS", "context_tokens_per_doc", "MAX_HISTORY", "max_new_tokens"])
def test_other_limits_are_not(name: str) -> None:
    assert not is_context_budget_name(name)


def test_a_budget_that_bounds_the_trimmed_history_of_a_call() -> None:
    g = graph_of({"m.py": """
        from openai import OpenAI

        MAX_CONTEXT_TOKENS = 6000
        RESERVED = 500
        UNRELATED_CONTEXT_TOKENS = 99

        def trim(history):
            budget = MAX_CONTEXT_TOKENS - RESERVED
            out = []
            for m in reversed(history):
                budget -= len(m["content"]) // 4
                if budget < 0:
                    break
                out.append(m)
            return out[::-1]

        def other(x):
            return x > UNRELATED_CONTEXT_TOKENS

        def ask(history):
            window = trim(history)
            return OpenAI().chat.completions.create(model="gpt-4", messages=[{"role": "system", "content": "hi"}, *window])
    """})
    budgets = context_budgets(g)
    assert [(b.name, b.value, b.func.qualname) for b in budgets] == [("MAX_CONTEXT_TOKENS", 6000, "m.trim")]
