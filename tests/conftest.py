"""Suite-wide isolation: agentable's user-level folders (the cache with its signing key, the
user configuration) point into a temporary folder, never the real home of whoever runs the tests,
and no AGENTABLE_LLM* variable of the caller's environment reaches a test.

Helpers the tests import (`from tests.conftest import graph_of`): `graph_of` builds a project graph
from source text, `user_config` writes the user-level configuration file."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from agentable import cachedir
from agentable.catalog import load_catalog
from agentable.cpg.lower import lower_source
from agentable.cpg.manifests.model import ManifestSet
from agentable.cpg.project import ProjectGraph


@pytest.fixture(autouse=True)
def _user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    for name in ("AGENTABLE_LLM", "AGENTABLE_LLM_MODEL", "AGENTABLE_LLM_BASE_URL", "AGENTABLE_LLM_API_KEY_ENV",
                 "AGENTABLE_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    cachedir._signing_key.cache_clear()


def user_config(text: str) -> Path:
    """Write the user-level configuration file of the current test's temporary home."""
    from agentable.config import user_config_path

    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def graph_of(files: Mapping[str, str], manifests: ManifestSet | None = None) -> ProjectGraph:
    """The project graph of in-memory sources, `{path: source}` (dedented), with the real catalog and
    `manifests` if given: `graph_of({"pkg/__init__.py": "...", "pkg/agent.py": "..."})`. A module's name
    is its path's (`pkg/agent.py` -> `pkg.agent`, `pkg/__init__.py` -> `pkg`)."""
    modules = []
    for path, src in files.items():
        name = path.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        modules.append(lower_source(textwrap.dedent(src).encode(), path, name))
    return ProjectGraph(modules, load_catalog(), manifests)


def returned_name_values(g: ProjectGraph, func_name: str, name: str) -> list:
    """The values the graph gives `name` where it appears in the last `return` of the function
    `func_name` of module `agent` (tests of what a value resolves to)."""
    from agentable.cpg import ir

    func = next(f for f in g.agent.functions() if f.name == func_name)
    ret = func.returns[-1]
    for e in ir.walk_expr(ret.value):
        if isinstance(e, ir.Name) and e.id == name:
            return list(g.values(e, func, ret))
    raise AssertionError(name)
