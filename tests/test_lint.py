"""The linters are part of the suite: ruff (the rules selected in pyproject.toml's [tool.ruff]) and
mypy ([tool.mypy], which checks the agentable package) must report nothing. Each runs as a
subprocess from the repository root, as a developer or CI would run it; a failure shows its
report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUFF_PATHS = ("agentable", "tests", "benchmarks", "scripts")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=900)


def _require(module: str) -> None:
    """The linters are in the [test] extra; without them the suite is not the one CI runs."""
    res = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.fail(f"{module} is not installed: pip install -e '.[test]'\n{res.stderr}")


def test_ruff_reports_nothing() -> None:
    _require("ruff")
    res = _run("ruff", "check", "--no-cache", *RUFF_PATHS)
    assert res.returncode == 0, f"ruff (exit {res.returncode}):\n{res.stdout}\n{res.stderr}"


def test_mypy_reports_nothing() -> None:
    _require("mypy")
    res = _run("mypy")
    assert res.returncode == 0, f"mypy (exit {res.returncode}):\n{res.stdout}\n{res.stderr}"
