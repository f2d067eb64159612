"""Budgets that end a loop: a check that raises once an accumulated quantity passes a limit."""

from agentable.query.run_budgets import budget_bound
from tests.conftest import graph_of


def _bound(src: str):
    g = graph_of({"agent.py": src})
    loop = next(lp for lp in g.agent.loops)
    return budget_bound(g, loop.func, loop.loop)


_WRAPPER = """
    from openai import OpenAI

    class Over(Exception):
        pass

    class Chat:
        def __init__(self):
            self.api = OpenAI()
            self.tokens = 0
            self.limit = 50_000

        def ask(self, msgs):
            r = self.api.chat.completions.create(model="gpt-4o-mini", messages=msgs)
            self.tokens += r.usage.total_tokens
            if self.tokens > self.limit:
                raise Over()
            return r.choices[0].message.content

    def run(msgs):
        chat = Chat()
        while True:
            {body}
"""


def test_a_token_budget_raised_in_the_wrapper_bounds_the_loop() -> None:
    assert "self.tokens > self.limit" in (_bound(_WRAPPER.format(body="""text = chat.ask(msgs)
            if text == "DONE":
                return text""")) or "")


def test_a_handler_that_goes_round_again_undoes_it() -> None:
    assert _bound(_WRAPPER.format(body="""try:
                text = chat.ask(msgs)
            except Exception:
                continue
            if text == "DONE":
                return text""")) is None


def test_a_handler_of_the_budget_error_that_breaks_keeps_it() -> None:
    assert _bound(_WRAPPER.format(body="""try:
                text = chat.ask(msgs)
            except Over:
                break
            if text == "DONE":
                return text""")) is not None
