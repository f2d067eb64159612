"""Framework catalog: LLM APIs, tools, agents, models, versions and distributions as data.

Usage: ``load_catalog()`` (cached) returns a :class:`Catalog` with O(1) lookups by qualified name.
Names are written as users import them; a method on an instance is ``Class().attr.path``.
"""

from __future__ import annotations

from functools import lru_cache

from .catalog import Catalog
from .kinds import FILES
from .loader import CatalogError, normalize_dist, read_toml
from .models import normalize_model_id
from .specs import (AgentSpec, ApiAvailability, ChatModelSpec, ClientSpec, DistConflict, LLMCallSpec,
                    ModelInfo, OutputGuardSpec, ToolBaseSpec, ToolConstructorSpec, ToolDecoratorSpec,
                    ToolSchemaSpec)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """Load every catalog TOML file once per process."""
    return Catalog({name: read_toml(name) for name in FILES})


__all__ = [
    "AgentSpec", "ApiAvailability", "Catalog", "CatalogError", "ChatModelSpec", "ClientSpec", "DistConflict",
    "LLMCallSpec", "ModelInfo", "OutputGuardSpec", "ToolBaseSpec", "ToolConstructorSpec", "ToolDecoratorSpec",
    "ToolSchemaSpec", "load_catalog", "normalize_dist", "normalize_model_id",
]
