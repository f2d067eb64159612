"""Fixtures of the catalog tests."""

from __future__ import annotations

import pytest

from agentable.catalog import Catalog, load_catalog


@pytest.fixture(scope="module")
def cat() -> Catalog:
    """The catalog as agentable loads it."""
    return load_catalog()
