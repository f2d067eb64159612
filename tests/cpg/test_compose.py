"""Docker Compose services: images and published ports, with positions (LARD013's facts)."""

from agentable.cpg.artifacts.compose import compose_services, image_matches, is_compose_file
from agentable.cpg.artifacts.parse import parse_artifact

_TEXT = """\
services:
  db:
    image: "docker.io/qdrant/qdrant:v1.9@sha256:abc"
    ports:
      - 6333
      - "127.0.0.1:7000-7001:6333-6334/tcp"
      - target: 9000
        published: "9001"
  cache:
    image: redis
    ports:
      - "${PORT}:6379"
  host_net:
    image: ollama/ollama
    network_mode: host
  app:
    build: .
"""


def test_compose_file_names() -> None:
    assert all(is_compose_file(p) for p in ("docker-compose.yml", "a/compose.yaml", "docker-compose.dev.yaml",
                                            "docker-compose-gpu.yml"))
    assert not any(is_compose_file(p) for p in ("config.yaml", "compose_notes.yaml", "docker-compose.json"))


def test_services_ports_and_positions() -> None:
    art, notes = parse_artifact("docker-compose.yml", _TEXT)
    assert notes == []
    db, cache, host_net = compose_services(art)
    assert (db.name, db.image, db.known) == ("db", "docker.io/qdrant/qdrant", True)
    assert [(p.host, p.container, p.pos[0]) for p in db.ports] == [
        (None, 6333, 5), (7000, 6333, 6), (7001, 6334, 6), (9001, 9000, 7)]
    assert image_matches(db.image, ("qdrant/qdrant",)) and not image_matches(db.image, ("qdrant",))
    assert image_matches("redis", ("redis",)) and image_matches("docker.io/library/redis", ("redis",))
    assert not image_matches("myorg/redis", ("redis",))
    assert image_matches("cr.weaviate.io/semitechnologies/weaviate", ("semitechnologies/weaviate",))
    assert cache.image == "redis" and not cache.known  # a ${VAR} port: not known
    assert host_net.known is False  # the host's network: every port reaches it


def test_not_a_compose_document() -> None:
    art, _ = parse_artifact("docker-compose.yml", "- just\n- a list\n")
    assert compose_services(art) == []
