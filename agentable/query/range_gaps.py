"""A declared range that admits releases having an API the code uses, while the newest release it
admits (what a fresh install without a lock gets) lacks it. The declaration is what is wrong: it
wants an upper bound (EPDD006). Where no admitted release has the API, or a lock or a pin decides
the version, the code is what is wrong instead (LARD001, EPDD002, LARD009)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from agentable.cpg.project import ProjectGraph
from agentable.query.facts import per_graph
from agentable.query.versions import VersionSource, api_unavailable, mined_api_gap, version_source, versions_disjoint


@dataclass(frozen=True)
class RangeGap:
    """`symbol` (or a keyword of it) is missing from `newest`, the newest release `source`
    admits, while the admitted releases in `had` have it; `bound` is the upper bound to add."""

    symbol: str
    dist: str
    source: VersionSource
    newest: str
    had: str  # the releases that have it, as PEP 440 ranges (`>=0.18.0,<0.28.0`)
    bound: str  # `<0.28.0`: the first release read (or catalogued) without it
    note: str = ""  # the catalog's advice, for a hand-written entry

    def installed(self) -> str:
        src = self.source
        return (f"{self.dist} {self.newest}, the newest release that {src.path}:{src.line} admits "
                f"(`{src.versions()}`), which a fresh install gets")

    def advice(self) -> str:
        note = f" {self.note}" if self.note else ""
        return (f"The range is what is wrong: it admits releases that have it ({self.dist}{self.had}, of "
                f"those read or catalogued) and newer ones that do not; add the upper bound `{self.bound}` to "
                f"{self.source.path}:{self.source.line}, or move the code to the newer API.{note}")


def upper_bound(had: str, spec: str) -> Optional[str]:
    """The upper bound (`<X`) of the newest run of `had` (PEP 440 ranges joined by ` or `) that the
    declared `spec` overlaps; None when it overlaps none, or that run has no upper end."""
    found: Optional[str] = None
    for run in had.split(" or "):
        try:
            specs = list(SpecifierSet(run))
        except InvalidSpecifier:
            return None
        if run and not versions_disjoint(spec, run):
            found = next((f"<{s.version}" for s in specs if s.operator == "<"), "")
    return found or None


def _unlocked(source: Optional[VersionSource]) -> bool:
    return source is not None and not source.locked and bool(source.newest)


@per_graph
def range_gap(g: ProjectGraph, path: str, symbol: str, call: bool = False) -> Optional[RangeGap]:
    """Is `symbol`, used in the file `path`, missing from the newest release the declared range
    admits, while admitted older releases have it (the catalog's hand-written entries first, then
    the API mined from the wheels)? With `call`, the symbol is called (a module of that name does
    not count as having it). A lock's or a pin's version is not a range: None."""
    hit = api_unavailable(g, path, symbol)
    if hit is not None:
        avail, source = hit
        return _declared_gap(symbol, avail.dist, source, avail.available, avail.message)
    gap = mined_api_gap(g, path, symbol, call) if "(" not in symbol or symbol.count("(") == 1 else None
    if gap is None or gap.newer or not _unlocked(gap.source):
        return None
    bound = mined_bound(g, gap.dist, upper_bound(gap.has, gap.source.specifier))
    if bound is None:
        return None
    return RangeGap(symbol, gap.dist, gap.source, gap.installed[0], gap.has, bound)


def mined_bound(g: ProjectGraph, dist: str, bound: Optional[str]) -> Optional[str]:
    """`bound` (`<X`, X the first read release without the API) lowered to the first known release
    of the series after the newest read release below X: the releases between were not read
    (mistralai 0.4.2 had `MistralClient`, 2.7.0 did not, and 1.0.0 had dropped it already); a
    patch release of a series whose read release has it is taken to have it."""
    surface = g.catalog.api_surface.get(dist)
    if bound is None or surface is None:
        return bound
    first = Version(bound[1:])
    below = [v for v in surface.versions if v < first]
    if not below:
        return bound
    last = max(below)
    known = g.catalog.releases.get(dist)
    later = [v for v in set(surface.releases) | set(known.releases if known is not None else ())
             if last < v < first and not v.is_prerelease and v.release[:2] != last.release[:2]]
    return f"<{min(later)}" if later else bound


def spec_range_gap(g: ProjectGraph, path: str, symbol: str, spec: object) -> Optional[RangeGap]:
    """`range_gap` for a catalog LLM call or client whose spec names the SDK releases that have it
    (`sdk`, `available`)."""
    sdk, available = getattr(spec, "sdk", None), getattr(spec, "available", None)
    if not sdk or not available:
        return None
    return _declared_gap(symbol, sdk, version_source(g, path, sdk), available, "")


def _declared_gap(symbol: str, dist: str, source: Optional[VersionSource], available: str,
                  note: str) -> Optional[RangeGap]:
    if source is None or not _unlocked(source) or not source.newest_decides(available):
        return None
    bound = upper_bound(available, source.specifier)
    return None if bound is None else RangeGap(symbol, dist, source, source.newest, available, bound, note)


def keyword_range_gap(g: ProjectGraph, source: VersionSource, accepted: str) -> Optional[str]:
    """The upper bound to add when a keyword the newest admitted release rejects was accepted by
    releases (`accepted`, as ranges) that the unlocked declared range admits; else None."""
    if not _unlocked(source):
        return None
    return mined_bound(g, source.dist, upper_bound(accepted, source.specifier))
