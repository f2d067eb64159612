"""Declared dependency versions vs API availability (LARD, EPDD)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from agentable.cpg.manifests import governing_dir
from agentable.cpg.project import ProjectGraph
from agentable.query.facts import per_graph


def boundary_versions(specs) -> Optional[list]:
    """The versions where membership in the given specifiers can change: every version they name
    and the versions just around it (plus 0 and a far-future one). Deciding a range question on
    these is exact for PEP 440 ranges. None when a specifier names a non-PEP 440 version."""
    cands: set[str] = {"0", "0.0.1", "9999"}
    for spec in specs:
        try:
            ver = Version(spec.version.rstrip(".*"))
        except InvalidVersion:
            return None
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
        cands.add(".".join(map(str, [*rel, 1])))
        cands.add(".".join(map(str, [*rel, 0, 1])))
    return sorted((Version(c) for c in cands))


def _specifier_pair(first: str, second: str):
    try:
        a, b = SpecifierSet(first), SpecifierSet(second)
    except InvalidSpecifier:
        return None
    points = boundary_versions(list(a) + list(b))
    return None if points is None else (a, b, points)


@lru_cache(maxsize=None)
def versions_disjoint(declared: str, available: str) -> bool:
    """True when no version admitted by the `declared` PEP 440 specifier set is in `available`
    (e.g. declared ">=1.30", available "<1.0"), while `declared` itself admits some version."""
    pair = _specifier_pair(declared, available)
    if pair is None:
        return False
    d, a, points = pair
    if any(d.contains(c, prereleases=True) and a.contains(c, prereleases=True) for c in points):
        return False
    return any(d.contains(c, prereleases=True) for c in points)


@lru_cache(maxsize=None)
def versions_within(declared: str, allowed: str) -> bool:
    """True when the `declared` specifier set admits at least one version and every version it
    admits is in `allowed`. An empty `declared` (unpinned) is never within."""
    if not declared.strip():
        return False
    pair = _specifier_pair(declared, allowed)
    if pair is None:
        return False
    d, a, points = pair
    inside = [c for c in points if d.contains(c, prereleases=True)]
    return bool(inside) and all(a.contains(c, prereleases=True) for c in inside)


@lru_cache(maxsize=None)
def api_is_newer_than_declared(available: str, declared: str) -> bool:
    """Does the API need a newer release than any the declaration admits (the v1 client with
    openai==0.28.1: an EPDD dependency defect), rather than being removed in the declared releases
    (openai.ChatCompletion with openai>=1: a LARD API defect)?"""
    pair = _specifier_pair(available, declared)
    if pair is None:
        return False
    avail, decl, points = pair
    admitted = [v for v in points if decl.contains(v, prereleases=True)]
    exists = [v for v in points if avail.contains(v, prereleases=True)]
    return bool(admitted and exists) and min(exists) > max(admitted)


@dataclass(frozen=True)
class VersionSource:
    """What decides the versions of a distribution that a fresh install of the project gets, for
    one source file: the declared range, or, where a lock file governs the file and pins versions
    that range admits, those pinned versions (`poetry install`, `uv sync` install exactly them)."""

    dist: str
    specifier: str  # the declared PEP 440 range ("" when only the lock names the distribution)
    path: str  # the manifest or lock file to cite
    line: int
    col: int
    end_col: int
    locked: tuple[str, ...] = ()  # the pinned versions, when the lock decides
    declared_at: str = ""  # `pyproject.toml:19`, when a lock decides for a declared distribution
    # Without a lock, the newest known release the range admits: what `pip install` picks.
    newest: str = ""

    def excludes(self, available: str) -> bool:
        """Does a fresh install get no version in `available`: no version this source admits is
        in it, or (without a lock) the newest release the range admits is not?"""
        if self.locked:
            return all(versions_disjoint(f"=={v}", available) for v in self.locked)
        return versions_disjoint(self.specifier, available) or self.newest_decides(available)

    def newest_decides(self, available: str) -> bool:
        """Do older releases the range admits have the API, while the newest, which a fresh
        install gets, lacks it (`openai` declared with no upper bound, `openai.ChatCompletion`)?"""
        if self.locked or not self.newest or versions_disjoint(self.specifier, available):
            return False
        try:
            return not SpecifierSet(available).contains(self.newest, prereleases=True)
        except InvalidSpecifier:
            return False

    def predates(self, available: str) -> bool:
        """Is `available` newer than every version this source admits (an API added later)?"""
        if self.locked:
            return all(api_is_newer_than_declared(available, f"=={v}") for v in self.locked)
        return api_is_newer_than_declared(available, self.specifier)

    def versions(self) -> str:
        """`openai>=1.30` for a declared range, `openai 1.86.0` for a lock's pin."""
        return f"{self.dist} {' / '.join(self.locked)}" if self.locked else f"{self.dist}{self.specifier}"

    def fresh_install(self) -> str:
        """`openai 3.63.0, the newest release, which a fresh install gets: requirements.txt:3
        declares `openai` with no upper bound`."""
        bounded = any(op in self.specifier for op in ("<", "==", "~=", "!="))
        return (f"{self.dist} {self.newest}, the newest release, which a fresh install gets: "
                f"{self.path}:{self.line} declares `{self.versions()}`" + ("" if bounded else " with no upper bound"))

    def cited(self, available: str = "") -> str:
        """`requirements.txt:3 declares openai>=1.30`, or `poetry.lock:827 pins openai 1.86.0
        (pyproject.toml:19 declares openai>=0.27)`; when the newest admitted release decides,
        `requirements.txt:3 declares openai, so a fresh install gets openai 3.63.0`."""
        if not self.locked and available and self.newest_decides(available):
            return f"{self.path}:{self.line} declares {self.versions()}, so a fresh install gets {self.dist} {self.newest}"
        if not self.locked:
            return f"{self.path}:{self.line} declares {self.versions()}"
        return f"{self.path}:{self.line} pins {self.versions()}{self.declared_note()}"

    def declared_note(self) -> str:
        """` (pyproject.toml:19 declares openai>=0.27)` when a lock decides for a declared range."""
        return f" ({self.declared_at} declares {self.dist}{self.specifier})" if self.locked and self.specifier else ""


