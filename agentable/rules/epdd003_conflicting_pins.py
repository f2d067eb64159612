"""EPDD003: declared version ranges that cannot be installed together."""

from __future__ import annotations

from collections import Counter
from pathlib import PurePosixPath
from typing import Iterable, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from agentable.catalog.releases import PYTHONS, Distribution
from agentable.cpg.manifests import governing_dir, is_add_on
from agentable.cpg.project import ProjectGraph
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.facts import per_graph
from agentable.query.versions import versions_disjoint, versions_within
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.epdd.helpers import declaration_span


class ConflictingPins(Rule):
    meta = RuleMeta(
        id="EPDD003",
        name="conflicting-dependency-pins",
        category="EPDD",
        severity=Severity.ERROR,
        short="Declared dependency versions contradict each other.",
        full=("Two declarations cannot both hold: a framework pinned to a release that requires a version of "
              "another package the manifest excludes (langchain 0.3 with pydantic<2, langchain-openai with "
              "openai<1), or one package declared twice with ranges that share no version. The resolver fails "
              "(`pip install` reports ResolutionImpossible) or, with legacy installs, one side is silently "
              "overridden and the agent breaks at import."),
        bad_example="# requirements.txt\nlangchain==0.3.7\npydantic==1.10.13",
        good_example="# requirements.txt\nlangchain==0.3.7\npydantic>=2.7",
        fix="Choose versions that work together: move the older pin forward (or the newer one back).",
        tags=("dependencies", "version"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        manifests = getattr(graph, "manifests", None)
        if manifests is None or not manifests.has_manifest():
            return
        # Every conflict is reported at a declaration, and a pair is only ever weighed inside one
        # folder's own declarations: a run that reports in none of a folder's manifests (a
        # pre-commit run naming only modules) can skip that folder, or the whole rule.
        if not any(ctx.reports_in(p) for p in {r.path for r in manifests.requirements}):
            return
        dirs = sorted({str(PurePosixPath(m).parent) for m in manifests.manifests})
        seen: set[tuple] = set()
        reported: set[tuple[str, int]] = set()  # manifest lines a conflict is reported at
        for d in dirs:
            # each folder's own declarations: a sub-project inherits undeclared names, not conflicts
            scope = manifests.for_path(f"{d}/__probe__.py" if d not in (".", "") else "__probe__.py", inherit=False)
            if not any(ctx.reports_in(m) for m in scope.manifests):
                continue
            reqs = [r for r in scope.requirements if not r.marker]
            for f in self._catalog_conflicts(ctx, scope, reqs, seen):
                reported.add((f.span.path, f.span.line))
                yield f
            yield from self._release_conflicts(ctx, reqs, seen, reported)
            yield from self._self_conflicts(reqs, seen)
            yield from self._add_on_conflicts(manifests, d, scope, reqs, seen)

    def _catalog_conflicts(self, ctx: RuleContext, scope, reqs, seen) -> Iterable[Finding]:
        graph = ctx.graph
        for c in graph.catalog.conflicts:
            a = [r for r in reqs if r.dist == _norm(c.dist_a) and r.specifier]
            b = [r for r in reqs if r.dist == _norm(c.dist_b) and r.specifier]
            for ra in a:
                for rb in b:
                    if ra.group != rb.group and "main" not in (ra.group, rb.group):
                        continue  # two optional groups need not be installed together
                    if not (versions_within(ra.specifier, c.spec_a) and versions_within(rb.specifier, c.spec_b)):
                        continue
                    first, second = sorted((ra, rb), key=lambda r: (r.path, r.line))
                    key = tuple(sorted(((second.path, second.line), (first.path, first.line))))
                    if key in seen:
                        continue
                    seen.add(key)
                    yield self._pair(
                        second, first,
                        f"`{second.raw_name}{second.specifier}` ({second.path}:{second.line}) cannot be installed "
                        f"with `{first.raw_name}{first.specifier}` ({first.path}:{first.line}): {c.message} "
                        f"Change one of the two pins.")

    def _release_conflicts(self, ctx: RuleContext, reqs, seen, reported: set[tuple[str, int]]) -> Iterable[Finding]:
        """A declared range of A whose every release requires of B what B's declared range excludes,
        from the releases' own metadata (catalog.releases). A declaration in several such pairs (or
        already reported) is the one to change: each pair is reported there, once per line."""
        pinned = [r for r in reqs if r.specifier]
        clashes = []
        for ra in pinned:
            mined = ctx.graph.catalog.releases.get(ra.dist)
            if mined is None:
                continue
            for rb in pinned:
                if rb.dist == ra.dist or (ra.group != rb.group and "main" not in (ra.group, rb.group)):
                    continue
                if (rb.path, rb.table) != (ra.path, ra.table):
                    continue  # two manifests (or a pyproject's two tools' tables) are read by different installs
                clash = _conflict_between(ctx.graph, ra.dist, ra.specifier, tuple(ra.extras), rb.dist, rb.specifier,
                                          _pythons(ctx.graph))
                key = tuple(sorted(((ra.path, ra.line), (rb.path, rb.line))))
                if clash is not None and key not in seen:
                    seen.add(key)
                    clashes.append((ra, rb, clash))
        pairs = Counter(loc for ra, rb, _ in clashes for loc in ((ra.path, ra.line), (rb.path, rb.line)))

        def weight(r) -> tuple[bool, int]:
            return (r.path, r.line) in reported, pairs[(r.path, r.line)]

        for ra, rb, (allowed, newest, needed) in clashes:
            at, partner = (rb, ra) if weight(rb) > weight(ra) else (ra, rb)
            if (at.path, at.line) in reported:
                continue
            reported.add((at.path, at.line))
            yield self._pair(
                at, partner,
                f"`{at.raw_name}{at.specifier}` cannot be installed with `{partner.raw_name}{partner.specifier}` "
                f"({partner.path}:{partner.line}): every {ra.raw_name} release `{ra.specifier}` allows ({allowed}) "
                f"requires a {rb.raw_name} release that `{rb.specifier}` excludes ({ra.raw_name} {newest} requires "
                f"`{rb.raw_name}{needed}`, per its wheel metadata). Change one of the two ranges.")

    def _pair(self, at, other, message: str) -> Finding:
        """A finding on the declaration `at`, with the `other` one it conflicts with as a step."""
        return Finding(self.meta.id, message, declaration_span(at), self.meta.severity, self.meta.category,
                       flow=(FlowStep(declaration_span(other), f"{other.raw_name}{other.specifier} declared here"),))

    def _add_on_conflicts(self, manifests, folder: str, scope, reqs, seen) -> Iterable[Finding]:
        """A folder of add-on requirements files only (`request_llms/requirements_glm.txt`), installed
        on top of the project's base install above it: a range that shares no version with the base's
        declaration of the same distribution breaks the base (pip replaces its version) or, installed
        together, cannot be resolved."""
        own = [m for m in scope.manifests if governing_dir(m) == (folder or ".")]
        if not own or not all(is_add_on(m) for m in own):
            return
        probe = f"{folder}/__probe__.py" if folder not in (".", "") else "__probe__.py"
        mine = set(scope.manifests)
        base = [r for r in manifests.for_path(probe).requirements
                if r.path not in mine and r.specifier and not r.marker and r.group in ("main", "constraint")]
        for r in reqs:
            if not r.specifier or r.group != "main":
                continue
            for b in base:
                key = (r.path, r.line, b.path, b.line)
                if b.dist != r.dist or key in seen or not versions_disjoint(r.specifier, b.specifier):
                    continue
                seen.add(key)
                yield self._pair(
                    r, b,
                    f"`{r.raw_name}{r.specifier}` here shares no version with `{b.raw_name}{b.specifier}`, which "
                    f"the base install declares ({b.path}:{b.line}). This file is installed on top of that "
                    f"install, so pip replaces the base's {r.raw_name} with a release the base excludes (and "
                    f"the two files installed together cannot be resolved). Make the two ranges overlap.")
                break

    def _self_conflicts(self, reqs, seen) -> Iterable[Finding]:
        by_dist: dict[str, list] = {}
        for r in reqs:
            if r.specifier:
                by_dist.setdefault(r.dist, []).append(r)
        for items in by_dist.values():
            items.sort(key=lambda r: (r.path, r.line))
            for i, second in enumerate(items):
                for first in items[:i]:
                    if first.group != second.group and "main" not in (first.group, second.group):
                        continue
                    if first.path == second.path and first.path.endswith("pyproject.toml"):
                        continue  # [project] and [tool.poetry] tables: each tool reads only one of them
                    if not versions_disjoint(first.specifier, second.specifier):
                        continue
                    key = (second.path, second.line, first.path, first.line)
                    if key in seen:
                        continue
                    seen.add(key)
                    yield self._pair(
                        second, first,
                        f"`{second.raw_name}` is declared as `{second.specifier}` here and as "
                        f"`{first.specifier}` at {first.path}:{first.line}; no version satisfies both. Keep one "
                        f"range.")
                    break


@per_graph
def _pythons(g: ProjectGraph) -> tuple[str, ...]:
    """The Python versions (catalog.releases.PYTHONS) the project's declared Python ranges admit:
    a conflict must hold on each of them (all of them when no range is declared, or none fits)."""
    manifests = getattr(g, "manifests", None)
    specs = []
    for r in (getattr(manifests, "python_ranges", None) or {}).values():
        try:
            specs.append(SpecifierSet(r.specifier))
        except InvalidSpecifier:
            continue
    admitted = tuple(p for p in PYTHONS if all(s.contains(Version(f"{p}.0"), prereleases=True) for s in specs))
    return admitted or PYTHONS


@per_graph
def _conflict_between(g: ProjectGraph, dist_a: str, spec_a: str, extras: tuple[str, ...], dist_b: str,
                      spec_b: str, pythons: tuple[str, ...] = ("",)) -> Optional[tuple[str, str, str]]:
    """`release_conflict` by names, once per graph: a monorepo's apps declare the same pairs."""
    a, b = g.catalog.releases.get(dist_a), g.catalog.releases.get(dist_b)
    return release_conflict(a, spec_a, extras, b, spec_b, pythons) if a is not None and b is not None else None


def release_conflict(a: Distribution, spec_a: str, extras: tuple[str, ...], b: Distribution,
                     spec_b: str, pythons: tuple[str, ...] = ("",)) -> Optional[tuple[str, str, str]]:
    """(the releases of `a` that `spec_a` allows, the newest of them read, what it requires of `b`) when each of them
    requires of `b` a range that shares no release with `spec_b`, on each of the `pythons` (their
    markers told apart: contourpy 1.1.1 asks numpy>=1.26.0rc1 only on Python 3.12+, so numpy==1.25.2
    installs with it on 3.11; "" is the typical environment); None otherwise or when unknown.
    A release that was not read counts as its minor series when the series' first and last
    releases were read and both conflict (requirements move between series, rarely inside one),
    but not when it is the only release `spec_a` allows: an exact pin is judged by that release's
    own metadata alone (chromadb 0.3.0 and 0.3.29 pin fastapi==0.85.1; 0.3.26 asks >=0.85.1)."""
    try:
        declared_a, declared_b = SpecifierSet(spec_a), SpecifierSet(spec_b)
        allowed = [v for v in a.releases if declared_a.contains(v)]
    except InvalidSpecifier:
        return None
    if not allowed:
        return None
    verdicts: dict[Version, Optional[SpecifierSet]] = {}

    def needs(version: Version) -> Optional[SpecifierSet]:
        """What `version` requires of b when that excludes all of spec_b, else None."""
        if version not in verdicts:
            shown: Optional[SpecifierSet] = None
            for python in pythons:
                reqs = a.requirement_on(version, b.name, extras, python)
                spec = SpecifierSet(",".join(str(r.specifier) for r in reqs if str(r.specifier))) if reqs else None
                if spec is None or any(spec.contains(v) and declared_b.contains(v) for v in b.releases):
                    shown = None  # installable together on this Python
                    break
                shown = shown or spec
            verdicts[version] = shown
        return verdicts[version]

    shown: Optional[tuple[Version, SpecifierSet]] = None  # the newest release read, and what it requires
    for version in allowed:
        witness = version
        if version not in a.requires:
            if len(allowed) == 1:
                return None  # an exact pin whose own metadata was not read: not judged
            series = a.series(version)
            if {series[0], series[-1]} - set(a.requires) or needs(series[-1]) is None:
                return None  # the series was not read (unknown), or its oldest release fits
            witness = series[0]
        spec = needs(witness)
        if spec is None:
            return None
        shown = shown or (witness, spec)
    if shown is None:
        return None
    span = str(allowed[-1]) if len(allowed) == 1 else f"{allowed[-1]} to {allowed[0]}"
    readable = ",".join(str(s) for s in sorted(shown[1], key=str) if s.operator != "!=")
    return span, str(shown[0]), readable


def _norm(name: str) -> str:
    from agentable.cpg.manifests import normalize_dist

    return normalize_dist(name)
