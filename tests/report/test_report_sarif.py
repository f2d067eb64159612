"""SARIF output: schema-valid, and shaped the way GitHub code scanning needs it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from report_data import AGENT, JSON_RULE, SOURCES, make_result

from agentable import __version__
from agentable.findings import Finding, FlowStep, Severity, Span
from agentable.report import sarif
from agentable.report.fingerprint import line_hash
from agentable.report.sarif import build_sarif, render_sarif

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "tests/data/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
MULTITOOL = REPO / ".ci/.node/node_modules/.bin/sarif-multitool"


def schema_errors(log: dict) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in jsonschema.Draft4Validator(SCHEMA).iter_errors(log)]


@pytest.fixture
def run(result) -> dict:
    return build_sarif(result)["runs"][0]


def result_for(run: dict, rule_id: str, uri: str) -> dict:
    [found] = [
        r for r in run["results"]
        if r["ruleId"] == rule_id and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri
    ]
    return found


def test_log_validates_against_oasis_schema(result) -> None:
    log = build_sarif(result)
    assert schema_errors(log) == []
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert list(log) == ["$schema", "version", "runs"]


def test_schema_check_can_fail(result) -> None:
    log = build_sarif(result)
    del log["runs"][0]["results"][0]["message"]
    assert schema_errors(log)


def test_render_is_the_same_json(result) -> None:
    text = render_sarif(result)
    assert json.loads(text) == build_sarif(make_result())
    assert "résumé" in text  # not \u-escaped


def test_driver_and_rules(run) -> None:
    driver = run["tool"]["driver"]
    assert driver["name"] == "agentable"
    assert driver["semanticVersion"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == ["ALS001", "LOPE001", "MNFT002"]
    for rule in driver["rules"]:
        assert rule["name"] != rule["id"]
        assert rule["shortDescription"]["text"] and len(rule["shortDescription"]["text"]) <= 1024
        assert rule["fullDescription"]["text"] and len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert len(rule["properties"]["tags"]) <= 20
    lope = driver["rules"][1]
    assert lope["name"] == "unguarded-json-parse-of-llm-output"
    assert lope["defaultConfiguration"] == {"level": "error"}
    assert lope["properties"] == {
        "tags": ["LOPE", "agent", "json", "parsing"],
        "precision": "high",
        "problem.severity": "error",
    }
    assert driver["rules"][0]["properties"]["problem.severity"] == "recommendation"
    assert driver["rules"][0]["defaultConfiguration"] == {"level": "note"}
    assert driver["rules"][2]["properties"]["precision"] == "medium"


def test_help_markdown_has_fix_and_fenced_examples(run) -> None:
    markdown = run["tool"]["driver"]["rules"][1]["help"]["markdown"]
    assert markdown.startswith(JSON_RULE.full)
    assert "**Fix:** Wrap the parse in try/except" in markdown
    assert "**Bad:**\n\n```python\ndata = json.loads(reply)\n```" in markdown
    assert "```python\ntry:\n    data = json.loads(reply)\nexcept json.JSONDecodeError:" in markdown
    text = run["tool"]["driver"]["rules"][1]["help"]["text"]
    assert "Fix: Wrap the parse" in text and "Bad:\n    data = json.loads(reply)" in text


def test_rule_index_points_at_the_rule(run) -> None:
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == 4
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    assert {r["ruleIndex"] for r in run["results"]} == {1, 2}


def test_result_location_is_relative_and_one_based(run) -> None:
    res = result_for(run, "MNFT002", "my%20dir/tool%20%C3%BC.py")
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "my%20dir/tool%20%C3%BC.py", "uriBaseId": "%SRCROOT%"}
    # `llm("résumé: 你好")` starts at character 14; the end column is exclusive.
    assert loc["region"] == {
        "startLine": 2, "startColumn": 14, "endLine": 2, "endColumn": 31,
        "snippet": {"text": 'llm("résumé: 你好")'},
    }
    assert res["level"] == "warning"  # kept explicitly: the rule default could differ
    assert res["message"] == {"text": "LLM call without retry"}
    for r in run["results"]:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "file:")) and "\\" not in uri and " " not in uri
        region = r["locations"][0]["physicalLocation"]["region"]
        assert min(region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) >= 1
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///srv/proj/"}}
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["automationDetails"] == {"id": "agentable/"}


def test_partial_fingerprints(result) -> None:
    run = build_sarif(result)["runs"][0]
    res = result_for(run, "LOPE001", AGENT)
    parse = next(f for f in result.findings if f.rule_id == "LOPE001" and f.span.path == AGENT)
    assert res["partialFingerprints"] == {
        "agentable/v1": parse.fingerprint,
        "primaryLocationLineHash": line_hash(SOURCES[AGENT], 5),
    }
    assert parse.fingerprint.endswith(":1") and len(parse.fingerprint) == 34
    assert all(r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"])


def test_message_carries_checker_reason_and_flow(run) -> None:
    res = result_for(run, "LOPE001", AGENT)
    assert res["message"]["text"] == (
        "Model output parsed with json.loads without a guard (checker: the prompt asks for free text)"
    )
    [flow] = res["codeFlows"]
    [thread] = flow["threadFlows"]
    steps = [
        (step["location"]["message"]["text"], step["location"]["physicalLocation"]["region"])
        for step in thread["locations"]
    ]
    assert steps == [
        ("reply comes from the model", {"startLine": 4, "startColumn": 5, "endLine": 4, "endColumn": 10}),
        ("reply is parsed here", {"startLine": 5, "startColumn": 23, "endLine": 5, "endColumn": 28}),
    ]
    assert "codeFlows" not in result_for(run, "MNFT002", AGENT)


def test_suppressed_finding_is_emitted_with_suppression(run) -> None:
    res = result_for(run, "LOPE001", "my%20dir/tool%20%C3%BC.py")
    assert res["suppressions"] == [{"kind": "inSource"}]
    assert sum("suppressions" in r for r in run["results"]) == 1
    assert not any("fixes" in r for r in run["results"])


def test_invocation_and_notifications(run) -> None:
    [inv] = run["invocations"]
    assert inv["executionSuccessful"] is True
    assert inv["workingDirectory"]["uri"].startswith("file:///") and inv["workingDirectory"]["uri"].endswith("/")
    parse, llm = inv["toolExecutionNotifications"]
    assert parse == {
        "message": {"text": "could not parse file"},
        "descriptor": {"id": "parse"},
        "level": "warning",
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "broken.py", "uriBaseId": "%SRCROOT%"}}}],
    }
    assert llm["level"] == "note" and "locations" not in llm


def test_result_limit_drops_lowest_severity_first(monkeypatch) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    findings = [
        Finding("MNFT002", "note", Span(AGENT, 1, 1, 1, 2), Severity.NOTE),
        Finding("LOPE001", "error", Span(AGENT, 2, 1, 2, 2), Severity.ERROR),
        Finding("LOPE001", "suppressed error", Span(AGENT, 3, 1, 3, 2), Severity.ERROR, suppressed=True),
        Finding("MNFT002", "warning", Span(AGENT, 4, 1, 4, 2), Severity.WARNING),
    ]
    log = build_sarif(make_result(findings=findings))
    run = log["runs"][0]
    assert [r["message"]["text"] for r in run["results"]] == ["error", "warning"]
    last = run["invocations"][0]["toolExecutionNotifications"][-1]
    assert last["message"]["text"].startswith("2 results were left out")
    assert last["descriptor"] == {"id": "report"}
    assert schema_errors(log) == []


def test_flow_and_tag_limits(monkeypatch) -> None:
    monkeypatch.setattr(sarif, "MAX_FLOW_LOCATIONS", 3)
    steps = tuple(FlowStep(Span(AGENT, 1, 1, 1, 2), f"step {i}") for i in range(5))
    finding = Finding("LOPE001", "m", Span(AGENT, 5, 12, 5, 29), Severity.ERROR, flow=steps)
    many_tags = JSON_RULE.__class__(**{**JSON_RULE.__dict__, "tags": tuple(f"t{i}" for i in range(30))})
    run = build_sarif(make_result(findings=[finding], rules=[many_tags]))["runs"][0]
    locations = run["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in locations] == ["step 0", "step 1", "step 2"]
    tags = run["tool"]["driver"]["rules"][0]["properties"]["tags"]
    assert len(tags) == 20 and tags[:3] == ["LOPE", "agent", "t0"]


def test_unknown_rule_gets_a_stub_descriptor() -> None:
    finding = Finding("XYZ999", "m", Span(AGENT, 5, 12, 5, 29), Severity.WARNING, category="LARD")
    log = build_sarif(make_result(findings=[finding]))
    run = log["runs"][0]
    stub = run["tool"]["driver"]["rules"][-1]
    assert stub["id"] == "XYZ999" and stub["name"] == "rule-xyz999"
    assert run["results"][0]["ruleIndex"] == len(run["tool"]["driver"]["rules"]) - 1
    assert schema_errors(log) == []


def test_empty_scan_is_valid() -> None:
    log = build_sarif(make_result(findings=[], notifications=[], sources={}))
    run = log["runs"][0]
    assert run["results"] == []
    assert "toolExecutionNotifications" not in run["invocations"][0]
    assert schema_errors(log) == []


def _multitool(path) -> subprocess.CompletedProcess:
    """Run Microsoft's SARIF Multitool, installing it from npm on first use (CI does this too)."""
    if not MULTITOOL.exists() and shutil.which("npm") is None:
        pytest.skip("neither the Multitool nor npm is available")
    proc = subprocess.run([str(REPO / ".ci/sarif_multitool.sh"), str(path)], capture_output=True, text=True, timeout=300)
    if proc.returncode == 2 and not MULTITOOL.exists():
        pytest.skip(f"could not install the Multitool from npm: {proc.stderr[-500:]}")
    return proc


def _assert_clean(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ": error " not in proc.stdout and ": warning " not in proc.stdout
    assert "Analysis completed successfully." in proc.stdout


def test_sarif_multitool_reports_nothing(result, tmp_path) -> None:
    path = tmp_path / "out.sarif"
    path.write_text(render_sarif(result), encoding="utf-8")
    _assert_clean(_multitool(path))


def test_sarif_of_a_real_scan_passes_the_multitool_and_the_schema(tmp_path) -> None:
    from agentable.config import Config
    from agentable.scan import scan

    res = scan([REPO / "datasets" / "examples" / "support_agent"], Config())
    assert res.active, "the bundled example has findings"
    log = build_sarif(res)
    assert schema_errors(log) == []
    path = tmp_path / "scan.sarif"
    path.write_text(render_sarif(res), encoding="utf-8")
    _assert_clean(_multitool(path))
