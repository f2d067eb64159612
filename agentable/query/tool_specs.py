"""Tool schemas kept in YAML/JSON files the code loads (issue #13), for the IETI rules: each
schema of a file that a load the artifact linker resolves reads (`json.load(open(p))`,
`yaml.safe_load(Path(p).read_text())`, ...), with the model call that is given the file's
content as `tools=` / `functions=` when agentable can follow it there.

A file nobody loads (an example in docs/, a test fixture read by a glob) gives nothing: its
schemas may never reach a model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, cast

from agentable.cpg.agent import LLMCall
from agentable.cpg.artifacts import artifact_links
from agentable.cpg.artifacts.links import ArtifactLoad
from agentable.cpg.artifacts.tool_specs import FileToolSpec, tool_specs_of
from agentable.cpg.project import ProjectGraph
from agentable.query.artifacts import file_value
from agentable.query.facts import EvalAt, per_graph

_SPEC_KINDS = ("yaml", "json")
_TOOL_KWARGS = ("tools", "functions")


@dataclass(frozen=True)
class LoadedToolSpec:
    spec: FileToolSpec
    load: ArtifactLoad  # the first load of its file
    passed_to: Optional[LLMCall] = None  # the model call given the file's schemas, when followed

    @property
    def where_loaded(self) -> str:
        return f"{self.load.path}:{self.load.pos[0]}"


@per_graph
def file_tool_specs(g: ProjectGraph) -> list[LoadedToolSpec]:
    arts = g.artifacts
    if arts is None or not arts.paths:
        return []
    loads: dict[str, ArtifactLoad] = {}
    for ld in artifact_links(g).loads:
        art = arts.get(ld.artifact) if ld.how in ("open", "read_text") else None
        if art is not None and art.kind in _SPEC_KINDS:
            loads.setdefault(ld.artifact, ld)
    if not loads:
        return []
    shapes = g.catalog.tool_schemas
    found: dict[str, list[FileToolSpec]] = {}
    for p in sorted(loads):
        art = arts.get(p)
        specs = tool_specs_of(art, shapes) if art is not None else []
        if specs:
            found[p] = specs
    if not found:
        return []
    passed = _passed_to(g, set(found))
    return [LoadedToolSpec(s, loads[p], passed.get(p)) for p, specs in found.items() for s in specs]


def _passed_to(g: ProjectGraph, paths: set[str]) -> dict[str, LLMCall]:
    """The first model call whose `tools=` / `functions=` is read from one of these files."""
    out: dict[str, LLMCall] = {}
    for c in g.agent.llm_calls:
        for name in _TOOL_KWARGS:
            e = c.call.kwarg(name)
            hit = file_value(g, e, c.func, cast(EvalAt, c.site.stmt)) if e is not None else None
            if hit is not None and hit[0].path in paths:
                out.setdefault(hit[0].path, c)
    return out
