"""Helpers of the EPDD rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterator

from agentable.cpg import ir
from agentable.cpg.flow import handler_type_names
from agentable.cpg.manifests import ManifestSet, normalize_dist
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo, ModuleInfo
from agentable.findings import Span
from agentable.query.dependencies import absolute_targets, import_targets, installed_closure
from agentable.query.facts import per_graph
from agentable.query.versions import versions_within
from agentable.rules.epdd.units import runs_in_deployment

# Files that run only in development (test suites, packaging scripts) use tools a project rarely
# declares as runtime dependencies.
# CI and container folders: their scripts run where the workflow or Dockerfile installs what they need.
_DEV_DIRS = frozenset({"tests", "test", "testing", "docs", ".github", ".gitlab", ".circleci", ".devcontainer", "docker"})
_DEV_FILES = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py"})
# Folders of runnable extras that installing the project does not include (examples, maintenance
# scripts, evaluations, notebooks' code): when the manifest that governs such a file is that of the
# project above the folder, a missing package breaks running that file, not an install; reported
# as a warning that says so. A folder with its own manifest is a project of its own: an error there.
_LOOSE_DIRS = frozenset({"examples", "example", "scripts", "script", "evaluation", "evaluations", "eval", "evals",
                         "benchmarks", "benchmark", "notebooks", "demo", "demos", "samples", "sample", "cookbook",
                         "cookbooks", "playground", "experiments", "sandbox"})
_MAIN_NAMES = ("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile")


@dataclass(frozen=True)
class JudgedModule:
    """A runtime source file whose dependencies the manifests say: the declarations that govern it
    (`scope`) and what the lock file governing it pins (`locked`), out of all of them (`manifests`)."""

    manifests: ManifestSet
    mod: ModuleInfo
    path: PurePosixPath
    scope: ManifestSet
    locked: frozenset[str]
    # governed by a manifest that builds a distribution users pip-install: they never get its lock
    published: bool = False


def judged_modules(g: ProjectGraph) -> Iterator[JudgedModule]:
    """The modules EPDD001 and EPDD004 judge: not development-only, governed by manifests that were
    parsed (not computed at build time, nor a conda environment file that does not parse)."""
    manifests = getattr(g, "manifests", None)
    if manifests is None or not manifests.has_manifest():
        return
    for mod in g.modules.values():
        path = PurePosixPath(mod.path)
        if dev_only_file(path):
            continue
        scope = manifests.for_path(mod.path)
        if scope.deployed_by is not None and not runs_in_deployment(g, mod.name, scope.deployed_by):
            scope = manifests.for_path(mod.path, deployed=False)  # in the folder, not run by the deployment
        if not scope.requirements or any(m in manifests.unknown_dependencies for m in scope.manifests):
            continue
        yield JudgedModule(manifests, mod, path, scope, manifests.locked_for(mod.path) or frozenset(),
                           any(m in manifests.published for m in scope.manifests))


def dev_only_file(path: PurePosixPath) -> bool:
    """Does the file run only in development (a test, a packaging script, CI)?"""
    return (path.name in _DEV_FILES or path.name.startswith("test_") or path.name.endswith("_test.py")
            or bool(_DEV_DIRS & set(path.parts[:-1])))


def loose_folder(manifests, scope, path: PurePosixPath, packages: frozenset[str] = frozenset()) -> str:
    """The examples/scripts/... folder (as `name/`) between the file and the nearest manifest
    that governs it, or "". A sub-package of a package (`metagpt/rag/benchmark/`, whose folder
    and parent folder both have an `__init__.py`: `packages`) is installed with it: not loose."""
    from agentable.cpg.manifests import governing_dir

    nearest = governing_dir(scope.manifests[0])
    if nearest.startswith(".."):
        above = nearest.count("..")
        parts = tuple(getattr(manifests, "root_names", ())[-above:]) + path.parts[:-1]
    elif nearest in (".", ""):
        parts = path.parts[:-1]
    else:
        parts = path.parts[len(PurePosixPath(nearest).parts):-1] if path.is_relative_to(nearest) else ()
    first = len(path.parts) - 1 - len(parts)  # where `parts` starts in the file's path
    return next((f"{p}/" for i, p in enumerate(parts) if p.lower() in _LOOSE_DIRS
                 and not (first + i >= 0 and _subpackage(path.parts[: first + i + 1], packages))), "")


def _subpackage(folder: tuple[str, ...], packages: frozenset[str]) -> bool:
    return len(folder) >= 2 and "/".join(folder) in packages and "/".join(folder[:-1]) in packages


@per_graph
def package_dirs(g: ProjectGraph) -> frozenset[str]:
    """The project's folders that hold an `__init__.py` (packages)."""
    return frozenset(str(PurePosixPath(m.path).parent) for m in g.modules.values()
                     if PurePosixPath(m.path).name == "__init__.py")


