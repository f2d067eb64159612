"""The services of a Docker Compose file: each one's image and the ports it publishes on the host,
with the line of each mapping (issue #13: a client that connects to a port the compose file does
not publish gets "connection refused")."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Optional

from agentable.cpg.artifacts.model import Artifact, Pos

_COMPOSE_NAME_RE = re.compile(r"^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$", re.I)


def is_compose_file(rel: str) -> bool:
    """docker-compose.yml, compose.yaml, docker-compose.dev.yml, docker-compose-gpu.yml, ..."""
    return _COMPOSE_NAME_RE.match(posixpath.basename(rel)) is not None


@dataclass(frozen=True)
class PortMapping:
    host: Optional[int]  # the published port (None: a random one)
    container: int
    pos: Pos


@dataclass
class ComposeService:
    path: str
    name: str
    image: str  # without its tag or digest
    pos: Pos  # the service's key
    ports: list[PortMapping] = field(default_factory=list)
    # False when a mapping is not understood (a ${VAR}, a range of another shape) or the service
    # shares the host's network: which ports reach it is then not known
    known: bool = True


def compose_services(art: Artifact) -> list[ComposeService]:
    data = art.data
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return []
    out: list[ComposeService] = []
    for name, svc in services.items():
        if not isinstance(svc, dict) or not isinstance(svc.get("image"), str):
            continue  # built from a Dockerfile: what runs in it is not known
        image = re.split(r"[@]", svc["image"].strip(), maxsplit=1)[0]
        last = image.rsplit("/", 1)
        if ":" in last[-1]:
            image = image[: len(image) - len(last[-1]) + last[-1].index(":")]
        s = ComposeService(art.path, str(name), image.lower(), _key_pos(services, name, art))
        if "network_mode" in svc or "$" in image:
            s.known = False
        ports = svc.get("ports")
        if isinstance(ports, list):
            for i, item in enumerate(ports):
                maps = _mappings(item)
                if maps is None:
                    s.known = False
                    continue
                pos = _item_pos(ports, i, art)
                s.ports += [PortMapping(h, c, pos) for h, c in maps]
        elif ports is not None:
            s.known = False
        out.append(s)
    return out


def image_matches(image: str, names: tuple[str, ...]) -> bool:
    """`qdrant/qdrant` is `docker.io/qdrant/qdrant`; `redis` is `library/redis` (not `myorg/redis`)."""
    parts = image.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]  # a registry
    if len(parts) > 1 and parts[0] == "library":
        parts = parts[1:]
    bare = "/".join(parts)
    return any(bare == n or (n.count("/") > 1 and image == n) for n in names)


def _mappings(item: object) -> Optional[list[tuple[Optional[int], int]]]:
    """(host port, container port) pairs of one `ports:` entry; None when not understood."""
    if isinstance(item, int) and not isinstance(item, bool):
        return [(None, item)]
    if isinstance(item, dict):  # the long syntax
        target, published = item.get("target"), item.get("published")
        if not isinstance(target, int):
            return None
        if published is None:
            return [(None, target)]
        pub = _ports(str(published))
        return [(pub[0], target)] if pub is not None and len(pub) == 1 else None
    if not isinstance(item, str) or "$" in item:
        return None
    text = item.strip().split("/", 1)[0]
    parts = text.rsplit(":", 2)
    container = _ports(parts[-1])
    if container is None:
        return None
    if len(parts) == 1 or parts[-2] == "":
        return [(None, c) for c in container]  # a random host port
    host = _ports(parts[-2])
    if host is None or len(host) != len(container):
        return None
    return list(zip(host, container, strict=True))


def _ports(text: str) -> Optional[list[int]]:
    m = re.fullmatch(r"\s*(\d{1,5})(?:-(\d{1,5}))?\s*", text)
    if m is None:
        return None
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    return list(range(lo, hi + 1)) if 0 <= hi - lo <= 100 else None


def _key_pos(table, key, art: Artifact) -> Pos:
    try:
        line, col = table.lc.key(key)
    except (AttributeError, KeyError, TypeError):
        return (1, 0, 1, 0)
    return (line + 1, col, line + 1, col + len(str(key)))


def _item_pos(seq, i: int, art: Artifact) -> Pos:
    try:
        line, col = seq.lc.item(i)
    except (AttributeError, KeyError, TypeError, IndexError):
        return (1, 0, 1, 0)
    text = art.lines[line] if line < len(art.lines) else ""
    return (line + 1, col, line + 1, max(len(text.rstrip()), col + 1))
