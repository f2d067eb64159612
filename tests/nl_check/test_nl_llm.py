"""The LLM path end to end: real openai client -> loopback fake server."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentable.nl_check import Checker, LLMConfig, default_cache_dir
from agentable.nl_check.questions import PromptParserQuestion, StopFormatQuestion, ToolDescriptionQuestion

from .fake_llm import llm_config, vague, Reply, verdict

SECRET_KEY = "sk-proj-abcdef1234567890abcdef"
SECRET_DB_PASSWORD = "Hunter2Secret"


pytestmark = pytest.mark.usefixtures("openai_env")


def config(fake, **overrides) -> LLMConfig:
    return llm_config(fake, **{"timeout": 0.5, **overrides})


def test_structured_verdict_from_the_llm(fake_llm):
    fake_llm.push(verdict("no", 0.8, "The parser expects JSON but the prompt asks for prose. Extra."))
    checker = Checker(config(fake_llm))
    v = checker.ask(vague())
    assert (v.answer, v.defect, v.source, v.confidence) == ("no", True, "llm", 0.8)
    assert v.reason == "The parser expects JSON but the prompt asks for prose."
    [req] = fake_llm.requests
    body = req["body"]
    assert body["model"] == "test-model" and body["temperature"] == 0
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert req["headers"]["authorization"] == "Bearer test-key"
    assert checker.notifications == []
    assert checker.summary() == "LLM checker: 1 calls, 120 tokens, 0 cache hits, 0 failures"


def test_deterministic_answers_are_not_sent(fake_llm):
    decided = PromptParserQuestion("Respond in JSON with keys a and b.", "json.loads")
    v = Checker(config(fake_llm)).ask(decided)
    assert (v.answer, v.source) == ("yes", "deterministic")
    assert fake_llm.requests == []


def test_malformed_reply_becomes_unknown_and_a_notification(fake_llm):
    fake_llm.push(Reply(content="I think the answer is probably yes."), Reply(content='{"answer": "maybe"}'))
    checker = Checker(config(fake_llm))
    verdicts = checker.ask_many([vague(1), vague(2)])
    assert [v.answer for v in verdicts] == ["unknown", "unknown"]
    assert len(checker.notifications) == 1  # one per problem category, not per question
    assert checker.notifications[0].kind == "llm"
    assert "could not be read" in checker.notifications[0].message
    assert "2 failures" in checker.summary()


def test_code_fenced_json_is_accepted(fake_llm):
    fake_llm.push(Reply(content='Here you go:\n```json\n{"answer": "yes", "confidence": 0.7, '
                                '"reason": "Both use {braces}."}\n```'))
    v = Checker(config(fake_llm)).ask(vague())
    assert (v.answer, v.confidence, v.reason) == ("yes", 0.7, "Both use {braces}.")


def test_slow_reply_times_out_without_crashing(fake_llm):
    fake_llm.push(Reply(content=verdict().content, delay=1.5))
    checker = Checker(config(fake_llm, timeout=0.3))
    start = time.monotonic()
    v = checker.ask(vague())
    assert time.monotonic() - start < 1.4
    assert v.answer == "unknown" and v.source == "llm"
    assert len(checker.notifications) == 1 and "timed out" in checker.notifications[0].message


def test_429_and_500_are_retried_then_succeed(fake_llm):
    checker = Checker(config(fake_llm, max_retries=2))
    assert checker.ask(vague(0)).answer == "yes"  # settles the response format first
    fake_llm.push(Reply(429, headers={"retry-after-ms": "10"}),
                  Reply(500, headers={"retry-after-ms": "10"}),
                  verdict("no"))
    v = checker.ask(vague(1))
    assert v.answer == "no"
    assert len(fake_llm.requests) == 4
    assert checker.notifications == []


def test_retries_give_up_after_max_retries(fake_llm):
    checker = Checker(config(fake_llm, max_retries=1))
    checker.ask(vague(0))
    fake_llm.push(*[Reply(503, headers={"retry-after-ms": "1"})] * 3)
    v = checker.ask(vague(1))
    assert v.answer == "unknown"
    assert len(fake_llm.requests) == 1 + 2
    assert "HTTP 503" in checker.notifications[0].message


def test_json_schema_rejected_falls_back_to_json_object_and_remembers(fake_llm):
    fake_llm.reject_formats = {"json_schema"}
    fake_llm.push(verdict("no"), verdict("yes"))
    checker = Checker(config(fake_llm))
    assert [v.answer for v in checker.ask_many([vague(1)])] == ["no"]
    assert [v.answer for v in checker.ask_many([vague(2)])] == ["yes"]
    types = [r["body"]["response_format"]["type"] for r in fake_llm.requests]
    assert types == ["json_schema", "json_object", "json_object"]
    assert checker.notifications == []


def test_plain_prompt_when_no_response_format_is_accepted(fake_llm):
    fake_llm.reject_formats = {"json_schema", "json_object"}
    v = Checker(config(fake_llm)).ask(vague())
    assert v.answer == "yes"
    assert "response_format" not in fake_llm.requests[-1]["body"]


def test_rejected_max_tokens_switches_to_max_completion_tokens(fake_llm):
    fake_llm.reject_params = {"max_tokens"}
    v = Checker(config(fake_llm)).ask(vague())
    assert v.answer == "yes"
    assert "max_completion_tokens" in fake_llm.requests[-1]["body"]


def test_call_budget_is_never_exceeded(fake_llm):
    checker = Checker(config(fake_llm, max_calls=2))
    verdicts = checker.ask_many([vague(i) for i in range(5)])
    assert len(fake_llm.requests) == 2
    assert sorted(v.answer for v in verdicts) == ["unknown"] * 3 + ["yes"] * 2
    budget_notes = [n for n in checker.notifications if "budget" in n.message]
    assert len(budget_notes) == 1
    checker.ask_many([vague(9)])  # later batches stay within the budget too
    assert len(fake_llm.requests) == 2
    assert checker.summary().startswith("LLM checker: 2 calls, 240 tokens")
    assert "4 not asked (budget reached)" in checker.summary()


def test_token_budget_is_checked_before_sending(fake_llm):
    checker = Checker(config(fake_llm, max_tokens_total=50))
    assert checker.ask(vague()).answer == "unknown"
    assert fake_llm.requests == []


def test_missing_usage_is_estimated(fake_llm):
    fake_llm.push(Reply(content=verdict().content, usage=False))
    checker = Checker(config(fake_llm))
    checker.ask(vague())
    tokens = checker._client.budget.tokens
    assert 100 < tokens < 2000


def test_cache_answers_a_second_run_without_requests(fake_llm, tmp_path):
    questions = [vague(i) for i in range(3)]
    cache_dir = default_cache_dir(tmp_path)
    first = Checker(config(fake_llm), cache_dir=cache_dir).ask_many(questions)
    assert len(fake_llm.requests) == 3
    second_checker = Checker(config(fake_llm), cache_dir=cache_dir)
    second = second_checker.ask_many(questions)
    assert len(fake_llm.requests) == 3
    assert [v.answer for v in second] == [v.answer for v in first]
    assert {v.source for v in second} == {"cache"}
    assert "3 cache hits" in second_checker.summary()
    root = tmp_path / ".agentable_cache"
    assert (root / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (root / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    # Another model is another cache key.
    Checker(config(fake_llm, model="other-model"), cache_dir=cache_dir).ask(questions[0])
    assert len(fake_llm.requests) == 4


def test_failures_are_not_cached(fake_llm, tmp_path):
    fake_llm.push(Reply(content="garbage"))
    Checker(config(fake_llm), cache_dir=tmp_path / "c").ask(vague())
    assert Checker(config(fake_llm), cache_dir=tmp_path / "c").ask(vague()).answer == "yes"
    assert len(fake_llm.requests) == 2


def test_identical_questions_in_a_batch_are_asked_once(fake_llm):
    verdicts = Checker(config(fake_llm)).ask_many([vague(1), vague(1), vague(1)])
    assert len(fake_llm.requests) == 1 and len(verdicts) == 3


def test_secrets_never_reach_the_server(fake_llm):
    implementation = f'''
def lookup_customer(name):
    """Find a customer by name."""
    client = OpenAI(api_key="{SECRET_KEY}")
    conn = psycopg2.connect("postgres://admin:{SECRET_DB_PASSWORD}@db.internal:5432/crm")
    return conn.execute("SELECT * FROM customers WHERE name = %s", (name,)).fetchall()
'''
    q = ToolDescriptionQuestion("lookup_customer", "Find a customer by name.", ("name",), {},
                                implementation, (SECRET_KEY, "psycopg2.connect", "conn.execute"))
    Checker(config(fake_llm)).ask(q)
    [raw] = fake_llm.raw_bodies
    assert SECRET_KEY.encode() not in raw and SECRET_DB_PASSWORD.encode() not in raw
    sent = json.loads(raw)["messages"][1]["content"]
    assert "<REDACTED>" in sent and "psycopg2.connect" in sent and "lookup_customer" in sent


def test_unreachable_endpoint_is_reported_once(monkeypatch):
    with socket.socket() as s:  # a port that was free a moment ago and has no listener
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = LLMConfig(model="m", base_url=f"http://127.0.0.1:{port}/v1", timeout=0.5, max_retries=1,
                    enabled=True)
    checker = Checker(cfg)
    verdicts = checker.ask_many([vague(i) for i in range(4)])
    assert [v.answer for v in verdicts] == ["unknown"] * 4
    assert len(checker.notifications) == 1
    note = checker.notifications[0]
    assert note.kind == "llm" and "unreachable" in note.message
    assert checker._client.budget.calls == 2  # the first question and its one retry, then no more


def test_authentication_error_stops_further_requests(fake_llm):
    fake_llm.default = Reply(401, error="Incorrect API key provided")
    checker = Checker(config(fake_llm))
    checker.ask_many([vague(i) for i in range(3)])
    checker.ask(vague(7))
    # json_schema probe gets 401: not a format problem, so no fallback and no more requests
    assert len(fake_llm.requests) == 1
    assert len(checker.notifications) == 1 and "401" in checker.notifications[0].message


def test_concurrency_is_bounded(fake_llm):
    fake_llm.default = Reply(content=verdict().content, delay=0.15)
    checker = Checker(config(fake_llm, concurrency=3))
    checker.ask(vague(0))  # settle the format before the batch
    checker.ask_many([vague(i) for i in range(1, 10)])
    assert fake_llm.max_in_flight == 3  # requests overlapped, never more than the bound


def test_tool_questions_go_to_the_llm_even_when_decided(fake_llm):
    q = ToolDescriptionQuestion(
        "send_email", "Search the web for the latest news about a topic.", ("to", "body"), {},
        "def send_email(to, body):\n    smtplib.SMTP('h').sendmail('a', to, body)\n",
        ("smtplib.SMTP", "sendmail"))
    fake_llm.push(Reply(content="nonsense"))
    v = Checker(config(fake_llm)).ask(q)
    # The LLM failed, so the deterministic mismatch stands.
    assert (v.answer, v.source) == ("no", "deterministic")
    assert len(fake_llm.requests) == 1


# -- offline by default ------------------------------------------------------------------------

QUESTIONS = [vague(), StopFormatQuestion(("###",), "Write a poem."),
             ToolDescriptionQuestion("f", "Does things with stuff", (), {}, "def f(): pass", ())]


def test_offline_default_sends_nothing(fake_llm, monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.url)
    for checker in (Checker(None), Checker(LLMConfig(model="m"), cache_dir=tmp_path / "c"),
                    Checker(LLMConfig(model="m", base_url=fake_llm.url))):
        assert [v.source for v in checker.ask_many(QUESTIONS)] == ["deterministic"] * 3
        assert checker.notifications == []
        assert checker.summary().startswith("LLM checker: off")
    assert fake_llm.requests == []
    assert not (tmp_path / "c").exists()


def test_offline_default_opens_no_socket(no_network):
    assert len(Checker(None).ask_many(QUESTIONS)) == 3


def test_missing_api_key_for_a_remote_endpoint_disables_the_llm(monkeypatch, no_network):
    monkeypatch.delenv("OPENAI_API_KEY")
    checker = Checker(LLMConfig(model="m", base_url="https://llm.example.invalid/v1", enabled=True))
    assert checker.ask(vague()).answer == "unknown"
    assert len(checker.notifications) == 1 and "OPENAI_API_KEY" in checker.notifications[0].message


def test_keyless_loopback_server_gets_a_dummy_key(fake_llm, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    assert Checker(config(fake_llm)).ask(vague()).answer == "yes"
    assert fake_llm.requests[0]["headers"]["authorization"] == "Bearer unused"


def test_offline_checker_does_not_import_openai():
    code = ("import sys\nfrom agentable.nl_check import Checker\n"
            "from agentable.nl_check.questions import PromptParserQuestion\n"
            "Checker(None).ask(PromptParserQuestion('Summarize.', 'json.loads'))\n"
            "assert 'openai' not in sys.modules, 'openai imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent, timeout=30)


def test_unexpected_client_errors_become_unknown(fake_llm, monkeypatch):
    checker = Checker(config(fake_llm))

    def explode(*args, **kwargs):
        raise RuntimeError("transport bug")

    monkeypatch.setattr(checker._client, "_openai", explode)
    assert checker.ask(vague()).answer == "unknown"
    assert "RuntimeError" in checker.notifications[0].message
    assert checker.ask_many([]) == []


def test_repeated_timeouts_stop_further_requests(fake_llm):
    fake_llm.default = Reply(content=verdict().content, delay=0.6)
    checker = Checker(config(fake_llm, timeout=0.2, concurrency=1))
    verdicts = checker.ask_many([vague(i) for i in range(6)])
    assert [v.answer for v in verdicts] == ["unknown"] * 6
    assert len(fake_llm.requests) == 3
    # what went wrong, once, and that the checker stopped, once
    first, stop = [n.message for n in checker.notifications]
    assert first == f"LLM request to {fake_llm.url} timed out after 0.2 s."
    assert stop.startswith("LLM checker stopped: 3 requests in a row timed out")
