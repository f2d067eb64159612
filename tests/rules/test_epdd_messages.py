"""EPDD001's level and wording: what the finding says an import breaks, and which manifest the fix names."""

from __future__ import annotations

from pathlib import Path

from agentable.config import Config
from agentable.findings import Severity
from agentable.scan import scan

FIXTURES = Path(__file__).parent / "fixtures" / "epdd001"


def _findings(folder: Path) -> dict[str, object]:
    result = scan([folder], Config().merge_cli(select=["EPDD001"], respect_gitignore=False))
    return {f.span.path: f for f in result.active}


def test_example_outside_the_installed_package_is_a_warning_that_says_so() -> None:
    found = _findings(FIXTURES / "examples_folder_of_the_project")
    example, package = found["examples/plot_latency.py"], found["helpdesk/bot.py"]
    assert example.severity is Severity.WARNING and package.severity is Severity.ERROR
    assert "`examples/`, which installing the project does not include" in example.message
    assert "a fresh install fails" not in example.message and "a fresh install fails" in package.message


def test_fix_names_the_manifest_the_build_reads(tmp_path: Path) -> None:
    (tmp_path / "requirements-audio.txt").write_text("openai-whisper\n")
    (tmp_path / "requirements.txt").write_text("openai>=1.40\n")
    (tmp_path / "setup.py").write_text(
        'from setuptools import setup\nsetup(name="operate", install_requires=open("requirements.txt").read().split())\n')
    (tmp_path / "agent.py").write_text("import pkg_resources\nimport openai\n")
    (finding,) = _findings(tmp_path).values()
    # setuptools 82 removed pkg_resources: a bare `setuptools` would install a release without it
    assert finding.message.endswith(
        "add `setuptools<82` (newer releases no longer install `pkg_resources`) to requirements.txt.")


def test_unknown_import_name_is_not_asserted_as_the_distribution(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("openai>=1.40\n")
    (tmp_path / "agent.py").write_text("import openai\nimport frobnicator\n")
    (finding,) = _findings(tmp_path).values()
    assert "add the distribution that installs `frobnicator` (probably `frobnicator`)" in finding.message
