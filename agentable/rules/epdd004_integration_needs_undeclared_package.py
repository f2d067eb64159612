"""EPDD004: an integration class of a declared package needs a package that nothing declared installs."""

from __future__ import annotations

from typing import Iterable

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from agentable.cpg import ir
from agentable.cpg.manifests import normalize_dist
from agentable.findings import Finding, Severity
from agentable.query.dependencies import import_targets, installed_closure
from agentable.query.versions import version_source
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.epdd.helpers import (
    import_declared,
    import_is_optional,
    import_locked,
    import_owner,
    judged_modules,
    loose_folder,
    package_dirs,
    optional_import_tops,
    target_manifest,
)


class IntegrationNeedsUndeclaredPackage(Rule):
    meta = RuleMeta(
        id="EPDD004",
        name="integration-needs-undeclared-package",
        category="EPDD",
        severity=Severity.ERROR,
        short="An integration of a declared package needs a package that no declared dependency installs.",
        full=("Integration packages (langchain-community, crewai-tools, autogen-ext, llama-index-core...) "
              "import the client library of each integration only when it is used, and do not install it: "
              "`from langchain_community.vectorstores import FAISS` succeeds, and the first use raises "
              "ImportError('... pip install faiss-cpu'). The project declares the integration package but "
              "not the library the imported class needs, so every fresh install fails there. Which public "
              "names need which package is mined from the packages' wheels (an ImportError handler that "
              "says `pip install ...`, or, in a hub that ships a requirements.txt per integration, an import "
              "of a package listed there). A module guarded as a whole (pydantic-ai-slim's "
              "`pydantic_ai.models.anthropic` raises ImportError('... pip install \"pydantic-ai-slim[anthropic]\"') "
              "as it loads) fails at the import line itself, and the fix is the extra. The data speaks for the "
              "releases read: a lock or an exact pin of an older series, or a range that admits none of them, "
              "is not judged."),
        bad_example=("# requirements.txt: langchain-community\n"
                     "from langchain_community.vectorstores import FAISS  # needs faiss-cpu"),
        good_example="# requirements.txt: langchain-community\\nfaiss-cpu\nfrom langchain_community.vectorstores import FAISS",
        fix="Declare the distribution named in the message (the one the package's own error message asks for).",
        tags=("dependencies",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        cat = graph.catalog
        for judged in judged_modules(graph):
            manifests, mod, path, scope, locked = (judged.manifests, judged.mod, judged.path, judged.scope,
                                                   judged.locked)
            guarded = optional_import_tops(graph, mod)
            # the file's own imports of a package: EPDD001 judges those
            direct = {t.split(".")[0] for s in mod.import_stmts for t in import_targets(s)}
            declared = {r.dist for r in scope.requirements}
            reported: set[str] = set()
            for stmt in mod.import_stmts:
                if import_is_optional(import_owner(graph, mod, stmt), stmt, guarded,
                                      cat.python.running_library_probes):
                    continue
                for dotted in import_targets(stmt):
                    hit = cat.optional_needs(dotted)
                    if hit is None or not import_declared(graph, scope, dotted):
                        continue  # not an integration name, or its package is undeclared (EPDD001)
                    host, version, needs = hit
                    if not _mined_release_installed(graph, scope, mod.path, host, version):
                        continue  # an older series is installed: the newer wheels' guards may not be in it
                    documented = cat.optional_need_documented(cat.optional_need_name(dotted) or dotted)
                    if documented and not _documented_release_installed(graph, mod.path, host, version):
                        continue  # the entry speaks for its series only: a fresh install must get one of them
                    # the module `dotted` is imported from, when its import itself is guarded
                    need_name = cat.optional_need_name(dotted) or dotted
                    guarded_module = need_name if need_name != dotted else ""
                    for imp, dists in needs.items():
                        top = imp.split(".")[0]
                        if top in direct or top in reported or any(normalize_dist(d) in declared for d in dists):
                            continue
                        if import_declared(graph, scope, imp) or import_locked(graph, locked, imp):
                            continue
                        reported.add(top)
                        # the catalog's usual distribution for the import first (faiss-cpu, not faiss-gpu)
                        usual = [normalize_dist(d) for d in cat.distributions_for_import(imp)]
                        dists = tuple(sorted(dists, key=lambda d: usual.index(d) if d in usual else len(usual)))
                        yield self._finding(ctx, mod.path, stmt, dotted, host, version, imp, dists,
                                            scope, loose_folder(manifests, scope, path, package_dirs(graph)),
                                            guarded_module, documented)

    def _finding(self, ctx: RuleContext, path: str, stmt: ir.Stmt, dotted: str, host: str, version: str, imp: str,
                 dists: tuple[str, ...], scope, loose: str, guarded_module: str = "",
                 documented: bool = False) -> Finding:
        alts = " or ".join(f"`{d}`" for d in dists)
        shown = dotted.rpartition(".")[2] if isinstance(stmt, ir.ImportFrom) else dotted
        wheels = ("wheels" if " to " in version else "wheel") + " read"
        if documented:
            wheels = "releases, by its documentation"
        extras = [d for d in dists if d.startswith(f"{host}[")]
        add = (f"Declare {host} with the extra, {' or '.join(f'`{d}`' for d in extras)}, in"
               if extras and len(extras) == len(dists) else f"Add {alts} to")
        if guarded_module:  # the module raises as it loads: the import line itself fails
            text = (f"`{guarded_module}` ({host}) imports `{imp}` as it loads, and {host} does not install it "
                    f"(in the {host} {version} {wheels}, it needs {alts}); no dependency declared in "
                    f"{', '.join(scope.manifests)} provides it")
            fails = "this import raises ImportError"
        else:
            text = (f"`{shown}` ({host}) imports `{imp}` when it is used, and {host} does not install it "
                    f"(in the {host} {version} {wheels}, it needs {alts}); no dependency declared in "
                    f"{', '.join(scope.manifests)} provides it")
            fails = "the first use raises ImportError"
        if loose:  # not installed with the project: a fresh install of it does not fail, running this file does
            return self.finding(
                ctx, path, stmt.pos,
                f"{text}. This file is in `{loose}`, which installing the project does not include, so {fails} "
                f"when it runs in an environment made from those declarations. {add} "
                f"{target_manifest(scope)} (or a requirements file for `{loose}`).",
                severity=Severity.WARNING)
        return self.finding(ctx, path, stmt.pos, f"{text}, so {fails} in a fresh install. "
                            f"{add} {target_manifest(scope)}.")


def _series(v: Version) -> tuple[int, int]:
    major, minor = (*v.release, 0)[:2]
    return major, minor


def _documented_release_installed(graph, path: str, host: str, version: str) -> bool:
    """Does a fresh install get a release of `host` inside the series `version` ("A to B") that a
    hand-written entry speaks for: the lock's pins, else the newest release the declared range admits?"""
    try:
        low, high = (_series(Version(v)) for v in version.split(" to "))
    except (InvalidVersion, ValueError):
        return False
    source = version_source(graph, path, host)
    got = source.locked if source is not None and source.locked else (source.newest,) if source is not None else ()
    try:
        return bool(got) and all(v and low <= _series(Version(v)) <= high for v in got)
    except InvalidVersion:
        return False


def _mined_release_installed(graph, scope, path: str, host: str, version: str) -> bool:
    """Do the declarations install a release of `host` that the mined wheels (`version`: "0.4.2", or
    "0.0.44 to 0.0.60") speak for? A lock's pin or an exact pin must be in a minor series from the
    first read to the last; a range must admit a read release (a fresh install then gets it or a newer
    one). An older series may not have the guarded module at all, or guard it for another package
    (pydantic-ai-slim's MCP support moved from `mcp` to `fastmcp`)."""
    try:
        mined = [Version(v) for v in version.split(" to ")]
    except InvalidVersion:
        return False
    low, high = _series(mined[0]), _series(mined[-1])
    pins = scope.pins_for(path, host) if hasattr(scope, "pins_for") else ()
    if pins:
        try:
            return any(low <= _series(Version(p.version)) <= high for p in pins)
        except InvalidVersion:
            return False
    spec = installed_closure(graph, scope).get(host, "")
    if not spec:
        return True
    try:
        admitted = SpecifierSet(spec)
    except InvalidSpecifier:
        return False
    exact = [s.version for s in admitted if s.operator in ("==", "===") and "*" not in s.version]
    if exact:
        try:
            return all(low <= _series(Version(v)) <= high for v in exact)
        except InvalidVersion:
            return False
    return any(admitted.contains(v, prereleases=True) for v in mined)
