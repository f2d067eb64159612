"""Import-to-declaration matching for names the catalog does not map."""

import pytest

from agentable.rules.epdd.helpers import _plausible_provider
from tests.conftest import graph_of


@pytest.mark.parametrize("dotted, dist", [
    ("ruamel.yaml", "ruamel-yaml"),
    ("azure.storage.blob", "azure-storage-blob"),
    ("swerex.runtime", "swe-rex"),
    ("phoenix.otel", "arize-phoenix"),
    ("websocket", "websocket-client"),
    ("speech_recognition", "speech-recognition"),
    ("flask", "flask-cors"),
])
def test_near_names_plausibly_provide_the_import(dotted: str, dist: str) -> None:
    assert _plausible_provider(dotted.split("."), dist)


@pytest.mark.parametrize("dotted, dist", [
    ("psycopg", "psycopg2-binary"),  # another major version, another package
    ("docx", "docx2txt"),
    ("pymarkdown", "pymarkdownlnt"),  # a longer spelling is no evidence
    ("slack_sdk", "openai"),
    ("azure", "azureml-core"),
])
def test_unrelated_names_do_not(dotted: str, dist: str) -> None:
    assert not _plausible_provider(dotted.split("."), dist)


def _declaring(*lines: str):
    """A graph with no modules and a ManifestSet declaring `lines` in requirements.txt."""
    from agentable.cpg.manifests import normalize_dist
    from agentable.cpg.manifests.model import ManifestSet, Requirement

    reqs = []
    for i, line in enumerate(lines, 1):
        name, _, spec = line.partition(" ")
        reqs.append(Requirement(normalize_dist(name), name, spec, (), "", "requirements.txt", i, 1, len(line) + 1, "main"))
    manifests = ManifestSet(reqs, ["requirements.txt"])
    return graph_of({}, manifests), manifests.for_path("app.py")


@pytest.mark.parametrize("declared, dotted, covered", [
    # the llama-index meta-package brings llama_index.core and the OpenAI integrations, not the others
    (("llama-index ==0.11.20",), "llama_index.llms.anthropic.Anthropic", False),
    (("llama-index ==0.11.20",), "llama_index.llms.openai.OpenAI", True),
    (("llama-index ==0.11.20",), "llama_index.core.VectorStoreIndex", True),
    (("llama-index-core >=0.11",), "llama_index.vector_stores.chroma", False),
    (("llama-index",), "llama_index.embeddings.huggingface", False),  # unpinned: the latest release
    # before 0.10 the one distribution shipped every llama_index module
    (("llama-index ==0.9.48",), "llama_index.llms.anthropic.Anthropic", True),
    (("llama-index >=0.9",), "llama_index.llms.anthropic.Anthropic", False),  # admits the split releases
    (("langgraph >=0.2",), "langgraph.checkpoint.sqlite.SqliteSaver", False),
    (("langgraph <0.2",), "langgraph.checkpoint.sqlite.SqliteSaver", True),
    (("langgraph >=0.2",), "langgraph.checkpoint.memory.MemorySaver", True),
])
def test_a_namespace_root_covers_only_what_the_catalog_does_not_assign_elsewhere(
        declared: tuple[str, ...], dotted: str, covered: bool) -> None:
    from agentable.rules.epdd.helpers import import_declared

    graph, scope = _declaring(*declared)
    assert import_declared(graph, scope, dotted) is covered
