"""Import-to-declaration matching for names the catalog does not map."""

import pytest

from agentable.query.dependencies import _plausible_provider


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
