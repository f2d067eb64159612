"""Which of a project's modules run when its package is imported, and which extras a module belongs
to: what EPDD001 asks when a package is declared only in an extra (optional dependencies)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.manifests import ManifestSet, normalize_dist
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import ModuleInfo
from agentable.query.dependencies import absolute_targets, import_targets
from agentable.query.facts import per_graph

_PROJECT_MANIFESTS = ("setup.py", "pyproject.toml", "setup.cfg")


def import_time_chain(g: ProjectGraph, mod: ModuleInfo, probes: frozenset[str]) -> Optional[list[str]]:
    """The files whose module-level imports run `mod` when its top-level package is imported, from
    that package's `__init__.py` to `mod` itself, or None when `mod` is not run then. Only
    unguarded imports count (not inside a function, a `try` that catches ImportError, `if
    TYPE_CHECKING:` ...); importing `a.b.c` runs `a`, `a.b` and `a.b.c`."""
    parents = _import_time_parents(g, probes)
    if mod.name not in parents:
        return None
    chain: list[str] = []
    cur: Optional[str] = mod.name
    while cur is not None:
        chain.append(g.modules[cur].path)
        cur = parents[cur]
    return chain[::-1]


@per_graph
def _import_time_parents(g: ProjectGraph, probes: frozenset[str]) -> dict[str, Optional[str]]:
    parents: dict[str, Optional[str]] = {name: None for name, m in g.modules.items()
                                         if "." not in name and PurePosixPath(m.path).name == "__init__.py"}
    todo = list(parents)
    while todo:
        name = todo.pop(0)
        for hit in _run_on_import(g, g.modules[name], probes):
            if hit not in parents:
                parents[hit] = name
                todo.append(hit)
    return parents


def _run_on_import(g: ProjectGraph, m: ModuleInfo, probes: frozenset[str]) -> Iterator[str]:
    """The project modules that `m`'s unguarded module-level imports run (`import a.b.c` runs `a`,
    `a.b` and `a.b.c`)."""
    from agentable.rules.epdd.helpers import import_is_optional, import_owner, looked_up_packages

    for stmt in m.import_stmts:
        if import_owner(g, m, stmt) is not m.toplevel or import_is_optional(m.toplevel, stmt, probes=probes):
            continue
        if any(isinstance(a, ir.If) and _in_body(a, stmt) and looked_up_packages(a.test, m.toplevel, probes)
               for a in m.toplevel.ancestors(stmt)):
            continue  # `if find_spec("playwright"): from ._browser_playwright import ...`: an optional backend
        for target in absolute_targets(m, stmt):
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                hit = ".".join(parts[:i])
                if hit in g.modules:
                    yield hit


def _in_body(branch: ir.If, stmt: ir.Stmt) -> bool:
    """Is `stmt` in the body of `branch` (run when its test holds), not in its `else`?"""
    return any(s is stmt for s in ir.walk_stmts(branch.body, into_defs=True))


def import_time_importers(g: ProjectGraph, mod: ModuleInfo, probes: frozenset[str]) -> frozenset[str]:
    """The paths of the project modules (test code left out) whose unguarded module-level imports
    run `mod`, directly or through others: importing any of them imports `mod`'s packages too."""
    edges = _import_time_edges(g, probes)
    seen: set[str] = set()
    todo = [mod.name]
    while todo:
        for importer in edges.get(todo.pop(), ()):
            if importer not in seen:
                seen.add(importer)
                todo.append(importer)
    paths = (g.modules[m].path for m in seen if m != mod.name)
    return frozenset(p for p in paths if not g.is_test_code(p))


@per_graph
def _import_time_edges(g: ProjectGraph, probes: frozenset[str]) -> dict[str, frozenset[str]]:
    """Module -> the project modules whose unguarded module-level imports run it (`import a.b.c`
    runs `a`, `a.b` and `a.b.c`)."""
    out: dict[str, set[str]] = {}
    for name, m in g.modules.items():
        for hit in _run_on_import(g, m, probes):
            if hit != name:
                out.setdefault(hit, set()).add(name)
    return {k: frozenset(v) for k, v in out.items()}


def is_installed_package(manifests: ManifestSet, scope: ManifestSet) -> bool:
    """Is the code governed by a manifest that builds a distribution (setup.py, pyproject.toml,
    setup.cfg): is there a package install whose dependencies are its main group?"""
    return any(PurePosixPath(m).name in _PROJECT_MANIFESTS for m in scope.manifests)


def package_scope(manifests: ManifestSet, scope: ManifestSet) -> ManifestSet:
    """The declarations of `scope` that installing the project's distribution installs: no extra,
    no development group (see ManifestSet.installs_with_package)."""
    kept = [r for r in scope.requirements if manifests.installs_with_package(r)]
    return ManifestSet(kept, scope.manifests, [], scope.includes, project_names=scope.project_names)