def target_manifest(scope) -> str:
    """The manifest to add a requirement to: among the nearest folder's, one the build reads
    (included by another), else one that declares runtime requirements under a main name
    (requirements.txt, not requirements-audio.txt), else the first."""
    from agentable.cpg.manifests import governing_dir

    near = governing_dir(scope.manifests[0])
    mine = [m for m in scope.manifests if governing_dir(m) == near]
    included = {i for v in scope.includes.values() for i in v}
    main = {r.path for r in scope.requirements if r.group == "main"}

    def rank(m: str) -> tuple[bool, bool, bool]:
        return (m not in included, m not in main, PurePosixPath(m).name not in _MAIN_NAMES)

    return min(mine, key=lambda m: (rank(m), mine.index(m)))


def import_is_optional(func: FunctionInfo, stmt: ir.Stmt, guarded_tops: frozenset[str] = frozenset(),
                       probes: frozenset[str] = frozenset()) -> bool:
    """Is an import guarded so that a missing package does not break the program: inside a `try`
    whose handlers catch ImportError/ModuleNotFoundError (or everything), under
    `if TYPE_CHECKING:`, under a test of the interpreter or platform (`sys.version_info`,
    `sys.platform`, `platform.system()`: a back-port or an OS-specific package), under a test that
    the package is the one already running (`probes`: `sniffio.current_async_library() == "trio"`,
    or `"trio" in sys.modules`), or a package that `guarded_tops` names (already imported under
    such a guard in the same file)?"""
    tops = {t.split(".")[0] for t in import_targets(stmt)}
    if guarded_tops and tops & guarded_tops:
        return True
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.If) and _running_library_test(anc.test, func, tops, probes):
            return True
        if isinstance(anc, ir.Try):
            for h in anc.handlers:
                names = handler_type_names(h)
                if not names or any(n.rpartition(".")[2] in ("ImportError", "ModuleNotFoundError", "Exception",
                                                                 "BaseException") for n in names):
                    return True
        if isinstance(anc, ir.If) and environment_test(anc.test):
            return True
    return False


_ENVIRONMENT_NAMES = frozenset({"TYPE_CHECKING", "typing.TYPE_CHECKING", "sys.version_info", "sys.platform", "os.name",
                                "platform.system", "platform.python_version", "sys.implementation.name"})


