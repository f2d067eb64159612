"""The analysis version that keys the user caches: any change to agentable's code or to its
catalog data, mined JSON included, gives another digest; other files do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentable import code_hash


@pytest.mark.parametrize(("name", "changes"), [
    ("rules/x.py", True), ("catalog/models.toml", True), ("catalog/api_surface.json.gz", True), ("catalog/wheels.pack", True),
    ("catalog/wheels.json", True), ("README.md", False), ("__pycache__/x.cpython-311.pyc", False),
])
def test_the_digest_follows_code_and_catalog_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  name: str, changes: bool) -> None:
    monkeypatch.setattr(code_hash, "_PACKAGE", tmp_path)
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_bytes(b"one")
    code_hash.analysis_hash.cache_clear()
    before = code_hash.analysis_hash()
    (tmp_path / name).write_bytes(b"two")
    code_hash.analysis_hash.cache_clear()
    try:
        assert (code_hash.analysis_hash() != before) is changes
    finally:
        code_hash.analysis_hash.cache_clear()
