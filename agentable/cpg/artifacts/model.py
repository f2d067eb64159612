"""What agentable knows about a non-Python file of the agent (issue #13): the model ids and their
settings it names, and the prompt template it is, each with its exact position.

Positions are `(line, col, end_line, end_col)`, lines 1-based and columns 0-based *characters*
(not bytes as in ir.Pos): `ProjectGraph.span` turns them into a Span for a path that is not a
module by adding one to the columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

Pos = tuple[int, int, int, int]


@dataclass(frozen=True)
class ModelSetting:
    """A model id written in a settings file, with the settings beside it in the same table."""

    model_id: str
    path: str
    pos: Pos  # where the id string is written
    key: str  # the key naming it: model, llm, model_id, OPENAI_MODEL, ...
    keys: tuple[str, ...]  # the key path from the document root
    # what the file asks of the model: "agent" (a CrewAI agents.yaml `llm:`), "chat" (a .prompty
    # with a chat api), "completion", or "setting" (a settings file: the use is not known)
    role: str = "setting"
    settings: tuple[tuple[str, object], ...] = ()  # max_tokens, temperature, stop, base_url, ... beside it
    setting_pos: tuple[tuple[str, Pos], ...] = ()  # where each integer setting among them is written


@dataclass(frozen=True)
class TemplateVar:
    name: str
    pos: Pos  # its first occurrence in the template


@dataclass
class PromptTemplate:
    """The variables a prompt template needs, for one syntax: "jinja" (Jinja2) or "format"
    (`str.format`, LangChain f-string templates, CrewAI `{var}` interpolation)."""

    path: str
    syntax: str
    variables: list[TemplateVar] = field(default_factory=list)
    optional: frozenset[str] = frozenset()  # tested with `is defined` or given a `default`

    def needed(self) -> list[TemplateVar]:
        return [v for v in self.variables if v.name not in self.optional]


@dataclass
class Artifact:
    path: str  # relative to the scan root
    kind: str  # yaml | json | toml | prompty | jinja | text | env
    lines: list[str]
    data: object = None  # the parsed document (yaml/json/toml; a prompty's front matter)
    models: list[ModelSetting] = field(default_factory=list)
    body_line: int = 1  # where a prompty's template body starts
    templates: dict[str, Optional[PromptTemplate]] = field(default_factory=dict)  # by syntax, memoised

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
