"""EPDD001's unit-only gaps: imports that the whole project declares (or its own packages) but that a
folder a deployment descriptor builds on its own does not. They are one defect, fixed in one place
(the unit's manifest), so they are gathered per unit and reported once there, with a flow step per
import line."""

from __future__ import annotations

from dataclasses import dataclass, field

from agentable.cpg import ir
from agentable.cpg.manifests import ManifestSet, governing_dir
from agentable.cpg.manifests.model import DeployUnit
from agentable.cpg.structure import ModuleInfo
from agentable.findings import FlowStep, Span
from agentable.rules.epdd.helpers import declaration_span, target_manifest
from agentable.rules.epdd.units import unit_clause


@dataclass
class _Gap:
    unit: DeployUnit
    folder: str  # the unit's folder (its nearest manifests')
    manifest: str  # where the missing declarations go
    names: dict[str, str] = field(default_factory=dict)  # import name -> what to add
    steps: list[FlowStep] = field(default_factory=list)


@dataclass
class UnitGaps:
    """The unit-only gaps found so far, by the manifest they are fixed in."""

    by_manifest: dict[str, _Gap] = field(default_factory=dict)

    def add(self, scope: ManifestSet, unit: DeployUnit, mod: ModuleInfo, stmt: ir.Stmt, name: str,
            fix: str) -> None:
        manifest = target_manifest(scope)
        # the listed folder holding the file (a folder with no manifest of its own is governed by the descriptor)
        folder = max((m for m in unit.members if m == "." or mod.path.startswith(m + "/")), key=len,
                     default=governing_dir(scope.manifests[0]))
        gap = self.by_manifest.setdefault(manifest, _Gap(unit, folder, manifest))
        gap.names.setdefault(name, fix)
        span = mod.ir.span(stmt.pos)
        text = mod.ir.line_text(stmt.pos[0]).split("#")[0].strip()  # an import line holds no other `#`
        gap.steps.append(FlowStep(span, f"`{text}`"))

    def located(self, manifests: ManifestSet) -> list[tuple[_Gap, Span, str]]:
        """Each gap with its location (the unit manifest's last declaration, after which the missing
        ones go; a descriptor's `dependencies` entry for the folder when the unit has no manifest of
        its own) and message."""
        return [(gap, _location(manifests, gap), _message(gap)) for _, gap in sorted(self.by_manifest.items())]


def _is_descriptor(gap: _Gap) -> bool:
    return gap.manifest in gap.unit.descriptors


def _location(manifests: ManifestSet, gap: _Gap) -> Span:
    if not _is_descriptor(gap):
        lines = [r for r in manifests.requirements if r.path == gap.manifest and r.group == "main"]
        if lines:
            last = max(lines, key=lambda r: r.line)
            return declaration_span(last)
        return Span(gap.manifest, 1, 1, 1, 2)
    entry = next(((d, ln) for d, ln in gap.unit.listed_at if d == gap.manifest), None) or \
        (gap.unit.listed_at[0] if gap.unit.listed_at else (gap.unit.descriptors[0], 1))
    return Span(entry[0], entry[1], 1, entry[1], 2)


def _message(gap: _Gap) -> str:
    names = ", ".join(f"`{n}` ({fix})" for n, fix in gap.names.items())
    lines = len(gap.steps)
    where = f"the `dependencies` of `{gap.manifest}` (or a requirements file in `{gap.folder}`)" \
        if _is_descriptor(gap) else f"`{gap.manifest}`"
    return (f"The code the graphs of this deployment run imports {len(gap.names)} package"
            f"{'s' if len(gap.names) != 1 else ''} that no declaration of the unit provides: {names}. "
            f"{unit_clause(gap.unit, gap.folder)[0].upper()}{unit_clause(gap.unit, gap.folder)[1:]}, so although "
            f"a full install of the project has {'them' if len(gap.names) != 1 else 'it'}, the deployed image "
            f"fails with ModuleNotFoundError at the {lines} import line{'s' if lines != 1 else ''} shown; "
            f"declare {'them' if len(gap.names) != 1 else 'it'} in {where}.")
