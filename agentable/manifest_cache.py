"""The project's manifest set, kept between scans: a pre-commit run reads the ManifestSet the last
scan built instead of parsing every requirements file, pyproject and lock file again (on a
monorepo of 3,640 manifests that parse was a third of the run).

Layout: `<cache_dir>/index/manifests.entry`, one per project cache folder: msgpack of plain
values and the manifest model's own dataclasses (`agentable.datacodec`, which can rebuild no other
class), sealed with this installation's key (`agentable.cachedir`), so nothing read from the
scanned tree can run code and a planted entry is a miss.

The entry holds what the set was read from (`reader.inputs`): every file the reader read or
looked for, with its stat signature (size, modification and change times in nanoseconds, inode,
device) or its absence, and every folder it listed, with its entry names. It is used only when
the key matches (agentable's code and catalog data, `code_hash.analysis_hash`; the root; the
manifests discovery found) and every one of those inputs is still what it was: any manifest
edited, added, removed or renamed, an included file changed, a lock file touched, misses. A set
read through a symlink, or whose inputs changed less than `_RACY_NS` before it was saved (a file
edited twice within the file system's timestamp resolution could keep its signature, as git's
"racy" index entries), is not kept. Anything unreadable, unsealed or of another shape is a miss;
the cache never makes a scan fail.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import fields
from pathlib import Path
from typing import Any, Iterable, Optional

from agentable.code_hash import analysis_hash
from agentable.cachedir import read_sealed, signing_key, write_sealed
from agentable.cpg.manifests.model import DeployUnit, EntryPoint, LockedPin, ManifestSet, PythonRange, Requirement
from agentable.cpg.manifests.reader import probe_exists, probe_listing, read_manifests
from agentable.datacodec import CodecError, DataCodec
from agentable.findings import Notification
from agentable.paths import file_signature

_FORMAT = 1
_ENTRY = "manifests.entry"
_RACY_NS = 2_000_000_000
_CODEC = DataCodec([DeployUnit, EntryPoint, LockedPin, Notification, PythonRange, Requirement])
# ManifestSet fields holding sets, which msgpack has no type for: stored as sorted lists
_SET_FIELDS = frozenset({"published"})
_FROZENSET_VALUES = frozenset({"locked"})  # dicts whose values are frozensets
_PROBES = {"file": file_signature, "exists": probe_exists, "listing": probe_listing}


def cached_manifests(root: Path, paths: Iterable[Path], cache_dir: Optional[Path]) -> ManifestSet:
    """`parse_manifests(root, paths)`, from the cache in `cache_dir` when nothing it was read
    from changed, and kept there for the next scan."""
    paths = list(paths)
    names = sorted(os.fsencode(p) for p in paths)  # the key's; cheaper to sort than Paths
    store = ManifestCache(cache_dir) if cache_dir is not None else None
    if store is not None:
        hit = store.load(root, names)
        if hit is not None:
            return hit
    reader = read_manifests(root, paths)
    if store is not None and reader.cacheable:
        store.save(root, names, reader.inputs, reader.out)
    return reader.out


class ManifestCache:
    def __init__(self, cache_dir: Path) -> None:
        self.dir = Path(cache_dir) / "index"
        self.key = signing_key()

    def load(self, root: Path, paths: list[bytes]) -> Optional[ManifestSet]:
        if self.key is None:
            return None
        payload = read_sealed(self.key, self.dir / _ENTRY)
        try:
            data = _CODEC.decode(payload) if payload is not None else None
        except CodecError:
            return None
        if not (isinstance(data, dict) and data.get("format") == _FORMAT and data.get("key") == _key(root, paths)):
            return None
        inputs, fields_ = data.get("inputs"), data.get("set")
        if not (isinstance(inputs, list) and isinstance(fields_, dict) and _unchanged(inputs)):
            return None
        try:
            return decode_set(fields_)
        except (TypeError, ValueError):
            return None

    def save(self, root: Path, paths: list[bytes], inputs: dict[str, tuple[str, Any]], ms: ManifestSet) -> None:
        if self.key is None or _racy(inputs):
            return
        rows = [[path, kind, seen] for path, (kind, seen) in sorted(inputs.items())]
        try:
            payload = _CODEC.encode({"format": _FORMAT, "key": _key(root, paths), "inputs": rows,
                                     "set": encode_set(ms)})
        except CodecError:
            return  # a value the codec does not know (a file name that is not UTF-8): parse it next time
        write_sealed(self.key, self.dir / _ENTRY, payload)


def _key(root: Path, paths: list[bytes]) -> str:

    digest = hashlib.sha256(analysis_hash().encode() + b"\0" + os.fsencode(root))
    for p in paths:
        digest.update(b"\0" + p)
    return digest.hexdigest()


def _unchanged(inputs: list) -> bool:
    for row in inputs:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str) and row[1] in _PROBES):
            return False
        path, kind, seen = row
        if _PROBES[kind](path) != seen:
            return False
    return True


def _racy(inputs: dict[str, tuple[str, Any]]) -> bool:
    """Did a file the set was read from change so recently that a further edit might keep its signature?"""
    recent = time.time_ns() - _RACY_NS
    return any(kind != "listing" and isinstance(seen, tuple) and (seen[1] >= recent or seen[2] >= recent)
               for kind, seen in inputs.values())


def encode_set(ms: ManifestSet) -> dict[str, Any]:
    """The fields of a ManifestSet as the readers leave it (the scope caches are not kept)."""
    out: dict[str, Any] = {}
    for f in fields(ManifestSet):
        if f.name.startswith("_"):
            continue
        value = getattr(ms, f.name)
        if f.name in _SET_FIELDS:
            value = sorted(value)
        elif f.name in _FROZENSET_VALUES:
            value = {k: sorted(v) for k, v in value.items()}
        out[f.name] = value
    return out


def decode_set(data: dict[str, Any]) -> ManifestSet:
    names = {f.name for f in fields(ManifestSet) if not f.name.startswith("_")}
    if set(data) != names:
        raise ValueError("not the fields of a ManifestSet")
    values = dict(data)
    for name in _SET_FIELDS:
        values[name] = set(values[name])
    for name in _FROZENSET_VALUES:
        values[name] = {k: frozenset(v) for k, v in values[name].items()}
    return ManifestSet(**values)
