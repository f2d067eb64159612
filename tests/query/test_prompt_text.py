"""The text of an LLM call's prompt (query.protocol.prompt_text, a literals.PromptWalker): a prompt
handed down through project wrappers is read in the caller that builds it, with the budget of a
walk that starts there, and messages appended to the list before the call are read too."""

from __future__ import annotations

from agentable.query.protocol import prompt_text
from tests.conftest import graph_of

WRAPPED = '''
    from openai import OpenAI

    client = OpenAI()
    RULES = "Answer with Thought: and Action: lines."


    def complete(messages):
        return client.chat.completions.create(model="gpt-4o", messages=messages)


    def chat(messages):
        return complete(messages)


    def ask(question):
        rules = RULES
        intro = rules
        system = intro
        history = [{"role": "system", "content": system}]
        history.append({"role": "user", "content": "Question: " + question})
        return chat(history)


    def main():
        return ask("How many moons has Mars?")
'''


def _prompt() -> str:
    g = graph_of({"agent.py": WRAPPED})
    (call,) = g.agent.llm_calls
    return prompt_text(g, call)


def test_a_prompt_built_two_wrappers_up_is_read_in_full() -> None:
    text = _prompt()
    assert "Answer with Thought: and Action: lines." in text  # four bindings deep in `ask`
    assert "Question: " in text  # appended to the list before it was handed down
    assert "How many moons has Mars?" in text  # `ask`'s own caller's argument
