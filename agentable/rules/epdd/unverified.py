"""What EPDD001 cannot know: declared distributions that no catalog table holds.

The walk over what the declarations install (`installed_closure`) stops at a distribution that
neither mined table (wheels.json.gz, requires.json.gz) nor distributions.toml knows: what it
installs and requires is unknown. Two consequences (docs/catalog-data.md gives the measurements):
- an import named like such a declared distribution (`espnet2` with espnet declared, `aviary` with
  fhaviary, `rudderstack` with rudder-sdk-python) is most likely its own package: not reported;
- any other import that no known declaration brings might still come with such a distribution: the
  finding says it could not be verified, at a lower level.
"""

from __future__ import annotations

from agentable.cpg.manifests import ManifestSet
from agentable.cpg.project import ProjectGraph
from agentable.query.dependencies import unread_release

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
    the measurements behind each restriction."""
    if not any(g.catalog.required_by(d) for d in g.catalog.distributions_for_import(dotted)):
        return ()
    own = set(getattr(scope, "project_names", {}).values())
    # a sibling distribution of the project (a monorepo's packages): its own manifest says what it brings
    manifests = getattr(g, "manifests", None)
    own |= set(getattr(manifests, "project_names", {}).values())
    dev = g.catalog.development_extras
    runs = [r for r in scope.requirements
            if (r.group == "main" or (r.group.startswith("optional:") and r.group[9:] not in dev)) and r.dist not in own]
    unknown = {r.dist for r in runs if not g.catalog.knows_distribution(r.dist)}
    # a known distribution whose declared release belongs to a series no release of which was read:
    # what that release requires is only guessed from its neighbours
    unread = {u for r in runs if r.dist not in unknown for u in [unread_release(g, scope, r.path, r.dist, r.specifier)] if u}
    return tuple(sorted(unknown | unread))


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
    and `python` left out), the shorter of the two at least `_MIN_SHARED` letters long?
    `espnet2`/espnet, `aviary`/fhaviary, `rudderstack`/rudder-sdk-python."""
    def words(name: str, sep: str) -> set[str]:
        out = {w.rstrip("0123456789") for w in name.lower().split(sep)}
        return {w for w in out if w and w not in generic}

    for a in words(top, "_") | {top.lower().replace("_", "").rstrip("0123456789")} - generic:
        for b in words(dist, "-"):
            short, long_ = sorted((a, b), key=len)
            if len(short) >= _MIN_SHARED and short in long_:
                return True
    return False
