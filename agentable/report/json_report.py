"""Machine-readable report: a stable, versioned JSON document (bump `version` on breaking changes)."""

from __future__ import annotations

import json
from collections import Counter

from agentable import __version__
from agentable.findings import Finding, Span
from agentable.report.common import (
    category_of,
    count_by_rule,
    count_by_severity,
    ordered,
    rules_by_id,
    snippet_of,
)
from agentable.rules.base import RuleMeta
from agentable.scan_result import ScanResult

FORMAT_VERSION = 1


def render_json(result: ScanResult) -> str:
    return json.dumps(build_json(result), indent=2, ensure_ascii=False) + "\n"


def build_json(result: ScanResult) -> dict[str, object]:
    rules = rules_by_id(result)
    findings = ordered(result.findings)
    return {
        "version": FORMAT_VERSION,
        "tool": {"name": "agentable", "version": __version__},
        "root": str(result.root),
        "summary": _summary(result, rules),
        "findings": [_finding(f, result, rules) for f in findings],
        "notifications": [
            {"level": n.level, "kind": n.kind, "path": n.path, "message": n.message}
            for n in sorted(result.notifications, key=lambda n: (n.path, n.kind, n.message))
        ],
    }


def _summary(result: ScanResult, rules: dict[str, RuleMeta]) -> dict[str, object]:
    """Counts of the active findings; suppressed ones are counted once, apart."""
    active = result.active
    by_category = Counter(category_of(f, rules) for f in active)
    return {
        "findings": len(active),
        "suppressed": len(result.findings) - len(active),
        "by_rule": dict(count_by_rule(active)),
        "by_category": dict(sorted(by_category.items())),
        "by_severity": count_by_severity(active),
        "files": result.files_scanned,
        "lines": result.lines_scanned,
        "duration_s": round(result.duration_s, 3),
        "llm_summary": result.llm_summary,
    }


def _span(span: Span) -> dict[str, int]:
    return {"line": span.line, "col": span.col, "end_line": span.end_line, "end_col": span.end_col}


def _finding(finding: Finding, result: ScanResult, rules: dict[str, RuleMeta]) -> dict[str, object]:
    meta = rules.get(finding.rule_id)
    return {
        "rule": finding.rule_id,
        "name": meta.name if meta else "",
        "category": category_of(finding, rules),
        "severity": finding.severity.label,
        "message": finding.message,
        "file": finding.span.path,
        "span": _span(finding.span),
        "snippet": snippet_of(finding, result.sources),
        "fingerprint": finding.fingerprint,
        "suppressed": finding.suppressed,
        "flow": [{"file": s.span.path, **_span(s.span), "message": s.message} for s in finding.flow],
        "checker_reason": finding.checker_reason,
    }
