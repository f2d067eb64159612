"""The exact-match notion of model ids (LARD015): a longer id a prefix entry only starts is not
a model, a dated snapshot or alias of a catalogued id is."""

from __future__ import annotations

import pytest

from agentable.catalog import load_catalog


@pytest.mark.parametrize("model_id, expected", [
    ("gpt-4-1106-preview", "gpt-4-1106-preview"),  # an exact entry
    ("gpt-4o", "gpt-4o"),  # a prefix entry's own id
    ("gpt-4o-2024-08-06", "gpt-4o"),  # a dated snapshot
    ("gpt-4-0613", "gpt-4"),
    ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
    ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"),  # an alias
    ("gemini-1.5-pro-002", "gemini-1.5-pro"),
    ("openai/gpt-4o-mini", "gpt-4o-mini"),  # a router's provider prefix
])
def test_known_ids(model_id, expected):
    info = load_catalog().model_exact(model_id)
    assert info is not None and info.id == expected


@pytest.mark.parametrize("model_id", [
    "gpt-4-1106-preview-0613",  # a suffix appended to an id that already has a version
    "gpt-4o-2024-08-06-mini",
    "claude-3-5-sonnet-20241022-latest",
    "gpt-4o-instruct",
    "",
])
def test_ids_a_prefix_only_starts(model_id):
    cat = load_catalog()
    assert cat.model_exact(model_id) is None
    if model_id:
        assert cat.model(model_id) is not None  # the ordinary lookup still finds the family
