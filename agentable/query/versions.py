"""Declared dependency versions vs API availability (LARD, EPDD)."""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.query.facts import per_graph


@lru_cache(maxsize=None)
def versions_disjoint(declared: str, available: str) -> bool:
    """True when no version admitted by the `declared` PEP 440 specifier set is in `available`
    (e.g. declared ">=1.30", available "<1.0"). Checked on every boundary version either set
    names, and the versions just around them."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        d, a = SpecifierSet(declared), SpecifierSet(available)
    except InvalidSpecifier:
        return False
    cands: set[str] = {"0", "0.0.1", "9999"}
    for spec in list(d) + list(a):
        v = spec.version.rstrip(".*")
        try:
            ver = Version(v)
        except InvalidVersion:
            return False
        rel = list(ver.release)
        cands.add(str(ver))
        for i in range(len(rel)):
            up = rel[: i + 1]
            up[-1] += 1
            cands.add(".".join(map(str, up)))
            if rel[i] > 0:
                down = rel[: i + 1]
                down[-1] -= 1
                cands.add(".".join(map(str, down)) + ".999")
        cands.add(".".join(map(str, rel + [1])))
        cands.add(".".join(map(str, rel + [0, 1])))
    if any(d.contains(c, prereleases=True) and a.contains(c, prereleases=True) for c in cands):
        return False
    # no candidate in both; require the declared range itself to be satisfiable by a candidate
    return any(d.contains(c, prereleases=True) for c in cands)


@per_graph
def api_unavailable(g: ProjectGraph, path: str, symbol: str):
    """Is `symbol` (a catalog path such as "openai.ChatCompletion.create" or
    "langchain.chat_models.ChatOpenAI") missing from EVERY version that the project's manifests for
    the file `path` admit? Returns (ApiAvailability, Requirement) for the most specific catalog
    `[[api_availability]]` entry whose distribution is declared with a range disjoint from the
    entry's `available` range, else None. The Requirement (agentable.cpg.manifests) is the
    declaration to cite (manifest path and line). Undeclared distributions, unpinned declarations
    and unparsable ranges give None (say nothing). Shared by LARD001 (LLM APIs) and EPDD (other
    libraries)."""
    for avail in g.catalog.api_availability(symbol):
        if any(declared_requirement(g, path, d, pinned=False) is not None for d in avail.unless_declared):
            continue
        found = declared_requirement(g, path, avail.dist)
        if found is not None and versions_disjoint(found[1], avail.available):
            return avail, found[0]
    return None


def is_framework_symbol(g: ProjectGraph, symbol: str) -> bool:
    """Does the symbol belong to an LLM SDK or agent framework (catalog framework roots)?"""
    return symbol.split(".", 1)[0].split("(", 1)[0] in g.catalog.known_framework_roots()


@lru_cache(maxsize=None)
def api_is_newer_than_declared(available: str, declared: str) -> bool:
    """Does the API need a newer release than any the declaration admits (the v1 client with
    openai==0.28.1: an EPDD dependency defect), rather than being removed in the declared releases
    (openai.ChatCompletion with openai>=1: a LARD API defect)?"""
    import re as _re

    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        avail, decl = SpecifierSet(available), SpecifierSet(declared)
    except InvalidSpecifier:
        return False
    points: set[Version] = {Version("0")}
    for text in _re.findall(r"\d+(?:\.\d+)*", available + " " + declared):
        try:
            v = Version(text)
        except InvalidVersion:
            continue
        parts = list(v.release) + [0, 0]
        points |= {v, Version(f"{parts[0]}.{parts[1]}.{parts[2] + 1}"), Version(f"{parts[0] + 1}.0")}
    admitted = [v for v in points if decl.contains(v, prereleases=True)]
    exists = [v for v in points if avail.contains(v, prereleases=True)]
    return bool(admitted and exists) and min(exists) > max(admitted)


@per_graph
def declared_requirement(g: ProjectGraph, path: str, dist: str, pinned: bool = True):
    """(Requirement, combined specifier text) that the manifests governing file `path` declare for
    `dist`, or None when it is undeclared or (with `pinned`) declared without a version range."""
    manifests = getattr(g, "manifests", None)
    if manifests is None:
        return None
    try:
        scope = manifests.for_path(path)
        reqs = scope.declared(dist)
        spec = scope.specifier_for(dist)
    except Exception:
        return None
    if not reqs or spec is None or (pinned and not str(spec)):
        return None
    main = [r for r in reqs if getattr(r, "group", "main") == "main"] or reqs
    return main[0], str(spec)


def declared_specifier(g: ProjectGraph, path: str, dist: str) -> Optional[str]:
    """The version specifier (PEP 440 text) the manifests for file `path` declare for `dist`, or
    None when undeclared or unpinned."""
    found = declared_requirement(g, path, dist)
    return found[1] if found is not None else None


def env_default_empty(v: object) -> bool:
    """Is this value an environment read (`os.getenv(NAME, "")`, `os.environ.get(NAME, "")`) whose
    fallback is the empty string?"""
    from agentable.cpg.values import ExtRef

    if not isinstance(v, ExtRef) or v.site is None:
        return False
    if v.path not in ("os.getenv()", "os.environ.get()"):
        return False
    call = v.site[1]
    default = call.args[1] if len(call.args) > 1 else call.kwarg("default")
    return isinstance(default, ir.Constant) and default.value == ""
