"""Project modules named like a library they do not replace. Imports are absolute: a module inside
a project package (chatarena/backends/langchain.py) is `langchain` only to code run with its folder
on sys.path, and a file langchain.py importing `langchain.llms` gets the library."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from agentable.cpg.graph_api import CodeGraph
    from agentable.cpg.manifests.model import ManifestSet
    from agentable.cpg.structure import ModuleInfo


def library_candidates(g: "CodeGraph", name: str, cands: list[str]) -> list[str]:
    """The suffix candidates for an import of `name`, less a lone one nested in a project package
    (chatarena.backends.langchain for `langchain`, also in a folder with no `__init__.py` below a
    package), when the top of `name` is an LLM library or a
    network library (tools.toml [network_io], `requests` against an app's models/requests.py) the
    catalog knows and the project declares: the import gets the library. A candidate at a source
    root (src/autogen_core, the library's own source in its monorepo) stays, and several candidates
    already leave the name to the library."""
    if len(cands) != 1 or "." not in cands[0] or not _in_package(g, cands[0][:-len(name) - 1]):
        return cands
    manifests: "Optional[ManifestSet]" = getattr(g, "manifests", None)  # (the project graph's; not in CodeGraph)
    top = name.partition(".")[0]
    if manifests is None or (top not in g.catalog.known_framework_roots()
                             and top not in {m.partition(".")[0] for m in g.catalog.network_modules}):
        return cands
    return [] if any(manifests.declared(d) for d in g.catalog.distributions_for_import(top)) else cands


def _in_package(g: "CodeGraph", folder: str) -> bool:
    """Is the dotted folder a project package or inside one? A folder with no `__init__.py` under a
    package (cat/scaffold/plugins/llms/providers/ beside cat/__init__.py) is still not on sys.path."""
    parts = folder.split(".")
    return any(".".join(parts[:k]) in g.modules for k in range(len(parts), 0, -1))


def imports_itself(g: "CodeGraph", target: str, module: "ModuleInfo") -> bool:
    """Is the longest project-module prefix of the dotted import `target` the importing module
    itself (`from langchain.llms import OpenAI` in a project file langchain.py)?"""
    parts = target.split(".")
    for i in range(len(parts) - 1, 0, -1):
        mod = g.find_module(".".join(parts[:i]))
        if mod is not None:
            return mod is module
    return False


# per graph: the dotted path of each module whose name drops a leading folder (`src.tools.x`)
_FOLDER_PATHS: "weakref.WeakKeyDictionary[object, dict[str, str]]" = weakref.WeakKeyDictionary()


def folder_module(g: "CodeGraph", name: str, own: Optional[str]) -> Optional["ModuleInfo"]:
    """The module a src layout's import through its folder names (`from src.tools.human import
    ask`, where the module is `tools.human`), if no other candidate took the name."""
    index = _FOLDER_PATHS.get(g)
    if index is None:
        index = {}
        for mname, info in g.modules.items():
            dotted = info.path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            if dotted != mname and dotted.endswith("." + mname):
                index.setdefault(dotted, mname)
        _FOLDER_PATHS[g] = index
    found = index.get(name)
    return g.modules[found] if found is not None and found != own else None
