"""What EPDD001 cannot know: declared distributions that no catalog table holds.

The walk over what the declarations install (`installed_closure`) stops at a distribution that
neither mined table (wheels.pack, requires.pack) nor distributions.toml knows: what it
installs and requires is unknown. Two consequences (docs/catalog-data.md gives the measurements):
- an import named like such a declared distribution (`espnet2` with espnet declared, `aviary` with
  fhaviary, `rudderstack` with rudder-sdk-python) is most likely its own package: not reported;
- any other import that no known declaration brings might still come with such a distribution: the
  finding says it could not be verified, at a lower level.
An import that sits beside an import of a package no table reads (the same module's module-level
imports, or the same function's) is not reported either, when it is a common dependency (distributions.toml
`common_dependency_min`): the code is
written against that package (a task that subclasses `agentrl.worker.Task`, with agentrl-worker
declared and unread, and builds `openai.types.chat` messages for it; `import torch` beside `import
whisperx`, installed from git), and what it uses with it most likely comes with it. The package
itself is still reported when nothing declares it: declaring it fixes both.
A checkout of another repository that an install script installs or puts on PYTHONPATH
(`cpg/manifests/script_paths.py`) is such a distribution, and its modules are not known from its
name either: an import no catalog table names may be one of them, and is not reported. So is a
folder the code itself adds to sys.path: an import no table names, in a module that does so, may be
a module of that folder (a repository the user clones into it).
"""

from __future__ import annotations

import re

from agentable.catalog import normalize_dist
from agentable.cpg import ir
from agentable.cpg.manifests import ManifestSet
from agentable.cpg.project import ProjectGraph
from agentable.query.dependencies import import_targets, unread_release
from agentable.query.facts import per_graph
from agentable.rules.epdd.helpers import import_name_known, import_owner, imported_dotted, is_project_module

# Shorter shared words than this are too common to tie an import to a distribution (`io`, `ml`).
_MIN_SHARED = 4


def unknown_distributions(g: ProjectGraph, scope: ManifestSet, dotted: str) -> tuple[str, ...]:
    """The distributions declared in `scope` for the project to run (the main list or an extra; not
    a development group or extra) that no table of the catalog knows and that might bring the import
    `dotted`: one that some mined distribution requires (joblib, soundfile, torchvision). A package
    that no library of the ~4,000 mined brings along (langchain-nomic, paddleocr, claude-agent-sdk)
    is one that projects install themselves. The project's own distribution is left aside. Only
    declarations count: an unknown distribution that a known one requires (an sdist-only helper
    several levels down) rarely brings what the project imports itself. docs/catalog-data.md gives
    the measurements behind each restriction. An import that no table names at all (no known
    distribution installs it) may be installed by any of them, under a name unlike its own
    (gpt4-openai-api installs `gpt4_openai`, GoogleBard installs `Bard`): they all count."""
    known = g.catalog.knows_import(dotted)
    if known and not any(g.catalog.required_by(d) for d in g.catalog.distributions_for_import(dotted)):
        return ()
    own = set(getattr(scope, "project_names", {}).values())
    # a sibling distribution of the project (a monorepo's packages): its own manifest says what it brings
    manifests = getattr(g, "manifests", None)
    own |= set(getattr(manifests, "project_names", {}).values())
    dev = g.catalog.development_extras
    runs = [r for r in scope.requirements
            if (r.group == "main" or (r.group.startswith("optional:") and r.group[9:] not in dev)) and r.dist not in own]
    # (a conda package no table knows is most often a library or program, not a Python distribution)
    unknown = {r.dist for r in runs if not g.catalog.knows_distribution(r.dist) and r.table != "conda"}
    # a known distribution whose declared release belongs to a series no release of which was read:
    # what that release requires is only guessed from its neighbours
    unread = {u for r in runs if r.dist not in unknown for u in [unread_release(g, scope, r.path, r.dist, r.specifier)] if u}
    return tuple(sorted(unknown | unread))


def source_checkout(g: ProjectGraph, scope: ManifestSet, dotted: str) -> str:
    """The repository URL of a checkout that an install script governing `scope` installs or puts on
    the import path, when no catalog table names the import `dotted` (it may be a module of that
    checkout: `web_agent_site` from WebShop), else ""."""
    if g.catalog.knows_import(dotted):
        return ""
    manifests = getattr(g, "manifests", None)
    checkouts = getattr(manifests, "source_checkouts", {})
    return next((url for m in scope.manifests for url in checkouts.get(m, ())), "")


def extends_import_path(g: ProjectGraph, mod, dotted: str) -> bool:
    """Does `mod` add a folder to the module search path (python.toml `import_path_extenders`:
    `sys.path.append(...)`, anywhere in the module), when no catalog table names the import
    `dotted`? Then the import may be a module of that folder, which the project need not hold: a
    repository the user clones there (`git clone .../MOSS.git request_llms/moss`, then
    `sys.path.append(".../request_llms/moss")` and `from models.configuration_moss import ...`). A
    package some table names is not taken for such a folder's module."""
    return not g.catalog.knows_import(dotted) and mod.path in _path_extending_modules(g)