def extra_of(manifests: ManifestSet, scope: ManifestSet, dists: set[str]) -> tuple[str, str]:
    """(extra, distribution): an extra that declares one of `dists`, or ("", "") when none does."""
    for r in scope.requirements:
        if r.dist in dists and r.group.startswith("optional:"):
            return r.group.partition(":")[2], r.dist
        if r.dist in dists and r.extras and r.path in manifests.bracket_extras:
            return r.extras[0], r.dist
    return "", ""


def feature_scope(g: ProjectGraph, scope: ManifestSet, mod: ModuleInfo, top: str = "") -> ManifestSet:
    """`scope` without the extras that do not cover the import of `top` in `mod`. What an extra
    brings along (its dependencies' dependencies) is installed only by those who ask for that
    extra, for the code that needs it: MetaGPT's `android_assistant` extra brings sympy through
    torch, which does not declare sympy for an unrelated benchmark module. An extra counts when
    `mod` is its feature code (it, or a project module it imports, imports a distribution the
    extra declares directly), or when the extra's feature code elsewhere imports `top` too (the
    `rag` extra's modules import chromadb, which its vector-store integration brings)."""
    extras: dict[str, set[str]] = {}
    for r in scope.requirements:
        if r.group.startswith("optional:"):
            extras.setdefault(r.group, set()).add(r.dist)
    if not extras:
        return scope
    used = _feature_dists(g, mod)
    keep = {grp for grp, ds in extras.items() if ds & used or (top and top in _feature_tops(g, frozenset(ds)))}
    if len(keep) == len(extras):
        return scope
    kept = [r for r in scope.requirements if not r.group.startswith("optional:") or r.group in keep]
    return ManifestSet(kept, scope.manifests, [], scope.includes, project_names=scope.project_names)


@per_graph
def _feature_dists(g: ProjectGraph, mod: ModuleInfo) -> frozenset[str]:
    """The distributions `mod` imports, and those the project modules it imports import: per
    module (feature_scope asks it for each of the module's imports)."""
    used = _imported_dists(g, mod)
    for stmt in mod.import_stmts:
        for target in absolute_targets(mod, stmt):
            parts = target.split(".")
            for i in range(len(parts), 0, -1):
                other = g.modules.get(".".join(parts[:i]))
                if other is not None:
                    used = used | _imported_dists(g, other)
                    break
    return used


@per_graph
def _imported_dists(g: ProjectGraph, mod: ModuleInfo) -> frozenset[str]:
    """The distributions whose modules `mod` imports (by the catalog's import map, or the name)."""
    out: set[str] = set()
    for stmt in mod.import_stmts:
        for target in import_targets(stmt):
            out.update(normalize_dist(d) for d in g.catalog.distributions_for_import(target))
    return frozenset(out)


@per_graph
def _feature_tops(g: ProjectGraph, dists: frozenset[str]) -> frozenset[str]:
    """The top-level names imported by the project modules that import one of `dists`."""
    out: set[str] = set()
    for m in g.modules.values():
        if _imported_dists(g, m) & dists:
            out.update(t.split(".")[0] for s in m.import_stmts for t in import_targets(s))
    return frozenset(out)



def imported_only_by_declaring_siblings(g: ProjectGraph, mod: ModuleInfo, scope: ManifestSet, dotted: str,
                                        probes: frozenset[str]) -> bool:
    """Is `mod` imported only by the code of other packages of the project, each of which declares
    `dotted`? A monorepo's core package holds a base class that only its selenium driver package
    imports, and that package declares selenium: the core's users never run the module without it.
    Importers are found by the module's dotted names (`shop.core.listener` for
    shop-core/shop/core/listener.py) and by the importer graph; none may be governed by `scope`."""
    from agentable.rules.epdd.helpers import import_declared

    index = _importers_by_name(g)
    parts = mod.name.split(".")
    importers = {p for i in range(len(parts) - 1) for p in index.get(".".join(parts[i:]), ())}
    importers |= import_time_importers(g, mod, probes)
    importers.discard(mod.path)
    if not importers:
        return False
    manifests = g.manifests
    if manifests is None:
        return False
    for path in importers:
        other = manifests.for_path(path)
        if not other.requirements or set(other.manifests) & set(scope.manifests) \
                or not import_declared(g, other, dotted):
            return False
    return True


@per_graph
def _importers_by_name(g: ProjectGraph) -> dict[str, frozenset[str]]:
    """Dotted name (and each dotted prefix of it) an import statement names -> the paths of the
    modules (test code left out) with such a statement."""
    out: dict[str, set[str]] = {}
    for m in g.modules.values():
        if g.is_test_code(m.path):
            continue
        for stmt in m.import_stmts:
            for target in absolute_targets(m, stmt):
                parts = target.split(".")
                for i in range(2, len(parts) + 1):
                    out.setdefault(".".join(parts[:i]), set()).add(m.path)
    return {k: frozenset(v) for k, v in out.items()}
