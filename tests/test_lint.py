"""The linters are part of the suite: ruff (the rules selected in pyproject.toml's [tool.ruff]) and
mypy ([tool.mypy], which checks the agentable package) must report nothing. Each runs as a
subprocess from the repository root, as a developer or CI would run it; a failure shows its
report."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUFF_PATHS = ("agentable", "tests", "benchmarks", "scripts")

# ---------------------------------------------------------------------------------------------
# TEMPORARY: paths whose reports are tolerated while other branches clean them up (agentable/cpg
# and agentable/query are being restructured and typed, tests/ reorganised). The integrator
# deletes these entries (and then this comment) once those branches are merged and clean; a
# path that is clean already should not be listed.
TEMPORARY_TOLERATED: tuple[str, ...] = (
    "agentable/cpg/",
    "agentable/query/",
    # ruff only: files of tests/ that still have findings
    "tests/cpg/test_artifacts.py",
    "tests/cpg/test_focus.py",
    "tests/cpg/test_graph.py",
    "tests/cpg/test_lower.py",
    "tests/fuzz/program_gen.py",
    "tests/integration/test_baseline.py",
    "tests/nl_check/test_nl_llm_limits.py",
    "tests/test_bad_input.py",
    "tests/test_config.py",
    "tests/test_files.py",
    "tests/test_realworld.py",
)
# ---------------------------------------------------------------------------------------------


def _tolerated(rel_path: str) -> bool:
    return rel_path.replace("\\", "/").startswith(TEMPORARY_TOLERATED)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=900)


def _require(module: str) -> None:
    """The linters are in the [test] extra; without them the suite is not the one CI runs."""
    res = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.fail(f"{module} is not installed: pip install -e '.[test]'\n{res.stderr}")


def test_ruff_reports_nothing() -> None:
    _require("ruff")
    res = _run("ruff", "check", "--output-format", "json", "--no-cache", *RUFF_PATHS)
    try:
        diagnostics = json.loads(res.stdout or "[]")
    except json.JSONDecodeError:
        pytest.fail(f"ruff failed (exit {res.returncode}):\n{res.stdout}\n{res.stderr}")
    reported = []
    for d in diagnostics:
        path = Path(d["filename"])
        rel = path.relative_to(ROOT).as_posix() if path.is_absolute() and path.is_relative_to(ROOT) else path.as_posix()
        if not _tolerated(rel):
            loc = d.get("location") or {}
            reported.append(f"{rel}:{loc.get('row')}:{loc.get('column')}: {d.get('code')} {d.get('message')}")
    if res.returncode not in (0, 1):  # 1: findings; anything else: ruff itself failed
        pytest.fail(f"ruff failed (exit {res.returncode}):\n{res.stderr}")
    assert not reported, "ruff reports:\n" + "\n".join(reported)


# `path:line: error: ...` (also `note:`, which belongs to the error before it; the line may be absent)
_MYPY_LINE = re.compile(r"^(?P<path>[^:\s][^:]*\.pyi?)(?::\d+){0,2}: (?:error|note|warning): ")


def test_mypy_reports_nothing() -> None:
    _require("mypy")
    res = _run("mypy")
    if res.returncode not in (0, 1):  # 1: type errors; anything else: mypy itself failed
        pytest.fail(f"mypy failed (exit {res.returncode}):\n{res.stdout}\n{res.stderr}")
    reported = []
    for line in res.stdout.splitlines():
        m = _MYPY_LINE.match(line)
        if m is not None:
            if not _tolerated(m.group("path")):
                reported.append(line)
        elif line.strip() and not line.startswith(("Found ", "Success: ")):
            reported.append(line)  # anything else mypy says is worth reading
    assert not reported, "mypy reports:\n" + "\n".join(reported)
