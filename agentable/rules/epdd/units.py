"""EPDD001 in a folder that a deployment descriptor builds on its own (ManifestSet.deploy_units):
the project's packages outside the folders the descriptor lists are not in the image, so an import
of one is an import of a package the unit must declare."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Optional

from agentable.cpg.manifests import ManifestSet, governing_dir
from agentable.cpg.manifests.model import DeployUnit
from agentable.cpg.project import ProjectGraph
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
