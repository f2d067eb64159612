"""What each release of a distribution requires, mined from the package index's wheel metadata by
scripts/dist_requires.py into requires.pack (data only, `datapack.py`: each distribution's slice read
on first use, never on a scan that does not ask; the header holds the import names of the read
releases, which questions over every distribution need)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .datapack import REQUIRES, Pack

# The Python versions a release's requirements are judged on when their markers tell them apart
# (`numpy>=1.26.0rc1; python_version >= "3.12"`): the typical environment's first.
PYTHONS = ("3.12", "3.9", "3.10", "3.11", "3.13", "3.14")
# Markers are evaluated for a typical environment: a requirement only for Windows or for an old
# Python does not bind a Linux install on a current Python.
_ENVIRONMENT = {"python_version": "3.12", "python_full_version": "3.12.0", "sys_platform": "linux",
                "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64",
                "implementation_name": "cpython", "platform_python_implementation": "CPython"}


@dataclass(frozen=True)
class Distribution:
    name: str  # PEP 503 name
    releases: tuple[Version, ...]  # final releases, newest first
    requires: dict[Version, tuple[str, ...]]  # the releases read: their Requires-Dist lines
    # the releases whose wheel was read: the top-level import names it installs (dspy-ai 2.4.9:
    # dsp and dspy; 3.x, a shim requiring dspy: none)
    imports: dict[Version, tuple[str, ...]] = field(default_factory=dict)
    # answers asked again and again (every app of a monorepo declares the same packages)
    _resolved: dict[str, Optional[Version]] = field(default_factory=dict, repr=False, compare=False)
    _required: dict[tuple[Version, tuple[str, ...]], Optional[list[Requirement]]] = field(
        default_factory=dict, repr=False, compare=False)

    def series(self, version: Version) -> tuple[Version, ...]:
        """The releases of `version`'s minor series (1.2.0 ... 1.2.9)."""
        key = version.release[:2]
        return tuple(v for v in self.releases if v.release[:2] == key)

    def requirement_on(self, version: Version, dist: str, extras: tuple[str, ...],
                       python: str = "") -> Optional[list[Requirement]]:
        """What release `version` requires of `dist` (with the declared `extras` on; markers for
        the `python` given, "3.11", else the typical environment's), [] when nothing; None when the
        release was not read."""
        reqs = self.requirements_at(version, extras) if not python else self._requirements_at(version, extras, python)
        return None if reqs is None else [r for r in reqs if canonicalize_name(r.name) == dist]


    def imports_at(self, version: Version) -> Optional[tuple[str, ...]]:
        """The import names the wheel of release `version` installs; None when it was not read."""
        return self.imports.get(version)

    def resolve(self, spec: str) -> Optional[Version]:
        """The release an install of `spec` takes: the newest final release it admits (an exact
        pin of a pre-release that was read counts too); None when none is known."""
        if spec not in self._resolved:
            self._resolved[spec] = self._resolve(spec)
        return self._resolved[spec]

    @cached_property
    def _known(self) -> list[Version]:
        """Every release known (final or read), newest first: sorted once, not per specifier."""
        return sorted(set(self.releases) | set(self.requires), reverse=True)

    def _resolve(self, spec: str) -> Optional[Version]:
        try:
            specs = SpecifierSet(spec)
        except InvalidSpecifier:
            return None
        known = self._known
        final = next((v for v in known if not v.is_prerelease and specs.contains(v)), None)
        if final is not None:
            return final
        return next((v for v in known if v.is_prerelease and specs.contains(v, prereleases=True)), None)

    def requirements_at(self, version: Version, extras: tuple[str, ...]) -> Optional[list[Requirement]]:
        """What release `version` installs with it (the declared `extras` on, markers evaluated for
        a typical environment); None when the release was not read."""
        key = (version, extras)
        if key not in self._required:
            self._required[key] = self._requirements_at(version, extras)
        found = self._required[key]
        return None if found is None else list(found)

    def series_requirements(self, version: Version, extras: tuple[str, ...]) -> Optional[list[Requirement]]:
        """What release `version` installs with it, or, when it was not read, what the nearest read
        release of its minor series does (the one below it, else above): the miner reads the first
        and last release of a series, and the distributions a series requires stay the same within
        it, though their bounds may move. None when no release of the series was read. For what
        an install brings along, not for a pin's exact bounds."""
        exact = self.requirements_at(version, extras)
        if exact is not None:
            return exact
        read = [v for v in self.requires if v.release[:2] == version.release[:2]]
        below = [v for v in read if v < version]
        near = max(below) if below else min(read, default=None)
        return None if near is None else self.requirements_at(near, extras)

    def neighbour_requirements(self, version: Version, extras: tuple[str, ...]) -> list[Requirement]:
        """For a release of an unread minor series (browser-use 0.1.48 when 0.2.5 was read): what the
        nearest read release below it and the nearest above it install, together. Either one is
        evidence that `version` may bring a distribution too; neither says it does not, which is
        why an import no requirement here names stays unverified (`read_near`)."""
        below = max((v for v in self.requires if v < version), default=None)
        above = min((v for v in self.requires if v > version), default=None)
        out: list[Requirement] = []
        for near in (below, above):
            out += (self.requirements_at(near, extras) or []) if near is not None else []
        return out

    def read_near(self, version: Version) -> bool:
        """Was a release of `version`'s minor series read, so what it installs is known?"""
        return any(v.release[:2] == version.release[:2] for v in self.requires)

    def _requirements_at(self, version: Version, extras: tuple[str, ...],
                         python: str = "") -> Optional[list[Requirement]]:
        lines = self.requires.get(version)
        if lines is None:
            return None
        env = _ENVIRONMENT if not python else {**_ENVIRONMENT, "python_version": python,
                                               "python_full_version": f"{python}.0"}
        out = []
        for line in lines:
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            if _applies(req, extras, env):
                out.append(req)
        return out


