"""Loads of prompt and settings files whose path is built with importlib.resources or
Path.with_name / with_suffix (cpg/artifacts/links.py)."""

from __future__ import annotations

from pathlib import Path

from agentable.cpg.artifacts import ArtifactSet, artifact_links
from tests.conftest import graph_of

_AGENT = '''
import importlib.resources
from importlib.resources import files
from pathlib import Path

import yaml

HERE = Path(__file__)


def system_prompt():
    return yaml.safe_load(importlib.resources.files("pkg.prompts").joinpath("system.yaml").read_text())


def plan_prompt():
    return (files(__package__) / "prompts" / "plan.txt").read_text()


def notes():
    return HERE.with_name("notes.md").read_text()


def sibling_text():
    return open(Path(__file__).with_suffix(".txt")).read()


def other_package():
    return importlib.resources.files("elsewhere").joinpath("system.yaml").read_text()
'''


def _loads(texts: dict[str, str]) -> dict[str, str]:
    g = graph_of({"pkg/__init__.py": "", "pkg/agent.py": _AGENT})
    g.artifacts = ArtifactSet(Path("/nonexistent"), texts, reader=lambda root, rel: (texts.get(rel), ""))
    return {ld.func.qualname.rpartition(".")[2]: ld.artifact for ld in artifact_links(g).loads}


def test_resource_files_and_with_name_paths_are_linked() -> None:
    texts = {"pkg/prompts/system.yaml": "a: 1\n", "pkg/prompts/plan.txt": "Plan {goal}\n", "pkg/notes.md": "x",
             "pkg/agent.txt": "y", "system.yaml": "b: 2\n"}
    assert _loads(texts) == {"system_prompt": "pkg/prompts/system.yaml", "plan_prompt": "pkg/prompts/plan.txt",
                             "notes": "pkg/notes.md", "sibling_text": "pkg/agent.txt"}


def test_a_missing_file_is_not_linked() -> None:
    assert _loads({"prompts/system.yaml": "a: 1\n"}) == {}
