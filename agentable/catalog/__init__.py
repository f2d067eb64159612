"""Framework catalog: LLM APIs, tools, agents, models, versions and distributions as data.

Usage: ``load_catalog()`` (cached) returns a :class:`Catalog` with O(1) lookups by qualified name.
Names are written as users import them; a method on an instance is ``Class().attr.path``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .catalog import Catalog
from .kinds import FILES, RECORDS
from .loader import CatalogError, build, normalize_dist, read_toml
from .models import normalize_model_id
from .language_facts import PythonFacts, ToolParamFacts
from .specs import (AgentSpec, ApiAvailability, ChatModelSpec, ClientSpec, DistConflict, LLMCallSpec, ModelInfo,
                    OutputGuardSpec, ServiceClientSpec, ToolBaseSpec, ToolConstructorSpec, ToolDecoratorSpec,
                    ToolSchemaSpec)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """Load every catalog TOML file once per process."""
    return Catalog({name: read_toml(name) for name in FILES})


@lru_cache(maxsize=None)
def load_record(file: str) -> Any:
    """The record of one whole-file kind (kinds.RECORDS), without reading the rest of the catalog:
    for code that has no graph (and so no catalog) at hand, such as module-level tables."""
    record = next(r for r in RECORDS if r.file == file)
    return build(record.spec, read_toml(file), file)


def python_facts() -> PythonFacts:
    """python.toml: builtins, str methods, exceptions and failing calls of Python and its standard library."""
    return load_record("python.toml")


@lru_cache(maxsize=1)
def conda_names() -> tuple[dict[str, str], frozenset[str]]:
    """distributions.toml [conda]: (conda name -> the PyPI distribution installing the same modules,
    for the names that differ; conda names that install no Python distribution), names normalised."""
    conda = read_toml("distributions.toml").get("conda", {})
    renamed = {normalize_dist(k): str(v) for k, v in conda.get("renamed", {}).items()}
    return renamed, frozenset(normalize_dist(n) for n in conda.get("not_python", ()))


def tool_param_facts() -> ToolParamFacts:
    """tool_params.toml: the tool parameters a framework fills itself (never in the model's schema)."""
    return load_record("tool_params.toml")


__all__ = [
    "AgentSpec", "ApiAvailability", "Catalog", "CatalogError", "ChatModelSpec", "ClientSpec", "DistConflict",
    "LLMCallSpec", "ModelInfo", "OutputGuardSpec", "PythonFacts", "ServiceClientSpec", "ToolBaseSpec", "ToolConstructorSpec",
    "ToolDecoratorSpec", "ToolSchemaSpec", "conda_names", "load_catalog", "load_record", "normalize_dist", "normalize_model_id",
    "python_facts", "tool_param_facts",
]
