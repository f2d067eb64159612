"""EPDD001: a third-party package imported by the code but declared by no manifest.

Not reported: an import the project documents as a manual install (a README of the feature that
`pip install`s it, or clones its repository and installs the checkout) that only the documented
feature runs (no module outside its folder imports the file at module level); an import that runs only
in a component its own README says is off until enabled (see `epdd/optional.py`); an undeclared
import of a maintainer script or of a script that asks its user to install its packages, outside
the installed package. A lazy import under an `if` (or past an early return) is a warning that
names the test it runs under. In a folder that a deployment descriptor (langgraph.json) builds on
its own, the code its graphs run is judged against that unit's declarations alone, and the
project's packages the image leaves out count as undeclared (`epdd/units.py`); what a full install
has but the unit lacks is one finding at the unit's manifest (`epdd/unit_gaps.py`). What only a
requirements file declares, beside a setup.py/pyproject that `pip install` reads instead, is one
finding at that install manifest (`epdd/install_gaps.py`). An import no catalog table names, in a
folder whose install script installs another repository's checkout or puts it on PYTHONPATH or in a
module that adds a folder to sys.path itself, and a
common dependency imported beside a package no table reads, are not reported (`epdd/unverified.py`).
docs/catalog-data.md (EPDD001) gives the policy."""

from __future__ import annotations

from typing import Iterable, Iterator, Optional

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.manifests import ManifestSet, governing_dir, normalize_dist
from agentable.findings import Finding, Severity
from agentable.query.dependencies import import_targets
from agentable.query.versions import undeclared_api_gap
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.epdd.documented import documented_anywhere, documented_install
from agentable.rules.epdd.install_gaps import InstallGaps, in_installed_package, install_manifest, install_scope
from agentable.rules.epdd.root_scripts import unmanaged_root_imports
from agentable.rules.epdd.unit_gaps import UnitGaps
from agentable.rules.epdd.units import package_left_out, project_distribution, unit_clause
from agentable.rules.epdd.optional import (asks_for_install, behind_a_setting, maintainer_script, opt_in_component,
                                           run_condition)
from agentable.rules.epdd.unverified import (beside_unread_package, extends_import_path, source_checkout,
                                              unknown_distributions, unknown_name_provider)
from agentable.rules.epdd.packages import (extra_of, feature_scope, import_time_chain, import_time_importers,
                                           imported_only_by_declaring_siblings,
                                           is_installed_package, package_scope)
from agentable.rules.epdd.helpers import (
    JudgedModule,
    import_declared,
    import_installed_on_demand,
    callers_probe_first,
    importers_look_up_first,
    import_is_optional,
    import_locked,
    stale_lock_pin,
    import_name_known,
    import_owner,
    is_project_module,
    judged_modules,
    loose_folder,
    package_dirs,
    optional_import_tops,
    target_manifest,
)

