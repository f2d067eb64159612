"""Run the rules over a project graph: in this process, or with `--jobs N` in forked workers.

Forked workers inherit the built graph (copy-on-write), so nothing but the findings crosses a
process boundary; sending the graph would cost more than the rules (measured: pickling the IR of
107k lines takes longer than lowering it). The agent layer every rule needs is computed before the
fork. Each worker starts on a queue of rules that share facts (a family group, slowest rules
first), so that a fact is mostly computed in one worker only; a worker whose queue is empty takes
the last rule of the fullest other queue. The cost of a rule depends on the project (on 10 copies
of datasets/agenttest one rule, IETI005, took more CPU than the other 49; on autogen two EPDD rules
took half), so fixed groups left one worker idle for most of the run.
"""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from pathlib import Path
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence

from agentable.cpg.project import ProjectGraph
from agentable.findings import Finding, Notification
from agentable.rules.base import Rule, RuleContext, offline_checker

if TYPE_CHECKING:
    from agentable.nl_check import Checker

# Categories whose rules share query facts: model text and its protocol; tools and their calls;
# models, SDK APIs and dependency declarations.
FAMILIES: tuple[tuple[str, ...], ...] = (("LOPE", "ALS"), ("MNFT", "IETI", "TRE"), ("LARD", "ADAL", "EPDD"))

RuleResult = tuple[list[Finding], list[Notification]]
# Per-rule options, by rule id: what each rule finds in `ctx.options`.
RuleOptions = Mapping[str, Mapping[str, object]]


def run_rules(graph: ProjectGraph, rules: Iterable[type[Rule]], checker: Optional["Checker"] = None,
              rule_options: Optional[RuleOptions] = None, include_tests: bool = False,
              report_only: Optional[frozenset[str]] = None) -> RuleResult:
    """Every rule's findings on `graph`; a rule that raises is reported as a notification. Each rule
    gets a context with `checker` (the offline checker when None), its entry of `rule_options`,
    `include_tests` (are findings in test code reported) and `report_only` (the only paths where
    findings are reported; None: everywhere).

    The scan runs the rules with the cyclic collector paused (`scan.gc_paused`), and the queries
    drop cycles as they go (a recursive closure and its cell, with the sets it captured): on 10
    copies of datasets/agenttest, 21 MB of garbage at the end of the rules. Here they are collected
    after each rule, from the objects allocated since the last collection only (the youngest
    generation), so each object is looked at once: what outlives a rule (the memoised facts)
    moves to an older generation and is not traversed again."""
    checker = checker if checker is not None else offline_checker()
    shared = RuleContext.of(graph, checker, include_tests=include_tests, report_only=report_only)
    findings: list[Finding] = []
    notes: list[Notification] = []
    paused = not gc.isenabled()
    if paused:  # the graph and the IR are never garbage: no collection below walks them
        gc.freeze()
    for rule_cls in rules:
        own = (rule_options or {}).get(rule_cls.meta.id)
        ctx = RuleContext.of(graph, checker, own, include_tests, report_only) if own else shared
        try:
            findings.extend(rule_cls().check(ctx))
        except Exception as exc:  # one broken rule must not hide the others' findings
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            notes.append(Notification(
                f"rule {rule_cls.meta.id} failed: {type(exc).__name__}: {exc} ({Path(tb.filename).name}:{tb.lineno})",
                "", "error", "rule"))
        if paused:  # the cycles this rule dropped (see above)
            gc.collect(0)
    return findings, notes


def ran_out_of_stack(note: Notification) -> bool:
    """A rule failure of run_rules that is a RecursionError: code nested too deep for the stack."""
    return note.kind == "rule" and ": RecursionError: " in note.message


