"""The project's module index: per Python file, the facts a pre-commit run needs to find its slice
(`cpg.focus.ModuleFacts`: dotted name, imports, line count), keyed by the file's content digest.

A pre-commit run names a few files; the modules it analyses are those files and what is connected
to them by imports (`cpg/focus.py`). Finding that slice used to load every module's IR from the
parse cache (on 40 copies of datasets/agenttest, 5,920 files, most of the run); with this index it
reads one small entry and loads the IR of the slice only.

Layout: `<cache_dir>/index/modules.entry`, one per project cache folder: msgpack of plain values
only (strings, ints, bools, bytes, lists, a map), sealed with this installation's key
(`agentable.cachedir`). Reading it builds nothing but `ModuleFacts`; an entry that is missing,
unsealed, truncated, written by another version of the lowering code or of any other shape is
ignored as a whole, and the scan loads the modules as it would without it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import msgpack

from agentable.cache import code_hash
from agentable.cachedir import read_sealed, signing_key, unpack_plain, write_sealed
from agentable.cpg.focus import ModuleFacts

_FORMAT = 1
_ENTRY = "modules.entry"
_DIGEST_SIZE = 32  # sha256


@lru_cache(maxsize=1)
def facts_hash() -> str:
    """The lowering code and the code that reads the facts off a module: editing either drops the index."""
    here = Path(__file__).parent
    return hashlib.sha256(code_hash().encode() + (here / "cpg" / "focus.py").read_bytes()).hexdigest()


class ModuleIndex:
    """rel path -> (content digest, module name, facts) of the project's Python files."""

    def __init__(self, cache_dir: Path) -> None:
        self.dir = Path(cache_dir) / "index"
        self.key = signing_key()
        self._entries: dict[str, tuple[bytes, ModuleFacts]] = {}
        self._changed = False
        if self.key is not None:
            self._entries = self._read()

    def facts(self, rel_path: str, module: str, digest: bytes) -> Optional[ModuleFacts]:
        """The facts recorded for this path when its content had `digest`, else None."""
        hit = self._entries.get(rel_path)
        if hit is None or hit[0] != digest or hit[1].name != module:
            return None
        return hit[1]

    def record(self, digest: bytes, facts: ModuleFacts) -> None:
        old = self._entries.get(facts.path)
        if old is None or old[0] != digest or old[1] != facts:
            self._entries[facts.path] = (digest, facts)
            self._changed = True

    def keep_only(self, paths: set[str]) -> None:
        """Forget files the project no longer has."""
        gone = [p for p in self._entries if p not in paths]
        for p in gone:
            del self._entries[p]
        self._changed = self._changed or bool(gone)

    def save(self) -> None:
        if self.key is None or not self._changed:
            return
        # A name that is not UTF-8 (a file name with a stray byte) is left out: that file's facts
        # are read from its module on each run instead.
        files = {path: [digest, f.name, f.is_package, f.lines, sorted(f.imports)]
                 for path, (digest, f) in sorted(self._entries.items())
                 if _utf8(path, f.name, *f.imports)}
        payload = msgpack.packb({"format": _FORMAT, "code": facts_hash(), "files": files}, use_bin_type=True)
        if write_sealed(self.key, self.dir / _ENTRY, payload):
            self._changed = False

    def _read(self) -> dict[str, tuple[bytes, ModuleFacts]]:
        assert self.key is not None
        data = unpack_plain(read_sealed(self.key, self.dir / _ENTRY))
        return decode_entries(data) or {}


def _utf8(*texts: str) -> bool:
    try:
        for text in texts:
            text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def decode_entries(data: Any) -> Optional[dict[str, tuple[bytes, ModuleFacts]]]:
    """The entries of a decoded index, or None when any part of it is not what `save` writes."""
    if not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("code") != facts_hash():
        return None
    files = data.get("files")
    if not isinstance(files, dict):
        return None
    out: dict[str, tuple[bytes, ModuleFacts]] = {}
    for path, row in files.items():
        if not (isinstance(path, str) and isinstance(row, list) and len(row) == 5):
            return None
        digest, name, is_package, lines, imports = row
        if not (isinstance(digest, bytes) and len(digest) == _DIGEST_SIZE and isinstance(name, str)
                and isinstance(is_package, bool) and type(lines) is int and lines >= 0
                and isinstance(imports, list) and all(isinstance(i, str) for i in imports)):
            return None
        out[path] = (digest, ModuleFacts(path, name, is_package, frozenset(imports), lines))
    return out
