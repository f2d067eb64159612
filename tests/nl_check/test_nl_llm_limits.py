"""A misbehaving endpoint costs a few requests, not the whole budget: the breaker, the wall-clock
budget, whole-request timeouts, HTML replies and honest token counts, against a loopback server.

Requests are counted at the server; times are only bounded generously (the unbounded behaviour
these tests guard against takes several times the bound)."""

from __future__ import annotations

import json
import re
import time
from itertools import pairwise

import pytest
from click.testing import CliRunner

from agentable.cli import main
from agentable.nl_check import Checker, LLMConfig
from agentable.nl_check.limits import Breaker, Budget, Clock
from agentable.nl_check.llm import MAX_FAILURES_IN_A_ROW, looks_like_html

from .fake_llm import llm_config, vague, Reply, verdict

NGINX_PAGE = "<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head><body>...</body></html>"


pytestmark = pytest.mark.usefixtures("openai_env")


@pytest.fixture(autouse=True)
def _openai_imported() -> None:
    import openai  # noqa: F401 - imported up front so that its 0.5 s is not inside a timed budget


def config(fake, **overrides) -> LLMConfig:
    return llm_config(fake, **{"timeout": 2.0, **overrides})


def messages(checker: Checker) -> list[str]:
    return [n.message for n in checker.notifications]


def stop_notes(checker: Checker) -> list[str]:
    return [m for m in messages(checker) if m.startswith("LLM checker stopped")]


# -- the breaker -------------------------------------------------------------------------------

def test_hanging_server_stops_the_checker_after_three_timeouts(fake_llm):
    fake_llm.default = Reply(content=verdict().content, delay=3.0)
    checker = Checker(config(fake_llm, timeout=0.2, max_retries=1, concurrency=1))
    start = time.monotonic()
    verdicts = checker.ask_many([vague(i) for i in range(10)])
    assert [v.answer for v in verdicts] == ["unknown"] * 10
    # Each timed-out request counts, retries included: question 1 and its retry, then question 2.
    # (Counting questions instead, as before, cost 6 requests here and 9 with the default 2 retries.)
    assert len(fake_llm.requests) == MAX_FAILURES_IN_A_ROW == 3
    assert time.monotonic() - start < 3.0
    assert stop_notes(checker) == [f"LLM checker stopped: 3 requests in a row timed out ({fake_llm.url}); "
                                   "the remaining questions are answered 'unknown'."]
    assert len(checker.notifications) == 2  # the timeout itself, once, and the stop
    assert "2 failures" in checker.summary() and "8 not asked (checker stopped)" in checker.summary()
    checker.ask_many([vague(20)])  # a later batch sends nothing either
    assert len(fake_llm.requests) == 3


def test_server_that_hangs_mid_scan_stops_concurrent_workers_quickly(fake_llm):
    checker = Checker(config(fake_llm, timeout=0.2, concurrency=4))
    assert checker.ask(vague(0)).answer == "yes"  # a working endpoint first
    fake_llm.default = Reply(content=verdict().content, delay=3.0)
    verdicts = checker.ask_many([vague(i) for i in range(1, 21)])
    assert [v.answer for v in verdicts] == ["unknown"] * 20
    # The four workers' requests time out together; at most a few more start before the third counts.
    assert len(fake_llm.requests) - 1 < 8
    assert len(stop_notes(checker)) == 1


def test_server_answering_500_costs_three_requests_not_the_budget(fake_llm):
    fake_llm.default = Reply(500, error="internal error")
    checker = Checker(config(fake_llm, max_retries=2, concurrency=4))
    verdicts = checker.ask_many([vague(i) for i in range(40)])
    assert [v.answer for v in verdicts] == ["unknown"] * 40
    # json_schema, json_object and plain each got a 500: the third stops the checker (before: 200).
    assert len(fake_llm.requests) == 3
    assert [r["body"].get("response_format", {}).get("type") for r in fake_llm.requests] == [
        "json_schema", "json_object", None]
    assert any("answered HTTP 500: " in m for m in messages(checker))
    assert stop_notes(checker) == [f"LLM checker stopped: 3 requests in a row got a server error (HTTP 5xx) "
                                   f"({fake_llm.url}); the remaining questions are answered 'unknown'."]
    assert checker.summary() == ("LLM checker: 3 calls, 0 tokens, 0 cache hits, 1 failures, "
                                 "39 not asked (checker stopped)")


