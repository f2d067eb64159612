"""Other declarations of a distribution that a fresh install reads on their own: a project that
declares `langchain` in its requirements.txt and again in its pyproject.toml is installed either
with `pip install -r requirements.txt` or with `pip install .`, each reading one file, so a range
that is wrong in both wants its bound in both (EPDD006). Two declarations in one manifest, one
manifest including the other (`-r base.txt`), a feature add-on installed on top of the base
(`requirements_gpu.txt`) and an extra of a manifest whose main dependencies declare the same
distribution are installed together: pip intersects their ranges, so one bound is enough there."""

from __future__ import annotations

from typing import Iterable, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from agentable.cpg.manifests import ManifestSet, Requirement
from agentable.cpg.manifests.model import is_add_on


def separate_routes(manifests: ManifestSet, paths: Iterable[str], dist: str, at: tuple[str, int],
                    admitted: str) -> list[Requirement]:
    """The declarations of `dist` governing the files `paths`, other than the one at `at` (path,
    line), that a fresh install reads without it and whose own range admits the release
    `admitted` (which lacks the API): each is a manifest line to bound as well."""
    seen: dict[tuple[str, int], Requirement] = {}
    for path in dict.fromkeys(paths):
        for r in manifests.for_path(path).declared(dist):
            seen.setdefault((r.path, r.line), r)
    chosen = seen.get(at)
    if chosen is None:
        return []
    return [r for key, r in sorted(seen.items()) if key != at
            and _on_its_own(manifests, chosen, r, seen.values()) and _admits(r.specifier, admitted)]


def _on_its_own(manifests: ManifestSet, a: Requirement, b: Requirement, declared: Iterable[Requirement]) -> bool:
    """Does some install read `b` without `a` (and so without `a`'s bound)?"""
    if a.path == b.path:  # two extras of a manifest whose main dependencies do not name it
        return (a.group.startswith("optional:") and b.group.startswith("optional:") and a.group != b.group
                and not any(r.path == a.path and r.group == "main" for r in declared))
    if a.group != "main" or b.group != "main" or is_add_on(a.path) or is_add_on(b.path):
        return False
    return not _includes(manifests, a.path, b.path) and not _includes(manifests, b.path, a.path)


def _includes(manifests: ManifestSet, outer: str, inner: str) -> bool:
    """Does installing `outer` read `inner` (`-r`/`-c`, at any depth)?"""
    todo, seen = list(manifests.includes.get(outer, ())), set()
    while todo:
        m = todo.pop()
        if m == inner:
            return True
        if m not in seen:
            seen.add(m)
            todo.extend(manifests.includes.get(m, ()))
    return False


def _admits(specifier: str, version: str) -> bool:
    try:
        return SpecifierSet(specifier).contains(version, prereleases=True)
    except InvalidSpecifier:
        return False


def install_route(req: Requirement) -> str:
    """How a user installs `req` without the other declarations, for a message: `pip install -r
    requirements.txt`, `pip install .`, installing the extra `all`."""
    if req.group.startswith("optional:"):
        return f"installing the extra `{req.group.partition(':')[2]}`"
    return _route_command(req.path) or f"an install from {req.path}"


def _route_command(manifest: str) -> Optional[str]:
    name = manifest.rpartition("/")[2]
    if name.endswith((".txt", ".in")):
        return f"`pip install -r {manifest}`"
    if name in ("pyproject.toml", "setup.py", "setup.cfg"):
        return "`pip install .`" if "/" not in manifest else f"`pip install ./{manifest.rpartition('/')[0]}`"
    if name == "Pipfile":
        return "`pipenv install`"
    if name in ("environment.yml", "environment.yaml"):
        return "`conda env create`"
    return None
