"""Which field of a parsed reply an expression holds (query/parsed_fields.py), and what LOPE004
says about an `in` test on the reply."""

from agentable.cpg import ir
from agentable.query.parsed_fields import key_path, same_field
from agentable.rule_runner import run_rules
from agentable.rules import get_rule
from tests.conftest import graph_of

_SRC = '''
import json
from openai import OpenAI

client = OpenAI()

class Bot:
    def __init__(self):
        self.queued = None

    def ask(self, q):
        r = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}])
        text = r.choices[0].message.content
        try:
            reply = json.loads(text)
        except ValueError:
            return None
        self.queued = reply["step"]
        return reply

def run(bot: Bot):
    reply = bot.ask("go")
    step = reply["step"]
    note = reply.get("note")
    whole = reply
    print(step, note, whole, bot.queued)
'''


def _args(g):
    func = next(f for f in g.agent.functions() if f.name == "run")
    stmt = func.body[-1]
    call = stmt.value if isinstance(stmt, ir.ExprStmt) else None
    assert isinstance(call, ir.Call)
    return func, stmt, call.args


def test_key_paths_through_names_and_attribute_stores():
    g = graph_of({"agent.py": _SRC})
    func, stmt, (step, note, whole, queued) = _args(g)
    assert key_path(g, step, func, stmt) == ("step",)
    assert key_path(g, note, func, stmt) == ("note",)
    assert key_path(g, whole, func, stmt) == ()
    assert key_path(g, queued, func, stmt) == ("step",)


def test_same_field_needs_the_same_non_empty_path():
    g = graph_of({"agent.py": _SRC})
    func, stmt, (step, note, whole, queued) = _args(g)
    assert same_field(g, step, queued, func, stmt)
    assert not same_field(g, note, queued, func, stmt)
    assert not same_field(g, whole, whole, func, stmt)  # the reply itself: a stored one may be older


_PROSE = '''
import json
from openai import OpenAI

client = OpenAI()

def turn(q):
    text = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}]).choices[0].message.content
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return text
    if "answer" in data:
        return str(data)
    return text
'''


def test_membership_message_names_what_raises():
    g = graph_of({"agent.py": _PROSE})
    rule = get_rule("LOPE004")
    assert rule is not None
    findings, _ = run_rules(g, [rule])
    msgs = [f.message for f in findings if f.rule_id == "LOPE004"]
    assert len(msgs) == 1
    assert "a bare number, true/false or null raises TypeError" in msgs[0]
    assert "a list, a string" not in msgs[0]
