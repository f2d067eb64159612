"""The prompt one parsed reply answers (query.reply_prompt): the chain from the parsing function
down to the LLM call is found even when a longer path through the same wrapper was tried first
and ran out of depth on the way."""

from __future__ import annotations

from agentable.query.reply_prompt import reply_prompt
from tests.conftest import graph_of

SOURCE = '''
    from openai import OpenAI

    client = OpenAI()


    def complete(prompt):
        reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
        return reply.choices[0].message.content


    def with_retry(prompt):
        return complete(prompt)


    def send(prompt):
        return with_retry(prompt)


    def relay(prompt):
        return send(prompt)


    def warm_up():
        return relay("Say ready.")


    def plan(task):
        warm_up()
        answer = send("List the steps for: " + task + ". Answer with STEPS: and one step per line.")
        return answer.split("STEPS:")[1]
'''


def test_the_chain_through_a_wrapper_is_found_after_a_longer_path_to_it_ran_out_of_depth() -> None:
    g = graph_of({"agent.py": SOURCE})
    (call,) = g.agent.llm_calls
    plan = g.functions["agent.plan"]
    parse = plan.body[-1]
    found = reply_prompt(g, call, plan, parse)
    assert found is not None
    assert "Answer with STEPS:" in found.text
    assert found.site is not None and found.site.call.pos[0] == parse.pos[0] - 1
