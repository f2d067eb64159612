"""query.tool_invocations: which tools' own results an expression is."""

from __future__ import annotations




from agentable.cpg import ir
from agentable.query.tool_dispatch import tool_dispatches
from agentable.query.tool_invocations import tool_invocations
from agentable.rules.tre.helpers import dropped_tool_results, tool_results_in
from tests.conftest import graph_of

SRC = {"bot.py": """
    import json
    from openai import OpenAI

    client = OpenAI()

    def lookup(key: str):
        return {"key": key}

    def echo(text: str) -> str:
        return text

    TOOLS = {"lookup": lookup, "echo": echo}

    def run_tool(name, args):
        fn = TOOLS.get(name)
        if fn is None:
            return "unknown tool"
        return fn(**args)

    def run_tool_safe(name, args):
        out = TOOLS[name](**args)
        return out if isinstance(out, str) else json.dumps(out)

    def loop(msgs):
        while True:
            msg = client.chat.completions.create(model="gpt-4o", messages=msgs).choices[0].message
            for tc in msg.tool_calls:
                args = json.loads(tc.function.arguments)
                direct = run_tool(tc.function.name, args)
                safe = run_tool_safe(tc.function.name, args)
                msgs.append({"role": "tool", "content": direct})
                msgs.append({"role": "tool", "content": safe})
"""}


def test_tool_results_follow_wrappers_but_not_normalised_values() -> None:
    g = graph_of(SRC)
    loop = g.functions["bot.loop"]
    found = {}
    for e, s in loop.walk(ir.Dict):
        content = e.get("content")
        found[ir.dotted(content)] = sorted(f.name for f, _ in tool_results_in(g, content, loop, s))
    assert found == {"direct": ["echo", "lookup"], "safe": []}


LOOPS = {"loops.py": """
    import json
    from openai import OpenAI

    client = OpenAI()
    SCHEMA = [{"type": "function", "function": {"name": "weather", "description": "Weather.",
               "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]

    def weather(city: str) -> str:
        return f"sunny in {city}"

    def dropped(msgs):
        messages = [{"role": "user", "content": msgs}]
        seen = []
        for _ in range(4):
            m = client.chat.completions.create(model="gpt-4o", messages=messages, tools=SCHEMA).choices[0].message
            for tc in m.tool_calls or []:
                seen.append(weather(json.loads(tc.function.arguments)["city"]))
        return seen

    def retried_on_error(msgs):
        messages = [{"role": "user", "content": msgs}]
        for _ in range(4):
            m = client.chat.completions.create(model="gpt-4o", messages=messages, tools=SCHEMA).choices[0].message
            try:
                return weather(json.loads(m.tool_calls[0].function.arguments)["city"])
            except (IndexError, KeyError, TypeError):
                continue

    def fed_back(msgs):
        messages = [{"role": "user", "content": msgs}]
        for _ in range(4):
            m = client.chat.completions.create(model="gpt-4o", messages=messages, tools=SCHEMA).choices[0].message
            for tc in m.tool_calls or []:
                out = weather(json.loads(tc.function.arguments)["city"])
                messages.append({"role": "tool", "tool_call_id": tc.id, "content": out})

    HISTORY = []

    def live_history():
        return HISTORY

    def shared(msgs):
        messages = live_history()
        for _ in range(4):
            m = client.chat.completions.create(model="gpt-4o", messages=messages, tools=SCHEMA).choices[0].message
            for tc in m.tool_calls or []:
                HISTORY.append({"role": "tool", "content": weather(json.loads(tc.function.arguments)["city"])})

    def grows_parts(msgs):
        parts = [{"type": "text", "text": msgs}]
        messages = [{"role": "user", "content": parts}]
        for _ in range(4):
            m = client.chat.completions.create(model="gpt-4o", messages=messages, tools=SCHEMA).choices[0].message
            for tc in m.tool_calls or []:
                parts.append({"type": "text", "text": weather(json.loads(tc.function.arguments)["city"])})
"""}


def test_dropped_tool_results_need_an_unchanged_list_and_a_normal_path_back() -> None:
    g = graph_of(LOOPS)
    found = [(d.llm_call.func.name, d.name, d.invocation.site.call.pos[0]) for d in dropped_tool_results(g)]
    assert found == [("dropped", "messages", 18)]


RESPONSES = {"desk.py": """
    import json
    from openai import OpenAI

    client = OpenAI()
    TOOLS = [{"type": "function", "name": "stock", "description": "Units in stock.",
              "parameters": {"type": "object", "properties": {"sku": {"type": "string"}}}}]

    def stock(sku: str) -> str:
        return "3"

    HANDLERS = {"stock": stock}

    def constant_follow_up(question: str) -> str:
        r = client.responses.create(model="gpt-4.1", input=question, tools=TOOLS)
        for _ in range(3):
            calls = [o for o in r.output if o.type == "function_call"]
            for call in calls:
                print(HANDLERS[call.name](**json.loads(call.arguments)))
            r = client.responses.create(model="gpt-4.1", previous_response_id=r.id, input="Go on.", tools=TOOLS)
        return r.output_text

    def outputs_sent(question: str) -> str:
        r = client.responses.create(model="gpt-4.1", input=question, tools=TOOLS)
        for _ in range(3):
            outs = []
            for call in [o for o in r.output if o.type == "function_call"]:
                outs.append({"type": "function_call_output", "call_id": call.call_id,
                             "output": HANDLERS[call.name](**json.loads(call.arguments))})
            r = client.responses.create(model="gpt-4.1", previous_response_id=r.id, input=outs, tools=TOOLS)
        return r.output_text
"""}


def test_a_request_written_from_constants_drops_the_tool_results() -> None:
    g = graph_of(RESPONSES)
    dropped = dropped_tool_results(g)
    assert [(d.invocation.func.name, d.name, d.continued) for d in dropped] == [
        ("constant_follow_up", None, "previous_response_id")]
    assert isinstance(dropped[0].request, ir.Constant) and dropped[0].request.value == "Go on."


def test_a_tool_name_read_from_a_filtered_list_of_the_reply_is_model_chosen() -> None:
    g = graph_of(RESPONSES)
    kinds = sorted((d.func.name, d.kind) for d in tool_dispatches(g))
    assert kinds == [("constant_follow_up", "subscript"), ("outputs_sent", "subscript")]


# -- dispatch and hand-run tools ---------------------------------------------------------------

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
