"""LARD013: code connects to a containerised server on a port its compose file does not publish."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional
from urllib.parse import urlsplit

from agentable.catalog import ServiceClientSpec
from agentable.cpg import ir
from agentable.cpg.artifacts.compose import ComposeService, compose_services, image_matches, is_compose_file
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Const, ExtRef
from agentable.findings import Finding, FlowStep, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1"})


@dataclass(frozen=True)
class _Client:
    spec: ServiceClientSpec
    func: FunctionInfo
    call: ir.Call
    name: str  # the constructor as written in the catalog
    host: str
    port: int
    given: bool  # the port is written at the call (else it is the client's default)


class ServicePortNotPublished(Rule):
    meta = RuleMeta(
        id="LARD013",
        name="service-port-not-published",
        category="LARD",
        severity=Severity.ERROR,
        short="Code connects to a server on this machine at a port the project's compose file does not publish.",
        full=("Projects often start their vector store, cache or local model server with Docker Compose and connect "
              "to it from the host (`QdrantClient(host=\"localhost\")`). Only the ports listed under the service's "
              "`ports:` reach the container from the host. When the port the client connects to (the one it is "
              "given, or its library's default) is not published, every request fails with `connection refused`: "
              "the agent's retrieval or memory tool never works. A common slip is publishing a server's internal "
              "port (Qdrant's cluster port 6335) instead of its API port (6333)."),
        bad_example=('# docker-compose.yaml\nservices:\n  qdrant:\n    image: qdrant/qdrant\n    ports:\n      - "6335:6335"\n'
                     '# main.py\nclient = QdrantClient(host="localhost")   # connects to 6333'),
        good_example=('services:\n  qdrant:\n    image: qdrant/qdrant\n    ports:\n      - "6333:6333"'),
        fix="Publish the port the client connects to (`\"6333:6333\"`), or pass the client the published port.",
        tags=("config", "docker", "api"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        arts = graph.artifacts
        if arts is None:
            return
        services: dict[str, list[ComposeService]] = {}  # compose file's folder -> its services
        for rel in sorted(arts.paths):
            if is_compose_file(rel):
                art = arts.get(rel)
                if art is not None:
                    services.setdefault(posixpath.dirname(rel), []).extend(compose_services(art))
        specs = [s for s in ctx.catalog.service_clients
                 if any(image_matches(svc.image, s.images) for group in services.values() for svc in group)]
        if not specs:
            return
        unreachable: dict[tuple[str, str, int], list[_Client]] = {}
        found: dict[tuple[str, str, int], ComposeService] = {}
        for client in _clients(graph, specs):
            if not ctx.include_tests and graph.is_test_code(client.func.path):
                continue  # a test's own server: its finding would land in the (non-test) compose file
            svc = _unpublished(services, client)
            if svc is not None:
                key = (svc.path, svc.name, client.port)
                unreachable.setdefault(key, []).append(client)
                found[key] = svc
        for key, clients in unreachable.items():
            svc, first = found[key], clients[0]
            published = sorted({str(p.host) for p in svc.ports if p.host is not None}, key=int)
            whose = "the port it is given" if first.given else f"{first.spec.service}'s default port"
            flow = tuple(FlowStep(graph.span(c.func.path, c.call.pos), f"`{c.name.rpartition('.')[2]}(...)` connects to "
                                  f"{c.host}:{c.port}") for c in clients[:3])
            message = (f"The `{svc.name}` service (`{svc.image}`) publishes only {', '.join(published)} on the host, but "
                       f"`{first.name.rpartition('.')[2]}(...)` at {first.func.path}:{first.call.pos[0]} connects to "
                       f"{first.host}:{first.port} ({whose}; the container serves {first.spec.service}'s API on "
                       f"{first.spec.port}). Nothing listens there, so every request fails with `connection refused`. "
                       f"Publish `\"{first.port}:{first.spec.port}\"`, or connect to a published port.")
            yield self.finding(ctx, svc.path, svc.ports[0].pos, message, flow=flow, service=svc.name)


def _unpublished(services: dict[str, list[ComposeService]], client: _Client) -> Optional[ComposeService]:
    """The compose service the client's server runs in (the nearest compose file at or above its
    module's folder that starts one) when none of them publishes the client's port."""
    folder = posixpath.dirname(client.func.path)
    while True:
        here = [s for s in services.get(folder, ()) if image_matches(s.image, client.spec.images)]
        if here:
            if any(not s.known or any(p.host is None or p.host == client.port for p in s.ports) or not s.ports
                   for s in here):
                return None
            return here[0]
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def _clients(graph: ProjectGraph, specs: list[ServiceClientSpec]) -> Iterator[_Client]:
    by_name = {name: s for s in specs for name in s.classes}
    for func in graph.functions.values():
        for site in func.calls:
            names = [v.path for v in graph.values(site.call.func, func, site.stmt)
                     if isinstance(v, ExtRef) and v.path in by_name]
            if len(names) == 1:
                target = _target(graph, by_name[names[0]], func, site.call, site.stmt)
                if target is not None:
                    host, port, given = target
                    yield _Client(by_name[names[0]], func, site.call, names[0], host, port, given)


def _target(graph: ProjectGraph, spec: ServiceClientSpec, func: FunctionInfo, call: ir.Call,
            stmt) -> Optional[tuple[str, int, bool]]:
    """(host, port, port written at the call) the client connects to, when every part is a literal."""
    if call.has_kwargs_splat() or any(call.kwarg(p) is not None for p in spec.other_ports):
        return None

    def arg(name: str, index: Optional[int]) -> Optional[ir.Expr]:
        if not name:
            return None
        return call.kwarg(name) or (call.args[index] if index is not None and len(call.args) > index else None)

    url, host, port = (arg(spec.url_param, spec.url_positional), arg(spec.host_param, spec.host_positional),
                       arg(spec.port_param, spec.port_positional))
    written = _literal(graph, port, func, stmt) if port is not None else spec.port
    number = _port_number(written)
    if number is None:
        return None
    for text_expr in (url, host):
        if text_expr is None:
            continue
        text = _literal(graph, text_expr, func, stmt)
        if not isinstance(text, str):
            return None
        if "://" in text or (text.count(":") == 1 and text_expr is host):  # a URL, or host:port
            parts = urlsplit(text if "://" in text else "//" + text)
            try:
                at = parts.port
            except ValueError:
                return None
            if parts.hostname is None or at is None:
                return None  # no port in the URL: which one the library then uses varies
            return (parts.hostname, at, True) if parts.hostname in _LOCAL_HOSTS else None
        if text_expr is url:
            return None  # `:memory:`, a path
        return (text, number, port is not None) if text in _LOCAL_HOSTS else None
    if spec.default_host and url is None:
        return spec.default_host, number, port is not None
    return None


def _literal(graph: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt) -> object:
    vals = graph.values(e, func, stmt)
    consts = {v.value for v in vals if isinstance(v, Const)}
    return next(iter(consts)) if vals and len(consts) == 1 and len(vals) == 1 else None


def _port_number(value: object) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