class UndeclaredDependency(Rule):
    meta = RuleMeta(
        id="EPDD001",
        name="undeclared-third-party-import",
        category="EPDD",
        severity=Severity.ERROR,
        short="A third-party package is imported but no declared dependency provides it.",
        full=("The project declares its dependencies (requirements.txt, pyproject.toml, setup.cfg, Pipfile…), "
              "but this import is provided by none of them, directly or through a declared package that depends "
              "on it. It works on the author's machine and fails with ModuleNotFoundError in every fresh "
              "install: a container, CI, a colleague's checkout, a deployed agent. A package that shares "
              "a namespace covers only the modules it installs: the llama-index meta-package brings "
              "`llama_index.core` and the OpenAI integrations, not `llama_index.llms.anthropic` "
              "(llama-index-llms-anthropic), unless it is pinned to a release from before the split. In a "
              "folder a langgraph.json builds on its own, what the project declares but the folder's own "
              "manifest does not is one finding at that manifest, with each import as a flow step. A lock file "
              "(poetry.lock, uv.lock) installs what it pins for an application; a package published to be "
              "pip-installed (a build backend with `[project]` or Poetry's `packages`) is resolved without it, so "
              "its lock excuses an undeclared import only while a fresh resolution still has it (not "
              "`pkg_resources` from setuptools 82+, not `openai.error` from openai 1+). In a monorepo, a sibling "
              "package the project builds installs what its own manifest declares, and a module that only "
              "sibling packages declaring the import use is not its own package's gap."),
        bad_example='# requirements.txt: openai>=1.30\nimport yaml  # PyYAML is not declared',
        good_example='# requirements.txt: openai>=1.30\\nPyYAML>=6\nimport yaml',
        fix="Add the distribution named in the message to the manifest (with a version range).",
        tags=("dependencies",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        stdlib = python_facts().stdlib_modules
        gaps = UnitGaps()  # unit-only gaps: one finding per deployment unit, at its manifest
        installs = InstallGaps()  # declared only beside the install manifest: one finding at that manifest
        yield from self._per_import(ctx, gaps, installs, stdlib)
        for mod, stmt, dotted, elsewhere in unmanaged_root_imports(graph):
            where = ", ".join(elsewhere[:3]) + (", ..." if len(elsewhere) > 3 else "")
            yield self.finding(
                ctx, mod.path, stmt.pos,
                f"`{dotted}` is imported by this script at the repository root, but no manifest governs the root: "
                f"the project's only dependency declarations are in sub-folders ({where}), so installing them "
                f"never installs it and the script fails with ModuleNotFoundError on a fresh install. Add a "
                f"requirements.txt (or pyproject.toml) at the root that declares what the root scripts import.",
                severity=Severity.WARNING)
        manifests = getattr(graph, "manifests", None)
        for gap, span, message in gaps.located(manifests) if manifests is not None else ():
            yield Finding(self.meta.id, message, span, self.meta.severity, self.meta.category, flow=tuple(gap.steps))
        for steps, span, message, verified in installs.located(manifests) if manifests is not None else ():
            yield Finding(self.meta.id, message, span, Severity.WARNING if verified else Severity.NOTE,
                          self.meta.category, flow=tuple(steps))

    def _per_import(self, ctx: RuleContext, gaps: UnitGaps, installs: InstallGaps,
                    stdlib: frozenset[str]) -> Iterator[Finding]:
        graph = ctx.graph
        for judged in judged_modules(graph):
            manifests, mod, path, scope, locked = (judged.manifests, judged.mod, judged.path, judged.scope,
                                                   judged.locked)
            reported: set[str] = set()
            guarded = optional_import_tops(graph, mod)
            probes = graph.catalog.python.running_library_probes
            for stmt in mod.import_stmts:
                func = import_owner(graph, mod, stmt)
                for dotted in import_targets(stmt):
                    top = dotted.split(".")[0]
                    if not top or top in stdlib or top in reported:
                        continue
                    if is_project_module(graph, top, mod.name, dotted):
                        left_out = package_left_out(graph, top, scope.deployed_by)
                        if left_out is not None and scope.deployed_by is not None:
                            fix = self._own_package_left_out(ctx, judged, stmt, dotted, left_out)
                            if fix is not None:
                                reported.add(top)
                                gaps.add(scope, scope.deployed_by, mod, stmt, top, fix)
                        continue
                    if not import_name_known(graph, dotted):
                        continue
                    if import_declared(graph, scope, dotted, feature_scope(graph, scope, mod, top)):
                        if func is mod.toplevel and not import_is_optional(func, stmt, guarded, probes):
                            found = self._extra_at_import_time(ctx, judged, stmt, dotted, probes)
                            if found is not None:
                                reported.add(top)
                                yield found
                            elif (dist := _install_gap(graph, judged, dotted)) is not None:
                                reported.add(top)
                                inst = install_scope(manifests, scope, install_manifest(manifests, scope) or "")
                                installs.add(inst.manifests[0], mod, stmt, top, dist,
                                             unknown_distributions(graph, inst, dotted))
                        continue
                    if import_locked(graph, locked, dotted):
                        # the lock file installs it; users who pip-install a published package do not get
                        # the lock, which matters when a fresh resolution lacks the name
                        stale = stale_lock_pin(graph, manifests, mod.path, dotted) if judged.published else None
                        if stale is None or import_is_optional(func, stmt, guarded, probes):
                            continue
                        reported.add(top)
                        yield self.finding(
                            ctx, mod.path, stmt.pos,
                            f"`{getattr(stmt, 'module', None) or dotted}` is imported here and no dependency declared "
                            f"in {', '.join(scope.manifests)} provides it: only the lock file does ({stale[0]}). Users "
                            f"who pip-install this package resolve its declarations without the lock, so the import "
                            f"fails for them; declare `{stale[1]}` in {target_manifest(scope)}.",
                            severity=Severity.WARNING)
                        continue
                    if import_is_optional(func, stmt, guarded, probes) or callers_probe_first(graph, func, stmt, probes):
                        continue
                    if func is mod.toplevel and importers_look_up_first(graph, mod, stmt, probes):
                        continue  # the modules that import this one look the package up first
                    if import_installed_on_demand(graph, mod, func, dotted):
                        continue  # the program pip-installs it before it runs this import
                    if func is mod.toplevel and imported_only_by_declaring_siblings(graph, mod, scope, dotted, probes):
                        continue  # only sibling packages that declare it import this module
                    if unknown_name_provider(graph, scope, dotted):
                        continue  # named like a declared distribution no table holds: most likely its package
                    if source_checkout(graph, scope, dotted):
                        continue  # a name no table knows, beside another repository's checkout: maybe its module
                    if extends_import_path(graph, mod, dotted):
                        continue  # a name no table knows, in a module that adds a folder to sys.path
                    dists = graph.catalog.distributions_for_import(dotted)
                    own_block = mod.path in manifests.script_manifests
                    if not own_block and documented_install(
                            graph, mod.path, governing_dir(scope.manifests[0]),
                            {normalize_dist(d) for d in (*dists, top)},
                            import_time_importers(graph, mod, probes) if func is mod.toplevel else frozenset()):
                        continue  # a README of the feature tells the user to pip-install it
                    lazy = func is not mod.toplevel
                    if not own_block and opt_in_component(graph, mod, lazy):
                        continue  # its README says the component is off until a user enables it
                    if lazy and not own_block and (behind_a_setting(graph, func, stmt) or documented_anywhere(
                            graph, {normalize_dist(d) for d in (*dists, top)})):
                        continue  # an optional feature: turned on by a setting, or its install documented
                    loose = "" if own_block or manifests.script_kinds.get(mod.path) == "modal" else \
                        loose_folder(manifests, scope, path, package_dirs(graph))
                    if loose and (maintainer_script(graph, mod) or asks_for_install(mod)):
                        continue  # the maintainers' tooling, or a script that asks for a manual install
                    if beside_unread_package(graph, mod, func, dotted):
                        continue  # used with a package no table reads: it may come with that package
                    reported.add(top)
                    own = None if graph.catalog.knows_import(dotted) else _own_module_renamed(graph, dotted)
                    if own is not None:
                        yield self.finding(
                            ctx, mod.path, stmt.pos,
                            f"`{getattr(stmt, 'module', None) or dotted}` is imported here, but no declared dependency "
                            f"provides `{top}` and the project has no such package: the rest of the name is the "
                            f"project's own `{own}`, so this looks like an old name of its package, and the import "
                            f"fails with ModuleNotFoundError; import `{own}` instead.")
                        continue
                    if graph.catalog.knows_import(dotted):
                        alts = " or ".join(f"`{d}`" for d in dists)
                    else:  # a guess from the import name: say so
                        alts = f"the distribution that installs `{top}` (probably `{dists[0]}`)"
                    if top in graph.catalog.removed_imports:  # a bare name installs a release without it
                        alts = f"`{graph.catalog.removed_imports[top]}` (newer releases no longer install `{top}`)"
                    gap = next((gp for t in import_targets(stmt) if t.split(".")[0] == top
                                for gp in [undeclared_api_gap(graph, mod.path, t)] if gp is not None), None)
                    if gap is not None:  # the newest release lacks it (LARD001): a bare declaration is no fix
                        alts = (f"`{gap.dist}{gap.has}` (the newest release, {gap.newest}, no longer has "
                                f"`{gap.symbol}`)")
                    module = getattr(stmt, "module", None)
                    specific = graph.catalog.most_specific_import(dotted) or ""
                    shown = specific if module and len(specific) > len(module) else \
                        module if module and import_name_known(graph, module) else dotted
                    if manifests.script_kinds.get(mod.path) == "modal":
                        where, target = "the Modal image its code runs in", "the image's `pip_install(...)`"
                    elif own_block:
                        where, target = "its `# /// script` block", "the block's `dependencies`"
                    else:
                        where, target = ", ".join(scope.manifests), target_manifest(scope)
                        if scope.deployed_by is not None:
                            where += f" ({unit_clause(scope.deployed_by, governing_dir(scope.manifests[0]))})"
                    cond = run_condition(graph, func, stmt) if lazy else None
                    full = manifests.for_path(mod.path, deployed=False) if scope.deployed_by is not None else None
                    if full is not None and scope.deployed_by is not None and not loose and cond is None \
                            and import_declared(graph, full, dotted):
                        # the whole project declares it: a gap of the unit's manifest, reported there once
                        named = {normalize_dist(d) for d in dists}
                        decl = next((r.dist for r in full.requirements if normalize_dist(r.dist) in named), None)
                        gaps.add(scope, scope.deployed_by, mod, stmt, top, f"add `{decl or dists[0]}`")
                        continue
                    here = "here" if not lazy else f"here, {cond} (in `{func.name}`)," if cond is not None else \
                        f"here, when `{func.name}` runs,"
                    unknown = unknown_distributions(graph, feature_scope(graph, scope, mod, top), dotted)
                    if unknown:  # what they bring is not known: one of them may install it
                        unread = ", ".join(f"`{d}`" for d in unknown[:3]) + (" ..." if len(unknown) > 3 else "")
                        yield self.finding(
                            ctx, mod.path, stmt.pos,
                            f"`{shown}` is imported {here} and agentable could not verify that a dependency "
                            f"declared in {where} provides it: no table of its catalog says what {unread} "
                            f"install{'s' if len(unknown) == 1 else ''}, and {'it' if len(unknown) == 1 else 'they'} "
                            f"may bring it. If not, a fresh install fails with ModuleNotFoundError; add {alts} to "
                            f"{target}.", severity=Severity.NOTE)
                        continue
                    if loose:
                        yield self.finding(
                            ctx, mod.path, stmt.pos,
                            f"`{shown}` is imported {here} but no dependency declared in {where} provides it. "
                            f"This file is in `{loose}`, which installing the project does not include, so it "
                            f"fails with ModuleNotFoundError when run in an environment made from those "
                            f"declarations; add {alts} to {target} (or to a requirements file for `{loose}`).",
                            severity=Severity.WARNING)
                        continue
                    if lazy:  # a fresh install fails on that path only
                        case = "that case" if cond is not None else f"`{func.name}`"
                        yield self.finding(
                            ctx, mod.path, stmt.pos,
                            f"`{shown}` is imported {here} but no dependency declared in {where} provides it, "
                            f"so in a fresh install {case} fails with ModuleNotFoundError; add {alts} to "
                            f"{target} (or, if it is an optional feature, to an extra, and say how to install "
                            f"it).", severity=Severity.WARNING)
                        continue
                    yield self.finding(
                        ctx, mod.path, stmt.pos,
                        f"`{shown}` is imported here but no dependency "
                        f"declared in {where} provides it, so a fresh install fails with ModuleNotFoundError; "
                        f"add {alts} to {target}.")

    def _own_package_left_out(self, ctx: RuleContext, judged: JudgedModule, stmt: ir.Stmt, dotted: str,
                              location: str) -> Optional[str]:
        """An import of the project's own package from a folder that a deployment descriptor
        builds without that package's folder: only a declaration of its distribution brings it.
        The fix to name, else None (declared, or a lazy or guarded import)."""
        graph, manifests, scope = ctx.graph, judged.manifests, judged.scope
        dist = project_distribution(manifests, location)
        if import_declared(graph, scope, dotted) or any(r.dist == dist for r in scope.requirements):
            return None  # the unit installs the project's distribution
        func = import_owner(graph, judged.mod, stmt)
        if import_is_optional(func, stmt, optional_import_tops(graph, judged.mod),
                              graph.catalog.python.running_library_probes) or func is not judged.mod.toplevel:
            return None  # a lazy or guarded import: a feature the deployment may not run
        where = f"the project's own `{location}`, not copied into the image"
        return f"{where}: add `{dist}`" if dist else f"{where}: declare its distribution or list its folder"

    def _extra_at_import_time(self, ctx: RuleContext, judged: JudgedModule, stmt: ir.Stmt, dotted: str,
                              probes: frozenset[str]) -> Optional[Finding]:
        """An unguarded module-level import, run when the project's package is imported, of a
        package that only an extra declares: `pip install <project>` without that extra, then
        `import <project>`, fails. An import under an `if` on a setting is the extra's feature
        switched on, not an import every `import <project>` runs."""
        graph, manifests, scope = ctx.graph, judged.manifests, judged.scope
        if not is_installed_package(manifests, scope) or import_declared(graph, package_scope(manifests, scope), dotted):
            return None
        if any(isinstance(a, ir.If) for a in import_owner(graph, judged.mod, stmt).ancestors(stmt)):
            return None  # `if settings.use_litellm: import litellm`: runs only when the feature is switched on
        chain = import_time_chain(graph, judged.mod, probes)
        dists = {normalize_dist(d) for d in graph.catalog.distributions_for_import(dotted)}
        extra, dist = extra_of(manifests, scope, dists) if chain else ("", "")
        if not chain or not extra:
            return None
        package = chain[0].split("/")[-2] if "/" in chain[0] else chain[0]
        via = " -> ".join(chain)
        return self.finding(
            ctx, judged.mod.path, stmt.pos,
            f"`{dotted}` is imported when `{package}` is imported ({via}), but the project declares `{dist}` "
            f"only in the `{extra}` extra, so `pip install` of the project without that extra followed by "
            f"`import {package}` fails with ModuleNotFoundError; declare it as a required dependency, or "
            f"import it only where the `{extra}` feature runs (inside the function, or guarded).")


def _install_gap(graph, judged: JudgedModule, dotted: str) -> Optional[str]:
    """The distribution to add when the module-level import `dotted`, which the scope declares, is
    missing from what installing the package installs: a module of the installed package whose
    install manifest (setup.py, pyproject) declares it in no group while a requirements file beside
    it names it (directly, not through what a package it names brings). Else None."""
    manifests, scope, mod = judged.manifests, judged.scope, judged.mod
    if scope.deployed_by is not None or mod.path in manifests.script_manifests:
        return None
    manifest = install_manifest(manifests, scope)
    if manifest is None or not in_installed_package(graph, mod, manifest):
        return None
    inst = install_scope(manifests, scope, manifest)
    every = ManifestSet([r for r in scope.requirements if r.path in {manifest, *scope.includes.get(manifest, ())}],
                        [manifest], [], scope.includes, project_names=scope.project_names)
    if import_declared(graph, inst, dotted) or import_declared(graph, every, dotted):
        return None
    top = dotted.split(".")[0]
    names = {normalize_dist(d) for d in (*graph.catalog.distributions_for_import(dotted), top)}
    return next((r.raw_name for r in scope.requirements if r.dist in names and r.group == "main"), None)


def _own_module_renamed(graph, dotted: str) -> Optional[str]:
    """The project module whose dotted name ends with the part of `dotted` after its first name,
    two names or more (`PythonFunc.core.framework` -> `babyagi.functionz.core.framework`): the
    import names the project's own module under a package name that no longer exists."""
    parts = dotted.split(".")
    for cut in range(len(parts), 2, -1):  # the module part: `from a.b.c import name` gives a.b.c.name
        rest = ".".join(parts[1:cut])
        hits = sorted(m for m in graph.modules if m.endswith("." + rest))
        if hits:
            return hits[0]
    return None
