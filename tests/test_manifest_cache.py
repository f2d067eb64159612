"""The manifest cache: a scan reads the ManifestSet the last one built while nothing it was read
from changed (the same set, field for field), and parses again once a manifest, an included file,
a lock file or a descriptor it looked for changes; an entry that is planted or of another shape
is a miss."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import agentable.manifest_cache as mc
from agentable.cachedir import seal, signing_key
from agentable.cpg.manifests import parse_manifests
from agentable.files import discover

ROOT = Path(__file__).resolve().parent.parent

FILES = {
    "requirements.txt": "-r requirements/base.txt\nopenai>=1.0 ; python_version >= '3.9'\n",
    "requirements/base.txt": "rich[jupyter]==13.7.0\n",
    "svc/pyproject.toml": '[project]\nname = "svc"\nrequires-python = ">=3.10"\ndependencies = ["httpx>=0.27"]\n',
    "svc/uv.lock": 'version = 1\n\n[[package]]\nname = "httpx"\nversion = "0.27.2"\n',
    "agent/requirements.txt": "langgraph\n",
    "langgraph.json": json.dumps({"dependencies": ["./agent"], "graphs": {"g": "./agent/graph.py:app"}}),
    "agent/graph.py": "app = None\n",
    "bad/requirements.txt": "not a requirement ===\n",
}


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # files written by the test are seconds old; the racy window is for edits, tested below
    monkeypatch.setattr(mc, "_RACY_NS", 0)


def make(root: Path) -> list[Path]:
    for rel, text in FILES.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return discover([root], root=root, respect_gitignore=False).manifests


def cached(root: Path, cache: Path, expect_hit: bool, monkeypatch: pytest.MonkeyPatch):
    calls = []
    real = mc.read_manifests

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(mc, "read_manifests", counting)
    out = mc.cached_manifests(root, discover([root], root=root, respect_gitignore=False).manifests, cache)
    assert bool(calls) != expect_hit
    return out


def test_unchanged_manifests_come_from_the_cache_field_for_field(tmp_path: Path, monkeypatch) -> None:
    root, cache = tmp_path / "up" / "repo" / "proj", tmp_path / "cache"
    paths = make(root)
    fresh = parse_manifests(root, paths)
    assert fresh.requirements and fresh.includes and fresh.locked and fresh.deploy_units and fresh.notifications
    assert cached(root, cache, False, monkeypatch) == fresh
    again = cached(root, cache, True, monkeypatch)
    assert again == fresh
    assert again.locked == fresh.locked and isinstance(next(iter(again.locked.values())), frozenset)
    assert again.for_path("agent/graph.py").requirements == fresh.for_path("agent/graph.py").requirements


@pytest.mark.parametrize("change", ["edit_included", "edit_lock", "remove_descriptor", "add_descriptor",
                                    "same_size_same_mtime", "add_enclosing_manifest"])
def test_any_change_to_what_the_set_was_read_from_misses(tmp_path: Path, monkeypatch, change: str) -> None:
    root, cache = tmp_path / "up" / "repo" / "proj", tmp_path / "cache"
    make(root)
    cached(root, cache, False, monkeypatch)
    if change == "edit_included":
        (root / "requirements/base.txt").write_text("rich[jupyter]==13.8.0\n", encoding="utf-8")
    elif change == "edit_lock":
        (root / "svc/uv.lock").write_text(FILES["svc/uv.lock"].replace("0.27.2", "0.28.1"), encoding="utf-8")
    elif change == "remove_descriptor":
        (root / "langgraph.json").unlink()
    elif change == "add_enclosing_manifest":  # the project above the scanned folder (a folder listed)
        (root.parent / "requirements.txt").write_text("anthropic\n", encoding="utf-8")
    elif change == "add_descriptor":  # a file looked for and absent (not among the manifests discovered)
        (root / "agent/langgraph.json").write_text(json.dumps({"dependencies": ["."]}), encoding="utf-8")
    else:  # the same size and modification time: the change time still tells
        p = root / "agent/requirements.txt"
        st = p.stat()
        p.write_text("langchain\n", encoding="utf-8")  # as long as "langgraph\n"
        assert p.stat().st_size == st.st_size
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    missed = cached(root, cache, False, monkeypatch)
    assert missed == parse_manifests(root, discover([root], root=root, respect_gitignore=False).manifests)


def test_a_set_read_just_after_an_edit_is_not_kept(tmp_path: Path, monkeypatch) -> None:
    root, cache = tmp_path / "up" / "repo" / "proj", tmp_path / "cache"
    make(root)
    monkeypatch.setattr(mc, "_RACY_NS", 3_600 * 10**9)  # everything was edited "just now"
    cached(root, cache, False, monkeypatch)
    cached(root, cache, False, monkeypatch)


def test_a_planted_or_foreign_entry_is_a_miss(tmp_path: Path, monkeypatch) -> None:
    root, cache = tmp_path / "up" / "repo" / "proj", tmp_path / "cache"
    make(root)
    cached(root, cache, False, monkeypatch)
    entry = cache / "index" / "manifests.entry"
    data = entry.read_bytes()
    entry.write_bytes(data[:32] + data[32:].replace(b"openai", b"opena1"))  # not sealed any more
    cached(root, cache, False, monkeypatch)
    key = signing_key()
    assert key is not None
    for payload in (b"\x93\x01\x02\x03", b"\xc1", mc._CODEC.encode({"format": 99})):
        entry.write_bytes(seal(key, payload))
        cached(root, cache, False, monkeypatch)


@pytest.mark.parametrize("folder", sorted(p for p in (ROOT / "tests/rules/fixtures").glob("epdd*/*") if p.is_dir()),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_epdd_fixture_set_survives_the_encoding(folder: Path) -> None:
    ms = parse_manifests(folder, discover([folder], root=folder, respect_gitignore=False).manifests)
    assert mc.decode_set(mc._CODEC.decode(mc._CODEC.encode(mc.encode_set(ms)))) == ms
