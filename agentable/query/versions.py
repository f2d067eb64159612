"""Declared dependency versions vs API availability (LARD, EPDD)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from agentable.catalog.api_surface import ApiSurface, Presence
from agentable.cpg.manifests import ManifestSet, Requirement, governing_dir
from agentable.cpg.project import ProjectGraph
from agentable.query.dependencies import installed_closure, left_out_by_declarations
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
        if folder is None or not _covers(folder, governing_dir(req.path)) or _pip_route(req.path, folder):
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
    v = known.resolve(spec) if known is not None else None
    return str(v) if v is not None and not v.is_prerelease else ""


def _pip_route(manifest: str, lock_folder: str) -> bool:
    """Is the declaring manifest a requirements file of a subfolder of the lock's project? It is
    installed with `pip install -r`, which reads no lock of the enclosing project."""
    return manifest.endswith(".txt") and governing_dir(manifest) != lock_folder


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


@dataclass(frozen=True)
class MinedGap:
    """A symbol that the mined API data (catalog api_surface) has in some read releases of `dist`,
    but not in the ones a fresh install of the project gets."""

    symbol: str
    dist: str
    source: VersionSource
    installed: tuple[str, ...]  # the versions a fresh install gets (a lock's pins, or the newest admitted)
    has: str  # the read releases that have it, as ranges: `>=0.1.0,<1.0.0`
    read: str  # the read releases: `0.0.354 to 1.5.2`
    newer: bool  # every read release that has it is newer than the installed ones

    def installed_text(self) -> str:
        """`langchain 1.5.2, the newest release that requirements.txt:3 admits (`langchain`), which a
        fresh install gets`, or `langchain 0.3.1, the version uv.lock:5 pins (...)`."""
        src = self.source
        if src.locked:
            return f"{src.versions()}, the version {src.path}:{src.line} pins{src.declared_note()}"
        return (f"{self.dist} {self.installed[0]}, the newest release that {src.path}:{src.line} admits "
                f"(`{src.versions()}`), which a fresh install gets")

    def message(self) -> str:
        return (f"`{self.symbol}` is not in {self.installed_text()}; of the releases read ({self.read}), "
                f"only {self.dist}{self.has} has it.")


def callee_of(path: str) -> Optional[tuple[str, str]]:
    """(`pkg.mod.Name` or `pkg.mod.Class`, member) of an external callee's catalog path: a function
    or constructor (member ""), a method on the class (`pkg.Class.meth`) or on an instance made in
    the project (`pkg.Class().meth`), or an instance called (`pkg.Class()` -> `__call__`)."""
    if path.endswith("()") and path.count("(") == 1:
        return path[:-2], "__call__"
    if "(" not in path:
        return path, ""
    head, _, member = path.rpartition("().")
    if head and "(" not in head and member and "." not in member and "(" not in member:
        return head, member
    return None


def _mined_form(symbol: str) -> Optional[str]:
    """The mined data's name of `symbol`: a method of an instance (`qdrant_client.QdrantClient().search`)
    is its class's member (`qdrant_client.QdrantClient.search`); a longer chain through an instance
    (`openai.OpenAI().chat.completions`) has attribute types the data does not hold: None."""
    callee = callee_of(symbol)
    if callee is None or callee[1] == "__call__":
        return None
    return ".".join(p for p in callee if p)


@per_graph  # the same for every file: mined_api_gap asks it per (file, symbol)
def _surfaces_having(g: ProjectGraph, symbol: str, call: bool = False) -> tuple[tuple[str, ApiSurface, Presence], ...]:
    """The mined distributions of `symbol`'s import root in which some read release has it (with
    `call`, as a name, not a module: see `ApiSurface.name_presence`); none when the project's own
    package of that name (a local `agents/`) shadows the library."""
    return tuple(_surfaces_having_uncached(g, symbol, call))


def _surfaces_having_uncached(g: ProjectGraph, symbol: str, call: bool) -> Iterator[tuple[str, ApiSurface, Presence]]:
    mined = _mined_form(symbol)
    chain = mined is None and chain_form(symbol)  # `openai.OpenAI().chat.completions.create`
    root = (mined or symbol).split(".", 1)[0]
    if (mined is None and not chain) or shadowed_by_project(g, root):
        return
    index = g.catalog.api_surface
    for dist in index.dists_for(root):
        surface = index.get(dist)
        if surface is None:
            continue
        if mined is None:
            pres = surface.chain_presence(symbol)
        else:
            pres = surface.name_presence(mined) if call else surface.presence(mined)
        if pres is not None and pres.have:
            yield dist, surface, pres


def chain_form(symbol: str) -> bool:
    """Is `symbol` a name reached through attributes of an instance (`pkg.Class().a.b`), with no
    other call on the way?"""
    head, _, tail = symbol.partition("().")
    return bool(head and tail) and "(" not in head and "(" not in tail and "." in head


@per_graph
def mined_api_gap(g: ProjectGraph, path: str, symbol: str, call: bool = False) -> Optional[MinedGap]:
    """Is `symbol` (`pkg.mod`, `pkg.mod.Name`, `pkg.mod.Class.method`) absent from every version of
    its distribution that a fresh install of the file `path` gets (each locked pin, or without a
    lock the newest release the declared range admits), while its module is there and some other
    read release has it (a removal or rename, not a typo)? Unknown is never a gap: a module with a
    lazy `__getattr__`, a class with bases outside the wheel, a version that was not read (a
    release between two read ones counts only when both lack it), a module not in the data. With
    `call`, the symbol is called: a module of that name does not count as having it."""
    for dist, surface, pres in _surfaces_having(g, symbol, call):
        fresh = _fresh_bits(g, path, dist, surface)
        if fresh is None or provided_by_another(g, symbol, dist):
            continue
        source, installed, bits = fresh
        if not bits or any(b is None for b in bits):
            continue  # a version that was not read: unknown
        judged = [i for b in bits for i in (b or ())]
        if any(pres.have >> i & 1 or not pres.module_mask >> i & 1 for i in judged):
            continue
        shown = pres.have & ~pres.unknown  # (a lazy module's release is no evidence that it had it)
        if not shown:
            continue
        has = surface.versions_in(shown)
        newer = min(has) > max(installed)
        return MinedGap(symbol, surface.name, source, tuple(str(v) for v in installed),
                        mined_ranges(surface.versions, shown), f"{surface.versions[-1]} to {surface.versions[0]}", newer)
    return None


def provided_by_another(g: ProjectGraph, symbol: str, dist: str) -> bool:
    """Does the name table give the module of `symbol` to a distribution other than `dist` (its
    most specific entry: `pymilvus.model` is pymilvus-model's, which `pymilvus[model]` installs)?
    Then that distribution decides whether the name is there, not `dist`'s releases, and a file
    whose declarations leave it out is missing a package (EPDD001), not a bound."""
    specific = g.catalog.most_specific_import(symbol)
    if specific is None or "." not in specific:
        return False  # a top-level name several distributions install (pinecone, pinecone-client): `dist`'s own
    others = {str(canonicalize_name(d)) for d in g.catalog.distributions_for_import(symbol)}
    return str(canonicalize_name(dist)) not in others


@dataclass(frozen=True)
class NewestGap:
    """A symbol that the newest release of its distribution lacks while older read releases have
    it, imported by a file whose declarations leave that distribution out (see
    `undeclared_api_gap`)."""

    symbol: str
    dist: str
    newest: str
    has: str  # the read releases that have it, as ranges
    read: str


@per_graph
def undeclared_api_gap(g: ProjectGraph, path: str, symbol: str) -> Optional[NewestGap]:
    """Is `symbol` missing from the newest release of its distribution, which the file `path`
    imports while its declarations leave that distribution out (`left_out_by_declarations`): the
    import fails today, and declaring the distribution without an upper bound, the obvious fix,
    installs that newest release, which lacks it too. Judged as `mined_api_gap` judges one
    release; a newest release the data did not read is unknown."""
    if "(" in symbol or shadowed_by_project(g, symbol.split(".", 1)[0]):
        return None
    index = g.catalog.api_surface
    for dist in index.dists_for(symbol.split(".", 1)[0]):
        surface = index.get(dist)
        pres = surface.presence(symbol) if surface is not None else None
        if surface is None or pres is None or not pres.have or not surface.releases:
            continue
        newest = surface.releases[0]
        known = g.catalog.releases.get(dist)
        latest = known.resolve("") if known is not None else None
        if latest is not None and latest > newest:
            continue  # a release newer than the data: unknown
        bits = _read_bits(surface.versions, newest)
        if bits is None or any(pres.have >> i & 1 or not pres.module_mask >> i & 1 for i in bits):
            continue
        if not left_out_by_declarations(g, path, dist):
            continue
        return NewestGap(symbol, surface.name, str(newest), mined_ranges(surface.versions, pres.have),
                         f"{surface.versions[-1]} to {surface.versions[0]}")
    return None


@per_graph
def shadowed_by_project(g: ProjectGraph, root: str) -> bool:
    """Does a package of the project named `root` shadow the library's?"""
    return any(name == root or name.startswith(root + ".") for name in g.modules)


def mined_dists_declared(g: ProjectGraph, path: str) -> bool:
    """Do the manifests governing `path` declare a distribution whose API was mined? (Else no
    mined gap can be found in the file.) Computed once per folder."""
    return _mined_declared_in(g, posixpath.dirname(path))


@per_graph
def _mined_declared_in(g: ProjectGraph, folder: str) -> bool:
    path = posixpath.join(folder, "_")
    return any(declared_requirement(g, path, d, pinned=False) is not None for d in g.catalog.api_surface.names())


def _fresh_install(g: ProjectGraph, path: str, dist: str, surface) -> Optional[tuple[VersionSource, list[Version]]]:
    """What a fresh install of the file `path` gets of the mined `dist`: each locked pin, or the
    newest read-or-known release the declared range admits. Kept per graph by (path, dist): every
    mined symbol and keyword of the file asks it, and the newest admitted release is a walk over
    the releases testing the specifier (the surface is `dist`'s, an unhashable record: by id)."""
    key = (_fresh_install, path, dist, id(surface))
    facts = g.facts
    if key not in facts:
        facts[key] = _fresh_install_uncached(g, path, dist, surface)
    return facts[key]  # type: ignore[return-value]


def _fresh_install_uncached(g: ProjectGraph, path: str, dist: str,
                            surface) -> Optional[tuple[VersionSource, list[Version]]]:
    source = version_source(g, path, dist)
    if source is not None and source.locked:
        try:
            return source, [Version(v) for v in source.locked]
        except InvalidVersion:
            return None
    found = declared_requirement(g, path, dist, pinned=False)
    if found is None:
        return None
    req, spec = found
    try:
        admitted = SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    newest = next((v for v in surface.releases if admitted.contains(v)), None)
    if newest is None or (source is not None and source.newest and Version(source.newest) > newest):
        return None  # a release newer than the data: unknown
    return VersionSource(dist, spec, req.path, req.line, req.col, req.end_col, newest=str(newest)), [newest]


def installed_read_bits(g: ProjectGraph, path: str, dist: str,
                        surface) -> Optional[tuple[VersionSource, list[Version], list[int]]]:
    """What a fresh install of the file `path` gets of the mined `dist` (each locked pin, or the
    newest release the declared range admits), with the indexes of the read releases that stand
    for it (a release between two read ones needs both). None when unknown."""
    fresh = _fresh_bits(g, path, dist, surface)
    if fresh is None:
        return None
    source, installed, bits = fresh
    if not bits or any(b is None for b in bits):
        return None
    return source, installed, sorted({i for b in bits for i in (b or ())})


def _fresh_bits(g: ProjectGraph, path: str, dist: str, surface) -> Optional[
        tuple[VersionSource, list[Version], list[Optional[tuple[int, ...]]]]]:
    """`_fresh_install` with the read releases that stand for each installed version
    (`_read_bits`), kept per graph by the same key: every mined symbol and keyword of a file asks
    them again, and each is a walk over the read releases."""
    key = (_fresh_bits, path, dist, id(surface))
    facts = g.facts
    if key not in facts:
        fresh = _fresh_install(g, path, dist, surface)
        facts[key] = None if fresh is None else (fresh[0], fresh[1], [_read_bits(surface.versions, v) for v in fresh[1]])
    return facts[key]  # type: ignore[return-value]


def _read_bits(versions: tuple[Version, ...], v: Version) -> Optional[tuple[int, ...]]:
    """The indexes of the read releases that stand for `v`: itself, or the read releases just
    below and just above it (both needed). None when `v` is outside what was read."""
    if v in versions:
        return (versions.index(v),)
    below = [i for i, r in enumerate(versions) if r < v]
    above = [i for i, r in enumerate(versions) if r > v]
    return (below[0], above[-1]) if below and above else None


def mined_ranges(versions: tuple[Version, ...], mask: int) -> str:
    """The read releases in `mask` as PEP 440 ranges (versions newest first): `>=0.1.0,<1.0.0`."""
    runs: list[str] = []
    asc = list(reversed(versions))
    i = 0
    while i < len(asc):
        if not mask >> (len(asc) - 1 - i) & 1:
            i += 1
            continue
        j = i
        while j + 1 < len(asc) and mask >> (len(asc) - 2 - j) & 1:
            j += 1
        runs.append(f">={asc[i]}" + (f",<{asc[j + 1]}" if j + 1 < len(asc) else ""))
        i = j + 1
    return " or ".join(runs)


@dataclass(frozen=True)
class LowerGap:
    """A symbol that the release a fresh install gets has, while read releases at the low end of
    the declared range lack it (`duckduckgo_search>=2.9.4` with `DDGS`, which 2.9.x lacks): an
    environment holding such a release satisfies the declaration, and pip leaves it in place."""

    symbol: str
    dist: str
    source: VersionSource
    lacking: tuple[str, ...]  # the read releases the range admits that lack it, oldest first
    since: str  # the oldest read release from which every read release the range admits has it


@per_graph
def lower_bound_gap(g: ProjectGraph, path: str, symbol: str) -> Optional[LowerGap]:
    """Does the range declared for the distribution of `symbol` (for the file `path`) state a lower
    bound that admits read releases lacking `symbol` (its module there: an ImportError or
    AttributeError, not a module the data does not cover), while the newest admitted release, which
    a fresh install gets, has it (else `mined_api_gap` speaks)? A range with no lower bound states
    no minimum and is not judged; a lock decides the version instead of the range."""
    for dist, surface, pres in _surfaces_having(g, symbol):
        fresh = installed_read_bits(g, path, dist, surface)
        if fresh is None or fresh[0].locked or not _has_lower_bound(fresh[0].specifier):
            continue
        source, _, bits = fresh
        if not all(pres.have >> i & 1 for i in bits):
            continue  # the newest admitted release lacks it too: mined_api_gap's
        admitted = SpecifierSet(source.specifier)
        inside = [i for i, v in enumerate(surface.versions) if admitted.contains(v, prereleases=True)]
        since = None  # walk down from the newest: the oldest release of the run that has it
        for i in sorted(inside):
            if not pres.have >> i & 1:
                break
            since = i
        lacking = [i for i in inside if not pres.have >> i & 1 and pres.module_mask >> i & 1]
        if since is None or not lacking:
            continue
        return LowerGap(symbol, surface.name, source, tuple(str(surface.versions[i]) for i in reversed(lacking)),
                        str(surface.versions[since]))
    return None


def _has_lower_bound(spec: str) -> bool:
    """Does a PEP 440 range state a minimum (`>=`, `>`, `~=`), other than a single pin?"""
    try:
        specs = list(SpecifierSet(spec))
    except InvalidSpecifier:
        return False
    return any(s.operator in (">=", ">", "~=") for s in specs) and not any(s.operator in ("==", "===") for s in specs)


@dataclass(frozen=True)
class ProviderGap:
    """An import that no declaration names, installed only as a requirement of one declared
    distribution, whose lower bound admits read releases that do not require it (`import httpx2`
    with `mcp>=1.0.0`: mcp 2.x requires httpx2, mcp 1.x does not)."""

    dist: str  # the declared distribution that brings it
    provider: str  # the distribution that ships the import
    requirement: Requirement  # the manifest line of `dist`
    lacking: tuple[str, ...]  # read releases the range admits that do not require `provider`
    since: str  # the oldest read release from which every read admitted release requires it


@per_graph
def lower_bound_provider_gap(g: ProjectGraph, path: str, dotted: str) -> Optional[ProviderGap]:
    """Is the import `dotted`, which no declaration governing `path` names (nor a lock pins), there
    only because the newest release of ONE declared distribution requires its provider directly
    (by the mined Requires-Dist of each release, requires.pack), while that declaration's lower
    bound admits read releases that do not require it? Unknown provider, a read release missing,
    several declarations that could bring it, or an unbounded range: None."""
    manifests = g.manifests
    top = dotted.split(".", 1)[0]
    if manifests is None or shadowed_by_project(g, top) or manifests.script_scope(path) is not None:
        return None
    providers = {str(canonicalize_name(d)) for d in g.catalog.distributions_for_import(dotted)}
    try:
        scope = manifests.for_path(path)
    except Exception:
        return None
    reqs = [r for r in scope.requirements if not r.marker]
    if scope.unknown_dependencies or not providers or manifests.lock_folder(path) is not None:
        return None
    # a declared provider, or a declared distribution whose own namespace it is (`langgraph.prebuilt`,
    # which langgraph shipped before langgraph-prebuilt split it out): EPDD005's API check and EPDD001 judge it
    owners = providers | {str(canonicalize_name(d)) for d in g.catalog.distributions_for_import(top)}
    if any(r.dist in owners for r in scope.requirements):
        return None
    bringers = []
    for r in reqs:
        known = g.catalog.releases.get(r.dist)
        newest = known.resolve(r.specifier) if known is not None else None
        if known is not None and newest is not None and any(
                known.requirement_on(newest, p, tuple(r.extras)) for p in providers):
            bringers.append((r, known, newest))
    if len(bringers) != 1:
        return None
    r, known, newest = bringers[0]
    if r.group != "main" or not _has_lower_bound(r.specifier):
        return None
    # what the other declarations install, several levels deep, must not bring it too
    rest = ManifestSet([x for x in scope.requirements if x.dist != r.dist], list(scope.manifests))
    if providers & installed_closure(g, rest).keys():
        return None
    admitted = SpecifierSet(r.specifier)
    read = sorted((v for v in known.requires if not v.is_prerelease and admitted.contains(v)), reverse=True)
    needs = {v: any(known.requirement_on(v, p, tuple(r.extras)) for p in providers) for v in read}
    since = None
    for v in read:  # newest first: the oldest release of the run that requires it
        if not needs[v]:
            break
        since = v
    lacking = [v for v in reversed(read) if not needs[v]]
    provider = next(p for p in sorted(providers) if known.requirement_on(newest, p, tuple(r.extras)))
    if since is None or not lacking:
        return None
    return ProviderGap(r.dist, provider, r, tuple(str(v) for v in lacking), str(since))
