"""Facts from the agent's non-Python files (issue #13) for the rules: model ids written in
settings files (prompt templates missing a variable: agentable/rules/lard/helpers.py)."""

from __future__ import annotations

from agentable.cpg.artifacts import ModelSetting
from agentable.cpg.project import ProjectGraph
from agentable.query.facts import per_graph


@per_graph
def config_model_settings(g: ProjectGraph) -> list[ModelSetting]:
    """Every model id written in a YAML/JSON/TOML settings file, a CrewAI agents.yaml `llm:`, a
    .prompty's model configuration or a `.env` example, with its role (ModelSetting.role)."""
    arts = g.artifacts
    if arts is None or not arts.paths:
        return []
    return list(arts.model_settings())