def rule_groups(rules: Sequence[type[Rule]], jobs: int) -> list[list[type[Rule]]]:
    """At most `jobs` non-empty groups: whole families while there are more jobs than families'
    worth, merging the smallest groups when there are fewer jobs, splitting families by category
    when there are more."""
    by_cat: dict[str, list[type[Rule]]] = {}
    for r in rules:
        by_cat.setdefault(r.meta.category, []).append(r)
    known = {c for fam in FAMILIES for c in fam}
    families = [[c for c in fam if c in by_cat] for fam in FAMILIES]
    families += [[c] for c in sorted(by_cat) if c not in known]
    families = [f for f in families if f]
    while len(families) < jobs and any(len(f) > 1 for f in families):
        big = max((f for f in families if len(f) > 1), key=lambda f: sum(len(by_cat[c]) for c in f))
        families.remove(big)
        families += [big[: len(big) // 2], big[len(big) // 2:]]
    groups = [[r for c in fam for r in by_cat[c]] for fam in families]
    while len(groups) > jobs:
        groups.sort(key=len)
        smallest = groups.pop(0)
        groups[0] = smallest + groups[0]
    return groups


# Rules that measured slowest on the benchmarks (bench_scale.py copies, large real repositories):
# a worker starts with them, so that what is left for the end, and for stealing, is small.
SLOW_FIRST: tuple[str, ...] = ("IETI005", "EPDD001", "EPDD002", "ALS002", "LARD009", "EPDD003")


def _slow_first(group: list[type[Rule]]) -> list[type[Rule]]:
    rank = {rid: i for i, rid in enumerate(SLOW_FIRST)}
    return sorted(group, key=lambda r: rank.get(r.meta.id, len(rank)))  # stable: the rest keep their order


@dataclass
class _Shared:
    """Set in the parent before the fork, inherited by the workers: the graph, the queues of rules
    (one per worker, each a family group, slowest first), the next and the end position of each
    queue in shared memory, and the checker and options."""

    graph: ProjectGraph
    queues: list[list[type[Rule]]]
    bounds: Any  # multiprocessing Array of ints: head of queue i at 2i, end (exclusive) at 2i+1
    lock: Any
    checker: "Checker"
    rule_options: Optional[RuleOptions]
    include_tests: bool = False
    report_only: Optional[frozenset[str]] = None


_FORKED: Optional[_Shared] = None

# One rule's results out of a worker: (queue, position, findings, notes, checker notes).
_Done = tuple[int, int, list[Finding], list[Notification], list[Notification]]


def _next_rule(shared: _Shared, own: int) -> Optional[tuple[int, int]]:
    """(queue, position) of the next rule for the worker that owns queue `own`: the head of its own
    queue, else the last rule of the queue with the most left (work stealing: a worker whose
    family turned out cheap on this project takes over the other's remaining rules, the cheapest
    first, so no worker idles while rules are left), else None."""
    b = shared.bounds
    with shared.lock:
        if b[2 * own] < b[2 * own + 1]:
            b[2 * own] += 1
            return own, b[2 * own] - 1
        left = [(b[2 * q + 1] - b[2 * q], q) for q in range(len(shared.queues))]
        most, q = max(left)
        if most <= 0:
            return None
        b[2 * q + 1] -= 1
        return q, b[2 * q + 1]


def _run_queue(own: int) -> list[_Done]:
    shared = _FORKED
    assert shared is not None
    done: list[_Done] = []
    while (task := _next_rule(shared, own)) is not None:
        q, i = task
        before = len(shared.checker.notifications)
        findings, notes = run_rules(shared.graph, [shared.queues[q][i]], shared.checker, shared.rule_options,
                                    shared.include_tests, shared.report_only)
        done.append((q, i, findings, notes, shared.checker.notifications[before:]))
    return done


def can_fork(checker: Optional["Checker"]) -> bool:
    """Forking is safe and useful: the platform forks, and no LLM checker with live connections,
    budgets and caches would be duplicated in the workers."""
    return "fork" in multiprocessing.get_all_start_methods() and not (checker is not None and checker.llm_active)


def run_rules_forked(graph: ProjectGraph, rules: Sequence[type[Rule]], jobs: int, checker: Optional["Checker"] = None,
                     rule_options: Optional[RuleOptions] = None, include_tests: bool = False,
                     report_only: Optional[frozenset[str]] = None) -> Optional[RuleResult]:
    """The rules' findings computed by `jobs` forked workers, or None when that cannot be done
    (then the caller runs them here)."""
    global _FORKED
    queues = [_slow_first(g) for g in rule_groups(rules, jobs)]
    if len(queues) < 2 or not can_fork(checker):
        return None
    checker = checker if checker is not None else offline_checker()  # one for every worker
    agent = graph.agent
    _ = (agent.llm_calls, agent.tools, agent.loops)  # every rule's starting facts, computed once
    ctx = multiprocessing.get_context("fork")
    bounds = ctx.Array("i", [n for q in queues for n in (0, len(q))], lock=False)
    _FORKED = _Shared(graph, queues, bounds, ctx.Lock(), checker, rule_options, include_tests, report_only)
    try:
        with ctx.Pool(len(queues)) as pool:
            parts = pool.map(_run_queue, range(len(queues)), chunksize=1)
    except Exception:  # a worker died (out of memory, a signal): run them here instead
        return None
    finally:
        _FORKED = None
    # In the order of `rules`, whichever worker ran each: the same order as in one process.
    order = {r: i for i, r in enumerate(rules)}
    ran = sorted((d for part in parts for d in part), key=lambda d: order[queues[d[0]][d[1]]])
    findings: list[Finding] = []
    notes: list[Notification] = []
    for _q, _i, found, rule_notes, new_checker_notes in ran:
        findings.extend(found)
        notes.extend(rule_notes)
        checker.notifications.extend(new_checker_notes)
    return findings, notes
