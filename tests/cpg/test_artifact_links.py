"""Loads of prompt and settings files whose path is built with importlib.resources,
Path.with_name / with_suffix, or taken from a folder listing (cpg/artifacts/links.py)."""

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


_LISTINGS = '''
import glob
import os
from pathlib import Path

import yaml

HERE = Path(__file__).parent
PROMPTS = os.path.join(os.path.dirname(__file__), "prompts")


def tool_specs():
    return [yaml.safe_load(p.read_text()) for p in sorted((HERE / "tools").glob("*.yaml"))]


def nested_specs():
    out = []
    for path in HERE.joinpath("specs").rglob("*.json"):
        out.append(path.read_text())
    return out


def prompt_files():
    texts = {}
    for name in os.listdir(PROMPTS):
        with open(os.path.join(PROMPTS, name)) as fh:
            texts[name] = fh.read()
    return texts


def module_glob():
    return [open(f).read() for f in glob.glob(os.path.join(os.path.dirname(__file__), "notes", "*.md"))]


def working_directory():
    return [open(f).read() for f in glob.glob("*.yaml")]


class Registry:
    def __init__(self, folder=os.path.join(os.path.dirname(__file__), "skills")):
        self.folder = folder
        self.skills = {}
        for cfg in glob.glob(os.path.join(self.folder, "*.yaml")) + glob.glob(os.path.join(self.folder, "*.yml")):
            with open(cfg) as fh:
                self.skills[cfg] = yaml.safe_load(fh)
'''


def test_loop_variables_over_folder_listings_load_every_match() -> None:
    texts = {"pkg/tools/a.yaml": "name: a\n", "pkg/tools/b.yaml": "name: b\n", "pkg/tools/sub/c.yaml": "name: c\n",
             "pkg/tools/readme.md": "x", "pkg/specs/x.json": "{}", "pkg/specs/deep/y.json": "{}",
             "pkg/prompts/plan.txt": "p", "pkg/prompts/act.txt": "q", "pkg/notes/n.md": "n", "pkg/top.yaml": "t: 1\n",
             "pkg/skills/a.yaml": "s: 1\n", "pkg/skills/b.yml": "s: 2\n"}
    g = graph_of({"pkg/__init__.py": "", "pkg/agent.py": _LISTINGS})
    g.artifacts = ArtifactSet(Path("/nonexistent"), texts, reader=lambda root, rel: (texts.get(rel), ""))
    loads: dict[str, set[str]] = {}
    for ld in artifact_links(g).loads:
        loads.setdefault(ld.func.qualname.rpartition(".")[2], set()).add(ld.artifact)
    # `*` stays within its folder, `rglob` and `**/` span folders; a bare pattern names the
    # working directory, which is unknown
    assert loads == {"tool_specs": {"pkg/tools/a.yaml", "pkg/tools/b.yaml"},
                     "nested_specs": {"pkg/specs/x.json", "pkg/specs/deep/y.json"},
                     "prompt_files": {"pkg/prompts/plan.txt", "pkg/prompts/act.txt"},
                     "module_glob": {"pkg/notes/n.md"},
                     # two listings joined with `+`, the folder a parameter's default stored on `self`
                     "__init__": {"pkg/skills/a.yaml", "pkg/skills/b.yml"}}


_INI_READER = '''
import configparser
import os

HERE = os.path.dirname(__file__)


def settings():
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(os.path.join(HERE, "settings.ini"))
    return cfg


def overrides():
    cfg = configparser.ConfigParser()
    cfg.read(["defaults.cfg", "local.cfg"], encoding="utf-8")
    return cfg


def not_a_parser(store):
    return store.read("settings.ini")
'''


def test_configparser_reads_are_loads() -> None:
    g = graph_of({"app/__init__.py": "", "app/config.py": _INI_READER})
    texts = {"app/settings.ini": "[llm]\nmodel = gpt-4o\n", "app/defaults.cfg": "[llm]\n", "local.cfg": "[llm]\n"}
    g.artifacts = ArtifactSet(Path("/nonexistent"), texts, reader=lambda root, rel: (texts.get(rel), ""))
    loads = sorted((ld.func.qualname.rpartition(".")[2], ld.artifact, ld.how) for ld in artifact_links(g).loads)
    assert loads == [("overrides", "app/defaults.cfg", "configparser"), ("overrides", "local.cfg", "configparser"),
                     ("settings", "app/settings.ini", "configparser")]
