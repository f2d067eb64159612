"""What the last scans learnt from reading each file of the project, kept by the file's stat
signature, so that a scan reads only the files that changed: the content digest (the result
cache's key, the parse cache's and the module index's lookups) and what discovery checks in a
source's bytes (whether it can be analysed, and whether it declares its own dependencies).

Layout: `<cache_dir>/index/files.entry`, one per project cache folder: msgpack of plain values
only (strings, ints, bools, bytes, lists, a map), sealed with this installation's key
(`agentable.cachedir`); reading it builds nothing but those values, and an entry that is missing,
unsealed, truncated, written by other agentable code or of any other shape is ignored as a whole.

A fact is used only while the file's signature is the one it was read with: size, modification
and change times in nanoseconds, inode and device (`paths.file_signature`). The change
time is set by the system on every write, so restoring a modification time does not hide an
edit. A file whose times are less than `_RACY_NS` old when it is read is not kept: a second edit
within the file system's timestamp resolution could leave its signature as it was (git's
"racy" index entries).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Optional, Union

import msgpack

from agentable.code_hash import analysis_hash
from agentable.cachedir import read_sealed, signing_key, unpack_plain, write_sealed
from agentable.paths import Signature

_FORMAT = 1
_ENTRY = "files.entry"
_RACY_NS = 2_000_000_000
_SIGNATURE_SIZE = 5  # size, mtime_ns, ctime_ns, inode, device
_DIGEST_SIZE = 32  # sha256


class FileFacts:
    """abs path -> (signature, content digest or None, discovery's verdict or None)."""

    def __init__(self, cache_dir: Path, max_bytes: int) -> None:
        self.dir = Path(cache_dir) / "index"
        self.key = signing_key()
        self.max_bytes = max_bytes  # discovery's size limit, which its verdicts depend on
        self._recent = time.time_ns() - _RACY_NS
        # path -> [signature, digest, skip reason ("" when the file can be analysed), declares its own dependencies]
        self._entries: dict[str, list[Any]] = self._read() if self.key is not None else {}
        self._changed = False

    def digest(self, path: Union[str, Path], sig: Signature) -> Optional[bytes]:
        hit = self._entries.get(os.fspath(path))
        return hit[1] if hit is not None and hit[0] == sig else None

    def verdict(self, path: Union[str, Path], sig: Signature) -> Optional[tuple[str, bool]]:
        """(why discovery skips the source, "" when it does not; whether it declares its own dependencies)."""
        hit = self._entries.get(os.fspath(path))
        return (hit[2], hit[3]) if hit is not None and hit[0] == sig and hit[2] is not None else None

    def record_digest(self, path: Union[str, Path], sig: Signature, digest: bytes) -> None:
        entry = self._entry(os.fspath(path), sig)
        if entry is not None and entry[1] != digest:
            entry[1] = digest
            self._changed = True

    def record_verdict(self, path: Union[str, Path], sig: Signature, reason: str, own: bool) -> None:
        entry = self._entry(os.fspath(path), sig)
        if entry is not None and (entry[2], entry[3]) != (reason, own):
            entry[2], entry[3] = reason, own
            self._changed = True

    def _entry(self, path: str, sig: Signature) -> Optional[list[Any]]:
        if sig[1] >= self._recent or sig[2] >= self._recent:
            return None  # racy: see the module's docstring
        entry = self._entries.get(path)
        if entry is None or entry[0] != sig:
            entry = self._entries[path] = [sig, None, None, False]
            self._changed = True
        return entry

    def keep_only(self, paths: set[str]) -> None:
        """Forget the files the scan did not list (deleted, renamed, now ignored)."""
        gone = [p for p in self._entries if p not in paths]
        for p in gone:
            del self._entries[p]
        self._changed = self._changed or bool(gone)

    def save(self) -> None:
        if self.key is None or not self._changed:
            return
        files = {path: [*sig, digest, reason, own] for path, (sig, digest, reason, own) in self._entries.items()
                 if _utf8(path)}
        payload = msgpack.packb({"format": _FORMAT, "code": _code(), "max_bytes": self.max_bytes, "files": files},
                                use_bin_type=True)
        if write_sealed(self.key, self.dir / _ENTRY, payload):
            self._changed = False

    def _read(self) -> dict[str, list[Any]]:
        assert self.key is not None
        data = unpack_plain(read_sealed(self.key, self.dir / _ENTRY))
        return decode_entries(data, self.max_bytes) or {}


def _code() -> str:
    """agentable's code: another version may judge a file's bytes differently (the verdicts)."""
    return analysis_hash()


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def decode_entries(data: Any, max_bytes: int) -> Optional[dict[str, list[Any]]]:
    """The entries of a decoded index, or None when any part of it is not what `save` writes."""
    if not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("max_bytes") != max_bytes \
            or data.get("code") != _code():
        return None
    files = data.get("files")
    if not isinstance(files, dict):
        return None
    out: dict[str, list[Any]] = {}
    for path, row in files.items():
        if not (isinstance(path, str) and isinstance(row, list) and len(row) == _SIGNATURE_SIZE + 3):
            return None
        *sig, digest, reason, own = row
        if not (all(type(x) is int for x in sig)
                and (digest is None or (isinstance(digest, bytes) and len(digest) == _DIGEST_SIZE))
                and (reason is None or isinstance(reason, str)) and isinstance(own, bool)):
            return None
        out[path] = [tuple(sig), digest, reason, own]
    return out
