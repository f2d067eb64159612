"""Cloud platforms that host other providers' models on their own retirement schedules (Amazon
Bedrock, Google Vertex AI, Azure OpenAI), and the lookup of a model id in a platform's schedule
(platform_models.toml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional


@dataclass(frozen=True)
class PlatformSpec:
    """A platform that serves models under its own ids and shuts them down on its own dates.
    An id is sent to it when it starts with one of `id_prefixes` (a router's `bedrock/...`), when
    it has the platform's own shape (`id_patterns`, full match on the lower-cased id less its
    router prefix), or when the client or model class that sends it is one of `client_providers`
    (catalog provider names of llm_apis.toml clients and chat models)."""

    name: str  # bedrock | vertex | azure
    title: str  # how a message names it
    id_prefixes: tuple[str, ...] = ()
    id_patterns: tuple[str, ...] = ()
    client_providers: tuple[str, ...] = ()
    client_classes: tuple[str, ...] = ()
    # prefixes of the platform's ids that route one model (Bedrock's cross-region inference
    # profiles `us.`, `eu.`, `global.`): an id with one has the model's date unless listed itself
    profile_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlatformRetirement:
    """The date `platform` shuts down (or shut down) the model it serves as `id`, and where that
    date was read (`source`)."""

    platform: str
    id: str
    retired: str  # ISO date
    source: str


class PlatformIndex:
    """The platforms and their retirement rows, looked up by platform and id."""

    def __init__(self, platforms: Iterable[PlatformSpec], rows: Iterable[PlatformRetirement]) -> None:
        self.platforms: dict[str, PlatformSpec] = {p.name: p for p in platforms}
        self._patterns = {p.name: [re.compile(x) for x in p.id_patterns] for p in self.platforms.values()}
        self._rows: dict[tuple[str, str], PlatformRetirement] = {}
        for r in rows:
            if r.platform not in self.platforms:
                raise ValueError(f"platform retirement {r.id!r}: unknown platform {r.platform!r}")
            key = (r.platform, self.key(r.platform, r.id))
            if key in self._rows:
                raise ValueError(f"platform retirement {r.id!r} of {r.platform} is listed twice")
            self._rows[key] = r

    def key(self, platform: str, model_id: str) -> str:
        """`model_id` as the platform's table spells it: lower case, less the router prefix."""
        s = model_id.strip().lower()
        spec = self.platforms[platform]
        for p in sorted(spec.id_prefixes, key=len, reverse=True):
            if s.startswith(p):
                return s[len(p):]
        return s

    def platform_of_id(self, model_id: str) -> Optional[str]:
        """The platform an id names by its own spelling (a router prefix, the platform's id shape)."""
        s = model_id.strip().lower()
        for name, spec in self.platforms.items():
            if any(s.startswith(p) for p in spec.id_prefixes):
                return name
        for name in self.platforms:
            if any(rx.fullmatch(s) for rx in self._patterns[name]):
                return name
        return None

    def platform_of_client(self, provider: str, classes: Iterable[str] = ()) -> Optional[str]:
        """The platform a client or model class sends to: by its catalog provider name, or by one of
        its catalog class paths (a class whose provider is the model's vendor, `ChatVertexAI`)."""
        classes = tuple(classes)
        for name, spec in self.platforms.items():
            if provider in spec.client_providers or any(c in spec.client_classes for c in classes):
                return name
        return None

    def retirement(self, platform: str, model_id: str) -> Optional[PlatformRetirement]:
        """The platform's row for the id: the id itself, or, for a routing profile's id, the model
        it routes (`us.anthropic.x-v1:0` -> `anthropic.x-v1:0`); None when the platform's schedule
        does not list it (its date is not known)."""
        if platform not in self.platforms:
            return None
        k = self.key(platform, model_id)
        hit = self._rows.get((platform, k))
        if hit is not None:
            return hit
        for p in self.platforms[platform].profile_prefixes:
            if k.startswith(p):
                return self._rows.get((platform, k[len(p):]))
        return None
