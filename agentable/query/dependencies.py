"""Imports vs declared distributions (EPDD, LARD001): what an import statement brings in, and what
installing a file's declarations brings along (`installed_closure`). Whether an import is declared,
locked or optional is EPDD001's alone: agentable/rules/epdd/helpers.py."""

from __future__ import annotations

from pathlib import PurePosixPath

from agentable.cpg import ir
from agentable.cpg.manifests import ManifestSet, normalize_dist
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import ModuleInfo
from agentable.query.facts import EvalAt, per_graph


def import_targets(stmt: EvalAt) -> list[str]:
    """Absolute dotted names an import statement brings in: `import a.b` -> a.b, `from a import b`
    -> a.b (relative imports give nothing)."""
    out: list[str] = []
    if isinstance(stmt, ir.Import):
        out.extend(a.name for a in stmt.names)
    elif isinstance(stmt, ir.ImportFrom) and stmt.level == 0 and stmt.module:
        out.extend(f"{stmt.module}.{a.name}" if a.name != "*" else stmt.module for a in stmt.names)
    return out


def absolute_targets(m: ModuleInfo, stmt: ir.Stmt) -> list[str]:
    """import_targets, with relative imports made absolute from the importing module's package."""
    if isinstance(stmt, ir.ImportFrom) and stmt.level:
        pkg = m.name.split(".") if PurePosixPath(m.path).name == "__init__.py" else m.name.split(".")[:-1]
        base = pkg[: len(pkg) - (stmt.level - 1)] + ([stmt.module] if stmt.module else [])
        return [".".join([*base, a.name]) for a in stmt.names if a.name != "*"] + [".".join(base)]
    return import_targets(stmt)


# How many requirement levels below a declaration are followed (ipykernel -> ipython -> prompt-toolkit
# is two; semantic-kernel -> prance -> chardet is two).
_DEPTH = 5


def installed_closure(g: ProjectGraph, scope: ManifestSet) -> dict[str, str]:
    """The distributions that installing the declarations of `scope` brings, several levels deep
    (`_DEPTH`), each read at the release its requirement resolves to: the lock's pin, else the
    newest release the range admits, by the mined Requires-Dist of that exact release
    (catalog/requires.pack, markers and extras applied); where an exact (or locked) pin's minor
    series was never read, what the nearest read releases below and above it require and the newest
    wheel's requirements (wheels.pack), names only: any of them may be what that release brings;
    else the newest wheel's requirements. A distribution neither file knows ends the walk there: what
    it installs is unknown, so an import only it could bring is still reported. Each distribution
    maps to the range it was first reached with ("" when unpinned)."""
    key = tuple(sorted((r.dist, r.specifier, r.extras) for r in scope.requirements))
    memo = _closures(g)
    if key not in memo:
        memo[key] = _walk(g, scope)
    return memo[key]


@per_graph
def _closures(g: ProjectGraph) -> dict[tuple, dict[str, str]]:
    return {}


def _walk(g: ProjectGraph, scope: ManifestSet) -> dict[str, str]:
    seen: set[tuple[str, tuple[str, ...]]] = set()
    out: dict[str, str] = {}
    pins = {r.dist: scope.pins_for(r.path, r.dist) for r in scope.requirements} if hasattr(scope, "pins_for") else {}
    todo: list[tuple[str, str, tuple[str, ...], int]] = [
        (r.dist, r.specifier, tuple(normalize_dist(e) for e in r.extras), 0) for r in scope.requirements]
    while todo:
        dist, spec, extras, depth = todo.pop()
        if (dist, extras) in seen:
            continue
        seen.add((dist, extras))
        out.setdefault(dist, spec)
        if depth >= _DEPTH:
            continue
        sibling = _sibling_requirements(g).get(dist)
        if sibling is not None:  # a distribution the project's own code builds: its manifest says
            groups = {"main", *(f"optional:{e}" for e in extras)}
            bracket = getattr(g.manifests, "bracket_extras", {})  # setup.py lines that are extras' lines
            todo.extend((r.dist, r.specifier, tuple(normalize_dist(e) for e in r.extras), depth + 1)
                        for r in sibling if r.group in groups and not (r.extras and r.path in bracket))
            continue
        mined = g.catalog.releases.get(dist)
        locked = [p.version for p in pins.get(dist, ()) if p.version]
        version = _release(mined, spec, locked)
        reqs = mined.series_requirements(version, extras) if mined is not None and version is not None else None
        if reqs is not None:
            todo.extend((normalize_dist(r.name), str(r.specifier), tuple(normalize_dist(e) for e in r.extras),
                         depth + 1) for r in reqs)
            continue
        names = []
        if mined is not None and _old_pin(mined, spec, locked, version):  # its read neighbours' (either may hold)
            names += [normalize_dist(r.name) for r in mined.neighbour_requirements(version, extras)]
        names += list(g.catalog.wheel_requires(dist) or ())
        names += [d for e in extras for d in g.catalog.extra_requires(dist, e)]
        todo.extend((n, "", (), depth + 1) for n in names)
    return out




