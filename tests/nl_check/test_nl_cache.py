"""nl_check.cache: the verdict cache (keys, sealed files, corruption, other processes, threads)."""

from __future__ import annotations

import json
import threading

from agentable.nl_check.cache import VerdictCache, cache_key
from agentable.nl_check.questions import PromptParserQuestion, Verdict
from agentable.nl_check.templates import TEMPLATE_VERSION, prepare


def test_cache_key_depends_on_inputs_template_model_and_endpoint():
    q = prepare(PromptParserQuestion("p", "json.loads"))
    base = cache_key(q, TEMPLATE_VERSION, "m", "u")
    assert base == cache_key(prepare(PromptParserQuestion("p", "json.loads")), TEMPLATE_VERSION, "m", "u")
    others = {cache_key(prepare(PromptParserQuestion("p2", "json.loads")), TEMPLATE_VERSION, "m", "u"),
              cache_key(q, "other", "m", "u"), cache_key(q, TEMPLATE_VERSION, "m2", "u"),
              cache_key(q, TEMPLATE_VERSION, "m", "u2")}
    assert base not in others and len(others) == 4


def _stored(path):
    """The JSON inside a sealed verdict file (32 bytes of HMAC, then the payload)."""
    return json.loads(path.read_bytes()[32:])


def test_planted_verdicts_are_ignored(tmp_path):
    """A verdicts.json written by anyone but this installation (a scanned repository committing
    one into a folder the user chose as --cache-dir) is not believed."""
    planted = {"format": 2, "entries": {"k": {"answer": "yes", "confidence": 1.0, "reason": "planted"}}}
    for data in (json.dumps(planted).encode(), b"\0" * 32 + json.dumps(planted).encode()):
        (tmp_path / "verdicts.json").write_bytes(data)
        cache = VerdictCache(tmp_path)
        assert cache.get("k") is None
        assert "not written by this installation" in cache.notifications[0].message


def test_cache_round_trip_and_atomic_file(tmp_path):
    cache = VerdictCache(tmp_path / "nl")
    cache.put("k", Verdict("no", 0.7, "Because.", "llm"))
    cache.flush()
    assert _stored(tmp_path / "nl" / "verdicts.json")["entries"]["k"]["answer"] == "no"
    assert [p.name for p in (tmp_path / "nl").iterdir() if p.suffix == ".tmp"] == []
    again = VerdictCache(tmp_path / "nl").get("k")
    assert again == Verdict("no", 0.7, "Because.", "cache")


def test_corrupt_cache_starts_empty_with_a_notification(tmp_path):
    (tmp_path / "verdicts.json").write_text("{not json")
    cache = VerdictCache(tmp_path)
    assert cache.get("k") is None
    assert len(cache.notifications) == 1 and cache.notifications[0].kind == "llm"
    cache.put("k", Verdict("yes", 1, "r", "llm"))
    cache.flush()
    assert VerdictCache(tmp_path).get("k") is not None


def test_cache_merges_with_entries_written_by_another_process(tmp_path):
    a, b = VerdictCache(tmp_path), VerdictCache(tmp_path)
    a.put("a", Verdict("yes", 1, "r", "llm"))
    a.flush()
    b.put("b", Verdict("no", 1, "r", "llm"))
    b.flush()
    fresh = VerdictCache(tmp_path)
    assert fresh.get("a") is not None and fresh.get("b") is not None


def test_cache_is_thread_safe(tmp_path):
    cache = VerdictCache(tmp_path)

    def work(n: int) -> None:
        for i in range(50):
            cache.put(f"{n}-{i}", Verdict("yes", 1, "r", "llm"))
            if i % 10 == 0:
                cache.flush()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cache.flush()
    assert len(_stored(tmp_path / "verdicts.json")["entries"]) == 200
