"""Rules in forked workers (--jobs): same findings as in one process, every rule run once,
a crashing rule reported, and a fallback where forking is not possible."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest

from agentable.config import Config
from agentable.findings import Finding
from agentable.rule_runner import FAMILIES, rule_groups
from agentable.rules import all_rules
from agentable.scan import ScanOptions, scan

DATASET = Path(__file__).parent.parent / "datasets" / "agenttest"
needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")


def _key(f: Finding) -> tuple:
    return (f.rule_id, f.span.path, f.span.line, f.span.col, f.message, f.fingerprint)


@pytest.mark.parametrize("jobs", [1, 2, 3, 5, 64])
def test_groups_hold_every_rule_once(jobs: int) -> None:
    rules = all_rules()
    groups = rule_groups(rules, jobs)
    assert 1 <= len(groups) <= jobs
    assert all(groups)
    flat = [r for g in groups for r in g]
    assert sorted(r.meta.id for r in flat) == sorted(r.meta.id for r in rules)


def test_three_jobs_keep_each_family_of_shared_facts_together() -> None:
    groups = rule_groups(all_rules(), 3)
    cats = sorted(sorted({r.meta.category for r in g}) for g in groups)
    assert cats == sorted(sorted(fam) for fam in FAMILIES)


@needs_fork
def test_forked_rules_find_exactly_what_one_process_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import agentable.scan as scan_module

    ran_forked: list[bool] = []
    real = scan_module.run_rules_forked

    def spy(graph, rules, jobs):  # type: ignore[no-untyped-def]
        out = real(graph, rules, jobs)
        ran_forked.append(out is not None)
        return out

    monkeypatch.setattr(scan_module, "run_rules_forked", spy)
    project = tmp_path / "agents"
    shutil.copytree(DATASET, project, ignore=shutil.ignore_patterns("labels.json", "README.md"))
    serial = scan([project], Config(), ScanOptions(jobs=1))
    forked = scan([project], Config(), ScanOptions(jobs=2))
    assert ran_forked == [True]
    assert len(serial.findings) > 50  # the dataset is full of defects
    assert sorted(map(_key, forked.findings)) == sorted(map(_key, serial.findings))
    assert not any(n.kind == "rule" for n in forked.notifications)


@needs_fork
def test_a_rule_that_crashes_in_a_worker_is_reported_and_the_others_still_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentable.rules.lope001_unguarded_parse import UnguardedParse

    def boom(self, graph):  # type: ignore[no-untyped-def]
        raise RuntimeError("kaboom")

    monkeypatch.setattr(UnguardedParse, "check", boom)
    (tmp_path / "agent.py").write_text(
        "import json\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef extract(text):\n"
        "    r = client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': text}])\n"
        "    data = json.loads(r.choices[0].message.content)\n    return data\n\n\n"
        "def loop(q):\n    while True:\n        print(extract(q))\n", encoding="utf-8")
    result = scan([tmp_path], Config(), ScanOptions(jobs=2))
    failed = [n.message for n in result.notifications if n.kind == "rule"]
    assert len(failed) == 1 and "LOPE001" in failed[0] and "kaboom" in failed[0]
    assert "MNFT003" in {f.rule_id for f in result.findings}  # another worker's rule


def test_without_fork_the_rules_run_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    contexts: list[str] = []
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: contexts.append(method))
    project = tmp_path / "agents"
    shutil.copytree(DATASET / sorted(p.name for p in DATASET.iterdir() if p.is_dir())[0], project)
    assert sorted(map(_key, scan([project], Config(), ScanOptions(jobs=2)).findings)) == \
        sorted(map(_key, scan([project], Config(), ScanOptions(jobs=1)).findings))
    assert contexts == []  # no worker was started
