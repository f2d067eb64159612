"""The JSON report and the `render` dispatcher."""

from __future__ import annotations

import json

import pytest
from report_data import AGENT, TOOL

from agentable import __version__
from agentable.report import assign_fingerprints, render
from agentable.report.json_report import render_json


def test_round_trip_and_top_level(result) -> None:
    doc = json.loads(render_json(result))
    assert list(doc) == ["version", "tool", "root", "summary", "findings", "notifications"]
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "agentable", "version": __version__}
    assert doc["root"] == "/srv/proj"


def test_summary_counts(result) -> None:
    summary = json.loads(render_json(result))["summary"]
    assert summary == {
        "findings": 3,
        "suppressed": 1,
        "by_rule": {"MNFT002": 2, "LOPE001": 1},
        "by_category": {"LOPE": 1, "MNFT": 2},
        "by_severity": {"error": 1, "warning": 2, "note": 0},
        "files": 2,
        "lines": 9,
        "duration_s": 0.25,
        "llm_summary": "",
    }


def test_finding_fields(result) -> None:
    assign_fingerprints(result)
    findings = json.loads(render_json(result))["findings"]
    assert [(f["file"], f["span"]["line"]) for f in findings] == [(TOOL, 2), (TOOL, 3), (AGENT, 4), (AGENT, 5)]
    parse = findings[3]
    assert parse == {
        "rule": "LOPE001",
        "name": "unguarded-json-parse-of-llm-output",
        "category": "LOPE",
        "severity": "error",
        "message": "Model output parsed with json.loads without a guard",
        "file": AGENT,
        "span": {"line": 5, "col": 12, "end_line": 5, "end_col": 29},
        "snippet": "    data = json.loads(reply)",
        "fingerprint": result.findings[3].fingerprint,
        "suppressed": False,
        "flow": [
            {"file": AGENT, "line": 4, "col": 5, "end_line": 4, "end_col": 10, "message": "reply comes from the model"},
            {"file": AGENT, "line": 5, "col": 23, "end_line": 5, "end_col": 28, "message": "reply is parsed here"},
        ],
        "checker_reason": "the prompt asks for free text",
    }
    assert parse["fingerprint"].endswith(":1")
    assert findings[1]["suppressed"] is True
    assert findings[0]["snippet"] == '    résumé = llm("résumé: 你好")'


def test_notifications(result) -> None:
    notes = json.loads(render_json(result))["notifications"]
    assert notes == [
        {"level": "note", "kind": "llm", "path": "", "message": "LLM endpoint unreachable"},
        {"level": "warning", "kind": "parse", "path": "broken.py", "message": "could not parse file"},
    ]


def test_output_is_deterministic(result) -> None:
    shuffled = type(result)(**{**result.__dict__, "findings": list(reversed(result.findings))})
    assert render_json(result) == render_json(shuffled)
    assert "résumé" in render_json(result)


def test_render_dispatches(result) -> None:
    assert render(result, "json") == render_json(result)
    assert json.loads(render(result, "sarif"))["version"] == "2.1.0"
    assert render(result, "text", statistics=True).startswith("  2  MNFT002")
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render(result, "xml")
