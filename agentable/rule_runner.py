"""Run the rules over a project graph: in this process, or with `--jobs N` in forked workers.

Forked workers inherit the built graph (copy-on-write), so nothing but the findings crosses a
process boundary; sending the graph would cost more than the rules (measured: pickling the IR of
107k lines takes longer than lowering it). Rules are grouped by the facts they share, so that a
fact is computed in one worker only; the agent layer every rule needs is computed before the fork.
"""

from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Optional, Sequence

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
              rule_options: Optional[RuleOptions] = None, include_tests: bool = False) -> RuleResult:
    """Every rule's findings on `graph`; a rule that raises is reported as a notification. Each rule
    gets a context with `checker` (the offline checker when None), its entry of `rule_options` and
    `include_tests` (are findings in test code reported)."""
    checker = checker if checker is not None else offline_checker()
    shared = RuleContext.of(graph, checker, include_tests=include_tests)
    findings: list[Finding] = []
    notes: list[Notification] = []
    for rule_cls in rules:
        own = (rule_options or {}).get(rule_cls.meta.id)
        ctx = RuleContext.of(graph, checker, own, include_tests) if own else shared
        try:
            findings.extend(rule_cls().check(ctx))
        except Exception as exc:  # one broken rule must not hide the others' findings
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            notes.append(Notification(
                f"rule {rule_cls.meta.id} failed: {type(exc).__name__}: {exc} ({Path(tb.filename).name}:{tb.lineno})",
                "", "error", "rule"))
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


# Set in the parent, read by the workers: the graph, the rule groups, the checker, the options and
# include_tests.
_FORKED: Optional[tuple[ProjectGraph, list[list[type[Rule]]], "Checker", Optional[RuleOptions], bool]] = None


def _run_group(index: int) -> tuple[list[Finding], list[Notification], list[Notification]]:
    assert _FORKED is not None
    graph, groups, checker, rule_options, include_tests = _FORKED
    before = len(checker.notifications)
    findings, notes = run_rules(graph, groups[index], checker, rule_options, include_tests)
    return findings, notes, checker.notifications[before:]


def can_fork(checker: Optional["Checker"]) -> bool:
    """Forking is safe and useful: the platform forks, and no LLM checker with live connections,
    budgets and caches would be duplicated in the workers."""
    return "fork" in multiprocessing.get_all_start_methods() and not (checker is not None and checker.llm_active)


def run_rules_forked(graph: ProjectGraph, rules: Sequence[type[Rule]], jobs: int, checker: Optional["Checker"] = None,
                     rule_options: Optional[RuleOptions] = None, include_tests: bool = False) -> Optional[RuleResult]:
    """The rules' findings computed by `jobs` forked workers, or None when that cannot be done
    (then the caller runs them here)."""
    global _FORKED
    groups = rule_groups(rules, jobs)
    if len(groups) < 2 or not can_fork(checker):
        return None
    checker = checker if checker is not None else offline_checker()  # one for every worker
    agent = graph.agent
    _ = (agent.llm_calls, agent.tools, agent.loops)  # every rule's starting facts, computed once
    _FORKED = (graph, groups, checker, rule_options, include_tests)
    try:
        with multiprocessing.get_context("fork").Pool(len(groups)) as pool:
            parts = pool.map(_run_group, range(len(groups)), chunksize=1)
    except Exception:  # a worker died (out of memory, a signal): run them here instead
        return None
    finally:
        _FORKED = None
    findings: list[Finding] = []
    notes: list[Notification] = []
    for found, rule_notes, new_checker_notes in parts:
        findings.extend(found)
        notes.extend(rule_notes)
        checker.notifications.extend(new_checker_notes)
    return findings, notes