def test_500s_after_a_good_start_stop_within_one_question_and_its_retries(fake_llm):
    checker = Checker(config(fake_llm, max_retries=2, concurrency=1))
    assert checker.ask(vague(0)).answer == "yes"
    fake_llm.default = Reply(503, headers={"retry-after-ms": "10"})
    checker.ask_many([vague(i) for i in range(1, 11)])
    assert len(fake_llm.requests) == 1 + 3  # one question: its request and 2 retries
    assert len(stop_notes(checker)) == 1


def test_a_reply_between_failures_resets_the_count(fake_llm):
    checker = Checker(config(fake_llm, timeout=0.2, concurrency=1))
    assert checker.ask(vague(0)).answer == "yes"
    slow = Reply(content=verdict().content, delay=0.6)
    fake_llm.push(slow, slow, verdict("no"), slow, slow, verdict("no"))
    verdicts = checker.ask_many([vague(i) for i in range(1, 7)])
    assert [v.answer for v in verdicts] == ["unknown", "unknown", "no"] * 2
    assert stop_notes(checker) == [] and len(fake_llm.requests) == 7


def test_429_with_retry_after_is_waited_for_then_stops_after_three_questions(fake_llm):
    checker = Checker(config(fake_llm, max_retries=2, concurrency=1))
    assert checker.ask(vague(0)).answer == "yes"
    fake_llm.default = Reply(429, headers={"retry-after-ms": "60"}, error="Rate limit reached")
    verdicts = checker.ask_many([vague(i) for i in range(1, 11)])
    assert [v.answer for v in verdicts] == ["unknown"] * 10
    # A 429 counts once its retries are spent: 3 questions x (1 + 2 retries); before: all 10 (30).
    assert len(fake_llm.requests) == 1 + 9
    arrivals = fake_llm.arrivals[1:]
    gaps = [b - a for a, b in pairwise(arrivals)]
    assert min(gaps[0], gaps[1]) >= 0.06  # the retries of a question waited as the server asked
    assert stop_notes(checker) == [f"LLM checker stopped: 3 questions in a row were refused with HTTP 429 "
                                   f"after their retries ({fake_llm.url}); the remaining questions are "
                                   "answered 'unknown'."]
    assert any("answered HTTP 429: " in m for m in messages(checker))


def test_a_retry_after_longer_than_the_time_left_is_not_waited_for(fake_llm):
    checker = Checker(config(fake_llm, max_retries=2, concurrency=1, max_seconds=2.0))
    fake_llm.default = Reply(429, headers={"retry-after": "5"})
    start = time.monotonic()
    checker.ask_many([vague(i) for i in range(5)])
    # Waiting 5 s would pass the 2 s budget: each question gives up at once (before: 10 s each).
    assert time.monotonic() - start < 2.0
    assert len(fake_llm.requests) == 3
    assert len(stop_notes(checker)) == 1


@pytest.mark.parametrize("value", ["nan", "-1", "Wed, 21 Oct 2015 07:28:00 GMT"])
def test_a_retry_after_that_cannot_be_slept_falls_back_to_backoff(fake_llm, value):
    checker = Checker(config(fake_llm, max_retries=1))
    assert checker.ask(vague(0)).answer == "yes"
    fake_llm.push(Reply(503, headers={"retry-after": value}))
    assert checker.ask(vague(1)).answer == "yes"  # retried after the backoff, not an internal error
    assert len(fake_llm.requests) == 3 and messages(checker) == []


# -- replies that are not chat completions -----------------------------------------------------

