"""The project a scan of a sub-folder belongs to: the nearest folder above it with a repository or a
dependency manifest, a conda environment file among them."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentable.scan import project_root


@pytest.mark.parametrize("marker", ["environment.yml", "environment.yaml", "requirements.txt", "pyproject.toml"])
def test_a_manifest_marks_the_project(tmp_path: Path, marker: str) -> None:
    (tmp_path / "proj" / "experiments").mkdir(parents=True)
    (tmp_path / "proj" / marker).write_text("dependencies:\n  - numpy\n")
    assert project_root(tmp_path / "proj" / "experiments") == tmp_path / "proj"
