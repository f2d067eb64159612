"""Where the LLM checker asks on code shaped like real agents, end to end on a loopback server that
replays judged answers: a prompt put into the message list by a helper and kept behind a name, a
whole reply compared with a word the prompt names, a loop that waits for a regular expression, a
parse the offline pass does not compare with prompts (`ast.literal_eval`), and a budget of
questions per kind. Offline, none of these shapes gives a finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentable.config import Config
from agentable.nl_check import Checker
from agentable.scan import ScanOptions, scan

from .fake_llm import llm_config, verdict

pytestmark = pytest.mark.usefixtures("openai_env")

# A small publishing assistant, written for this test.
FILES = {
    "llm.py": '''
from openai import OpenAI

_client = OpenAI(timeout=30)


def complete(messages: list) -> str:
    out = _client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    return out.choices[0].message.content or ""
''',
    "prompts.py": '''
REVIEW_SYSTEM = """You review a proposed change to a book manuscript.
Explain what is wrong with the change, if anything. If the change needs no more work,
say that it is APPROVED and summarise why."""


def review_prompt() -> str:
    text = REVIEW_SYSTEM
    return text
''',
    # the system prompt is put in by a helper, from a constant behind a function and a name;
    # the reply must be exactly APPROVED, which the prompt never restricts it to
    "reviewer.py": '''
from llm import complete
from prompts import review_prompt


def set_system(messages: list, text: str) -> None:
    messages.insert(0, {"role": "system", "content": text})


def review(change: str) -> bool:
    messages = [{"role": "user", "content": change}]
    set_system(messages, review_prompt())
    reply = complete(messages)
    if reply.strip().upper() == "APPROVED":
        return True
    return False
''',
    # JSON booleans asked for, read with ast.literal_eval (which rejects `true`)
    "shelving.py": '''
import ast

from llm import complete

SHELVE = """Decide where a returned book goes. Reply with a JSON object such as
{"damaged": true, "shelf": "fiction"} and nothing else."""


def shelve(book: str) -> dict:
    reply = complete([{"role": "system", "content": SHELVE}, {"role": "user", "content": book}])
    try:
        place = ast.literal_eval(reply)
    except (ValueError, SyntaxError):
        return {"damaged": False, "shelf": "sorting"}
    return place
''',
    # a loop that waits for a regular expression the prompt spells otherwise, and one it spells alike
    "writer.py": '''
import re

from llm import complete

DRAFT = ("You write a chapter of a children's book over several messages. When the chapter is "
         "complete, end your last message with the line: -- END OF CHAPTER --")
CHECK = ("You proof-read a chapter of a children's book for spelling. Finish with VERDICT: PASS "
         "when it has no mistakes, or VERDICT: FAIL followed by the mistakes.")


def write_chapter(outline: str) -> str:
    parts = []
    for _ in range(10):
        reply = complete([{"role": "system", "content": DRAFT}, {"role": "user", "content": outline}])
        parts.append(reply)
        if re.search(r"^== END ==$", reply, re.M):
            break
    return "".join(parts)


def proof_read(chapter: str) -> bool:
    for _ in range(3):
        reply = complete([{"role": "system", "content": CHECK}, {"role": "user", "content": chapter}])
        if re.search(r"VERDICT: (PASS|FAIL)", reply):
            return "PASS" in reply
    return False
''',
}

JUDGED = [
    (("APPROVED", "summarise why"), verdict(
        "no", 0.85, "The prompt asks the model to say APPROVED and summarise why, so the reply is never "
                    "exactly APPROVED and every change is sent back.")),
    (("ast.literal_eval", '"damaged": true'), verdict(
        "no", 0.9, "The prompt asks for JSON with true, which ast.literal_eval rejects, so every book "
                   "goes to sorting.")),
    (("== END ==", "-- END OF CHAPTER --"), verdict(
        "no", 0.9, "The prompt asks for '-- END OF CHAPTER --', the regex waits for '== END ==', so the "
                   "loop always runs ten rounds.")),
    (("VERDICT: (PASS|FAIL)", "VERDICT: PASS"), verdict("yes", 0.9, "The prompt asks for the verdict the regex reads.")),
]


def _write(tmp_path: Path) -> None:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)


def _key(findings) -> set:
    return {(f.rule_id, f.span.path, f.span.line) for f in findings}


def _users(fake) -> list[str]:
    return [m["content"] for r in fake.requests for m in r["body"]["messages"] if m["role"] == "user"]


def test_judged_answers_decide_the_findings(fake_llm, tmp_path):
    _write(tmp_path)
    offline = _key(scan([tmp_path], Config(), ScanOptions()).findings)
    assert not {k for k in offline if k[0] in ("LOPE005", "ALS005")}
    fake_llm.judged = JUDGED
    fake_llm.default = verdict("unknown", 0.0, "Not judged.")
    checker = Checker(llm_config(fake_llm))
    result = scan([tmp_path], Config(), ScanOptions(checker=checker))
    new = _key(result.findings) - offline
    assert new == {("ALS005", "reviewer.py", 14), ("LOPE005", "shelving.py", 13), ("ALS005", "writer.py", 17)}
    assert offline <= _key(result.findings)
    assert checker.sent_by_kind == {"marker_prompt": 3, "prompt_parser": 1}


def test_each_question_carries_the_prompt_the_helpers_build(fake_llm, tmp_path):
    _write(tmp_path)
    fake_llm.default = verdict("unknown", 0.0, "Not judged.")
    scan([tmp_path], Config(), ScanOptions(checker=Checker(llm_config(fake_llm))))
    users = _users(fake_llm)
    approved = next(u for u in users if "APPROVED" in u and "waits for a marker" in u)
    assert "book manuscript" in approved and 'reply.strip().upper() == "APPROVED"' in approved
    assert "children's book" not in approved
    parse = next(u for u in users if "ast.literal_eval" in u)
    assert "returned book" in parse and "place = ast.literal_eval(reply)" in parse


def test_questions_of_one_kind_are_bounded_per_scan(fake_llm, tmp_path):
    _write(tmp_path)
    fake_llm.default = verdict("unknown", 0.0, "Not judged.")
    checker = Checker(llm_config(fake_llm, max_questions_per_kind=1))
    scan([tmp_path], Config(), ScanOptions(checker=checker))
    assert checker.sent_by_kind == {"marker_prompt": 1, "prompt_parser": 1}
    assert "2 not asked (over 1 marker_prompt questions)" in checker.summary()
