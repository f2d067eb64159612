"""Installs a project documents instead of declaring them: a README that tells the user to
`pip install` a package an optional feature needs (a UI example, a baseline runner, a plugin)."""

from __future__ import annotations

import posixpath
import re

from agentable.cpg.manifests import normalize_dist
from agentable.cpg.project import ProjectGraph
from agentable.query.facts import per_graph

_DOC_SUFFIXES = (".md", ".rst", ".mdx")
_PIP = re.compile(r"pip3?\s+install\s+([^\n`]*)")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def documented_install(g: ProjectGraph, path: str, governing: str, names: set[str]) -> bool:
    """Does a document tell the user to `pip install` one of `names` (distributions, normalised)
    for the file `path`: a document in the file's folder or a folder above it below `governing`
    (the folder of the manifest that governs the file: the feature's own folders, not the
    project's README), or a document anywhere that names the file's path (`examples/rag.py`)?"""
    installs = _doc_installs(g)
    if not installs:
        return False
    own = set()
    folder = posixpath.dirname(path)
    while folder and folder not in (".", governing) and not (governing not in (".", "") and
                                                             not folder.startswith(governing + "/")):
        own.add(folder)
        folder = posixpath.dirname(folder)
    names = names | {n.replace("-", "") for n in names}  # `autosklearn` for auto-sklearn
    for doc, (named, text) in installs.items():
        if not named & names:
            continue
        if posixpath.dirname(doc) in own or path in text:
            return True
    return False


@per_graph
def _doc_installs(g: ProjectGraph) -> dict[str, tuple[frozenset[str], str]]:
    """Document -> (the distributions its `pip install` commands name, its text), for the
    project's documents that have such a command."""
    arts = getattr(g, "artifacts", None)
    out: dict[str, tuple[frozenset[str], str]] = {}
    if arts is None:
        return out
    for rel in sorted(arts.paths):
        if not rel.lower().endswith(_DOC_SUFFIXES):
            continue
        text = arts.text(rel)
        if not text or "install" not in text:
            continue
        named = {n for cmd in _PIP.finditer(text) for word in cmd.group(1).split() if not word.startswith("-")
                 for m in [_NAME.match(word.strip("'\""))] if m is not None
                 for n in (normalize_dist(m.group(0)), normalize_dist(m.group(0)).replace("-", ""))}
        if named:
            out[rel] = (frozenset(named), text)
    return out
