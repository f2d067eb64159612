"""Facts from the agent's non-Python files (issue #13) for the rules: model ids written in
settings files, and prompt templates filled in without one of their variables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg.artifacts import ModelSetting, PromptTemplate, TemplateRender, TemplateVar, artifact_links, template_of
from agentable.cpg.project import ProjectGraph
from agentable.findings import FlowStep
from agentable.query.facts import per_graph


@per_graph
def config_model_settings(g: ProjectGraph) -> list[ModelSetting]:
    """Every model id written in a YAML/JSON/TOML settings file, a CrewAI agents.yaml `llm:`, a
    .prompty's model configuration or a `.env` example, with its role (ModelSetting.role)."""
    arts = g.artifacts
    if arts is None or not arts.paths:
        return []
    return list(arts.model_settings())


@dataclass(eq=False)
class MissingVariable:
    var: TemplateVar
    template: PromptTemplate
    render: TemplateRender

    def flow(self, g: ProjectGraph) -> tuple[FlowStep, ...]:
        r = self.render
        return (FlowStep(g.span(r.load.path, r.load.pos), f"the template `{self.template.path}` is loaded here"),
                FlowStep(g.span(r.func.path, r.call.pos), f"and filled in here without `{self.var.name}`"))


@per_graph
def missing_template_variables(g: ProjectGraph) -> list[MissingVariable]:
    """Variables of a loaded prompt template that a render/format/invoke call, whose supplied
    names are all known, does not supply."""
    arts = g.artifacts
    if arts is None or not arts.paths:
        return []
    out: list[MissingVariable] = []
    for r in artifact_links(g).renders:
        if r.supplied is None:
            continue
        tpl = _template(g, r)
        if tpl is None:
            continue
        if tpl.syntax == "jinja" and ".globals" in (g.by_path[r.load.path].ir.source if r.load.path in g.by_path else ""):
            continue  # variables given to the environment's globals
        for v in tpl.needed():
            if v.name not in r.supplied:
                out.append(MissingVariable(v, tpl, r))
    return out


def _template(g: ProjectGraph, r: TemplateRender) -> Optional[PromptTemplate]:
    art = g.artifacts.get(r.load.artifact) if g.artifacts is not None else None
    if art is None or art.kind in ("yaml", "json", "toml", "env"):
        return None
    return template_of(art, r.load.syntax)
