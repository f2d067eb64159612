"""The incremental parse cache: hits for unchanged files, misses for anything else."""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import pytest

from agentable import cache as cache_mod
from agentable.cache import ParseCache
from agentable.cpg import ir
from agentable.cpg.lower import lower_source

SRC = b"import json\n\ndef f(x):\n    return json.loads(x)\n"


@dataclass(frozen=True)
class SF:  # the three attributes of agentable.files.SourceFile the cache reads
    abs_path: Path
    rel_path: str
    module: str


@pytest.fixture
def src(tmp_path: Path) -> SF:
    p = tmp_path / "proj" / "a.py"
    p.parent.mkdir()
    p.write_bytes(SRC)
    return SF(p, "a.py", "a")


def _fill(cache: ParseCache, sf: SF) -> ir.Module:
    assert cache.get(sf) is None
    mod = lower_source(sf.abs_path.read_bytes(), sf.rel_path, sf.module)
    cache.put(sf, mod)
    return mod


def _entries(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "parse").glob("*/*.ir"))


def test_hit_returns_an_equal_module_and_marks_the_folder(tmp_path: Path, src: SF) -> None:
    cache_dir = tmp_path / "cache"
    mod = _fill(ParseCache(cache_dir), src)
    again = ParseCache(cache_dir).get(src)
    assert isinstance(again, ir.Module) and again is not mod
    assert (again.path, again.name, again.source) == (mod.path, mod.name, mod.source)
    assert [type(s).__name__ for s in again.body] == [type(s).__name__ for s in mod.body]
    assert (cache_dir / ".gitignore").read_text().strip().endswith("*")
    assert (cache_dir / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert len(_entries(cache_dir)) == 1


def test_changed_file_misses(tmp_path: Path, src: SF) -> None:
    cache_dir = tmp_path / "cache"
    _fill(ParseCache(cache_dir), src)
    src.abs_path.write_bytes(SRC.replace(b"loads", b"dumps"))
    assert ParseCache(cache_dir).get(src) is None


def test_other_path_or_module_name_misses(tmp_path: Path, src: SF) -> None:
    cache_dir = tmp_path / "cache"
    _fill(ParseCache(cache_dir), src)
    assert ParseCache(cache_dir).get(SF(src.abs_path, "b.py", "b")) is None
    assert ParseCache(cache_dir).get(SF(src.abs_path, "a.py", "pkg.a")) is None


def test_new_lowering_code_misses(tmp_path: Path, src: SF, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "cache"
    _fill(ParseCache(cache_dir), src)
    monkeypatch.setattr(cache_mod, "code_hash", lambda: "edited-lowerer")
    assert ParseCache(cache_dir).get(src) is None


@pytest.mark.parametrize("payload", [b"", b"garbage", pickle.dumps({"not": "a module"}), pickle.dumps(SRC)[:10]])
def test_corrupt_entry_is_a_miss_and_gets_rewritten(tmp_path: Path, src: SF, payload: bytes) -> None:
    cache_dir = tmp_path / "cache"
    _fill(ParseCache(cache_dir), src)
    [entry] = _entries(cache_dir)
    entry.write_bytes(payload)
    _fill(ParseCache(cache_dir), src)
    assert ParseCache(cache_dir).get(src) is not None


def test_file_changed_between_get_and_put_is_not_stored(tmp_path: Path, src: SF) -> None:
    cache = ParseCache(tmp_path / "cache")
    assert cache.get(src) is None
    mod = lower_source(src.abs_path.read_bytes(), src.rel_path, src.module)
    src.abs_path.write_bytes(SRC + b"# edited\n")
    cache.put(src, mod)
    assert _entries(tmp_path / "cache") == []


def test_unwritable_cache_folder_disables_the_cache(tmp_path: Path, src: SF) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ParseCache(blocker / "cache")
    assert cache.get(src) is None
    cache.put(src, lower_source(SRC, "a.py", "a"))
    cache.flush()


def test_flush_prunes_entries_this_scan_did_not_use(tmp_path: Path, src: SF, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_mod, "_PRUNE_MIN", 2)
    cache_dir = tmp_path / "cache"
    for i in range(5):  # five stale versions of the file
        src.abs_path.write_bytes(SRC + f"# v{i}\n".encode())
        _fill(ParseCache(cache_dir), src)
    assert len(_entries(cache_dir)) == 5
    src.abs_path.write_bytes(SRC)
    cache = ParseCache(cache_dir)
    _fill(cache, src)
    cache.flush()
    assert len(_entries(cache_dir)) == 1
    assert ParseCache(cache_dir).get(src) is not None


def test_flush_keeps_a_small_cache(tmp_path: Path, src: SF) -> None:
    cache_dir = tmp_path / "cache"
    for i in range(3):
        src.abs_path.write_bytes(SRC + f"# v{i}\n".encode())
        cache = ParseCache(cache_dir)
        _fill(cache, src)
        cache.flush()
    assert len(_entries(cache_dir)) == 3  # under _PRUNE_MIN: other branches' entries survive


def test_writes_are_atomic_no_temporary_files_left(tmp_path: Path, src: SF) -> None:
    _fill(ParseCache(tmp_path / "cache"), src)
    leftovers = [p for p in (tmp_path / "cache").rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []
    assert all(os.path.getsize(p) > 0 for p in _entries(tmp_path / "cache"))
