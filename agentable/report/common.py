"""Small helpers shared by the text, JSON and SARIF writers."""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from agentable.findings import Finding, Severity, Span
from agentable.rules.base import RuleMeta
from agentable.scan_result import ScanResult


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in a total, deterministic order (path, position, rule, then the rest)."""
    return sorted(findings, key=lambda f: (*f.sort_key(), f.span.end_line, f.span.end_col, f.message))


def rules_by_id(result: ScanResult) -> dict[str, RuleMeta]:
    return {meta.id: meta for meta in result.rules}


def category_of(finding: Finding, rules: dict[str, RuleMeta]) -> str:
    meta = rules.get(finding.rule_id)
    return finding.category or (meta.category if meta else "")


def span_lines(span: Span, sources: dict[str, list[str]]) -> list[str]:
    """The source lines a span covers, without line ends; empty when the file is not loaded."""
    lines = sources.get(span.path) or []
    if not 1 <= span.line <= len(lines):
        return []
    last = min(max(span.end_line, span.line), len(lines))
    return [line.rstrip("\r\n") for line in lines[span.line - 1 : last]]


def snippet_of(finding: Finding, sources: dict[str, list[str]]) -> str:
    """The finding's snippet as the scanner filled it, else the covered source lines."""
    return finding.snippet or "\n".join(span_lines(finding.span, sources))


def count_by_rule(findings: Iterable[Finding]) -> list[tuple[str, int]]:
    """(rule id, count), most frequent first, ties by id (as ruff --statistics)."""
    counts = Counter(f.rule_id for f in findings)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    counts = Counter(f.severity for f in findings)
    return {sev.label: counts[sev] for sev in sorted(Severity, reverse=True)}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def full_message(finding: Finding) -> str:
    """The message as every format shows it, with the NL checker's reason when there is one."""
    if finding.checker_reason and finding.checker_reason.rstrip(".") not in finding.message:
        return f"{finding.message} (checker: {finding.checker_reason})"
    return finding.message
