"""Project modules named like a library they do not replace. Imports are absolute: a module below
the project's root (chatarena/backends/langchain.py, examples/mcp.py) is `langchain` only to code
run with its folder on sys.path, and a file langchain.py importing `langchain.llms` gets the library."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from agentable.cpg.graph_api import CodeGraph
    from agentable.cpg.manifests.model import ManifestSet
    from agentable.cpg.structure import ModuleInfo


def library_candidates(g: "CodeGraph", name: str, cands: list[str]) -> list[str]:
    """The suffix candidates for an import of `name`, less those below the project's root, when the
    top of `name` is an LLM library the catalog knows and the project declares (the library is what
    the import gets); `cands` unchanged otherwise."""
    top = name.partition(".")[0]
    manifests: "Optional[ManifestSet]" = getattr(g, "manifests", None)  # (the project graph's; not in CodeGraph)
    if not cands or manifests is None or top not in g.catalog.known_framework_roots():
        return cands
    if not any(manifests.declared(d) for d in g.catalog.distributions_for_import(top)):
        return cands
    # only a module at the project's root is importable under the library's name from anywhere (a
    # script folder's sibling is found before this, by the importer's package)
    return [c for c in cands if c == name]


def imports_itself(g: "CodeGraph", target: str, module: "ModuleInfo") -> bool:
    """Is the longest project-module prefix of the dotted import `target` the importing module
    itself (`from langchain.llms import OpenAI` in a project file langchain.py)?"""
    parts = target.split(".")
    for i in range(len(parts) - 1, 0, -1):
        mod = g.find_module(".".join(parts[:i]))
        if mod is not None:
            return mod is module
    return False
