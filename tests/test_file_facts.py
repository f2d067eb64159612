"""File facts: discovery and the result cache's key read only the files whose stat signature
changed since a scan read them, and find what reading every file finds; a file edited to the
same size and modification time is read again (its change time moved); a planted or foreign entry
is ignored."""

from __future__ import annotations

import os
from pathlib import Path

import msgpack
import pytest

import agentable.file_facts as ff
import agentable.files as files_module
from agentable.cachedir import seal, signing_key
from agentable.files import MAX_SOURCE_BYTES, discover
from agentable.code_hash import analysis_hash
from agentable.result_cache import scan_key

SOURCES = {
    "app/agent.py": "from openai import OpenAI\n\nclient = OpenAI()\n",
    "app/tool.py": "def run(x: str) -> str:\n    return x\n",
    "script.py": "# /// script\n# dependencies = ['httpx']\n# ///\nimport httpx\n",
    "blob.py": "\0\0binary",
    "requirements.txt": "openai\n",
}


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ff, "_RACY_NS", 0)


def make(root: Path) -> None:
    for rel, text in SOURCES.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def run(root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], object, str, list[str]]:
    """(the files discovery read, what it found, the scan key, the files the key read)."""
    read: list[str] = []
    real_load = files_module._load

    def load(path, max_bytes):
        read.append(Path(path).name)
        return real_load(path, max_bytes)

    monkeypatch.setattr(files_module, "_load", load)
    facts = ff.FileFacts(cache, MAX_SOURCE_BYTES)
    disc = discover([root], root=root, respect_gitignore=False, facts=facts)
    hashed: list[str] = []
    real_read = Path.read_bytes

    def read_bytes(self):
        hashed.append(self.name)
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    files = [sf.abs_path for sf in disc.sources] + list(disc.manifests)
    key = scan_key("config", files, root, None, facts, disc.signatures)
    monkeypatch.setattr(Path, "read_bytes", real_read)
    assert key == scan_key("config", files, root)  # what reading every file gives
    facts.save()
    found = (sorted(sf.rel_path for sf in disc.sources), sorted(str(p) for p in disc.manifests),
             sorted((n.path, n.message) for n in disc.notifications))
    return sorted(read), found, key, sorted(hashed)


def test_unchanged_files_are_not_read_again(tmp_path: Path, monkeypatch) -> None:
    root, cache = tmp_path / "proj", tmp_path / "cache"
    make(root)
    read, found, key, hashed = run(root, cache, monkeypatch)
    assert read == ["agent.py", "blob.py", "script.py", "tool.py"] and "requirements.txt" in hashed
    read2, found2, key2, hashed2 = run(root, cache, monkeypatch)
    assert (read2, hashed2) == ([], [])
    assert (found2, key2) == (found, key)
    assert "script.py" in " ".join(found[1]) and any("binary" in m for _, m in found[2])


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(tmp_path: Path, monkeypatch) -> None:
    root, cache = tmp_path / "proj", tmp_path / "cache"
    make(root)
    _, _, key, _ = run(root, cache, monkeypatch)
    p = root / "app" / "tool.py"
    st = p.stat()
    p.write_text(SOURCES["app/tool.py"].replace("return x", "return y"), encoding="utf-8")
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    read, _, key2, hashed = run(root, cache, monkeypatch)
    assert read == ["tool.py"] and hashed == ["tool.py"] and key2 != key


def test_files_read_just_after_an_edit_are_not_kept(tmp_path: Path, monkeypatch) -> None:
    root, cache = tmp_path / "proj", tmp_path / "cache"
    make(root)
    monkeypatch.setattr(ff, "_RACY_NS", 3_600 * 10**9)
    run(root, cache, monkeypatch)
    read, _, _, hashed = run(root, cache, monkeypatch)
    assert len(read) == 4 and len(hashed) == 5


def test_a_planted_or_foreign_entry_is_ignored(tmp_path: Path, monkeypatch) -> None:
    root, cache = tmp_path / "proj", tmp_path / "cache"
    make(root)
    run(root, cache, monkeypatch)
    entry = cache / "index" / "files.entry"
    data = entry.read_bytes()
    entry.write_bytes(data[:32] + data[33:])  # not sealed any more
    assert len(run(root, cache, monkeypatch)[0]) == 4
    key = signing_key()
    assert key is not None
    code = analysis_hash()
    for payload in (b"\xc1", msgpack.packb({"format": 1, "code": code, "max_bytes": 1, "files": {}}),
                    msgpack.packb({"format": 1, "code": "other", "max_bytes": MAX_SOURCE_BYTES, "files": {}}),
                    msgpack.packb({"format": 1, "code": code, "max_bytes": MAX_SOURCE_BYTES, "files": {"a.py": [1, 2]}})):
        entry.write_bytes(seal(key, payload))
        assert len(run(root, cache, monkeypatch)[0]) == 4


def test_facts_written_by_other_agentable_code_are_ignored(tmp_path: Path, monkeypatch) -> None:
    root, cache = tmp_path / "proj", tmp_path / "cache"
    make(root)
    run(root, cache, monkeypatch)
    assert run(root, cache, monkeypatch)[0] == []
    monkeypatch.setattr(ff, "_code", lambda: "another version's code")
    assert len(run(root, cache, monkeypatch)[0]) == 4