def only_for_type_checkers(func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """Is `stmt` in the body of an `if TYPE_CHECKING:`, which never runs?"""
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.If) and ir.dotted(anc.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING") \
                and not (anc.orelse and stmt.pos >= anc.orelse[0].pos):
            return True
    return False


def environment_test(test: ir.Expr) -> bool:
    """Does `test` read the interpreter, the platform or TYPE_CHECKING (`sys.version_info`, ...)?"""
    return any(ir.dotted(e) in _ENVIRONMENT_NAMES for e in ir.walk_expr(test))


def _running_library_test(test: ir.Expr, func: FunctionInfo, tops: set[str], probes: frozenset[str]) -> bool:
    """Does `test` compare the name of the library running the code with one of `tops`: a string
    literal naming the package, beside `sys.modules` or a probe call (directly, or through a local
    name bound to one: `library = sniffio.current_async_library()`)? Or does it look one of
    them up through names bound to a lookup (`has_x = lambda: find_spec("x") is not None`; see
    `looked_up_packages`)?"""
    if tops & looked_up_packages(test, func, probes):
        return True
    exprs = list(ir.walk_expr(test))
    if not any(isinstance(e, ir.Constant) and e.value in tops for e in exprs):
        return False
    for e in exprs:
        if ir.dotted(e) == "sys.modules" or _probe_call(e, probes, func):
            return True
        if isinstance(e, ir.Name) and any(_probe_call(d.value, probes, func) for d in func.defs.get(e.id, ())):
            return True
    return False


def looked_up_packages(test: ir.Expr, func: FunctionInfo, probes: frozenset[str]) -> frozenset[str]:
    """The packages a branch test looks up, so that its body runs only when they are installed:
    the string arguments of the probe calls (`importlib.util.find_spec("x")`, python.toml
    `running_library_probes`) reached from the test, directly or through the names of `func` it
    reads, bound to a lookup, a lambda or function result that makes one, or a conditional
    expression whose test does (`browser = "playwright" if has_playwright() else None`, then
    `if browser == "playwright":`), up to three bindings deep."""
    found: set[str] = set()
    todo: list[tuple[ir.Expr, int]] = [(test, 0)]
    seen: set[int] = set()
    while todo:
        root, depth = todo.pop()
        for e in ir.walk_expr(root):
            if _probe_call(e, probes, func):
                found.update(a.value for a in e.args[:1]  # type: ignore[attr-defined]
                             if isinstance(a, ir.Constant) and isinstance(a.value, str))
            elif isinstance(e, ir.Name) and depth < 3 and id(e) not in seen:
                seen.add(id(e))
                todo.extend((d.value, depth + 1) for d in func.defs.get(e.id, ()) if d.value is not None)
    return frozenset(found)


def callers_probe_first(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, probes: frozenset[str]) -> bool:
    """Is a function-level import run only after the callers looked the package up: every call of
    the function in the project's code (not its tests) sits under such a test (`if importlib.util.find_spec("langfuse"):
    await langfuse_tracing(...)`, `probes` as in import_is_optional)?"""
    if func.node is None:
        return False
    tops = {t.split(".")[0] for t in import_targets(stmt)}
    sites = [site for site in g.callers(func) if not g.is_test_code(site.func.path)]  # tests mock the package
    return bool(sites) and all(
        any(isinstance(anc, ir.If) and _running_library_test(anc.test, site.func, tops, probes)
            for anc in site.func.ancestors(site.stmt))
        for site in sites)


def importers_look_up_first(g: ProjectGraph, mod: ModuleInfo, stmt: ir.Stmt, probes: frozenset[str]) -> bool:
    """Is a module-level import of `mod` run only after its importers looked the package up: every
    project module (test code aside) that imports `mod` does so in the body of an `if` whose test
    looks one of the import's packages up (`if importlib.util.find_spec("finnlp") is not None:
    from .finnlp_utils import FinNLPUtils`; see `looked_up_packages`)? A module nothing imports is
    run by hand: not guarded."""
    tops = {t.split(".")[0] for t in import_targets(stmt)}
    sites = _module_importers(g).get(mod.name, ())
    return bool(sites) and all(
        g.is_test_code(m.path) or any(
            isinstance(a, ir.If) and any(s is site for s in ir.walk_stmts(a.body, into_defs=True))
            and tops & looked_up_packages(a.test, import_owner(g, m, site), probes)
            for a in import_owner(g, m, site).ancestors(site))
        for m, site in sites)


@per_graph
def _module_importers(g: ProjectGraph) -> dict[str, list[tuple[ModuleInfo, ir.Stmt]]]:
    """Project module -> (the project module, the import statement) of each import of it."""
    out: dict[str, list[tuple[ModuleInfo, ir.Stmt]]] = {}
    for name, m in g.modules.items():
        for stmt in m.import_stmts:
            for target in absolute_targets(m, stmt):
                parts = target.split(".")
                hit = next((".".join(parts[:i]) for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in g.modules),
                           None)
                if hit is not None and hit != name:
                    out.setdefault(hit, []).append((m, stmt))
    return out


def _probe_call(e: ir.Expr | None, probes: frozenset[str], func: FunctionInfo) -> bool:
    """A call of a probe, by its dotted name or a name imported from it (`from importlib.util
    import find_spec`, then `find_spec("x")`)."""
    return isinstance(e, ir.Call) and (ir.dotted(e.func) in probes or imported_dotted(e.func, func.module) in probes)


def imported_dotted(e: ir.Expr, mod: ModuleInfo) -> str:
    """`e`'s dotted name with its first part read through the module's imports (`find_spec` ->
    `importlib.util.find_spec`, `sp.run` -> `subprocess.run`); "" when `e` is not a dotted name."""
    head, dot, rest = (ir.dotted(e) or "").partition(".")
    return f"{mod.imports.get(head, head)}{dot}{rest}"


def import_owner(g: ProjectGraph, mod: object, stmt: ir.Stmt) -> FunctionInfo:
    """The function (or module code) an import statement runs in."""
    return g.function_of(mod.path, stmt.pos) or mod.toplevel  # type: ignore[attr-defined]


def optional_import_tops(g: ProjectGraph, mod: object) -> frozenset[str]:
    """Top-level names of the packages a module imports under a guard somewhere (see
    `import_is_optional`): a later unguarded import of the same package in that file runs only
    when the guarded one succeeded, or belongs to the same optional feature."""
    out: set[str] = set()
    probes = g.catalog.python.running_library_probes
    for stmt in mod.import_stmts:  # type: ignore[attr-defined]
        if import_is_optional(import_owner(g, mod, stmt), stmt, probes=probes):
            out.update(t.split(".")[0] for t in import_targets(stmt))
    return frozenset(out)


@per_graph
def is_project_module(g: ProjectGraph, top: str, importer: str = "", dotted: str = "") -> bool:
    """Is `top` (the first name of the import `dotted`, made in the module named `importer`) a
    module or package of the scanned project? Projects put folders on sys.path in many ways
    (scripts, PYTHONPATH, loaders), so a project module or package of that name anywhere counts,
    with two exceptions that no sys.path makes importable by the bare name:
    - the importer itself and the nested packages that enclose it, unless the import goes on into
      their own modules or names (`from functionz import func` inside `babyagi/functionz/`):
      MetaGPT's `runner/aide.py` imports the `aide` distribution;
    - a package or module two or more packages deep, imported from outside its parent package:
      gpt-researcher's `gpt_researcher/scraper/pymupdf/` does not shadow PyMuPDF elsewhere."""
    if top in g.modules or _through_layout_folder(g, top, dotted):
        return True
    things = _modules_named(g).get(top)
    if not things:
        return False
    if _named_at_top(g, top):  # depth 0
        return True
    rest = dotted.split(".")[1:2]
    # Only the things named `top` that enclose the importer or sit in a package enclosing it can
    # be told apart by the importer: each is `top` after a prefix of the importer's dotted name (a
    # scan of every thing of that name per import was quadratic when every app has its `tools`).
    segs = importer.split(".") if importer else []
    prefixes = [".".join(segs[:k]) for k in range(len(segs) + 1)]
    enclosing = {p for p in prefixes[1:] if p.rpartition(".")[2] == top and p in things}
    if rest and any(_defines(g, thing, rest[0]) for thing in enclosing):
        return True
    if len(_named_one_deep(g, top)) > len(enclosing & set(_named_one_deep(g, top))):
        return True  # depth 1, not enclosing the importer
    for p in prefixes[1:]:  # depth >= 2, in a package that encloses the importer (and not enclosing it)
        thing = f"{p}.{top}"
        if things.get(thing, 0) >= 2 and thing not in enclosing and importer.startswith(p + "."):
            return True
    return False


def _through_layout_folder(g: ProjectGraph, top: str, dotted: str) -> bool:
    """Is `dotted` a project module imported through the folder its name leaves out (`src.utils.x`
    for `src/utils/x.py`, named `utils.x` as the src layout installs it): run from the repository
    root, `src` is a namespace package and the import works."""
    rest = dotted.partition(".")[2]
    return bool(rest) and any(rest == m or rest.startswith(m + ".") or m.startswith(rest + ".")
                              for m in _layout_modules(g).get(top, ()))


@per_graph
def _layout_modules(g: ProjectGraph) -> dict[str, tuple[str, ...]]:
    """Folder -> the project modules whose file lies in it but whose dotted name leaves it out."""
    out: dict[str, list[str]] = {}
    for name, info in g.modules.items():
        folder, _, below = info.path.partition("/")
        if below and not name.startswith(folder + ".") and name != folder:
            out.setdefault(folder, []).append(name)
    return {k: tuple(v) for k, v in out.items()}


@per_graph
def _named_at_top(g: ProjectGraph, top: str) -> bool:
    return any(depth == 0 for depth in _modules_named(g).get(top, {}).values())


@per_graph
def _named_one_deep(g: ProjectGraph, top: str) -> tuple[str, ...]:
    return tuple(thing for thing, depth in _modules_named(g).get(top, {}).items() if depth == 1)


def _defines(g: ProjectGraph, module: str, name: str) -> bool:
    """Is `module.name` a project module or folder of modules (a namespace package), or a name the
    project module `module` binds?"""
    if f"{module}.{name}" in _modules_named(g).get(name, {}):
        return True
    info = g.modules.get(module)
    if info is None:
        return False
    # `from anthropic import AsyncAnthropic` inside services/anthropic.py binds the name by importing
    # it from the library of the same name (Python 3 imports are absolute), not from this module
    last = "" if info.ir.is_package else module.rpartition(".")[2]  # a package's own name is itself
    return any(not (d.how == "import" and isinstance(d.value, ir.Constant)
                    and str(d.value.value).split(".")[0] == last)
               for d in info.toplevel.defs.get(name, ()))


@per_graph
def _modules_named(g: ProjectGraph) -> dict[str, dict[str, int]]:
    """Name -> {module, package or folder of modules: how many names enclose it} for every project
    module and every prefix of its dotted name, by its last name: `a.b.c` gives a: 0, a.b: 1 and
    a.b.c: 2."""
    out: dict[str, dict[str, int]] = {}
    for name in g.modules:
        segs = name.split(".")
        for i, seg in enumerate(segs):
            out.setdefault(seg, {})[".".join(segs[: i + 1])] = i
    return out


def import_declared(g: ProjectGraph, scope: ManifestSet, dotted: str, along: ManifestSet | None = None) -> bool:
    """`_import_declared`, memoised per graph by what it reads of the scopes (their requirements and
    project names) and the import: every module of a folder asks the same questions of the same
    declarations (on autogen, a third of the scan). The scopes are often built afresh per import
    (package_scope, install_scope), so the key is their content, interned once per scope object."""
    key = (_scope_token(g, scope), None if along is None else _scope_token(g, along), dotted)
    memo = _declared_memo(g)
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = _import_declared(g, scope, dotted, along)
    return hit


@per_graph
def _declared_memo(g: ProjectGraph) -> dict[tuple[int, int | None, str], bool]:
    return {}


@per_graph
def _scope_tokens(g: ProjectGraph) -> tuple[dict[int, tuple[ManifestSet, int, int]], dict[tuple, int]]:
    """(id of a scope -> (the scope, kept alive so its id is not reused; its number of requirements;
    its token), content -> token)."""
    return {}, {}


def _scope_token(g: ProjectGraph, scope: ManifestSet) -> int:
    """A number per distinct (requirements, project names) content of a scope."""
    by_id, by_content = _scope_tokens(g)
    hit = by_id.get(id(scope))
    if hit is not None and hit[0] is scope and hit[1] == len(scope.requirements):
        return hit[2]
    content = (tuple(scope.requirements), frozenset(getattr(scope, "project_names", {}).values()))
    token = by_content.setdefault(content, len(by_content))
    by_id[id(scope)] = (scope, len(scope.requirements), token)
    return token


def _import_declared(g: ProjectGraph, scope: ManifestSet, dotted: str, along: ManifestSet | None = None) -> bool:
    """Is the import `dotted` covered by the requirements in `scope` (a ManifestSet): one of the
    distributions that provide it is declared (any group), a declared distribution brings it in as
    a dependency (catalog `provides`, transitively), or, for an import the catalog does not know, a
    declared name plausibly provides it (see `_plausible_provider`). A distribution that brings only
    a shorter name than the most specific one the catalog maps (the `llama_index` namespace, for
    `llama_index.llms.anthropic` of llama-index-llms-anthropic) does not cover it, unless it is
    declared in versions that shipped the whole namespace (catalog `whole_namespace`). What the
    declarations bring along is read from `along` when given (the extras the importer belongs to:
    see packages.feature_scope), else from `scope`."""
    declared = _declared_for(g, scope, dotted.split(".")[0])
    if _provided_by(g, declared, dotted):
        return True
    if _installed_along(g, along if along is not None else scope, dotted):
        return True
    parts = dotted.split(".")
    prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    specific = g.catalog.most_specific_import(dotted)
    # an extra left out of `along` counts for its own distributions, not for what they bring
    left_out = {r.dist for r in scope.requirements} - {r.dist for r in along.requirements} if along is not None \
        else set()
    for d in declared:
        names = prefixes & (g.catalog.own_imports(d) if d in left_out else g.catalog.provided_imports(d))
        if any(specific is None or len(n) >= len(specific) for n in names):
            return True
        if names and _whole_namespace_declared(g, scope, d, dotted):
            return True
    return False


def _declared_for(g: ProjectGraph, scope: ManifestSet, top: str) -> set[str]:
    """The distributions `scope` declares, or installs by naming them, that may install the top
    name `top`; per scope content and top name (the same for every import of a folder)."""
    key = (_scope_token(g, scope), top)
    memo = _declared_memo_by_top(g)
    hit = memo.get(key)
    if hit is None:
        # a declared release whose wheel was read and lacks the name does not install it (dspy-ai>=2.6
        # has no `dsp`); what it requires may still bring it (see _import_declared)
        hit = memo[key] = frozenset(d for d in _declared_names(g, scope)
                                    if not _release_lacks(g, d, str(scope.specifier_for(d) or ""), top))
    return set(hit)


@per_graph
def _declared_memo_by_top(g: ProjectGraph) -> dict[tuple[int, str], frozenset[str]]:
    return {}


def _declared_names(g: ProjectGraph, scope: ManifestSet) -> set[str]:
    """The distributions `scope` declares, its project's own, and those its extras name."""
    declared = {r.dist for r in scope.requirements}
    # the project's own distribution, named by a manifest that governs the file: its code and its
    # examples import it without declaring it (an example folder's requirements add to it)
    declared |= set(getattr(scope, "project_names", {}).values())
    # an extra brings the distribution it is named after: `crewai[tools]` installs crewai-tools,
    # `smolagents[mcp]` installs mcp, `pydantic-ai-slim[openai]` installs openai
    # (and, where the catalog has the distribution's wheel, exactly what the extra adds:
    # `pydantic-ai-slim[ag-ui]` installs ag-ui-protocol)
    for r in scope.requirements:
        declared |= {normalize_dist(n) for extra in r.extras for n in (f"{r.dist}-{extra}", extra)}
        declared |= {d for extra in r.extras for d in g.catalog.extra_requires(r.dist, extra)}
    return declared


def _installed_along(g: ProjectGraph, scope: ManifestSet, dotted: str) -> bool:
    """Does a distribution that a declaration installs along with it, at the release it resolves
    to, provide `dotted`? See `installed_closure`. Only the import map (or a distribution's own
    name, for an import the map does not know) counts here: no guess from a part of a name."""
    closure = installed_closure(g, scope)
    provider = {normalize_dist(d) for d in g.catalog.distributions_for_import(dotted)}
    if any(_ships(g, d, closure[d], dotted) for d in provider & closure.keys()):
        return True
    specific = g.catalog.most_specific_import(dotted)
    parts = dotted.split(".")
    prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return any(n in prefixes and (specific is None or len(n) >= len(specific)) and _ships(g, d, spec, dotted)
               for d, spec in closure.items() for n in g.catalog.own_imports(d))


def _ships(g: ProjectGraph, dist: str, spec: str, dotted: str) -> bool:
    """Does `dist`, installed as `spec` asks, still ship `dotted`? Where the wheel of the release
    `spec` resolves to was read (requires.pack), by its import names. Else a name the newest
    wheel no longer installs (pkg_resources, gone from setuptools 81) belonged to older releases:
    it counts only when `spec` keeps that newest release out."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    tops = _release_imports(g, dist, spec)
    if tops is not None:  # the wheel of the release `spec` installs was read
        return dotted.split(".")[0] in tops
    wheel = g.catalog.wheel_imports(dist)
    if wheel is None or dotted.split(".")[0] in {i.split(".")[0] for i in wheel[0]}:
        return True
    try:
        return bool(spec) and not SpecifierSet(spec).contains(wheel[1], prereleases=True)
    except InvalidSpecifier:
        return False


@per_graph
def _release_imports(g: ProjectGraph, dist: str, spec: str) -> frozenset[str] | None:
    """The top-level names the wheel of the release `spec` resolves to installs, None when that
    wheel was not read (requires.pack)."""
    mined = g.catalog.releases.get(dist)
    release = mined.resolve(spec) if mined is not None else None
    tops = mined.imports_at(release) if mined is not None and release is not None else None
    return None if tops is None else frozenset(i.split(".")[0] for i in tops)


def _release_lacks(g: ProjectGraph, dist: str, spec: str, dotted: str) -> bool:
    """Was the wheel of the release `spec` resolves to read, and does it lack `dotted`'s top name?"""
    tops = _release_imports(g, dist, spec)
    return tops is not None and dotted.split(".")[0] not in tops


def _whole_namespace_declared(g: ProjectGraph, scope: ManifestSet, dist: str, dotted: str) -> bool:
    """Does `dist` provide only a shorter name of `dotted` (the namespace root `llama_index` of
    `llama_index.llms.anthropic`, which the catalog assigns to its own distribution), and is it
    declared in versions that still shipped the whole namespace (llama-index<0.10)? Any other
    declaration installs a release without the module: the import is undeclared."""
    whole = g.catalog.whole_namespace_versions(dist, dotted)
    if whole is None:
        return False
    try:
        spec = scope.specifier_for(dist)
    except Exception:
        return False
    return spec is not None and versions_within(str(spec), whole)


def import_locked(g: ProjectGraph, locked: frozenset[str], dotted: str) -> bool:
    """Does the lock file governing the importer pin a distribution that provides `dotted`?"""
    return bool(locked) and _provided_by(g, locked, dotted)


def stale_lock_pin(g: ProjectGraph, manifests: ManifestSet, path: str, dotted: str) -> tuple[str, str] | None:
    """For a distribution users pip-install, whose lock installs `dotted` but no declaration does:
    why a fresh resolution, which those users get, lacks it, or None when it would not. The newest
    release of the providing distribution no longer installs the name (pkg_resources in setuptools
    82+, dsp in dspy-ai 2.6+), or lacks the module or attribute (api_surface.pack: openai 1.0+ has
    no `openai.error`) while the lock pins an older major release. Returns (why, the declaration
    that keeps the lock's major)."""
    from packaging.version import InvalidVersion, Version

    top = dotted.split(".")[0]
    for dist in {normalize_dist(d) for d in g.catalog.distributions_for_import(dotted)}:
        pin = next((p for p in manifests.pins_for(path, dist) if p.version), None)
        if pin is None:
            continue
        try:
            major = Version(pin.version).release[0]
        except InvalidVersion:
            continue
        keep = g.catalog.removed_imports.get(top) or f"{dist}<{major + 1}"
        if not _ships(g, dist, "", dotted):
            return (f"{pin.path} pins {dist} {pin.version}; a fresh install gets a release that no longer installs "
                    f"`{top}`", keep)
        surface = g.catalog.api_surface.get(dist)
        pres = surface.presence(dotted) if surface is not None and "." in dotted else None
        if surface is None or pres is None or not surface.releases:
            continue
        newest = surface.releases[0]
        bit = surface.versions.index(newest) if newest in surface.versions else -1
        if bit >= 0 and major < newest.release[0] and pres.module_mask >> bit & 1 and not pres.have >> bit & 1:
            return f"{pin.path} pins {dist} {pin.version}; a fresh install gets {dist} {newest}, which has no `{dotted}`", keep
    return None


def _provided_by(g: ProjectGraph, dists: set[str] | frozenset[str], dotted: str) -> bool:
    """Is one of these (normalised) distributions one that provides `dotted`: by the catalog's
    import map, or, for an import the map does not know, by a plausible name?"""
    cat = g.catalog
    if any(normalize_dist(d) in dists for d in cat.distributions_for_import(dotted)):
        return True
    return not cat.knows_import(dotted) and any(_plausible_provider(dotted.split("."), d) for d in dists)


def _plausible_provider(parts: list[str], dist: str) -> bool:
    """Could the declared distribution `dist` (normalised) provide the import `parts` (dotted,
    split), which the catalog does not map? A dotted prefix of the import spelled without
    separators is the distribution's name (`ruamel.yaml` -> ruamel-yaml, `azure.storage.blob` ->
    azure-storage-blob, `swerex` -> swe-rex), or the top name is a dash-separated part of it
    (`phoenix` for arize-phoenix, `websocket` for websocket-client; a plugin such as `flask-cors`
    depends on its host `flask`). A longer spelling is no evidence (`psycopg` is not
    psycopg2-binary, `azure` not azureml-core)."""
    flat = dist.replace("-", "")
    if any("".join(parts[:i]).lower().replace("_", "") == flat for i in range(1, len(parts) + 1)):
        return True
    return parts[0].lower() in dist.split("-")


def import_name_known(g: ProjectGraph, dotted: str) -> bool:
    """False for an import under a namespace root whose catalog entries all name subpackages
    (e.g. `google.colab` when only `google.genai`, `google.auth`… are known): which distribution
    provides it cannot be guessed from its name."""
    if g.catalog.knows_import(dotted):
        return True
    root = dotted.split(".")[0] + "."
    return not any(k.startswith(root) for k in getattr(g.catalog, "_imports", {}))


def import_installed_on_demand(g: ProjectGraph, mod: object, func: FunctionInfo, dotted: str) -> bool:
    """Is the package of the import `dotted` installed by the program itself when it is needed: the
    function that imports it (or one enclosing it) is registered with a decorator that lists it
    among string literals (`@func.register_function(imports=["pyairtable"])`: the framework
    pip-installs what a function declares before running it), or the module runs or documents a pip
    install naming it (`subprocess.check_call([sys.executable, "-m", "pip", "install",
    "pyairtable"])`, a docstring "`pip install flufl.lock`"). Names compare as PEP 503 names, and the
    distributions of the whole dotted name count (`flufl.lock` is flufl-lock's, not `flufl`'s)."""
    top = dotted.split(".")[0]
    names = {normalize_dist(n) for n in (top, *g.catalog.distributions_for_import(top),
                                         *g.catalog.distributions_for_import(dotted))}
    f: FunctionInfo | None = func
    while f is not None and f.node is not None:
        for dec in f.node.decorators:
            if isinstance(dec, ir.Call) and any(_listed(kw.value, names) for kw in dec.keywords):
                return True
        f = f.parent
    return _pip_installs(mod, frozenset(names))


def _listed(e: ir.Expr, names: set[str]) -> bool:
    """Does a list, tuple, set or dict display hold a string literal naming one of `names`
    (a version specifier allowed: `imports=["numpy>=1.26"]`, `imports={"name": "firecrawl"}`)?"""
    if not hasattr(e, "elts") and not hasattr(e, "values"):
        return False
    return any(isinstance(x, ir.Constant) and isinstance(x.value, str) and _req_name(x.value) in names
               for x in ir.walk_expr(e))


def _req_name(text: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    return normalize_dist(m.group(1)) if m else ""


def _pip_installs(mod: object, names: frozenset[str]) -> bool:
    """Does the module hold a pip install that names one of `names`: a list display with the
    literals "pip" and "install" and the name, or a string `pip install ... name`?"""
    for e in _module_exprs(mod):
        items = getattr(e, "elts", None)
        if isinstance(items, list):
            lits = [x.value for x in items if isinstance(x, ir.Constant) and isinstance(x.value, str)]
            if "pip" in lits and "install" in lits and any(_req_name(v) in names for v in lits):
                return True
        elif isinstance(e, ir.Constant) and isinstance(e.value, str) and "pip install" in e.value:
            words = e.value.split("pip install", 1)[1].split()
            if any(_req_name(w) in names for w in words):
                return True
    return False


def _module_exprs(mod: object):
    for stmt in ir.walk_stmts(mod.ir.body, into_defs=True):  # type: ignore[attr-defined]
        for root in ir.stmt_exprs(stmt):
            yield from ir.walk_expr(root)


def declaration_span(at) -> Span:
    """The span of a manifest declaration (a requirement, a version source: anything with a path,
    a line and columns), at least one character wide."""
    return Span(at.path, at.line, at.col, at.line, max(at.end_col, at.col + 1))