@per_graph
def _path_extending_modules(g: ProjectGraph) -> frozenset[str]:
    """The paths of the project modules that call one of python.toml's `import_path_extenders`."""
    extenders = g.catalog.python.import_path_extenders
    out: set[str] = set()
    for func in (*g.functions.values(), *(m.toplevel for m in g.modules.values())):
        if func.path in out:
            continue
        for site in func.calls:
            if imported_dotted(site.call.func, func.module) in extenders \
                    and any(_names_a_folder(a, func) for a in site.call.args):
                out.add(func.path)
                break
    return frozenset(out)


def _names_a_folder(e: ir.Expr, func, depth: int = 0) -> bool:
    """Does the path expression `e` name a folder (a string with a letter in it: `root + "/moss"`,
    `Path(here) / "vendor" / "rerankit"`), directly or through the names it reads (two bindings
    deep, in the function or its module)? A path made of `__file__` and `dirname`s alone (or "..")
    is a folder the project holds, whose modules are the project's."""
    for x in ir.walk_expr(e):
        if isinstance(x, ir.Constant) and isinstance(x.value, str) and re.search(r"[A-Za-z]", x.value):
            return True
        if isinstance(x, ir.Name) and depth < 2:
            defs = [*func.defs.get(x.id, ()), *func.module.toplevel.defs.get(x.id, ())]
            if any(d.value is not None and d.how != "import" and _names_a_folder(d.value, func, depth + 1)
                   for d in defs):
                return True
    return False


def beside_unread_package(g: ProjectGraph, mod, func, dotted: str) -> str:
    """The top name of another third-party import of `mod`, in the same function as the import
    `dotted` (module code for a module-level import), whose distribution no catalog table reads, when
    `dotted` is a common dependency (at least `common_dependency_min` mined distributions require
    it); else "". What installing that package brings is
    unknown, and the code uses `dotted` with it: once it is installed (declared, documented or
    reported undeclared itself), `dotted` most likely is too."""
    top = dotted.split(".")[0]
    common = g.catalog.common_dependency_min
    if not any(g.catalog.required_by(d) >= common for d in g.catalog.distributions_for_import(dotted)):
        return ""
    stdlib = g.catalog.python.stdlib_modules
    # the project's own distributions (an example importing the library it ships with) are read
    own = {normalize_dist(n) for n in getattr(getattr(g, "manifests", None), "project_names", {}).values()}
    for stmt in mod.import_stmts:
        if import_owner(g, mod, stmt) is not func:
            continue
        for other in import_targets(stmt):
            name = other.split(".")[0]
            if not name or name == top or name in stdlib or is_project_module(g, name, mod.name, other) \
                    or not import_name_known(g, other) or normalize_dist(name) in own:
                continue
            if not any(g.catalog.knows_distribution(d) for d in g.catalog.distributions_for_import(other)):
                return name
    return ""


def unknown_name_provider(g: ProjectGraph, scope: ManifestSet, dotted: str) -> str:
    """A distribution declared in `scope` that no table knows and whose name shares a word with the
    top name of the import `dotted` (`_names_share_word`), or "" when none does."""
    own = set(getattr(scope, "project_names", {}).values())
    top = dotted.split(".")[0]
    for r in scope.requirements:
        if r.dist not in own and not g.catalog.knows_distribution(r.dist) \
                and _names_share_word(top, r.dist, g.catalog.generic_dist_words):
            return r.dist
    return ""


def _names_share_word(top: str, dist: str, generic: frozenset[str]) -> bool:
    """Does a word of the import name (split at `_`, trailing digits dropped) equal, contain or sit
    in a word of the distribution's name (split at `-`, the catalog's generic words such as `sdk`
    and `python` left out), the shorter of the two at least `_MIN_SHARED` letters long, or does the
    whole import name open the distribution's name? `espnet2`/espnet, `aviary`/fhaviary,
    `rudderstack`/rudder-sdk-python, `gpt4_openai`/gpt4-openai-api."""
    def words(name: str, sep: str) -> set[str]:
        out = {w.rstrip("0123456789") for w in name.lower().split(sep)}
        return {w for w in out if w and w not in generic}

    # the whole import name, words joined by `-`, opens the distribution's name at a word boundary
    # (`gpt4_openai` from gpt4-openai-api), whatever its words are
    joined, dist_name = top.lower().replace("_", "-"), dist.lower().replace("_", "-").replace(".", "-")
    if len(joined) >= _MIN_SHARED and (dist_name + "-").startswith(joined + "-"):
        return True

    for a in words(top, "_") | {top.lower().replace("_", "").rstrip("0123456789")} - generic:
        for b in words(dist, "-"):
            short, long_ = sorted((a, b), key=len)
            if len(short) >= _MIN_SHARED and short in long_:
                return True
    return False
