"""A scan reports the same findings whatever the interpreter's string-hash seed.

Value sets are frozensets, whose iteration order follows string hashes, and those change from one
Python process to the next (PYTHONHASHSEED). A rule that takes the first value of a set, or stops
at the first match, then reports differently from run to run. Each fixture here once did."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "rules" / "fixtures"
CASES = ["lard007/ok_subclass_fills_its_own_template"]
SEEDS = range(1, 7)  # at the base of this test, seeds 4 and 5 reported a LARD007 the others did not


def _findings(project: Path, seed: int) -> list[tuple[str, str, int, str]]:
    # this checkout's agentable, whether or not it is installed
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": path}
    proc = subprocess.run([sys.executable, "-m", "agentable", "scan", str(project), "--no-cache", "--format", "json"],
                          capture_output=True, text=True, env=env, cwd=project, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    found = json.loads(proc.stdout)["findings"]
    return sorted((f["rule"], f["file"], f["span"]["line"], f["message"]) for f in found)


@pytest.mark.parametrize("case", CASES)
def test_findings_do_not_depend_on_the_hash_seed(case: str, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / case, project)
    runs = {seed: _findings(project, seed) for seed in SEEDS}
    assert all(r == runs[1] for r in runs.values()), {s: len(r) for s, r in runs.items()}
