"""EPDD008: a declared library release calls an API that the release of one of its dependencies a
fresh install gets has removed."""

from __future__ import annotations

from typing import Iterable, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from agentable.catalog.specs import UnboundedDependency
from agentable.cpg.manifests import ManifestSet, normalize_dist
from agentable.cpg.project import ProjectGraph
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.dependencies import import_targets, installed_closure
from agentable.query.versions import VersionSource, version_source
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.epdd.helpers import declaration_span, judged_modules


class DependencyOutrunsPinnedLibrary(Rule):
    meta = RuleMeta(
        id="EPDD008",
        name="dependency-outruns-pinned-library",
        category="EPDD",
        severity=Severity.ERROR,
        short="A declared library release calls an API that the release of its dependency a fresh install gets removed.",
        full=("Old releases of agent frameworks call their SDK's old API (LangChain before 0.0.332 calls "
              "`openai.ChatCompletion`, llama-index before 0.8.62 `openai.ChatCompletion` and `openai.Embedding`) "
              "without bounding the SDK in their main requirements: the bound sits in an extra, or nowhere. A "
              "project that pins such a release and declares the SDK without the bound (a bare `openai`), or "
              "lets the framework bring it unbounded, gets the SDK's newest release on a fresh install, and the "
              "framework's first model call raises (openai 1.0 removed the module-level API: APIRemovedInV1). "
              "Judged from the catalog's entries of such releases (read in their wheels), only where the code "
              "imports the part of the library that makes those calls. The finding sits where the bound goes: the "
              "dependency's own declaration when the project declares it, else the library's pin."),
        bad_example=("# requirements.txt\nlangchain==0.0.150\nopenai\n"
                     "# agent.py\nfrom langchain.chat_models import ChatOpenAI"),
        good_example=("# requirements.txt\nlangchain==0.0.150\nopenai<1.0\n"
                      "# agent.py\nfrom langchain.chat_models import ChatOpenAI"),
        fix="Bound the dependency to the releases the library works with (the message names the range), or move "
            "the library to a release that supports the dependency's new API.",
        tags=("dependencies", "version", "manifest"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        entries = graph.catalog.unbounded_dependencies
        if not entries:
            return
        reported: set[tuple[str, int, str]] = set()
        for judged in judged_modules(graph):
            mod = judged.mod
            for stmt in mod.import_stmts:
                for dotted in import_targets(stmt):
                    for entry in entries:
                        if not any(dotted == s or dotted.startswith(s + ".") for s in entry.symbols):
                            continue
                        lib = version_source(graph, mod.path, normalize_dist(entry.dist))
                        if lib is None or not _gets_release_in(lib, entry.releases):
                            continue  # a fresh install gets a release that supports the new API
                        gets = _dependency_gets(graph, mod.path, judged.scope, entry)
                        if gets is None:
                            continue
                        # where the bound goes: the dependency's own declaration when the project
                        # declares it (a lock's pin is re-resolved from the declaration), else the library's
                        at = gets[2] if gets[2] is not None and not gets[2].locked else lib
                        key = (at.path, at.line, entry.needs)
                        if key in reported:
                            continue
                        reported.add(key)
                        yield self._finding(ctx, lib, entry, gets[:2], mod.path, stmt.pos[0], dotted, at)

    def _finding(self, ctx: RuleContext, lib: VersionSource, entry: UnboundedDependency, gets: tuple[str, str],
                 path: str, line: int, dotted: str, at: VersionSource) -> Finding:
        release, why = gets
        span = declaration_span(at)
        steps = [FlowStep(ctx.graph.span(path, (line, 0, line, 0)), f"imports {dotted}")]
        name = dotted.rpartition('.')[2]
        if at is not lib:
            steps.insert(0, FlowStep(declaration_span(lib),
                                     f"{lib.versions()} declared here"))
            text = (f"`{at.versions()}` lets a fresh install get {entry.needs} {release}, which no longer has "
                    f"{entry.calls}, and `{lib.versions()}` ({lib.path}:{lib.line}) calls it: `{name}`, imported at "
                    f"{path}:{line}, {entry.fails} {entry.when}. Bound it here with "
                    f"`{entry.needs}{entry.needs_spec}`")
        else:
            text = (f"`{lib.versions()}` calls {entry.calls}, which {entry.needs} {release} no longer has, and {why}: "
                    f"`{name}`, imported at {path}:{line}, {entry.fails} {entry.when}. Bound it with "
                    f"`{entry.needs}{entry.needs_spec}`")
        return Finding(
            self.meta.id,
            f"{text} or move {entry.dist} to a release outside `{entry.releases}`. ({entry.source}.)",
            span, self.meta.severity, self.meta.category, flow=tuple(steps))


def _gets_release_in(lib: VersionSource, releases: str) -> bool:
    """Does a fresh install get a release of the library inside `releases`: every version the lock
    pins, else the newest release the declared range admits (unknown for a range no release
    satisfies, `flask==3.0.0,>=3.0.3` of two tables: not judged)?"""
    got = lib.locked or ((lib.newest,) if lib.newest else ())
    try:
        spec = SpecifierSet(releases)
        return bool(got) and all(spec.contains(v, prereleases=True) for v in got)
    except (InvalidSpecifier, ValueError):
        return False


def _dependency_gets(g: ProjectGraph, path: str, scope: ManifestSet, entry: UnboundedDependency
                     ) -> Optional[tuple[str, str, Optional[VersionSource]]]:
    """(the release of `entry.needs` a fresh install gets, why, its declaration when the project
    declares it) when it lies outside `entry.needs_spec`; None when it lies inside, or the dependency
    is not installed at all."""
    dist = normalize_dist(entry.needs)
    declared = version_source(g, path, dist)
    if declared is not None:
        if not declared.excludes(entry.needs_spec):
            return None
        newest = declared.newest or " / ".join(declared.locked)
        return newest, f"{declared.cited(entry.needs_spec)}", declared
    spec = installed_closure(g, scope).get(dist)
    known = g.catalog.releases.get(dist)
    newest_v = known.resolve(spec) if known is not None and spec is not None else None
    if newest_v is None:
        return None
    try:
        if SpecifierSet(entry.needs_spec).contains(newest_v, prereleases=True):
            return None
    except InvalidSpecifier:
        return None
    bound = f"`{entry.needs}{spec}`" if spec else f"`{entry.needs}` with no bound"
    return str(newest_v), (f"nothing the project declares bounds it: its dependencies ask for {bound}, so a fresh "
                           f"install gets {entry.needs} {newest_v}"), None
