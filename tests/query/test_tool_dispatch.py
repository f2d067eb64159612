"""Tool dispatch and hand-run tools in hand-written loops: model-chosen names and observation calls."""

from agentable.query.tool_calls import tool_dispatches, tool_invocations
from tests.conftest import graph_of

_LOOP = '''
import json
import re

from openai import OpenAI

client = OpenAI()
ACTION = re.compile(r"Action: (\\{.*\\})")


def weather(city):
    return open(city + ".txt").read()


def log(text):
    return open("log.txt", "a").write(text)


HANDLERS = {"weather": weather}


def run(messages):
    for _ in range(5):
        msg = client.chat.completions.create(model="gpt-4o", messages=messages).choices[0].message
        log(msg.content)
        for call in msg.tool_calls or []:
            args = json.loads(call.function.arguments)
            forecast = weather(args["city"])
            messages.append({"role": "tool", "tool_call_id": call.id, "content": forecast})
        step = json.loads(ACTION.search(msg.content).group(1))
        HANDLERS[step.get("tool")](step["input"])
'''


def test_name_from_json_parsed_out_of_the_reply_is_model_chosen():
    g = graph_of({"loop.py": _LOOP})
    (d,) = tool_dispatches(g)
    assert d.kind == "subscript" and d.lookup.pos[0] == 31


def test_function_given_model_arguments_and_fed_back_is_a_tool_call():
    g = graph_of({"loop.py": _LOOP})
    direct = [inv for inv in tool_invocations(g) if inv.dispatch is None]
    # weather(...) goes back as the tool message; log(...) gets the reply but feeds nothing back
    assert [(inv.site.call.pos[0], [t.name for t in inv.targets]) for inv in direct] == [(28, ["weather"])]