@per_graph
def version_source(g: ProjectGraph, path: str, dist: str) -> Optional[VersionSource]:
    """The VersionSource of `dist` for the file `path`, or None when its versions are unknown
    (undeclared and unlocked, or declared without a range and unlocked). A lock counts when it
    governs the file, covers the declaring manifest's folder and pins versions the declaration
    admits (a stale lock would be re-resolved or refused, not installed)."""
    found = declared_requirement(g, path, dist, pinned=False)
    manifests = g.manifests
    folder = manifests.lock_folder(path) if manifests is not None and manifests.script_scope(path) is None else None
    pins = manifests.pins_for(path, dist) if folder is not None and manifests is not None else ()
    if pins and found is not None:
        req, spec = found
        if folder is None or not _covers(folder, governing_dir(req.path)):
            pins = ()
        else:
            try:
                admitted = SpecifierSet(spec)
                pins = tuple(p for p in pins if admitted.contains(p.version, prereleases=True))
            except (InvalidSpecifier, ValueError):
                pins = ()
    if pins:
        first = pins[0]
        spec, at = (found[1], f"{found[0].path}:{found[0].line}") if found is not None else ("", "")
        return VersionSource(dist, spec, first.path, first.line, 1, first.end_col,
                             tuple(dict.fromkeys(p.version for p in pins)), at)
    if found is None:
        return None
    req, spec = found
    newest = _newest_admitted(g, dist, spec)
    if not spec and not newest:
        return None  # unpinned, and its releases unknown
    return VersionSource(dist, spec, req.path, req.line, req.col, req.end_col, newest=newest)


def _newest_admitted(g: ProjectGraph, dist: str, spec: str) -> str:
    """The newest known final release of `dist` that `spec` admits ("" when unknown)."""
    known = g.catalog.releases.get(dist)
    if known is None:
        return ""
    try:
        admitted = SpecifierSet(spec)
    except InvalidSpecifier:
        return ""
    return next((str(v) for v in known.releases if admitted.contains(v)), "")


def _covers(lock_folder: str, manifest_folder: str) -> bool:
    return lock_folder == "." or manifest_folder == lock_folder or manifest_folder.startswith(lock_folder + "/")


@per_graph
def api_unavailable(g: ProjectGraph, path: str, symbol: str):
    """Is `symbol` (a catalog path such as "openai.ChatCompletion.create" or
    "langchain.chat_models.ChatOpenAI") missing from EVERY version that the project's manifests for
    the file `path` admit? Returns (ApiAvailability, Requirement) for the most specific catalog
    `[[api_availability]]` entry whose distribution is declared with a range disjoint from the
    entry's `available` range (or a lock pins only versions outside it), else None. The
    VersionSource is what to cite (a manifest's declaration or a lock's pin). Unknown versions and
    unparsable ranges give None (say nothing). Shared by LARD001 (LLM APIs) and EPDD (other
    libraries)."""
    ruled_out = unavailable_apis(g, path)
    if not ruled_out:
        return None
    for avail in g.catalog.api_availability(symbol):
        req = ruled_out.get(avail)
        if req is not None:
            return avail, req
    return None


def unavailable_apis(g: ProjectGraph, path: str) -> dict:
    """The catalog's API entries that the declarations (or locks) governing `path` rule out, each
    with the VersionSource to cite. Manifests govern whole folders: computed once per folder."""
    return _unavailable_in_folder(g, posixpath.dirname(path))


@per_graph
def _unavailable_in_folder(g: ProjectGraph, folder: str) -> dict:
    path = posixpath.join(folder, "_")  # any file of the folder has the same manifests
    out: dict = {}
    for avail in g.catalog.availability:
        if any(declared_requirement(g, path, d, pinned=False) is not None for d in avail.unless_declared):
            continue
        source = version_source(g, path, avail.dist)
        if source is not None and source.excludes(avail.available):
            out[avail] = source
    return out


def is_framework_symbol(g: ProjectGraph, symbol: str) -> bool:
    """Does the symbol belong to an LLM SDK or agent framework (catalog framework roots)?"""
    return symbol.split(".", 1)[0].split("(", 1)[0] in g.catalog.known_framework_roots()


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
