"""A scan with the LLM checker on a loopback server: the prompt-vs-parser question carries the prompt of
the parsed reply's own call chain (not every caller's of a shared wrapper), and the judged answer decides
the finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentable.config import Config
from agentable.nl_check import Checker
from agentable.scan import ScanOptions, scan

from .fake_llm import llm_config, verdict

pytestmark = pytest.mark.usefixtures("openai_env")

WRAPPER = '''
from openai import OpenAI

_client = OpenAI(timeout=30)


def ask(prompt: str, system: str = "You help travellers plan rail journeys.") -> str:
    out = _client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": system}, {"role": "user", "content": prompt}],
    )
    return out.choices[0].message.content or ""
'''

PLANNER = '''
import json
import re

from wrapper import ask


def stops(route: str) -> list:
    reply = ask("List the stations of this route as a JSON array of names: " + route)
    try:
        return json.loads(reply)
    except ValueError:
        return []


def departure(route: str, day: str):
    reply = ask(f"When does the first train of {route} leave on {day}? Mention any change of platform.")
    return read_clock(reply)


def read_clock(reply: str):
    m = re.search(r"(\\d{1,2}):(\\d{2})", reply)
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2))
'''


def _scan(tmp_path: Path, fake) -> list:
    (tmp_path / "wrapper.py").write_text(WRAPPER)
    (tmp_path / "planner.py").write_text(PLANNER)
    checker = Checker(llm_config(fake))
    result = scan([tmp_path], Config(), ScanOptions(checker=checker))
    return [f for f in result.findings if f.rule_id == "LOPE005"]


def _parser_requests(fake) -> list[str]:
    users = [m["content"] for r in fake.requests for m in r["body"]["messages"] if m["role"] == "user"]
    return [u for u in users if u.startswith("A program sends the prompt")]


def test_the_question_carries_the_prompt_of_its_own_chain(fake_llm, tmp_path):
    fake_llm.default = verdict("no", 0.9, "The prompt asks for a sentence that may give the time as words.")
    found = _scan(tmp_path, fake_llm)
    asked = _parser_requests(fake_llm)
    assert len(asked) == 1  # json.loads on the JSON-array prompt is answered deterministically
    assert "first train of" in asked[0] and "You help travellers" in asked[0]
    assert "JSON array" not in asked[0]  # the other caller's prompt is not mixed in
    assert "m = re.search(" in asked[0]  # the parsing code goes with the question
    assert [(f.span.path, f.span.line) for f in found] == [("planner.py", 22)]
    assert found[0].checker_reason.startswith("The prompt asks for a sentence")


def test_a_judged_match_gives_no_finding(fake_llm, tmp_path):
    fake_llm.default = verdict("yes", 0.9, "A departure time is written as HH:MM.")
    assert _scan(tmp_path, fake_llm) == []
    assert len(_parser_requests(fake_llm)) == 1
