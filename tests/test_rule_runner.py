"""Rules in forked workers (--jobs): same findings as in one process, every rule run once,
a crashing rule reported, and a fallback where forking is not possible. The context every rule's
`check` gets: the graph, the catalog, a checker (always) and the rule's own options."""

from __future__ import annotations

import gc
import multiprocessing
import shutil
import weakref
from pathlib import Path
from typing import Iterable

import pytest

from agentable.config import Config
from agentable.cpg.project import ProjectGraph
from agentable.findings import Finding, Severity
from agentable.rule_runner import FAMILIES, rule_groups, run_rules, run_rules_forked
from agentable.rules import all_rules
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.scan import ScanOptions, scan
from tests.conftest import graph_of

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

    def spy(graph, rules, jobs, *args, **kwargs):  # type: ignore[no-untyped-def]
        out = real(graph, rules, jobs, *args, **kwargs)
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

    def boom(self, ctx):  # type: ignore[no-untyped-def]
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


class _Probe(Rule):
    """Records the context it is given; finds nothing."""

    meta = RuleMeta(id="TRE990", name="context-probe", category="TRE", severity=Severity.NOTE, short="probe",
                    full="probe", bad_example="", good_example="", fix="")
    seen: list[RuleContext] = []

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        type(self).seen.append(ctx)
        return ()


class _Held:
    pass


class _CycleMaker(Rule):
    """Drops a cycle (a recursive closure and its cell) holding an object, as queries do."""

    meta = RuleMeta(id="TRE991", name="cycle-maker", category="TRE", severity=Severity.NOTE, short="cycle",
                    full="cycle", bad_example="", good_example="", fix="")
    dropped: list[weakref.ref] = []

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        held = _Held()

        def visit(n: int) -> _Held:
            return held if n <= 0 else visit(n - 1)

        visit(1)
        type(self).dropped.append(weakref.ref(held))
        return ()


def test_the_cycles_a_rule_drops_are_collected_while_the_scan_pauses_the_collector() -> None:
    _CycleMaker.dropped = []
    graph = _graph()
    enabled = gc.isenabled()
    gc.disable()  # as scan.gc_paused does
    try:
        run_rules(graph, [_CycleMaker])
        assert len(_CycleMaker.dropped) == 1 and _CycleMaker.dropped[0]() is None
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _graph() -> ProjectGraph:
    return graph_of({"agent.py": "def f(text):\n    return text\n"})


def test_a_rule_gets_the_graph_the_catalog_and_an_offline_checker_by_default() -> None:
    _Probe.seen = []
    graph = _graph()
    assert run_rules(graph, [_Probe]) == ([], [])
    (ctx,) = _Probe.seen
    assert ctx.graph is graph and ctx.catalog is graph.catalog
    assert not ctx.checker.llm_active  # the deterministic checker: no rule tests for None
    assert dict(ctx.options) == {}
    assert ctx.include_tests is False  # as a scan without --include-tests


