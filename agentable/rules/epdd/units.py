"""EPDD001 in a folder that a deployment descriptor builds on its own (ManifestSet.deploy_units):
the project's packages outside the folders the descriptor lists are not in the image, so an import
of one is an import of a package the unit must declare."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Optional

from agentable.cpg.manifests import ManifestSet, governing_dir
from agentable.cpg.manifests.model import DeployUnit
from agentable.cpg.project import ProjectGraph
from agentable.query.dependencies import absolute_targets
from agentable.query.facts import per_graph


def package_left_out(g: ProjectGraph, top: str, unit: Optional[DeployUnit]) -> Optional[str]:
    """The folder (or module file) of the project's package `top` when the descriptors of `unit`
    leave every one of that name out of the image, else None (no unit, or one is inside it)."""
    if unit is None:
        return None
    found = _locations(g).get(top, frozenset())
    inside = [loc for loc in found if any(d == "." or loc == d or loc.startswith(d + "/") for d in unit.members)]
    return None if not found or inside else min(found)


def project_distribution(manifests: ManifestSet, location: str) -> Optional[str]:
    """The distribution a project manifest builds from the folder that holds `location`."""
    best: Optional[tuple[int, str]] = None
    for manifest, name in manifests.project_names.items():
        folder = governing_dir(manifest)
        if folder == "." or location == folder or location.startswith(folder + "/"):
            depth = 0 if folder == "." else len(PurePosixPath(folder).parts)
            if best is None or depth > best[0]:
                best = (depth, name)
    return best[1] if best else None


def unit_clause(unit: DeployUnit, folder: str) -> str:
    """Why a unit's files see only its own declarations, for a message."""
    listed = ", ".join(f"`{m}`" for m in unit.members)
    name = "this folder" if folder == "." else f"`{folder}`"
    one = len(unit.descriptors) == 1
    return (f"{' and '.join(f'`{d}`' for d in unit.descriptors)} build{'s' if one else ''} {name} on its own, "
            f"installing only the folders and packages {'its' if one else 'their'} `dependencies` list{'s' if one else ''} "
            f"({listed}) and nothing the manifests of the folders above declare")


@per_graph
def _locations(g: ProjectGraph) -> dict[str, frozenset[str]]:
    """Name -> the project folders and module files of that name (`gpt_researcher` ->
    {"gpt_researcher"}), relative to the root."""
    out: dict[str, set[str]] = {}
    for m in g.modules.values():
        parts = PurePosixPath(m.path).parts
        for i, part in enumerate(parts):
            name = part[:-3] if i == len(parts) - 1 and part.endswith(".py") else part
            out.setdefault(name, set()).add("/".join(parts[: i + 1]))
    return {k: frozenset(v) for k, v in out.items()}


def runs_in_deployment(g: ProjectGraph, mod_name: str, unit: DeployUnit) -> bool:
    """Does the deployment run this module: one the graphs it serves import, directly or not (any
    import, in a function too: the graph's nodes run)? True when the descriptor names no graph file
    the scan has."""
    reached = _reached(g, unit.entries)
    return reached is None or mod_name in reached


@per_graph
def _reached(g: ProjectGraph, entries: tuple[str, ...]) -> Optional[frozenset[str]]:
    by_path = {m.path: name for name, m in g.modules.items()}
    todo = [by_path[e] for e in entries if e in by_path]
    if not todo:
        return None
    by_suffix: dict[str, list[str]] = {}  # `agents.editor` -> `multi_agents.agents.editor`: a folder on sys.path
    for name in g.modules:
        segs = name.split(".")
        for k in range(len(segs)):
            by_suffix.setdefault(".".join(segs[k:]), []).append(name)
    seen = set(todo)
    while todo:
        m = g.modules[todo.pop()]
        for stmt in m.import_stmts:
            for target in absolute_targets(m, stmt):
                parts = target.split(".")
                for i in range(1, len(parts) + 1):
                    for hit in by_suffix.get(".".join(parts[:i]), ()):
                        if hit not in seen:
                            seen.add(hit)
                            todo.append(hit)
    return frozenset(seen)
