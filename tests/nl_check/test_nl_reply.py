"""nl_check.reply: the tolerant parser of the LLM's verdict replies, without any server."""

from __future__ import annotations

import pytest

from agentable.nl_check.questions import Verdict
from agentable.nl_check.reply import parse_reply


@pytest.mark.parametrize("text, answer, confidence", [
    ('{"answer": "yes", "confidence": 0.9, "reason": "Fine."}', "yes", 0.9),
    ('```json\n{"answer": "NO", "confidence": 0.6, "reason": "Bad."}\n```', "no", 0.6),
    ('Sure! {"note": 1} then {"answer": "unknown", "confidence": 3, "reason": "x"} done', "unknown", 1.0),
    ('{"answer": "yes", "confidence": "80%", "reason": "x"}', "yes", 0.8),
    ('{"answer": "yes", "reason": "no confidence given"}', "yes", 0.5),
    ('{"answer": "no", "confidence": -1, "reason": "a } inside a string"}', "no", 0.0),
])
def test_reply_parser_accepts(text, answer, confidence):
    v = parse_reply(text)
    assert isinstance(v, Verdict) and (v.answer, v.confidence, v.source) == (answer, confidence, "llm")


@pytest.mark.parametrize("text", [
    "", "   ", "yes", '{"answer": "maybe", "confidence": 1}', '{"answer": "yes", "confidence": "high"}',
    '{"answer": "yes", "confidence": 0.5', '{"confidence": 0.5}', '{"answer": true}',
])
def test_reply_parser_rejects_without_raising(text):
    assert isinstance(parse_reply(text), str)


def test_reason_is_cut_to_one_sentence():
    v = parse_reply('{"answer": "yes", "confidence": 1, "reason": "First one.  Second one."}')
    assert isinstance(v, Verdict) and v.reason == "First one."
