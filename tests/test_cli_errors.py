"""Every bad input gets one clear line and the documented exit code (2), never a traceback;
and a sub-folder scan agrees with a scan of its project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentable import scan as scan_module
from agentable.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "examples" / "support_agent"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(EXAMPLE, root / "src" / "agent")
    (root / "src" / "agent" / "requirements.txt").rename(root / "requirements.txt")
    (root / ".git").mkdir()  # the repository's top
    return root


def test_internal_error_is_one_line_and_exit_2(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("graph exploded\non two lines")

    monkeypatch.setattr(scan_module, "_scan", broken)
    result = CliRunner().invoke(main, ["scan", str(project)])
    assert result.exit_code == 2
    assert "agentable: internal error: RuntimeError: graph exploded on two lines" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
    debug = CliRunner().invoke(main, ["scan", str(project), "--debug"])
    assert isinstance(debug.exception, RuntimeError)  # --debug lets the traceback through


@pytest.mark.parametrize("args, message", [
    (["--select", "LOEP"], "'LOEP' matches no rule or category; did you mean 'LOPE'?"),
    (["--ignore", "MNFT0099"], "'MNFT0099' is not a rule id or prefix"),
    (["--ignore", "XYZ"], "'XYZ' matches no rule or category"),
    (["--jobs", "1000"], "1000 is not in the range 0<=x<=64"),
])
def test_bad_selectors_and_values_are_usage_errors(project: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["scan", str(project), *args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_unknown_selector_in_the_configuration_is_a_usage_error(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.agentable]\nignore = ["LARDD"]\n')
    result = CliRunner().invoke(main, ["scan", str(project)])
    assert result.exit_code == 2 and "pyproject.toml" in result.output and "did you mean 'LARD'" in result.output


def test_output_problems_are_found_before_the_scan(project: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    scanned: list[object] = []
    monkeypatch.setattr(scan_module, "_scan", lambda *a, **k: scanned.append(a))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for target, message in ((tmp_path, "is a directory"), (blocker / "report.sarif", "cannot create the folder")):
        result = CliRunner().invoke(main, ["scan", str(project), "-o", str(target)])
        assert result.exit_code == 2 and message in result.output, result.output
    assert scanned == []


def test_output_into_a_new_folder_is_created(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "deeper" / "report.json"
    result = CliRunner().invoke(main, ["scan", str(project), "--format", "json", "-o", str(out)])
    assert result.exit_code == 1 and json.loads(out.read_text())["findings"]


def _findings(project: Path, *paths: str) -> list[tuple[str, str, int]]:
    result = CliRunner().invoke(main, ["scan", *paths, "--format", "json", "--no-cache"])
    return sorted((f["file"], f["rule"], f["span"]["line"]) for f in json.loads(result.stdout)["findings"])


def test_sub_folder_scan_matches_the_project_scan(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    whole = _findings(project, ".")
    assert len(whole) == 8 and all(path.startswith("src/agent/") for path, _, _ in whole)
    assert _findings(project, "src") == whole
    assert _findings(project, "src/agent") == whole
    # the manifest at the project root governs the sub-folder, in both scans
    result = CliRunner().invoke(main, ["scan", "src", "--format", "json", "--no-cache", "--select", "EPDD001"])
    [finding] = json.loads(result.stdout)["findings"]
    assert "add `requests` to requirements.txt" in finding["message"]


def test_sarif_uris_are_relative_to_the_repository_root(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scanning a project that sits below the repository's top (a monorepo app with its own
    manifest) still gives URIs GitHub resolves from the top."""
    monkeypatch.chdir(project / "src")
    (project / "src" / "agent" / "requirements.txt").write_text("openai>=1.40\n")
    result = CliRunner().invoke(main, ["scan", "agent", "--format", "sarif", "--no-cache"])
    run = json.loads(result.stdout)["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris and all(uri.startswith("src/agent/") for uri in uris)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