def test_a_scan_tells_every_rule_whether_test_code_findings_are_reported(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import agentable.scan as scan_module

    monkeypatch.setattr(scan_module, "all_rules", lambda: [_Probe])
    (tmp_path / "agent.py").write_text("def f(text):\n    return text\n", encoding="utf-8")
    seen = []
    for include in (False, True):
        _Probe.seen = []
        scan([tmp_path], Config(include_tests=include), ScanOptions(jobs=1))
        seen += [ctx.include_tests for ctx in _Probe.seen]
    assert seen == [False, True]


def test_a_rule_gets_the_checker_it_is_given_and_its_own_options() -> None:
    from agentable.nl_check import Checker

    _Probe.seen = []
    checker = Checker()
    options = {"TRE990": {"max-depth": 3}, "LOPE001": {"other": True}}
    run_rules(_graph(), [_Probe], checker, options)
    (ctx,) = _Probe.seen
    assert ctx.checker is checker
    assert dict(ctx.options) == {"max-depth": 3}
    with pytest.raises(TypeError):  # read-only: one rule cannot change what the next one sees
        ctx.options["max-depth"] = 4  # type: ignore[index]


@needs_fork
def test_forked_workers_hand_each_rule_its_options() -> None:
    from agentable.rules.lope001_unguarded_parse import UnguardedParse

    class Reporter(_Probe):  # a finding carries the options the rule saw, out of the worker
        def check(self, ctx: RuleContext) -> Iterable[Finding]:
            yield self.finding(ctx, "agent.py", (1, 0, 1, 3), "options", options=dict(ctx.options))

    found, notes = run_rules_forked(_graph(), [Reporter, UnguardedParse], 2, None,
                                    {"TRE990": {"limit": 7}})  # type: ignore[list-item]
    assert notes == []
    seen = [f.extra["options"] for f in found if f.rule_id == "TRE990"]
    assert seen == [{"limit": 7}]


@needs_fork
def test_forked_workers_hand_each_rule_the_include_tests_flag() -> None:
    from agentable.rules.lope001_unguarded_parse import UnguardedParse

    class Reporter(_Probe):
        def check(self, ctx: RuleContext) -> Iterable[Finding]:
            yield self.finding(ctx, "agent.py", (1, 0, 1, 3), "flag", include_tests=ctx.include_tests)

    for include in (False, True):
        result = run_rules_forked(_graph(), [Reporter, UnguardedParse], 2,  # type: ignore[list-item]
                                  include_tests=include)
        assert result is not None
        assert [f.extra["include_tests"] for f in result[0] if f.rule_id == "TRE990"] == [include]


def test_work_stealing_hands_out_every_rule_once_own_queue_first() -> None:
    import threading

    from agentable.rule_runner import _next_rule, _Shared

    queues: list[list] = [[object()] * 5, [object()], [object()] * 3]
    bounds = [n for q in queues for n in (0, len(q))]
    shared = _Shared(None, queues, bounds, threading.Lock(), None, None)  # type: ignore[arg-type]
    taken: dict[int, list[tuple[int, int]]] = {0: [], 1: [], 2: []}
    for worker in [1, 1, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2]:  # worker 1 runs out first
        task = _next_rule(shared, worker)
        if task is not None:
            taken[worker].append(task)
    flat = sorted(t for ts in taken.values() for t in ts)
    assert flat == sorted((q, i) for q, rules in enumerate(queues) for i in range(len(rules)))
    assert taken[1][0] == (1, 0)  # its own queue first
    assert taken[1][1:3] == [(0, 4), (0, 3)]  # then the tail of the fullest queue, (0) with 5
    assert taken[0] == [(0, 0), (0, 1)]  # its heads, in order; the others took (0, 2) to (0, 4)
    assert taken[2] == [(2, 0), (2, 1)] and (2, 2) in taken[1]
    assert _next_rule(shared, 0) is None


@needs_fork
def test_a_worker_that_ran_out_of_rules_takes_over_the_rest_of_another_queue(tmp_path: Path) -> None:
    """The first rule of one queue waits until the second rule of the same queue has run: only
    the other worker, whose own queue holds one rule, can run it (a timeout keeps a failure from
    hanging the suite)."""
    import time

    marker = tmp_path / "second-ran"

    class Waits(_Probe):
        meta = RuleMeta(id="LOPE990", name="waits", category="LOPE", severity=Severity.NOTE, short="w", full="w",
                        bad_example="", good_example="", fix="")

        def check(self, ctx: RuleContext) -> Iterable[Finding]:
            deadline = time.monotonic() + 60
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            yield self.finding(ctx, "agent.py", (1, 0, 1, 3), "saw it" if marker.exists() else "alone")

    class Second(_Probe):
        meta = RuleMeta(id="ALS990", name="second", category="ALS", severity=Severity.NOTE, short="s", full="s",
                        bad_example="", good_example="", fix="")

        def check(self, ctx: RuleContext) -> Iterable[Finding]:
            marker.write_text("x")
            return ()

    class Other(_Probe):
        meta = RuleMeta(id="MNFT990", name="other", category="MNFT", severity=Severity.NOTE, short="o", full="o",
                        bad_example="", good_example="", fix="")

    rules = [Waits, Second, Other]
    assert [[r.meta.id for r in g] for g in rule_groups(rules, 2)] == [["LOPE990", "ALS990"], ["MNFT990"]]
    found, notes = run_rules_forked(_graph(), rules, 2)  # type: ignore[misc]
    assert notes == []
    assert [f.message for f in found] == ["saw it"]
