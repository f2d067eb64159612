"""The command line end to end with click's CliRunner: exit codes, commands, suppressions,
output formats, baselines and the pre-commit style "named files" mode; every bad input gets one
clear line and the documented exit code (2), never a traceback; and a sub-folder scan agrees with
a scan of its project."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from agentable import __version__
from agentable import scan as scan_module
from agentable.cli import main

# An openai v1 reply read as a dict (LARD004: v1 returns objects) and parsed with no guard.
DEFECTIVE = """\
import json

from openai import OpenAI

client = OpenAI()


def extract(text: str) -> dict:
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"Return JSON with the fields of: {text}"}],
    )
    return json.loads(response["choices"][0]["message"]["content"])
"""
CLEAN = "def add(a: int, b: int) -> int:\n    return a + b\n"
PARSE_LINE = '    return json.loads(response["choices"][0]["message"]["content"])'
RULE = "LARD004"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def scan_json(*args: str | Path) -> dict:
    res = run("scan", "--format", "json", "--no-cache", "--quiet", *args)
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0.1"\n')
    (proj / "agent.py").write_text(DEFECTIVE)
    (proj / "util.py").write_text(CLEAN)
    return proj


@pytest.fixture
def rule(project: Path) -> str:
    """The rule the defective file trips, checked once per test."""
    rules = {f["rule"] for f in scan_json(project)["findings"] if f["file"] == "agent.py" and f["span"]["line"] == 13}
    assert RULE in rules, rules
    return RULE


# ----------------------------------------------------------------------------- plain commands


def test_version() -> None:
    res = run("--version")
    assert res.exit_code == 0
    assert res.stdout.strip() == f"agentable {__version__}"


def test_python_dash_m_runs_the_same_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "agent.py").write_text(DEFECTIVE)
    res = subprocess.run([sys.executable, "-m", "agentable", "scan", str(tmp_path), "--no-cache", "-q"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stderr
    assert "LARD004" in res.stdout
    assert "Traceback" not in res.stderr


def test_rules_lists_every_rule_in_text_and_json() -> None:
    from agentable.rules import rule_metas

    metas = rule_metas()
    assert metas
    text = run("rules")
    assert text.exit_code == 0
    assert all(m.id in text.stdout for m in metas)
    listed = json.loads(run("rules", "--format", "json").stdout)
    assert [r["id"] for r in listed] == [m.id for m in metas]
    assert set(listed[0]) == {"id", "name", "category", "severity", "short"}


def test_explain_known_and_unknown_rule() -> None:
    from agentable.rules import rule_metas

    meta = rule_metas()[0]
    res = run("explain", meta.id)
    assert res.exit_code == 0
    assert meta.id in res.stdout and "How to fix" in res.stdout
    assert run("explain", meta.name).exit_code == 0  # by name too
    bad = run("explain", "NOPE999")
    assert bad.exit_code == 2 and "unknown rule" in bad.stderr


# ----------------------------------------------------------------------------- exit codes


def test_exit_1_on_findings_and_0_when_clean(project: Path, rule: str) -> None:
    assert run("scan", "--no-cache", project).exit_code == 1
    (project / "agent.py").unlink()
    assert run("scan", "--no-cache", project).exit_code == 0


def test_fail_on_and_exit_zero(project: Path, rule: str) -> None:
    severity = next(f["severity"] for f in scan_json(project)["findings"] if f["rule"] == rule)
    assert run("scan", "--no-cache", "--fail-on", severity, project).exit_code == 1
    assert run("scan", "--no-cache", "--fail-on", "never", project).exit_code == 0
    assert run("scan", "--no-cache", "--exit-zero", project).exit_code == 0
    if severity != "error":
        assert run("scan", "--no-cache", "--fail-on", "error", "--select", rule, project).exit_code == 0


def test_usage_errors_exit_2(project: Path) -> None:
    assert run("scan", "--no-such-option", project).exit_code == 2
    assert run("scan", "--format", "xml", project).exit_code == 2
    missing = run("scan", project / "nope.py")
    assert missing.exit_code == 2
    assert "no such file or directory" in missing.stderr


def test_bad_baseline_exits_2(project: Path) -> None:
    (project / "b.json").write_text("{broken")
    res = run("scan", "--no-cache", "--baseline", project / "b.json", project)
    assert res.exit_code == 2 and "not valid JSON" in res.stderr


# ----------------------------------------------------------------------------- output


def test_json_output_parses(project: Path, rule: str) -> None:
    doc = scan_json(project)
    assert doc["version"] == 1 and doc["summary"]["files"] >= 2
    hit = next(f for f in doc["findings"] if f["rule"] == rule)
    assert hit["file"] == "agent.py" and hit["fingerprint"] and not hit["suppressed"]


def test_output_file_and_statistics(project: Path, rule: str, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "r.sarif"
    res = run("scan", "--no-cache", "--format", "sarif", "--output", out, project)
    assert res.exit_code == 1 and out.is_file()
    assert json.loads(out.read_text())["version"] == "2.1.0"
    stats = run("scan", "--no-cache", "--statistics", project)
    assert rule in stats.stdout


def test_inline_suppression_hides_in_text_and_marks_in_sarif(project: Path, rule: str) -> None:
    (project / "agent.py").write_text(DEFECTIVE.replace(PARSE_LINE, PARSE_LINE + f"  # agentable: ignore[{rule}]"))
    text = run("scan", "--no-cache", "--select", rule, project)
    assert text.exit_code == 0, text.output
    assert "agent.py:13" not in text.stdout
    sarif = json.loads(run("scan", "--no-cache", "--format", "sarif", "--select", rule, project).stdout)
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == rule]
    assert results and all(r.get("suppressions") == [{"kind": "inSource"}] for r in results)


def test_suppressing_another_rule_does_not_hide(project: Path, rule: str) -> None:
    (project / "agent.py").write_text(DEFECTIVE.replace(PARSE_LINE, PARSE_LINE + "  # agentable: ignore[ZZZZ999]"))
    assert run("scan", "--no-cache", "--select", rule, project).exit_code == 1


# ----------------------------------------------------------------------------- named files (pre-commit)


def test_named_file_reports_only_that_file_with_the_project_as_context(project: Path, rule: str) -> None:
    (project / "other_agent.py").write_text(DEFECTIVE)
    doc = scan_json(project / "agent.py")
    assert doc["root"] == str(project.resolve())
    assert doc["summary"]["files"] >= 3  # the whole project was analysed
    assert {f["file"] for f in doc["findings"]} == {"agent.py"}
    assert scan_json(project / "util.py")["findings"] == []


def test_named_file_in_a_subfolder_keeps_project_relative_paths(project: Path, rule: str) -> None:
    sub = project / "pkg"
    sub.mkdir()
    (sub / "__init__.py").write_text("")
    (project / "agent.py").rename(sub / "agent.py")
    doc = scan_json(sub / "agent.py")
    assert {f["file"] for f in doc["findings"]} == {"pkg/agent.py"}


# ----------------------------------------------------------------------------- baselines


def test_baseline_create_scan_update(project: Path, rule: str, tmp_path: Path) -> None:
    base = tmp_path / "agentable-baseline.json"
    created = run("baseline", "create", project, "--output", base, "--no-cache")
    assert created.exit_code == 0, created.output
    doc = json.loads(base.read_text())
    assert doc["version"] == 1 and doc["tool"] == "agentable" and doc["fingerprints"]
    n = len(doc["fingerprints"])

    res = run("scan", "--no-cache", "--baseline", base, project)
    assert res.exit_code == 0, res.output
    assert f"{n} findings hidden by the baseline" in res.stderr

    # Unrelated edits above the finding keep it baselined; a second defect is new.
    (project / "agent.py").write_text("# moved down\n" + DEFECTIVE + textwrap.dedent("""

        def again(text: str) -> dict:
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}])
            return json.loads(reply["choices"][0]["message"]["content"])
        """))
    new = scan_json("--baseline", base, project)
    assert new["findings"] and all(f["file"] == "agent.py" and f["span"]["line"] > 15 for f in new["findings"])

    (project / "agent.py").write_text(CLEAN)  # everything fixed
    upd = run("baseline", "update", project, "--baseline", base, "--no-cache")
    assert upd.exit_code == 0, upd.output
    assert f"0 added, {n} removed" in upd.stdout
    assert json.loads(base.read_text())["fingerprints"] == {}


def test_baseline_update_needs_an_existing_baseline(project: Path, tmp_path: Path) -> None:
    res = run("baseline", "update", project, "--baseline", tmp_path / "missing.json")
    assert res.exit_code == 2 and "does not exist" in res.stderr


# ----------------------------------------------------------------------------- errors and sub-folders

EXAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "examples" / "support_agent"


@pytest.fixture
def example_project(tmp_path: Path) -> Path:
    """datasets/examples/support_agent as src/agent/ of a repository, its requirements.txt at the top."""
    root = tmp_path / "proj"
    shutil.copytree(EXAMPLE, root / "src" / "agent")
    (root / "src" / "agent" / "requirements.txt").rename(root / "requirements.txt")
    (root / ".git").mkdir()  # the repository's top
    return root


def test_internal_error_is_one_line_and_exit_2(example_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("graph exploded\non two lines")

    monkeypatch.setattr(scan_module, "_scan", broken)
    result = CliRunner().invoke(main, ["scan", str(example_project)])
    assert result.exit_code == 2
    assert "agentable: internal error: RuntimeError: graph exploded on two lines" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
    debug = CliRunner().invoke(main, ["scan", str(example_project), "--debug"])
    assert isinstance(debug.exception, RuntimeError)  # --debug lets the traceback through


@pytest.mark.parametrize("args, message", [
    (["--select", "LOEP"], "'LOEP' matches no rule or category; did you mean 'LOPE'?"),
    (["--ignore", "MNFT0099"], "'MNFT0099' is not a rule id or prefix"),
    (["--ignore", "XYZ"], "'XYZ' matches no rule or category"),
    (["--jobs", "1000"], "1000 is not in the range 0<=x<=64"),
])
def test_bad_selectors_and_values_are_usage_errors(example_project: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["scan", str(example_project), *args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_unknown_selector_in_the_configuration_is_a_usage_error(example_project: Path) -> None:
    (example_project / "pyproject.toml").write_text('[tool.agentable]\nignore = ["LARDD"]\n')
    result = CliRunner().invoke(main, ["scan", str(example_project)])
    assert result.exit_code == 2 and "pyproject.toml" in result.output and "did you mean 'LARD'" in result.output


def test_output_problems_are_found_before_the_scan(example_project: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    scanned: list[object] = []
    monkeypatch.setattr(scan_module, "_scan", lambda *a, **k: scanned.append(a))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for target, message in ((tmp_path, "is a directory"), (blocker / "report.sarif", "cannot create the folder")):
        result = CliRunner().invoke(main, ["scan", str(example_project), "-o", str(target)])
        assert result.exit_code == 2 and message in result.output, result.output
    assert scanned == []


def test_output_into_a_new_folder_is_created(example_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "deeper" / "report.json"
    result = CliRunner().invoke(main, ["scan", str(example_project), "--format", "json", "-o", str(out)])
    assert result.exit_code == 1 and json.loads(out.read_text())["findings"]


def _findings(project: Path, *paths: str) -> list[tuple[str, str, int]]:
    result = CliRunner().invoke(main, ["scan", *paths, "--format", "json", "--no-cache"])
    return sorted((f["file"], f["rule"], f["span"]["line"]) for f in json.loads(result.stdout)["findings"])


def test_sub_folder_scan_matches_the_project_scan(example_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example_project)
    whole = _findings(example_project, ".")
    assert len(whole) == 9 and all(path.startswith("src/agent/") for path, _, _ in whole)
    assert _findings(example_project, "src") == whole
    assert _findings(example_project, "src/agent") == whole
    # the manifest at the project root governs the sub-folder, in both scans
    result = CliRunner().invoke(main, ["scan", "src", "--format", "json", "--no-cache", "--select", "EPDD001"])
    [finding] = json.loads(result.stdout)["findings"]
    assert "add `requests` to requirements.txt" in finding["message"]


def test_sarif_uris_are_relative_to_the_repository_root(example_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scanning a project that sits below the repository's top (a monorepo app with its own
    manifest) still gives URIs GitHub resolves from the top."""
    monkeypatch.chdir(example_project / "src")
    (example_project / "src" / "agent" / "requirements.txt").write_text("openai>=1.40\n")
    result = CliRunner().invoke(main, ["scan", "agent", "--format", "sarif", "--no-cache"])
    run = json.loads(result.stdout)["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris and all(uri.startswith("src/agent/") for uri in uris)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == example_project.resolve().as_uri() + "/"


def test_a_named_folder_that_gitignore_skips_is_scanned(project: Path, rule: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Like a named file, a named folder is scanned even when .gitignore skips it (ruff does the
    same), with a note; the .gitignore files inside it still apply, and a scan of the whole
    project still skips it."""
    monkeypatch.chdir(project)
    (project / ".gitignore").write_text("build/\n")
    (project / "build" / "app").mkdir(parents=True)
    (project / "agent.py").rename(project / "build" / "app" / "agent.py")
    (project / "build" / "app" / "draft").mkdir()
    (project / "build" / "app" / "draft" / "agent.py").write_text(DEFECTIVE)
    (project / "build" / "app" / ".gitignore").write_text("draft/\n")
    assert _findings(project, ".") == []
    named = _findings(project, "build/app")
    assert ("build/app/agent.py", rule, 13) in named
    assert {path for path, _, _ in named} == {"build/app/agent.py"}  # not draft/, which its .gitignore skips
    report = scan_json("build/app")
    assert any("ignored by .gitignore; scanned because it was named" in n["message"] for n in report["notifications"])
