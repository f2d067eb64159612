"""The model a framework model object sends when its construction names none: `OpenAI(temperature=0)`
of langchain 0.0.x sends `text-davinci-003`. The default depends on the release installed, so it is
known only where the catalog lists it for that release (ChatModelSpec.version_defaults) and the
project's declarations or lock decide which release a fresh install gets (LARD005)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite
from agentable.query.facts import per_graph
from agentable.query.literals import construction_arg
from agentable.query.versions import VersionSource, version_source


@dataclass(frozen=True)
class DefaultModel:
    """A construction that names no model, and the model the installed release then sends."""

    site: CallSite
    cls: str  # the class as imported (`langchain.llms.OpenAI`)
    model_id: str
    source: VersionSource  # the declaration (or lock) that decides the release

    @property
    def path(self) -> str:
        return self.site.func.path


@per_graph
def default_model_constructions(g: ProjectGraph) -> list[DefaultModel]:
    """Every construction of a catalogued model class with no model argument (nor a `**` spread
    that may hold one) whose default the catalog knows for the release the project installs."""
    out: list[DefaultModel] = []
    for site, exts in g.agent.external_calls:
        for v in exts:
            spec = g.catalog.chat_model(v.path)
            if spec is None or not spec.version_defaults:
                continue
            call = site.call
            if construction_arg(call, spec.model_params, spec.model_positional) is not None \
                    or call.has_kwargs_splat() or any(isinstance(a, ir.Starred) for a in call.args):
                break
            found = _release_default(g, site.func.path, v.path, spec.version_defaults)
            if found is not None:
                out.append(DefaultModel(site, v.path, found[0], found[1]))
            break
    return out


def _release_default(g: ProjectGraph, path: str, cls: str,
                     rows: tuple[dict, ...]) -> Optional[tuple[str, VersionSource]]:
    """The model of the first row for `cls`'s module whose distribution the project installs, at
    every version a fresh install may get, inside the row's range."""
    module = cls.rpartition(".")[0]
    for row in rows:
        if not any(module == m or module.startswith(m + ".") for m in row.get("modules", ())):
            continue
        source = version_source(g, path, str(row["dist"]))
        installed = _installed(source) if source is not None else []
        if source is None or not installed:
            continue
        try:
            allowed = SpecifierSet(str(row["versions"]))
        except InvalidSpecifier:
            continue
        if all(allowed.contains(v, prereleases=True) for v in installed):
            return str(row["model"]), source
    return None


def _installed(source: VersionSource) -> list[Version]:
    """The releases a fresh install gets: the lock's pins, else the newest release the declared range
    admits, else the one version an exact pin (`==0.0.135`) names; [] when unknown."""
    texts = list(source.locked) or ([source.newest] if source.newest else [])
    spec = source.specifier.strip()
    if not texts and spec.startswith("==") and "," not in spec and "*" not in spec:
        texts = [spec[2:].strip()]
    out: list[Version] = []
    for t in texts:
        try:
            out.append(Version(t))
        except InvalidVersion:
            return []
    return out
