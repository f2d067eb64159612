"""End to end on a loopback server that replays judged answers: the questions real agents need a
reader for (the keys a JSON reply is read with vs the prompt, a marker the loop waits for vs the
prompt's wording, a tool a prompt lists as text vs the function its dispatch runs) are asked, each
with only its own prompt and code, and the answers decide the findings. An "unknown" or malformed
answer leaves exactly the deterministic findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentable.config import Config
from agentable.nl_check import Checker
from agentable.scan import ScanOptions, scan

from .fake_llm import Reply, llm_config, verdict

pytestmark = pytest.mark.usefixtures("openai_env")

# A support-desk agent: each file is the shape of a pair seen in real agents, written for this test.
FILES = {
    "llm.py": '''
from openai import OpenAI

_client = OpenAI(timeout=30)


def chat(system: str, user: str) -> str:
    out = _client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
    )
    return out.choices[0].message.content or ""
''',
    # the prompt asks for "reasoning" and "final_answer"; the code reads "answer"
    "triage.py": '''
import json

from llm import chat

TRIAGE = """You triage support tickets for a bicycle shop.
Think about the customer's problem, then reply with a JSON object with two keys:
"reasoning": your analysis in one or two sentences, and
"final_answer": one of "repair", "refund", "question"."""


def triage(ticket: str) -> str:
    reply = chat(TRIAGE, ticket)
    try:
        data = json.loads(reply)
    except ValueError:
        return "question"
    return data.get("answer", "question")
''',
    # near miss: the keys read are the keys asked for
    "review.py": '''
import json

from llm import chat

REVIEW = """You check a drafted reply to a customer before it is sent.
Reply with a JSON object: {"approved": true or false, "note": "what to change, if anything"}."""


def review(draft: str) -> tuple:
    reply = chat(REVIEW, draft)
    try:
        data = json.loads(reply)
    except ValueError:
        return False, "unreadable review"
    return bool(data["approved"]), data.get("note", "")
''',
    # the loop waits for TASK_COMPLETE; the prompt asks the model to say "Task complete."
    "worker.py": '''
from llm import chat

FINISHED = "TASK_COMPLETE"
WORK = ("You resolve a customer's order problem step by step, one step per message. "
        "When nothing is left to do, finish your message with: Task complete.")


def resolve(problem: str) -> list:
    steps = []
    note = problem
    for _ in range(8):
        reply = chat(WORK, note)
        steps.append(reply)
        if FINISHED in reply:
            break
        note = "Continue with the next step."
    return steps


FOLLOW = ("You write a follow-up e-mail for an order, one paragraph per message. "
          "When the e-mail is finished, write DONE on a line of its own.")


def follow_up(order: str) -> str:
    parts = []
    for _ in range(5):
        reply = chat(FOLLOW, order)
        if "DONE" in reply:
            break
        parts.append(reply)
    return "\\n".join(parts)
''',
    # a hand-written tool system: the prompt lists the tools as text, a dict dispatches the name
    "desk.py": '''
import json

from llm import chat

SHOP_TOKEN = "sk-test-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"
STOCK = {"chain": 12, "saddle": 3}
PRICES = {"chain": 19.5, "saddle": 42.0}

DESK = """You answer questions about the bicycle shop. Tools:
- price_of(item): the current price of an item, in euros
- opening_hours(day): when the shop is open on that day
Reply with JSON: {"tool": "<tool name>", "arg": "<its argument>"}"""


def price_of(item: str) -> str:
    return f"{STOCK.get(item, 0)} in stock"


def opening_hours(day: str) -> str:
    return "closed" if day.lower() == "sunday" else "9:00-18:00"


TOOLS = {"price_of": price_of, "opening_hours": opening_hours}


def answer(question: str) -> str:
    reply = chat(DESK, question)
    try:
        call = json.loads(reply)
        return TOOLS[call["tool"]](call["arg"])
    except (ValueError, KeyError, TypeError):
        return "Sorry, I could not work that out."
''',
}

# The answers an excellent reader gives after reading each pair.
JUDGED = [
    (("final_answer", '"answer"'), verdict(
        "no", 0.9, "The prompt asks for the keys reasoning and final_answer, but the code reads answer, "
                   "so every well-formed reply falls back to 'question'.")),
    (('"approved"', '"note"'), verdict("yes", 0.9, "The code reads approved and note, the keys the prompt asks for.")),
    (("TASK_COMPLETE", "Task complete"), verdict(
        "no", 0.85, "The prompt asks the model to end with 'Task complete.', which does not contain "
                    "'TASK_COMPLETE', so the loop always runs all eight rounds.")),
    (("price_of", "STOCK.get"), verdict(
        "no", 0.9, "The prompt says price_of returns the item's price in euros, but the function returns "
                   "the number of items in stock.")),
    (("opening_hours", "closed"), verdict("yes", 0.9, "The function returns the day's opening hours.")),
]


def _write(tmp_path: Path) -> None:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)


def _key(findings) -> set:
    return {(f.rule_id, f.span.path, f.span.line) for f in findings}


def _offline(tmp_path: Path) -> set:
    return _key(scan([tmp_path], Config(), ScanOptions()).findings)


def _users(fake) -> list[str]:
    return [m["content"] for r in fake.requests for m in r["body"]["messages"] if m["role"] == "user"]


def test_judged_answers_decide_the_findings(fake_llm, tmp_path):
    _write(tmp_path)
    offline = _offline(tmp_path)
    fake_llm.judged = JUDGED
    fake_llm.default = verdict("unknown", 0.0, "Not judged.")
    checker = Checker(llm_config(fake_llm))
    result = scan([tmp_path], Config(), ScanOptions(checker=checker))
    new = _key(result.findings) - offline
    assert new == {("LOPE005", "triage.py", 15), ("ALS005", "worker.py", 15), ("IETI005", "desk.py", 16)}
    assert offline <= _key(result.findings)
    by_rule = {f.rule_id: f for f in result.findings if (f.rule_id, f.span.path, f.span.line) in new}
    assert "final_answer" in by_rule["LOPE005"].checker_reason
    assert "TASK_COMPLETE" in by_rule["ALS005"].message and "Task complete" in by_rule["ALS005"].checker_reason
    assert "price_of" in by_rule["IETI005"].message and "in stock" in by_rule["IETI005"].checker_reason
    assert checker.sent_by_kind == {"prompt_parser": 3, "marker_prompt": 1, "tool_description": 2}


def test_each_question_carries_only_its_own_prompt_and_code(fake_llm, tmp_path):
    _write(tmp_path)
    fake_llm.default = verdict("unknown", 0.0, "Not judged.")
    scan([tmp_path], Config(), ScanOptions(checker=Checker(llm_config(fake_llm))))
    users = _users(fake_llm)
    triage = next(u for u in users if "final_answer" in u)
    assert triage.startswith("A program sends the prompt") and '["answer"]' in triage
    assert "bicycle shop" in triage and "drafted reply" not in triage and "price_of" not in triage
    marker = next(u for u in users if u.startswith("A program sends the prompt below to an LLM and waits"))
    assert "TASK_COMPLETE" in marker and "order problem" in marker and "follow-up e-mail" not in marker
    tool = next(u for u in users if u.startswith("Is the tool's name") and "price_of" in u)
    assert "the current price of an item" in tool and "opening_hours(day)" not in tool
    # the DONE loop is answered from code: the prompt writes the marker as it is tested
    assert not any("write DONE" in u and u.startswith("A program sends the prompt below to an LLM and waits")
                   for u in users)
    assert not any(b"sk-test-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c" in raw for raw in fake_llm.raw_bodies)


@pytest.mark.parametrize("reply", [verdict("unknown", 0.2, "Cannot tell."),
                                   Reply(content="I think the parser is probably fine?"),
                                   Reply(content='{"answer": "maybe", "confidence": 2}')],
                         ids=["unknown", "prose", "bad-answer"])
def test_unknown_or_malformed_answers_leave_the_deterministic_findings(fake_llm, tmp_path, reply):
    _write(tmp_path)
    offline = _offline(tmp_path)
    fake_llm.default = reply
    result = scan([tmp_path], Config(), ScanOptions(checker=Checker(llm_config(fake_llm))))
    assert _key(result.findings) == offline
    assert _users(fake_llm)  # the questions were asked


def test_the_keys_are_those_of_this_parse_not_of_another_reply_of_the_same_wrapper():
    from agentable.query.dataflow import flows
    from agentable.rules.lope005_prompt_parser_mismatch import _fields_read
    from tests.conftest import graph_of

    g = graph_of({"menu.py": '''
import json
from openai import OpenAI

client = OpenAI()


def ask(prompt):
    out = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])
    return out.choices[0].message.content


def menu(guests):
    dishes = json.loads(ask("Propose dishes as a JSON array of objects with title and diet: " + guests))
    recipes = []
    for dish in dishes:
        reply = ask("Write a recipe as JSON with keys steps and minutes for " + dish["title"] + dish["diet"])
        try:
            recipes.append(json.loads(reply)["steps"])
        except ValueError:
            continue
    return recipes
'''})
    keys = {u.expr.pos[0]: _fields_read(g, u) for u in flows(g) if u.kind == "parse"}
    assert keys == {14: ("title", "diet"), 19: ("steps",)}


def test_waits_for_a_marker_are_told_from_text_processing():
    from agentable.rules.als.marker_tests import marker_tests
    from tests.conftest import graph_of

    g = graph_of({"pilot.py": '''
from openai import OpenAI

client = OpenAI()
STOP_WORD = "LANDED"


def fly(plan):
    history = [{"role": "user", "content": plan}]
    landed = False
    while not landed:
        text = client.chat.completions.create(model="gpt-4o-mini", messages=history).choices[0].message.content
        if "MAYDAY" in text:
            landed = True
        landed = landed or STOP_WORD in text
        while "<scratch>" in text:
            text = text.replace("<scratch>", "", 1)
        if "ALTITUDE" in text:
            text = text.lower()
        history.append({"role": "assistant", "content": text})
    return history
'''})
    found = {(t.expr.pos[0], t.marker) for f in g.functions.values() for t in marker_tests(g, f)}
    assert found == {(13, "MAYDAY"), (15, "LANDED")}