@pytest.mark.parametrize("reply, expected", [
    (Reply(body=NGINX_PAGE, content_type="text/html"), "answered with HTML, not a chat completion"),
    (Reply(body=NGINX_PAGE, content_type="application/json"), "answered with HTML, not a chat completion"),
    (Reply(body="<html><body>Sign in to continue</body></html>", content_type="text/plain"),
     "answered with HTML, not a chat completion"),
    (Reply(body=json.dumps({"error": {"message": "model not loaded"}})),
     "answered with something that is not a chat completion (error: model not loaded)"),
    (Reply(body="OK", content_type="text/plain"), "answered with something that is not a chat completion (OK)"),
], ids=["html", "html-labelled-json", "html-labelled-text", "json-error-object", "plain-text"])
def test_a_reply_that_is_not_a_chat_completion_says_what_it_is(fake_llm, reply, expected):
    fake_llm.default = reply
    checker = Checker(config(fake_llm))
    verdicts = checker.ask_many([vague(i) for i in range(6)])
    assert [v.answer for v in verdicts] == ["unknown"] * 6
    first = messages(checker)[0]
    assert first == f"LLM endpoint {fake_llm.url} {expected}: is the base URL right (it usually ends in /v1)?"
    assert not any("empty reply" in m for m in messages(checker))
    assert len(fake_llm.requests) == 3 and len(stop_notes(checker)) == 1
    assert checker.summary().startswith("LLM checker: 3 calls, 0 tokens,")  # no model answered


def test_an_html_error_page_is_named_as_such(fake_llm):
    fake_llm.default = Reply(404, body=NGINX_PAGE, content_type="text/html")
    checker = Checker(config(fake_llm))
    checker.ask_many([vague(i) for i in range(3)])
    assert messages(checker) == [f"LLM endpoint {fake_llm.url} answered HTTP 404: an HTML page, not a chat "
                                 "completion: is the base URL right (it usually ends in /v1)?"]
    assert len(fake_llm.requests) == 1  # a 404 stops the checker at once, as before


def test_html_is_recognised_by_content_type_or_leading_tag():
    assert looks_like_html("  <!doctype html><p>x</p>") and looks_like_html("<HTML>")
    assert looks_like_html("x", "text/html; charset=utf-8")
    assert not looks_like_html('{"answer": "yes"}') and not looks_like_html("Use <b> tags", "application/json")


# -- whole-request timeout and the wall-clock budget -----------------------------------------

def test_a_server_sending_bytes_slowly_is_cut_at_the_timeout(fake_llm):
    # Each 8-byte piece arrives well within the read timeout; the whole body would take ~3 s.
    fake_llm.push(Reply(content=verdict().content, trickle=0.1))
    checker = Checker(config(fake_llm, timeout=0.5))
    start = time.monotonic()
    v = checker.ask(vague())
    assert time.monotonic() - start < 2.0
    assert v.answer == "unknown"  # before: "yes", after the whole trickle
    assert messages(checker) == [f"LLM request to {fake_llm.url} timed out after 0.5 s."]


def test_wall_clock_budget_ends_the_checker_with_one_notification(fake_llm):
    fake_llm.default = Reply(content=verdict().content, delay=0.25)
    checker = Checker(config(fake_llm, concurrency=1, max_seconds=0.6))
    start = time.monotonic()
    verdicts = checker.ask_many([vague(i) for i in range(20)])
    assert time.monotonic() - start < 3.0  # all 20 would take 5 s
    sent = len(fake_llm.requests)
    assert 1 <= sent <= 4
    assert sum(v.answer == "yes" for v in verdicts) <= sent
    assert messages(checker) == ["LLM checker time budget of 0.6 s spent; the remaining questions are "
                                 "answered 'unknown'."]
    # a request cut by the timeout under load may never reach the server's log: questions asked
    # lie between the requests the server saw and the calls the checker made
    not_asked = int(re.search(r"(\d+) not asked \(time budget reached\)", checker.summary()).group(1))
    assert 20 - checker._client.budget.calls <= not_asked <= 20 - sent
    checker.ask_many([vague(30)])  # the budget stays spent
    assert len(fake_llm.requests) == sent


