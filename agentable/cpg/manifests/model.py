"""What is known of a project's dependencies: each declaration as a Requirement, with its
manifest and position, and the ManifestSet that holds them, the manifests they come from and the
folder scopes those govern. It reads no file: the readers fill it in. What the rules consult on a
ManifestSet: `requirements`, `manifests` and `includes` (folder scopes, through `for_path`),
`unknown_dependencies` (manifests whose runtime dependencies are computed at build time),
`script_manifests` / `script_scope` (files that declare their own dependencies) and `locked` /
`locked_for` (what a fresh install from the lock gets)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from agentable.findings import Notification

# Folders that hold a project's requirement files but are not the project itself.
_REQUIREMENT_DIRS = frozenset({"requirements", "reqs"})


@dataclass(frozen=True)
class LockedPin:
    """One version of a distribution that a lock file pins (a uv lock may pin several, one per
    resolution fork)."""

    dist: str  # PEP 503-normalised name
    version: str  # as the lock writes it, e.g. "1.86.0"
    path: str  # lock file relative to the root
    line: int  # 1-based line of the version (of the package entry when the lock has no such line)
    end_col: int = 1  # exclusive 1-based end column of that line's text


@dataclass(frozen=True)
class Requirement:
    dist: str  # PEP 503-normalised name
    raw_name: str  # as written
    specifier: str  # PEP 440 specifier, "" when unpinned
    extras: tuple[str, ...]
    marker: str
    path: str  # manifest path relative to the root, forward slashes
    line: int  # 1-based
    col: int  # 1-based column where the name starts
    end_col: int  # exclusive end of the requirement text on that line
    group: str  # main | optional:<name> | dev | group:<name> | constraint
    # the tool's table the declaration sits in when one file holds several tools' ("tool.poetry" in a
    # pyproject.toml that also has [project]): each tool installs from its own table only
    table: str = ""


@dataclass(frozen=True)
class EntryPoint:
    """A command a manifest installs (`[project.scripts]`, Poetry's `scripts`, setup.cfg's
    `console_scripts`): `name = module:attr`, run by the installed project."""

    name: str
    module: str  # dotted
    attr: str
    path: str  # manifest path relative to the root
    line: int  # 1-based line of the entry
    col: int = 1
    end_col: int = 1


@dataclass(frozen=True)
class DeployUnit:
    """A folder that a deployment descriptor builds on its own (see manifests.deploy_units)."""

    descriptors: tuple[str, ...]  # the descriptors that list it, relative to the root
    members: tuple[str, ...]  # every folder they install with it (itself included)
    entries: tuple[str, ...] = ()  # the source files of the graphs they serve (the code that runs there)
    listed_at: tuple[tuple[str, int], ...] = ()  # (descriptor, line) of the `dependencies` entries naming it


_PROJECT_MANIFESTS = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})
# A requirements file named for a feature (`requirements_gpu.txt`, `requirements-voice.txt`): what a
# user adds to the project's base install, not a base of its own.
_ADD_ON_RE = re.compile(r"^requirements[-_.][^/]+\.(txt|in)$")


def is_add_on(manifest: str) -> bool:
    """Is `manifest` a requirements file named for a feature (see `_ADD_ON_RE`)?"""
    return bool(_ADD_ON_RE.match(PurePosixPath(manifest).name))


@lru_cache(maxsize=4096)  # the same few names, asked for every file and manifest
def normalize_dist(name: str) -> str:
    return str(canonicalize_name(name))


def _normalized(name: str) -> str:
    """normalize_dist, skipping the regular expression for a name already normalised (lower case,
    runs of '-', '_' and '.' already a single '-'), as catalog and requirement names are."""
    if name.islower() and "_" not in name and "." not in name and "--" not in name:
        return name
    return normalize_dist(name)


def governing_dir(manifest: str) -> str:
    """The project folder a manifest belongs to: its folder, or the parent of a requirements/ folder."""
    parent = PurePosixPath(manifest).parent
    if parent.name in _REQUIREMENT_DIRS:
        parent = parent.parent
    return str(parent)


@dataclass(frozen=True)
class PythonRange:
    """The Python versions a manifest says the project runs on (`[project] requires-python`,
    Poetry's `python` dependency, `python_requires` of setup.py or setup.cfg), and where."""

    specifier: str  # PEP 440, Poetry carets already converted
    path: str  # manifest path relative to the root
    line: int  # 1-based
    col: int = 1
    end_col: int = 1


@dataclass
class ManifestSet:
    requirements: list[Requirement] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    # (The fields below are keyword-only: ManifestSet(requirements, manifests, notes, includes) still holds.)
    # Manifests read fine whose runtime dependencies are computed at build time and could not be
    # read (pyproject `dynamic = ["dependencies"]` with no hook table or file that gives them, a
    # setup.py whose install_requires is built by code): manifest -> why. Their other requirements
    # (extras, groups) are in `requirements`; a distribution missing from them proves nothing.
    unknown_dependencies: dict[str, str] = field(default_factory=dict, kw_only=True)
    # Install scripts (Dockerfiles, shell scripts) that install a checkout of another repository or
    # put one on PYTHONPATH: script -> the repositories' URLs. The modules such a checkout holds are
    # not known from its name (`ADD .../WebShop.git /src` with `PYTHONPATH=/src` gives `web_agent_site`).
    source_checkouts: dict[str, tuple[str, ...]] = field(default_factory=dict, kw_only=True)
    # such a script -> the URL of the checkout whose requirements file it installs (the reason it is
    # in `unknown_dependencies`)
    checkout_requirements: dict[str, str] = field(default_factory=dict, kw_only=True)
    # PEP 723 inline script metadata: source file -> its manifest id (the file itself). Such a file
    # is governed by its `# /// script` block alone (tools run it in an environment of its own);
    # its requirements are in `requirements` with `path` == the id. Scripts are not in `manifests`,
    # which lists the files that govern folders. See `script_scope`.
    script_manifests: dict[str, str] = field(default_factory=dict, kw_only=True)
    # how such a file declares them, when not by a PEP 723 block: "modal" (the Modal image it runs in)
    script_kinds: dict[str, str] = field(default_factory=dict, kw_only=True)
    # Lock files (uv.lock, poetry.lock, pdm.lock, Pipfile.lock, pylock.toml) read without error:
    # the lock's folder ("." for the root) -> PEP 503 names of every distribution it pins, transitive
    # ones and every group or extra included. Not declarations: never in `requirements`.
    locked: dict[str, frozenset[str]] = field(default_factory=dict, kw_only=True)
    lock_files: list[str] = field(default_factory=list, kw_only=True)  # the lock files behind `locked`
    # The versions those locks pin: the lock's folder -> distribution -> its pins (see `pins_for`).
    pins: dict[str, dict[str, tuple[LockedPin, ...]]] = field(default_factory=dict, kw_only=True)
    # pyproject.toml / setup.py / setup.cfg -> the PEP 503 name of the distribution it builds: the
    # project's own, which its code (and that of its sub-folders, examples) imports without declaring.
    project_names: dict[str, str] = field(default_factory=dict, kw_only=True)
    # pyproject.toml files that build a distribution for users to pip-install (a build backend and
    # the packages it ships: `[tool.poetry] packages`, a PEP 621 `[project]`): such users resolve its
    # declarations afresh, so a lock file beside it (poetry.lock, uv.lock) installs nothing for them.
    published: set[str] = field(default_factory=set, kw_only=True)
    # The names of the scanned folder and of its parent (nearest last): where a file governed by an
    # enclosing project's manifest ("../pyproject.toml") sits in that project.
    root_names: tuple[str, ...] = field(default=(), kw_only=True)
    # Requirement files that a setup.py splits by code between install_requires and extras named on
    # the lines (`torch[hf]` is extra `hf`'s): file -> that setup.py. See `installs_with_package`.
    bracket_extras: dict[str, str] = field(default_factory=dict, kw_only=True)
    # Folders a deployment descriptor (langgraph.json) builds on its own: folder -> its unit. A file
    # whose nearest manifests are such a folder's is governed by the manifests of the unit's folders
    # and the packages the descriptors name, nothing above (see `for_path`, `deployed_by`).
    deploy_units: dict[str, DeployUnit] = field(default_factory=dict, kw_only=True)
    # in a scope that `for_path` made for a file of such a folder: its unit (else None)
    deployed_by: Optional[DeployUnit] = field(default=None, kw_only=True)
    # manifest -> the Python versions it declares (the whole project's; scopes do not narrow it)
    python_ranges: dict[str, PythonRange] = field(default_factory=dict, kw_only=True)
    # Dockerfile -> the Python of its final stage's official `python:X.Y` base image (`==X.Y.*`), for
    # a Dockerfile that copies its whole folder into the image (`COPY . .`): the Python that folder's
    # code runs on there
    image_pythons: dict[str, PythonRange] = field(default_factory=dict, kw_only=True)
    # the commands the project's manifests install (see EntryPoint)
    entry_points: list[EntryPoint] = field(default_factory=list, kw_only=True)
    # manifest -> files it pulls in with -r/-c; they govern wherever the including file does.
    includes: dict[str, list[str]] = field(default_factory=dict)
    _scopes: dict[tuple[str, bool, bool], "ManifestSet"] = field(default_factory=dict, repr=False, compare=False)
    _path_scopes: dict[tuple[str, bool, bool], "ManifestSet"] = field(default_factory=dict, init=False, repr=False,
                                                                compare=False)  # the same, by file
    # Built on the first scope lookup (the readers have filled the set in by then): see `_scope_index`.
    _index: Optional["_ScopeIndex"] = field(default=None, init=False, repr=False, compare=False)
    # distribution -> its requirements (`declared`), and path -> lock folder (`lock_folder`), each
    # with the size of what it was computed from
    _by_dist: Optional[tuple[int, dict[str, list[Requirement]]]] = field(default=None, init=False, repr=False,
                                                                         compare=False)
    _lock_folders: tuple[int, dict[str, Optional[str]]] = field(default_factory=lambda: (-1, {}), init=False,
                                                                repr=False, compare=False)

    def declared(self, dist: str) -> list[Requirement]:
        index = self._by_dist
        if index is None or index[0] != len(self.requirements):  # built on first use, again if filled in since
            by_dist: dict[str, list[Requirement]] = {}
            for r in self.requirements:
                by_dist.setdefault(r.dist, []).append(r)
            index = self._by_dist = (len(self.requirements), by_dist)
        return list(index[1].get(_normalized(dist), ()))

    def installs_with_package(self, r: Requirement) -> bool:
        """Does installing the project's distribution install `r` (a main-group declaration, not a
        line a setup.py turns into an extra: see `bracket_extras`)?"""
        return r.group == "main" and not (r.extras and r.path in self.bracket_extras)

    def has_manifest(self) -> bool:
        return bool(self.manifests or self.script_manifests)

    def script_scope(self, rel_path: str) -> Optional["ManifestSet"]:
        """The declarations governing `rel_path` when it declares its own (a PEP 723 block, a
        Modal image, with the requirements files that image installs), else None: the hook a
        scope lookup consults first."""
        mid = self.script_manifests.get(rel_path)
        if mid is None:
            return None
        index = self._scope_index()
        own = sorted(self._with_includes([mid]), key=lambda m: m != mid)
        return ManifestSet([r for m in own for _, r in index.requirements.get(m, ())], [mid])

    def locked_for(self, rel_path: str) -> Optional[frozenset[str]]:
        """The distributions locked for a source file: the lock files of its folder or of the
        nearest ancestor folder that has any (a uv workspace locks every member at its root)."""
        folder = self.lock_folder(rel_path)
        return None if folder is None else self.locked[folder]

    def lock_folder(self, rel_path: str) -> Optional[str]:
        """The folder of the lock files that govern a source file (see `locked_for`), or None.
        Kept per path (every API availability check of the file's folder asks it)."""
        if self._lock_folders[0] != len(self.locked):
            self._lock_folders = (len(self.locked), {})
        known = self._lock_folders[1]
        if rel_path not in known:
            known[rel_path] = self._find_lock_folder(rel_path)
        return known[rel_path]

    def _find_lock_folder(self, rel_path: str) -> Optional[str]:
        cur = PurePosixPath(rel_path).parent
        while True:
            if str(cur) in self.locked:
                return str(cur)
            if str(cur) in (".", "/", "") or cur.parent == cur:
                return None
            cur = cur.parent

    def pins_for(self, rel_path: str, dist: str) -> tuple[LockedPin, ...]:
        """The versions of `dist` that the locks governing a source file pin (none when unlocked)."""
        folder = self.lock_folder(rel_path)
        return () if folder is None else self.pins.get(folder, {}).get(normalize_dist(dist), ())

    def specifier_for(self, dist: str) -> Optional[SpecifierSet]:
        """Intersection of the main-group (and constraint) ranges; other groups only when the
        distribution is declared nowhere else. None when undeclared."""
        reqs = self.declared(dist)
        if not reqs:
            return None
        pinned = [r for r in reqs if r.group in ("main", "constraint")]
        if not any(r.group == "main" for r in pinned):
            pinned = reqs
        spec = SpecifierSet()
        for r in pinned:
            try:
                spec &= SpecifierSet(r.specifier)
            except InvalidSpecifier:
                continue
        return spec

    def allows(self, dist: str, version: str) -> Optional[bool]:
        spec = self.specifier_for(dist)
        if spec is None or not str(spec):
            return None
        try:
            return spec.contains(Version(version), prereleases=True)
        except InvalidVersion:
            return None

    def for_path(self, rel_path: str, inherit: bool = True, deployed: bool = True) -> "ManifestSet":
        """The manifests governing a source file: those of its folder or of the nearest ancestor
        folder that has any, plus the files they include; with `inherit`, also the manifests of the
        folders above it, for distributions the nearer ones do not declare (a sub-folder's
        requirements.txt usually adds to the root's: `pip install -r requirements.txt -r
        sub/requirements.txt`). A PEP 723 script is governed by its own block alone, a file of a
        folder a deployment descriptor builds on its own by that unit's declarations (see
        `deploy_units`; not with `deployed=False`, for a file the deployment does not run). One
        answer per folder, kept."""
        script = self.script_scope(rel_path)
        if script is not None:
            return script
        hit = self._path_scopes.get((rel_path, inherit, deployed))
        if hit is None:
            folder = str(PurePosixPath(rel_path).parent)
            key = (folder, inherit, deployed)
            hit = self._scopes.get(key)
            if hit is None:
                hit = self._scopes[key] = self._scope_of(folder, inherit, deployed)
            self._path_scopes[(rel_path, inherit, deployed)] = hit
        return hit

    def _scope_index(self) -> "_ScopeIndex":
        """The folder -> manifests map and each manifest's requirements, computed once: rebuilding
        them for every folder's scope cost folders x manifests (a monorepo of small apps)."""
        if self._index is None:
            by_dir: dict[str, list[str]] = {}
            for m in self.manifests:
                by_dir.setdefault(governing_dir(m), []).append(m)
            by_path: dict[str, list[tuple[int, Requirement]]] = {}
            for i, r in enumerate(self.requirements):
                by_path.setdefault(r.path, []).append((i, r))
            declaring = set(by_path) | set(self.unknown_dependencies)
            # a folder that is a distribution of its own (setup.py, setup.cfg, or a pyproject.toml
            # that declares dependencies): what it declares is complete, it inherits nothing from above
            standalone = frozenset(d for d, ms in by_dir.items()
                                   if any(PurePosixPath(m).name in _PROJECT_MANIFESTS and m in declaring for m in ms))
            self._index = _ScopeIndex(by_dir, by_path, standalone,
                                      {m: i for i, m in reversed(list(enumerate(self.manifests)))},
                                      {m: i for i, m in enumerate(self.includes)},
                                      {m: i for i, m in enumerate(self.project_names)})
        return self._index

    def _scope_of(self, folder: str, inherit: bool, deployed: bool = True) -> "ManifestSet":
        index = self._scope_index()
        levels: list[set[str]] = []  # nearest first: the manifests of each governing folder
        keys: list[str] = []  # the folder of each level ("" for a deployment descriptor's)
        unit: Optional[DeployUnit] = None
        for key in _folder_chain(folder):
            if key in index.by_dir or (deployed and not levels and key in self.deploy_units):
                # a listed folder with no manifest of its own gets the descriptors' packages alone
                unit = self.deploy_units.get(key) if deployed and not levels else None
                if unit is not None:  # built on its own: its unit's folders and descriptors, nothing above
                    members = [d for d in dict.fromkeys((key, *unit.members)) if d in index.by_dir]
                    levels = [self._with_includes(index.by_dir[d]) for d in members] + [set(unit.descriptors)]
                    keys = [*members, ""]
                    break
                levels.append(self._with_includes(index.by_dir[key]))
                keys.append(key)
                if not inherit or key in index.standalone:
                    break
        if not levels:
            return ManifestSet()
        # each list in the order of the whole set's, as filtering those would give
        requirements: list[Requirement] = []
        nearer: set[str] = set()  # a nearer level's declaration of a distribution wins...
        for key, chosen in zip(keys, levels, strict=True):
            mine = sorted((p for m in chosen for p in index.requirements.get(m, ())), key=lambda p: p[0])
            have = set(requirements)
            requirements += [r for _, r in mine if r.dist not in nearer and r not in have]
            # ...except over a folder of add-on requirements files only (`request_llms/requirements_moss.txt`
            # under the project's requirements.txt): they are installed on top of the base install, whose
            # pins still hold, so both declarations count (ManifestSet.specifier_for intersects them)
            if not (key in index.by_dir and all(is_add_on(m) for m in index.by_dir[key])):
                nearer |= {r.dist for _, r in mine}
        first = index.manifest_at
        # (a descriptor that names packages declares them even where it is not a manifest read)
        order = [m for chosen in levels for m in sorted((m for m in chosen if m in first or m in index.requirements),
                                                        key=lambda m: (first.get(m, len(first)), m))]
        every = set(order)
        includes = {k: self.includes[k] for k in sorted(every & index.include_at.keys(), key=index.include_at.__getitem__)}
        return ManifestSet(requirements, list(dict.fromkeys(order)), [], includes,
                           project_names={m: self.project_names[m] for m in
                                          sorted(every & index.project_at.keys(), key=index.project_at.__getitem__)},
                           deployed_by=unit)

    def _with_includes(self, start: list[str]) -> set[str]:
        chosen: set[str] = set()
        todo = list(start)
        while todo:
            m = todo.pop()
            if m not in chosen:
                chosen.add(m)
                todo.extend(self.includes.get(m, ()))
        return chosen


def _folder_chain(folder: str) -> list[str]:
    """`folder` and the folders above it, nearest first: up to the root ("."), then the enclosing
    project's folders the reader may have read manifests from ("..", "../..")."""
    cur = PurePosixPath(folder)
    out = [str(cur)]
    while str(cur) not in (".", "/", "") and cur.parent != cur:
        cur = cur.parent
        out.append(str(cur))
    if out[-1] == ".":
        out += ["..", "../.."]
    return out


@dataclass(frozen=True)
class _ScopeIndex:
    """What every scope lookup of a ManifestSet needs, computed once from the whole set."""

    by_dir: dict[str, list[str]]  # governing folder -> its manifests, in the set's order
    requirements: dict[str, list[tuple[int, Requirement]]]  # manifest -> (position in the set, requirement)
    standalone: frozenset[str]  # governing folders that are distributions of their own
    manifest_at: dict[str, int]  # manifest -> its first position in `manifests`
    include_at: dict[str, int]  # including manifest -> its position in `includes`
    project_at: dict[str, int]  # manifest building a distribution -> its position in `project_names`
