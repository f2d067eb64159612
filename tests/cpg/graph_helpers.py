"""Build a project graph from in-memory sources for graph tests."""

from __future__ import annotations

import textwrap

from agentable.catalog import load_catalog
from agentable.cpg.lower import lower_source
from agentable.cpg.project import ProjectGraph


def graph_of(files: dict[str, str]) -> ProjectGraph:
    modules = []
    for path, src in files.items():
        name = path.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        modules.append(lower_source(textwrap.dedent(src).encode(), path, name))
    return ProjectGraph(modules, load_catalog())
