"""The lower bound ADAL004 puts on a prompt's text: literals counted, every unknown piece empty."""

from __future__ import annotations

from agentable.rules.adal.helpers import prompt_floor_chars
from tests.conftest import graph_of

SRC = {"bot.py": '''
    from openai import OpenAI

    client = OpenAI()
    SYSTEM = "abcdefghij"          # 10 characters
    TEMPLATE = "Question: {q}!"    # 11 once the field is empty


    def fixed(q):
        return client.chat.completions.create(model="gpt-4", messages=[
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": TEMPLATE.format(q=q)},
        ])


    def joined(q, extra):
        text = "12345" + q + f"67{extra}890"
        return client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": text}])


    def shrunk(q):
        msgs = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": q}]
        msgs.pop(0)
        return client.chat.completions.create(model="gpt-4", messages=msgs)


    def passed_in(history):
        return client.chat.completions.create(model="gpt-4", messages=history)


    def either(q, short):
        prompt = "a much longer instruction text" if not short else "tiny"
        return client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": prompt}])
'''}


def test_prompt_floor_counts_literals_only() -> None:
    g = graph_of(SRC)
    floors = {c.func.name: prompt_floor_chars(g, c) for c in g.agent.llm_calls}
    assert floors == {"fixed": 21, "joined": 10, "shrunk": 0, "passed_in": 0, "either": 4}
