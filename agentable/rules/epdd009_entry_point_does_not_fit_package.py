"""EPDD009: a command the manifest installs cannot run from what the install puts in place."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.manifests import ManifestSet, Requirement, governing_dir, normalize_dist
from agentable.cpg.manifests.model import EntryPoint
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import ModuleInfo
from agentable.findings import Finding, FlowStep, Severity, Span
from agentable.query.dependencies import import_targets, installed_closure
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.epdd.helpers import declaration_span, import_is_optional, import_owner

# where a build finds the packages of a manifest's folder: the folder itself, or its src/ layout
_PACKAGE_ROOTS = ("", "src/")


class EntryPointDoesNotFitPackage(Rule):
    meta = RuleMeta(
        id="EPDD009",
        name="entry-point-does-not-fit-package",
        category="EPDD",
        severity=Severity.ERROR,
        short="A command the manifest installs names a missing module, or imports a package only a dev group declares.",
        full=("`[project.scripts]`, Poetry's `[tool.poetry.scripts]` and setup.cfg's `console_scripts` install "
              "commands that import `module:attr` when they run. When the module is not in the package (the "
              "entry names `pkg.cli` and `pkg/` has no `cli.py`), the installed command fails at once with "
              "ModuleNotFoundError. When the module imports, at module level, a distribution that the same "
              "manifest declares only in a development group (Poetry's `dev` group, a PEP 735 group), "
              "`pip install` of the project does not install it and nothing the main dependencies bring "
              "provides it, so the command fails with ModuleNotFoundError on every user's machine while it "
              "works in the developers' environment. Judged only where the module's package folder is in the "
              "project and, for an import, where every main dependency's requirements are known."),
        bad_example=('[tool.poetry.scripts]\nreport = "acme.cli:main"\n'
                     '[tool.poetry.group.dev.dependencies]\nclick = "^8.1"\n# acme/cli.py: import click'),
        good_example=('[tool.poetry.scripts]\nreport = "acme.cli:main"\n'
                      '[tool.poetry.dependencies]\nclick = "^8.1"\n# acme/cli.py: import click'),
        fix="Point the entry at the module that defines the command, or move the distribution to the main dependencies.",
        tags=("dependencies", "manifest", "packaging"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        manifests = getattr(graph, "manifests", None)
        if manifests is None or not manifests.entry_points:
            return
        paths = sorted(m.path for m in graph.modules.values())
        reported: set[tuple[str, int]] = set()
        for ep in manifests.entry_points:
            base = governing_dir(ep.path)
            prefix = "" if base in (".", "") else base + "/"
            parts = ep.module.split(".")
            if len(parts) < 2 or not _has_folder(paths, prefix, "/".join(parts[:-1])):
                continue  # a top-level module, or a package this scan does not hold: not judged
            mod = _module(graph, paths, prefix, parts)
            if mod is None:
                yield self._missing(ep)
                continue
            for f in self._dev_only_imports(ctx, manifests, ep, mod):
                if (f.span.path, f.span.line) not in reported:
                    reported.add((f.span.path, f.span.line))
                    yield f

    def _missing(self, ep: EntryPoint) -> Finding:
        file = ep.module.replace(".", "/")
        return Finding(
            self.meta.id,
            f"{ep.path} installs the command `{ep.name}` as `{ep.module}:{ep.attr}`, but the project has no module "
            f"`{ep.module}` ({file}.py or {file}/__init__.py) beside the other modules of its package, so the "
            f"installed `{ep.name}` command fails with ModuleNotFoundError before it runs. Point the entry at the "
            f"module that defines the command, or add `{file}.py` with `{ep.attr}`.",
            declaration_span(ep), self.meta.severity, self.meta.category)

    def _dev_only_imports(self, ctx: RuleContext, manifests: ManifestSet, ep: EntryPoint,
                          mod: ModuleInfo) -> Iterable[Finding]:
        graph = ctx.graph
        cat = graph.catalog
        scope = manifests.for_path(mod.path)
        mine = [r for r in scope.requirements if r.path == ep.path]
        main = [r for r in mine if r.group == "main"]
        if not main or any(not cat.knows_distribution(r.dist) for r in main):
            return  # what the main dependencies bring is not known: they may bring it
        brought = installed_closure(graph, ManifestSet(main, [ep.path]))
        for stmt in mod.import_stmts:
            owner = import_owner(graph, mod, stmt)
            if owner is not mod.toplevel or import_is_optional(owner, stmt):
                continue
            for dotted in import_targets(stmt):
                top = dotted.split(".")[0]
                if top in cat.python.stdlib_modules or _project_name(graph, top):
                    continue
                dists = {normalize_dist(d) for d in cat.distributions_for_import(dotted)}
                declared = [r for r in mine if r.dist in dists]
                if not declared or any(r.group == "main" or r.group.startswith("optional:") for r in declared) \
                        or any(d in brought for d in dists):
                    continue
                yield self._dev_only(ep, mod.path, stmt, dotted, declared[0])
                break

    def _dev_only(self, ep: EntryPoint, path: str, stmt: ir.Stmt, dotted: str, req: Requirement) -> Finding:
        group = req.group.partition(":")[2] or req.group
        return Finding(
            self.meta.id,
            f"`{dotted}` is imported here, at module level of `{ep.module}`, which the command `{ep.name}` "
            f"({ep.path}:{ep.line}) runs, but {ep.path} declares {req.raw_name} only in the `{group}` group "
            f"({req.path}:{req.line}), which installing the project does not install, and none of its main "
            f"dependencies brings it: after `pip install` of the project, `{ep.name}` fails with "
            f"ModuleNotFoundError. Move `{req.raw_name}` to the main dependencies of {ep.path}.",
            Span(path, stmt.pos[0], stmt.pos[1], stmt.pos[2], stmt.pos[3]), self.meta.severity, self.meta.category,
            flow=(FlowStep(declaration_span(ep), f"installs the command `{ep.name}`"),
                  FlowStep(declaration_span(req), f"declares {req.raw_name} in the `{group}` group only")))


def _has_folder(paths: list[str], prefix: str, folder: str) -> bool:
    """Does the scan hold a module in `folder` (a package path) under the manifest's folder?"""
    return any(p.startswith(f"{prefix}{root}{folder}/") for root in _PACKAGE_ROOTS for p in paths)


def _module(graph: ProjectGraph, paths: list[str], prefix: str, parts: list[str]) -> Optional[ModuleInfo]:
    file = "/".join(parts)
    for root in _PACKAGE_ROOTS:
        for candidate in (f"{prefix}{root}{file}.py", f"{prefix}{root}{file}/__init__.py"):
            mod = graph.by_path.get(candidate)
            if mod is not None:
                return mod
    return None


def _project_name(graph: ProjectGraph, top: str) -> bool:
    """Is `top` a module or package of the project itself?"""
    return any(PurePosixPath(m.path).stem == top or top in PurePosixPath(m.path).parts[:-1]
               for m in graph.modules.values())