def _release(mined, spec: str, locked: list[str]):
    """The release an install takes: the lock's pin, else the newest the range admits; None unknown."""
    from packaging.version import InvalidVersion, Version

    if mined is None:
        return None
    try:
        return Version(locked[0]) if locked else mined.resolve(spec)
    except InvalidVersion:
        return mined.resolve(spec)


def _old_pin(mined, spec: str, locked: list[str], version) -> bool:
    """Is `version` a release pinned exactly (or by the lock) that is not the newest (whose wheel's
    requirements wheels.pack holds) and whose minor series was never read? A range resolves to
    the newest release: its neighbours below may require what it no longer does (autogen 0.7.0
    brought openai, 0.14 does not)."""
    return mined is not None and version is not None and bool(locked or (spec.startswith("==") and "," not in spec)) \
        and not mined.read_near(version) and not (mined.releases and version == mined.releases[0])


def unread_release(g: ProjectGraph, scope: ManifestSet, path: str, dist: str, spec: str) -> str:
    """`dist==version` when a declaration pins `dist` to a release (exactly, or through the lock) that
    is not its newest (whose wheel's requirements are known) and no release of its minor series was
    read (what it requires is then only guessed from its neighbours), else ""."""
    mined = g.catalog.releases.get(dist)
    locked = [p.version for p in scope.pins_for(path, dist) if p.version] if hasattr(scope, "pins_for") else []
    version = _release(mined, spec, locked)
    return f"{dist}=={version}" if _old_pin(mined, spec, locked, version) else ""


@per_graph
def _sibling_requirements(g: ProjectGraph) -> dict[str, tuple]:
    """The distributions the project's own manifests build (a monorepo's shop-core, declared by
    its sibling shop-drivers-chromium) -> their manifest's requirements, main group and extras
    (`browser-use[examples]` in its own `all` extra installs what the examples extra declares)."""
    manifests = getattr(g, "manifests", None)
    if manifests is None:
        return {}
    by_path: dict[str, list] = {}  # one pass over the requirements, not one per project manifest
    for r in manifests.requirements:
        by_path.setdefault(r.path, []).append(r)
    out: dict[str, tuple] = {}
    for path, name in manifests.project_names.items():
        out.setdefault(name, tuple(by_path.get(path, ())))
    return out


def left_out_by_declarations(g: ProjectGraph, path: str, dist: str) -> bool:
    """Does a fresh install made from the declarations governing the file `path` leave the
    distribution `dist` out: the file is governed by manifests that were read (not a build-time
    list), none of them names it (any group, or an extra named after it), no lock governing the
    file pins it, and nothing they declare brings it along (`installed_closure`)? Then the file's
    import of it fails, and `pip install <dist>`, the fix a user makes, gets its newest release."""
    manifests = getattr(g, "manifests", None)
    if manifests is None or not manifests.has_manifest():
        return False
    dist = normalize_dist(dist)
    scope = manifests.for_path(path)
    if not scope.requirements or any(m.endswith((".yml", ".yaml")) or m in manifests.unknown_dependencies
                                     for m in scope.manifests):
        return False
    if scope.declared(dist) or dist in scope.project_names.values() or dist in (manifests.locked_for(path) or ()):
        return False
    for r in scope.requirements:
        for extra in r.extras:
            if dist in (normalize_dist(f"{r.dist}-{extra}"), normalize_dist(extra)) \
                    or dist in g.catalog.extra_requires(r.dist, extra):
                return False
    return dist not in installed_closure(g, scope)
