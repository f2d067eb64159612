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


def test_lazy_import_under_a_test_says_when_it_fails() -> None:
    found = _findings(FIXTURES / "components_run_without_being_enabled")
    scanner = found["frontdesk/skills/scanner/scanner.py"]
    # the function returns early for text receipts: only the other case imports pytesseract
    assert scanner.severity is Severity.WARNING
    assert ('only when `Path(path).suffix.lower() in (".txt", ".csv")` is false (in `read_receipt`)'
            in scanner.message)
    assert "so in a fresh install that case fails with ModuleNotFoundError" in scanner.message
    # a module-level import runs whenever the module does: no condition, an error
    plugin = found["frontdesk/plugins/weather.py"]
    assert plugin.severity is Severity.ERROR and "only when" not in plugin.message


def test_script_branch_names_its_test() -> None:
    found = _findings(FIXTURES / "scripts_for_users_of_the_project")
    assert 'imported here, only when `src.endswith(".ofx")` (in `convert`)' in \
        found["scripts/import_bank_export.py"].message
    assert "only when" not in found["scripts/monthly_report.py"].message


def test_import_an_unread_declaration_may_bring_is_a_note_that_says_so() -> None:
    result = scan([FIXTURES / "undeclared_beside_an_unread_distribution"],
                  Config().merge_cli(select=["EPDD001"], respect_gitignore=False))
    (joblib,) = [f for f in result.active if f.message.startswith("`joblib`")]
    # marrowbyte-speech and glimmer-ai-agents are in no table: either may install joblib
    assert joblib.severity is Severity.NOTE
    assert "agentable could not verify that a dependency declared in requirements.txt provides it" in joblib.message
    assert "`glimmer-ai-agents`, `marrowbyte-speech`" in joblib.message
    # no mined library requires openai-agents: projects install it themselves, so the unread
    # declarations are no excuse and the import stays an error
    (agents,) = [f for f in result.active if f.message.startswith("`agents`")]
    assert agents.severity is Severity.ERROR and "could not verify" not in agents.message


def test_import_is_an_error_when_every_declaration_is_known(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests>=2.31\n")
    (tmp_path / "agent.py").write_text("import requests\nimport joblib\n")
    (finding,) = _findings(tmp_path).values()
    assert finding.severity is Severity.ERROR and "could not verify" not in finding.message


def test_import_an_old_pin_of_an_unread_series_may_bring_is_a_note_naming_the_release() -> None:
    (joblib,) = _findings(FIXTURES / "old_pin_of_an_unread_series").values()
    # no release of gradio 3.19 was read: what that pin installs is only guessed from its neighbours
    assert joblib.severity is Severity.NOTE
    assert "no table of its catalog says what `gradio==3.19.1` installs" in joblib.message


def test_import_no_table_names_beside_an_unknown_declaration_is_not_verified(tmp_path: Path) -> None:
    # larkspur-relay is in no table, and no table names `quillstone`: the declaration may install it
    # under another name (as gpt4-openai-api installs `gpt4_openai`), so the finding cannot say that
    # no declared dependency provides it
    (tmp_path / "requirements.txt").write_text("openai>=1.40\nlarkspur-relay==0.2.1\n")
    (tmp_path / "agent.py").write_text("import openai\nimport quillstone\n")
    (finding,) = _findings(tmp_path).values()
    assert finding.severity is Severity.NOTE
    assert "could not verify that a dependency declared in requirements.txt provides it" in finding.message
    assert "`larkspur-relay`" in finding.message and "no dependency declared" not in finding.message


def test_unknown_conda_package_is_not_taken_for_what_brings_an_import(tmp_path: Path) -> None:
    # an unknown conda package is most often a library or program (libcxx), not a Python distribution
    (tmp_path / "environment.yml").write_text("dependencies:\n  - libcxx=14.0.6\n  - pip:\n    - openai>=1.40\n")
    (tmp_path / "agent.py").write_text("import openai\nimport quillstone\n")
    (finding,) = _findings(tmp_path).values()
    assert finding.severity is Severity.ERROR and "no dependency declared in environment.yml provides it" in \
        finding.message
