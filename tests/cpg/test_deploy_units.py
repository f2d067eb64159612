"""Folders a deployment descriptor (langgraph.json) builds on its own: what governs their files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from agentable.cpg.manifests import ManifestSet, parse_manifests
from agentable.cpg.manifests.model import DeployUnit


def project(root: Path, files: dict[str, str], descriptors: dict[str, object]) -> ManifestSet:
    for rel, text in {**files, **{k: json.dumps(v, indent=2) for k, v in descriptors.items()}}.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    return parse_manifests(root, [root / r for r in files])


FILES = {"requirements.txt": "openai\nrich\n", "agent/requirements.txt": "langgraph\n",
         "agent/tools/requirements.txt": "duckduckgo-search\n"}


def test_a_listed_folder_is_governed_by_its_own_manifests_only(tmp_path: Path) -> None:
    graphs = {"chat": "./agent/graph.py:app", "review": {"path": "./agent/review.py:graph"}}
    ms = project(tmp_path, FILES, {"langgraph.json": {"dependencies": ["./agent"], "graphs": graphs}})
    assert ms.deploy_units == {"agent": DeployUnit(("langgraph.json",), ("agent",),
                                                   ("agent/graph.py", "agent/review.py"),
                                                   (("langgraph.json", 3),))}  # the line of "./agent"
    scope = ms.for_path("agent/graph.py")
    assert [r.dist for r in scope.requirements] == ["langgraph"]
    assert scope.deployed_by == ms.deploy_units["agent"]
    # a file the deployment does not run, asked for as such: governed as if there were no descriptor
    outside = ms.for_path("agent/cli.py", deployed=False)
    assert (outside.deployed_by, [r.dist for r in outside.requirements]) == (None, ["langgraph", "openai", "rich"])
    # the root, and a sub-folder with manifests of its own, are governed as before
    assert ms.for_path("cli.py").deployed_by is None
    assert [r.dist for r in ms.for_path("agent/tools/search.py").requirements] == [
        "duckduckgo-search", "langgraph", "openai", "rich"]


def test_the_listed_folders_and_packages_make_up_the_unit(tmp_path: Path) -> None:
    ms = project(tmp_path, FILES, {"agent/langgraph.json": {"dependencies": [".", "..", "tavily-python"]}})
    scope = ms.for_path("agent/nodes/plan.py")
    assert scope.manifests[0] == "agent/requirements.txt"  # the nearest folder's, where a fix goes
    assert sorted(r.dist for r in scope.requirements) == ["langgraph", "openai", "rich", "tavily-python"]
    assert [(r.path, r.line) for r in scope.requirements if r.dist == "tavily-python"] == [
        ("agent/langgraph.json", 5)]
    assert ms.deploy_units["agent"].members == ("agent", ".")


def test_a_descriptor_with_build_steps_of_its_own_or_unreadable_makes_no_unit(tmp_path: Path) -> None:
    ms = project(tmp_path, FILES, {"langgraph.json": {"dependencies": ["./agent"],
                                                      "dockerfile_lines": ["RUN pip install -r requirements.txt"]}})
    assert ms.deploy_units == {}
    assert "openai" in {r.dist for r in ms.for_path("agent/graph.py").requirements}
    (tmp_path / "langgraph.json").write_text(json.dumps({"dependencies": ["./agent"], "dockerfile_lines": []}))
    assert parse_manifests(tmp_path, [tmp_path / r for r in FILES]).deploy_units["agent"].members == ("agent",)
    (tmp_path / "langgraph.json").write_text("{not json", encoding="utf-8")
    assert parse_manifests(tmp_path, [tmp_path / r for r in FILES]).deploy_units == {}


def test_a_listed_folder_without_a_manifest_gets_the_descriptors_packages(tmp_path: Path) -> None:
    files = {"requirements.txt": "openai\nfeedparser\n"}
    ms = project(tmp_path, files, {"langgraph.json": {"dependencies": ["./digest", "openai"],
                                                      "graphs": {"d": "./digest/graph.py:graph"}}})
    scope = ms.for_path("digest/graph.py")
    assert scope.deployed_by == ms.deploy_units["digest"]
    assert ([r.dist for r in scope.requirements], scope.manifests) == (["openai"], ["langgraph.json"])
    assert ms.for_path("digest/graph.py", deployed=False).deployed_by is None
