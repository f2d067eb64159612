"""Whole-scan result cache: a rescan of a project in which nothing changed (sources, manifests,
configuration, agentable itself) returns the previous findings without building the graph.

Key: the agentable version, a hash of the analysis code and catalog data, the configuration, and
the path and content hash of every scanned file. Any difference misses. Runs with the LLM checker
bypass it (its own verdict cache applies instead).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from agentable.cachedir import atomic_write, ensure_cache_dir, seal, signing_key, unseal
from agentable.code_hash import analysis_hash
from agentable.datacodec import RESULT_CODEC, CodecError
from agentable.paths import Signature

if TYPE_CHECKING:
    from agentable.file_facts import FileFacts

def scan_key(config_repr: str, files: Iterable[Path], root: Path,
             seen: Optional[dict[Path, bytes]] = None, facts: Optional[FileFacts] = None,
             signatures: Optional[dict[str, Signature]] = None) -> Optional[str]:
    """The key of a scan of `files`; each file's content digest also goes to `seen`, so that the
    parse cache need not read the file again. A file whose signature (from `signatures`, taken
    by discovery, by absolute path) `facts` knows is not read: its digest comes from there."""
    digest = hashlib.sha256((analysis_hash() + "\0" + config_repr).encode())
    prefix = os.path.join(os.fspath(root), "")  # the root with one trailing separator
    for name, path in sorted((os.fspath(p), p) for p in files):  # strings: cheaper to sort and cut than Paths
        sig = signatures.get(name) if signatures is not None else None
        file_digest = facts.digest(name, sig) if facts is not None and sig is not None else None
        if file_digest is None:
            try:
                data = path.read_bytes()
            except OSError:
                return None  # let the full scan report the unreadable file
            file_digest = hashlib.sha256(data).digest()
            if facts is not None and sig is not None:
                facts.record_digest(name, sig, file_digest)
        rel = name[len(prefix):] if name.startswith(prefix) else name
        if os.sep != "/":
            rel = rel.replace(os.sep, "/")
        if seen is not None:
            seen[path] = file_digest
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + file_digest)
    return digest.hexdigest()


class ResultCache:
    def __init__(self, cache_dir: Path) -> None:
        self.dir = cache_dir / "results"
        self.key = signing_key()

    def get(self, key: str) -> Optional[tuple]:
        """(findings, notifications, files, lines, sources) of the scan with this key, or None
        (missing, corrupt, or not sealed by this installation)."""
        if self.key is None:
            return None
        try:
            payload = unseal(self.key, (self.dir / f"{key}.entry").read_bytes())
            entry = RESULT_CODEC.decode(payload) if payload is not None else None
        except (OSError, CodecError):
            return None
        return tuple(entry) if isinstance(entry, list) and len(entry) == 5 else None

    def put(self, key: str, entry: tuple) -> None:
        if self.key is None:
            return
        try:
            data = seal(self.key, RESULT_CODEC.encode(list(entry)))
        except CodecError:
            return  # a value the codec does not know: no result cache for this scan
        try:
            ensure_cache_dir(self.dir.parent)
            self.dir.mkdir(parents=True, exist_ok=True)
            for old in self.dir.glob("*.entry"):  # one project state per cache: keep the latest only
                old.unlink(missing_ok=True)
            atomic_write(self.dir / f"{key}.entry", data)
        except OSError:
            pass  # a read-only cache never fails the scan
