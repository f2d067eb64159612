"""Baselines: hide accepted findings, keep new ones, read our own format and SARIF/JSON reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentable.baseline import apply_baseline, diff_counts, load_fingerprints, write_baseline
from agentable.findings import Finding, Severity, Span
from agentable.report import render
from agentable.report.fingerprint import assign_fingerprints
from agentable.scan_result import ScanResult

LINES = ["import json", "", "def run(client):", "    reply = client.chat('hi')", "    return json.loads(reply)"]


def _result(lines: list[str], *hits: tuple[str, int]) -> ScanResult:
    findings = [Finding(rule, f"{rule} message", Span("agent.py", line, 5, line, 20), Severity.ERROR)
                for rule, line in hits]
    result = ScanResult(root=Path("."), findings=findings, notifications=[], rules=[],
                        sources={"agent.py": lines})
    assign_fingerprints(result)
    return result


def test_baselined_findings_are_hidden_even_after_lines_move(tmp_path: Path) -> None:
    base = tmp_path / "agentable-baseline.json"
    doc = write_baseline(_result(LINES, ("LOPE001", 5), ("MNFT002", 4)), base)
    assert doc["version"] == 1 and doc["tool"] == "agentable"
    entry = next(iter(doc["fingerprints"].values()))
    assert set(entry) == {"rule", "file", "line", "message"}

    shifted = ["# a new comment on top", *LINES, "    print(json.loads(reply))"]
    later = _result(shifted, ("LOPE001", 6), ("MNFT002", 5), ("LOPE001", 7))
    apply_baseline(later, base)
    assert [(f.rule_id, f.span.line) for f in later.findings] == [("LOPE001", 7)]
    assert later.baseline_hidden == 2


@pytest.mark.parametrize("fmt", ["sarif", "json"])
def test_agentable_reports_work_as_baselines(tmp_path: Path, fmt: str) -> None:
    report = tmp_path / f"report.{fmt}"
    first = _result(LINES, ("LOPE001", 5))
    report.write_text(render(first, fmt), encoding="utf-8")
    assert load_fingerprints(report) == {first.findings[0].fingerprint}
    again = _result(LINES, ("LOPE001", 5), ("MNFT002", 4))
    apply_baseline(again, report)
    assert [f.rule_id for f in again.findings] == ["MNFT002"]


@pytest.mark.parametrize("content, needle", [
    (None, "does not exist"),
    ("{not json", "not valid JSON"),
    ('["a list"]', "not an agentable baseline"),
    ('{"version": 99, "fingerprints": {}}', "unsupported baseline version"),
])
def test_bad_baseline_files_raise_clear_errors(tmp_path: Path, content: str | None, needle: str) -> None:
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=needle):
        apply_baseline(_result(LINES, ("LOPE001", 5)), path)


def test_suppressed_findings_stay_out_of_a_new_baseline(tmp_path: Path) -> None:
    result = _result(LINES, ("LOPE001", 5), ("MNFT002", 4))
    result.findings[0].suppressed = True
    doc = write_baseline(result, tmp_path / "b.json")
    assert [e["rule"] for e in doc["fingerprints"].values()] == ["MNFT002"]
    assert json.loads((tmp_path / "b.json").read_text())["fingerprints"] == doc["fingerprints"]


def test_diff_counts() -> None:
    assert diff_counts({"a", "b"}, {"b", "c", "d"}) == (2, 1)
