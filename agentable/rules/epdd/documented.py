"""Installs a project documents instead of declaring them: a README that tells the user to
`pip install` a package an optional feature needs (a UI example, a baseline runner, a plugin), or
to clone the package's repository and install that checkout (`git clone .../aideml.git`, then
`pip install -e .`)."""

from __future__ import annotations

import posixpath
import re

from agentable.cpg.manifests import normalize_dist
from agentable.cpg.project import ProjectGraph
from agentable.query.facts import per_graph

_DOC_SUFFIXES = (".md", ".rst", ".mdx")
_PIP = re.compile(r"pip3?\s+install\s+([^\n`<]*)")  # to the end of the line, a code span or an HTML tag
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CLONE = re.compile(r"git\s+clone\s+(?:-\S+\s+)*(\S+)")
_LOCAL = re.compile(r"^(?:-e|--editable)?\s*\.{1,2}(?:/\S*)?$|^(?:-e|--editable)\s+\S+$")


@per_graph
def project_documents(g: ProjectGraph) -> tuple[tuple[str, str], ...]:
    """(path, text) of the project's Markdown and reStructuredText documents, in path order."""
    arts = getattr(g, "artifacts", None)
    if arts is None:
        return ()
    docs = ((rel, arts.text(rel)) for rel in sorted(arts.paths) if rel.lower().endswith(_DOC_SUFFIXES))
    return tuple((rel, text) for rel, text in docs if text)


def documented_install(g: ProjectGraph, path: str, governing: str, names: set[str],
                       importers: frozenset[str] = frozenset()) -> bool:
    """Does a document tell the user to `pip install` one of `names` (distributions, normalised),
    or to clone a repository named after one of them (`aideml` for `aide`) and `pip install` a
    local folder (`pip install -e .`), for the file `path`: a document in the file's folder or a
    folder above it below `governing` (the folder of the manifest that governs the file: the
    feature's own folders, not the project's README), or a document anywhere that names the
    file's path (`examples/rag.py`)? A manual install excuses only an optional feature: not
    when `importers` (the modules whose module-level imports run the file) reach outside the
    documented folder (the file's own folder, for a document that names it), since then the
    rest of the project needs the package too."""
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
        if not named & names and not any(c.startswith(n) for c in _clones(text) for n in names if len(n) > 2):
            continue
        home = posixpath.dirname(doc) if posixpath.dirname(doc) in own else posixpath.dirname(path) \
            if path in text else None
        if home is not None and all(i.startswith(home + "/") if home else True for i in importers):
            return True
    return False


def documented_anywhere(g: ProjectGraph, names: set[str]) -> bool:
    """Does any document of the project (its top README too) tell the user to `pip install` one
    of `names` (distributions, normalised)? Enough for an import inside a function: it runs only
    when the feature that calls the function does, and the project documents that feature's install."""
    names = names | {n.replace("-", "") for n in names}
    return any(named & names for named, _ in _doc_installs(g).values())


@per_graph
def _doc_installs(g: ProjectGraph) -> dict[str, tuple[frozenset[str], str]]:
    """Document -> (the distributions its `pip install` commands name, its text), for the
    project's documents that have such a command."""
    out: dict[str, tuple[frozenset[str], str]] = {}
    for rel, text in project_documents(g):
        if "install" not in text:
            continue
        named = {n for cmd in _PIP.finditer(text) for word in _command_words(cmd.group(1))
                 for m in [_NAME.match(word.strip("'\""))] if m is not None
                 for n in (normalize_dist(m.group(0)), normalize_dist(m.group(0)).replace("-", ""))}
        if named or _clones(text):
            out[rel] = (frozenset(named), text)
    return out


def _command_words(args: str) -> list[str]:
    """The package words of a `pip install` command's arguments, options left out, up to the first
    word that ends a sentence or a clause (`pip install unstructured-ingest. More details about
    Unstructured: ...` names one package, not `more` or `unstructured`)."""
    out: list[str] = []
    for word in args.split():
        if word[-1] in ".,:;!?)":
            if not word.startswith("-") and word.rstrip(".,:;!?)"):
                out.append(word.rstrip(".,:;!?)"))
            break
        if not word.startswith("-"):
            out.append(word)
    return out


def _clones(text: str) -> list[str]:
    """The names (normalised, no `.git`) of the repositories a document clones, when it also
    `pip install`s a local folder: the install of a checkout."""
    if not any(_LOCAL.match(cmd.group(1).strip()) for cmd in _PIP.finditer(text)):
        return []
    return [normalize_dist(m.group(1).rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")).replace("-", "")
            for m in _CLONE.finditer(text)]