def _applies(req: Requirement, extras: tuple[str, ...], env: dict[str, str] = _ENVIRONMENT) -> bool:
    if req.marker is None:
        return True
    try:
        return any(req.marker.evaluate({**env, "extra": e}) for e in ("", *extras))
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return False


class ReleaseIndex:
    """Distribution name -> its releases and what the mined ones require."""

    def __init__(self, pack: Optional[Pack] = None) -> None:
        self._built: dict[str, Optional[Distribution]] = {}
        self._given = pack

    @cached_property
    def _pack(self) -> Pack:
        return self._given if self._given is not None else REQUIRES.open()

    @cached_property
    def _imports(self) -> dict[str, dict]:
        """Distribution -> {read release: the import names its wheel installs} (the header's)."""
        heads = self._pack.meta.get("heads", {})
        return {name: h["imports"] for name, h in heads.items() if isinstance(h, dict)
                and isinstance(h.get("imports"), dict)} if isinstance(heads, dict) else {}

    def names(self) -> tuple[str, ...]:
        """The distributions whose releases were mined."""
        return self._pack.names()

    @cached_property
    def release_imports(self) -> dict[str, tuple[str, ...]]:
        """Import name -> the distributions some read release of which installs it (`dsp` ->
        dspy-ai), for names no newest wheel installs any more."""
        out: dict[str, list[str]] = {}
        for name, read in self._imports.items():
            for names in read.values():
                for imp in names:
                    if name not in out.setdefault(imp, []):
                        out[imp].append(name)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def dropped_imports(self) -> dict[str, tuple[str, str]]:
        """Import name -> (distribution, the first read release after the last that installs it),
        for names the newest read release no longer installs."""
        out: dict[str, tuple[str, str]] = {}
        for name in sorted(self._imports):
            read = self._imports[name]
            try:
                ordered = sorted(((Version(v), set(n)) for v, n in read.items()), key=lambda x: x[0])
            except InvalidVersion:
                continue
            for imp in {i for _, names in ordered for i in names} - (ordered[-1][1] if ordered else set()):
                last = max(i for i, (_, names) in enumerate(ordered) if imp in names)
                out.setdefault(imp, (name, str(ordered[last + 1][0])))
        return out

    def get(self, dist: str) -> Optional[Distribution]:
        if dist in self._built:  # the keys are canonical names: `dist` is one
            return self._built[dist]
        name = str(canonicalize_name(dist))
        if name not in self._built:
            entry = self._pack.get(name)
            self._built[name] = _distribution(name, entry) if isinstance(entry, dict) else None
        return self._built[name]


def _distribution(name: str, entry: dict) -> Distribution:
    releases = []
    for v in entry.get("releases", []):
        try:
            releases.append(Version(v))
        except InvalidVersion:
            continue
    requires = {}
    for v, lines in entry.get("requires", {}).items():
        try:
            requires[Version(v)] = tuple(lines)
        except InvalidVersion:
            continue
    imports = {}
    for v, names in entry.get("imports", {}).items():
        try:
            imports[Version(v)] = tuple(names)
        except InvalidVersion:
            continue
    return Distribution(name, tuple(sorted(releases, reverse=True)), requires, imports)
