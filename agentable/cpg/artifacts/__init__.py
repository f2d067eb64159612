"""The agent's non-Python files (issue #13): prompts in Jinja2, `.txt`, `.md` or `.prompty` files,
tool and model settings in YAML, JSON or TOML, CrewAI's `config/agents.yaml`, Semantic Kernel
prompt folders, `.env` examples. `parse` reads one file with data-only parsers keeping positions,
`store` holds a project's files (read on demand), `links` finds the code that loads each one and
the calls that fill in a loaded template. Discovery is agentable.files' (`Discovery.artifacts`)."""

from agentable.cpg.artifacts.links import ArtifactLinks, ArtifactLoad, TemplateRender, artifact_links
from agentable.cpg.artifacts.model import Artifact, ModelSetting, PromptTemplate, TemplateVar
from agentable.cpg.artifacts.parse import format_fields, parse_artifact, template_of
from agentable.cpg.artifacts.store import ArtifactSet

__all__ = ["Artifact", "ArtifactLinks", "ArtifactLoad", "ArtifactSet", "ModelSetting", "PromptTemplate",
           "TemplateRender", "TemplateVar", "artifact_links", "format_fields", "parse_artifact", "template_of"]