def test_a_request_in_flight_is_cut_at_the_wall_clock_budget(fake_llm):
    fake_llm.default = Reply(content=verdict().content, delay=3.0)
    checker = Checker(config(fake_llm, timeout=10.0, concurrency=1, max_seconds=0.5))
    start = time.monotonic()
    verdicts = checker.ask_many([vague(i) for i in range(3)])
    assert time.monotonic() - start < 2.0  # not the request's 10 s timeout, nor the server's 3 s
    assert [v.answer for v in verdicts] == ["unknown"] * 3 and len(fake_llm.requests) == 1
    assert messages(checker) == ["LLM checker time budget of 0.5 s spent; the remaining questions are "
                                 "answered 'unknown'."]
    assert "1 failures, about" in checker.summary() and "2 not asked (time budget reached)" in checker.summary()


def test_time_between_batches_is_not_the_checkers():
    now = [0.0]
    clock = Clock(10.0, now=lambda: now[0])
    with clock.running():
        now[0] += 4.0
    now[0] += 100.0  # the rest of the scan
    with clock.running(), clock.running():  # two batches at once count once
        now[0] += 3.0
        assert clock.remaining() == 3.0
    assert clock.remaining() == 3.0


# -- token counts ----------------------------------------------------------------------------

def test_tokens_count_replies_only_and_timeouts_are_estimated_apart(fake_llm):
    checker = Checker(config(fake_llm, timeout=0.3, concurrency=1))
    assert checker.ask(vague(0)).answer == "yes"
    fake_llm.push(Reply(content=verdict().content, delay=1.0))
    assert checker.ask(vague(1)).answer == "unknown"
    budget = checker._client.budget
    assert budget.tokens == 120  # the fake server's usage for the one reply
    assert 0 < budget.unanswered_tokens < 1000
    assert checker.summary().startswith(
        f"LLM checker: 2 calls, 120 tokens, 0 cache hits, 1 failures, about {budget.unanswered_tokens:,} "
        "tokens more in requests that got no reply")


def test_unanswered_tokens_still_count_against_the_cap():
    budget = Budget(max_calls=10, max_tokens=1000)
    assert budget.reserve(400)
    budget.settle(400, 0, unanswered=400)
    assert (budget.tokens, budget.unanswered_tokens) == (0, 400)
    assert not budget.reserve(700) and budget.reserve(600)


# -- the breaker on its own ------------------------------------------------------------------

def test_breaker_trips_once_on_three_of_a_kind_without_a_reply_between():
    breaker = Breaker(3)
    assert [breaker.failed("timeout"), breaker.failed("server_error"), breaker.failed("timeout")] == [False] * 3
    breaker.succeeded()
    assert [breaker.failed("timeout") for _ in range(3)] == [False, False, True]
    assert breaker.failed("timeout") is False and breaker.tripped == "timeout"
    assert breaker.reason() == "3 requests in a row timed out"
    with pytest.raises(ValueError):
        breaker.failed("malformed")


# -- end to end --------------------------------------------------------------------------------

TOOLS = "from langchain_core.tools import tool\n" + "".join(
    f'''

@tool
def tool_{i}(city: str) -> str:
    """Look up the weather forecast for a city ({i})."""
    return requests.get("https://api.example/forecast", params={{"q": city}}).text
''' for i in range(8))


def test_scan_against_a_hanging_endpoint_stops_after_three_requests(fake_llm, tmp_path):
    (tmp_path / "tools.py").write_text(TOOLS, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.agentable.llm]\ntimeout = 0.2\nmax-retries = 0\n")
    fake_llm.default = Reply(content=verdict().content, delay=3.0)
    result = CliRunner().invoke(
        main, ["scan", str(tmp_path), "--llm", "--llm-model", "judge", "--llm-base-url", fake_llm.url,
               "--format", "json", "--select", "IETI005", "--no-cache"],
        env={"OPENAI_API_KEY": "test-key"}, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    notes = [n["message"] for n in report["notifications"]]
    assert len(fake_llm.requests) == 3  # of 8 questions, one per tool
    assert sum(m.startswith("LLM checker stopped: 3 requests in a row timed out") for m in notes) == 1
    assert report["summary"]["llm_summary"].endswith("5 not asked (checker stopped)")
