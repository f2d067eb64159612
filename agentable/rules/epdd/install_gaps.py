"""EPDD001's install-manifest gaps: a project with both a requirements file and a manifest that
`pip install <project>` reads (setup.py `install_requires`, pyproject `[project] dependencies`,
setup.cfg), where the package's own code imports a distribution that only the requirements file
declares. `pip install -r requirements.txt` works; installing the package does not. One defect per
install manifest, fixed there, so the imports are gathered per manifest and reported once, with a
flow step per import line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.manifests import ManifestSet
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import ModuleInfo
from agentable.findings import FlowStep, Span
from agentable.rules.epdd.helpers import declaration_span, package_dirs

_PROJECT_MANIFESTS = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})


def install_manifest(manifests: ManifestSet, scope: ManifestSet) -> Optional[str]:
    """The manifest among `scope`'s nearest that builds the project's distribution and whose runtime
    dependencies were read, when that folder also has a requirements file the build does not read;
    else None (one manifest only, or dependencies computed at build time)."""
    near = PurePosixPath(scope.manifests[0]).parent
    mine = [m for m in scope.manifests if PurePosixPath(m).parent == near]
    builds = [m for m in mine if PurePosixPath(m).name in _PROJECT_MANIFESTS and m in manifests.project_names
              and m not in manifests.unknown_dependencies]
    if len(builds) != 1:
        return None
    read = _read_by(scope, builds[0])
    others = [m for m in mine if m not in read and PurePosixPath(m).name not in _PROJECT_MANIFESTS]
    return builds[0] if others else None


def install_scope(manifests: ManifestSet, scope: ManifestSet, manifest: str) -> ManifestSet:
    """What `pip install <project>` installs: the manifest's main declarations and those of the
    requirements files it reads, with the project's own name."""
    read = _read_by(scope, manifest)
    kept = [r for r in scope.requirements if r.path in read and manifests.installs_with_package(r)]
    return ManifestSet(kept, [manifest], [], scope.includes, project_names=scope.project_names)


def _read_by(scope: ManifestSet, manifest: str) -> set[str]:
    """`manifest` and the files it includes, transitively."""
    out, todo = {manifest}, [manifest]
    while todo:
        for inc in scope.includes.get(todo.pop(), ()):
            if inc not in out:
                out.add(inc)
                todo.append(inc)
    return out


def in_installed_package(g: ProjectGraph, mod: ModuleInfo, manifest: str) -> bool:

    """Is `mod` part of the package the manifest installs: inside a folder with an `__init__.py`
    below the manifest's folder (or its `src/`) whose top folder is a package too (not a root
    script, a loose folder or test code)?"""
    if g.is_test_code(mod.path):
        return False
    root = PurePosixPath(manifest).parent
    path = PurePosixPath(mod.path)
    if not path.is_relative_to(root):
        return False
    rel = path.relative_to(root)
    if rel.parts[:1] == ("src",):  # the src layout: the packages are one folder down
        root, rel = root / "src", PurePosixPath(*rel.parts[1:])
    if len(rel.parts) < 2:
        return False
    inits = package_dirs(g)  # once per graph, not per import
    top = root / rel.parts[0]
    return str(path.parent) in inits and str(top) in inits


@dataclass
class _Gap:
    manifest: str
    names: dict[str, str] = field(default_factory=dict)  # import name -> distribution to add
    steps: list[FlowStep] = field(default_factory=list)
    # import name -> the declared distributions no catalog table reads, which may bring it
    unverified: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class InstallGaps:
    """The install-manifest gaps found so far, by manifest."""

    by_manifest: dict[str, _Gap] = field(default_factory=dict)

    def add(self, manifest: str, mod: ModuleInfo, stmt: ir.Stmt, name: str, dist: str,
            unknown: tuple[str, ...] = ()) -> None:
        gap = self.by_manifest.setdefault(manifest, _Gap(manifest))
        gap.names.setdefault(name, dist)
        if unknown:
            gap.unverified.setdefault(name, unknown)
        text = mod.ir.line_text(stmt.pos[0]).split("#")[0].strip()
        gap.steps.append(FlowStep(mod.ir.span(stmt.pos), f"`{text}`"))

    def located(self, manifests: ManifestSet) -> list[tuple[list[FlowStep], Span, str, bool]]:
        """Each gap's flow, location (the manifest's last main declaration, after which the missing
        ones go), message, and whether it is verified (some import no unread declaration may bring)."""
        out = []
        for manifest, gap in sorted(self.by_manifest.items()):
            lines = [r for r in manifests.requirements if r.path == manifest and r.group == "main"]
            last = max(lines, key=lambda r: r.line, default=None)
            span = Span(manifest, 1, 1, 1, 2) if last is None else \
                declaration_span(last)
            out.append((gap.steps, span, _message(gap), set(gap.names) != set(gap.unverified)))
        return out


def _message(gap: _Gap) -> str:
    n = len(gap.names)
    names = ", ".join(f"`{imp}`" + (f" (`{dist}`)" if dist.lower() != imp.lower() else "") for imp, dist in gap.names.items())
    them = "them" if n != 1 else "it"
    return (f"The installed package imports {n} package{'s' if n != 1 else ''} at module level that "
            f"`{gap.manifest}` does not declare, only a requirements file beside it: {names}. "
            f"`pip install -r` of that file works, but `pip install` of the project (from PyPI, git or `.`) "
            f"installs only what `{gap.manifest}` declares, so its modules fail with "
            f"ModuleNotFoundError at the import line{'s' if len(gap.steps) != 1 else ''} shown; declare "
            f"{them} in `{gap.manifest}` too (or have it read the requirements file).{_unverified(gap)}")


def _unverified(gap: _Gap) -> str:
    if not gap.unverified:
        return ""
    unread = sorted({d for ds in gap.unverified.values() for d in ds})
    which = ", ".join(f"`{n}`" for n in gap.unverified)
    return (f" (agentable could not verify {which}: no table of its catalog says what "
            f"{', '.join(f'`{d}`' for d in unread[:3])} install{'s' if len(unread) == 1 else ''}, and "
            f"{'it' if len(unread) == 1 else 'they'} may bring {'it' if len(gap.unverified) == 1 else 'them'}.)")
