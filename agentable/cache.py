"""Incremental parse cache: lowered `ir.Module`s keyed by file content, so an unchanged file is
never parsed twice.

Layout: `<cache_dir>/parse/<2 hex>/<key>.ir`, one entry per file: the module in the data-only
encoding of `agentable.datacodec`, sealed with this installation's key (`agentable.cachedir`),
so an entry planted by the scanned repository is a miss and can never run code. One file per
entry beat a single packed file in `benchmarks/bench_scan.py` measurements (an incremental scan
rewrites only the changed entries instead of the whole pack; see `docs/ci.md`).

The key hashes the file bytes, the agentable version, the lowering code (`cpg/lower.py`, `cpg/lower_expr.py`, `cpg/grammar.py`,
`cpg/ir.py`) and the file's path and module name, so a changed file, a new release or an edited
lowerer all miss. Anything unreadable or corrupt is a miss; the cache never makes a scan fail.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from agentable import __version__
from agentable.cachedir import atomic_write, ensure_cache_dir, seal, signing_key, unseal
from agentable.cpg import ir
from agentable.datacodec import IR_CODEC, CodecError

if TYPE_CHECKING:
    from agentable.files import SourceFile

# Prune only when the cache holds this many times the entries the scan used (and at least
# _PRUNE_MIN), so switching between branches or sub-folders keeps its entries.
_PRUNE_FACTOR = 2
_PRUNE_MIN = 256


@lru_cache(maxsize=1)
def code_hash() -> str:
    """Hash of the code whose output is cached: editing the lowerer invalidates every entry."""
    digest = hashlib.sha256(__version__.encode())
    here = Path(__file__).parent
    for name in ("cpg/lower.py", "cpg/lower_expr.py", "cpg/grammar.py", "cpg/ir.py", "datacodec.py"):
        digest.update(b"\x00" + (here / name).read_bytes())
    return digest.hexdigest()


def _file_digest(sf: "SourceFile") -> Optional[bytes]:
    try:
        return hashlib.sha256(Path(sf.abs_path).read_bytes()).digest()
    except OSError:
        return None


class ParseCache:
    def __init__(self, cache_dir: Path) -> None:
        self.root = Path(cache_dir)
        self.dir = self.root / "parse"
        self.key = signing_key()
        self.enabled = self.key is not None  # no key (no writable user cache): no cache
        try:
            ensure_cache_dir(self.root)
            self.dir.mkdir(exist_ok=True)
        except OSError:
            self.enabled = False  # read-only checkout, full disk: scan without a cache
        self._code = code_hash().encode()
        self._digests: dict[str, bytes] = {}  # rel_path -> content digest seen by get()
        self.touched: set[str] = set()  # keys used by this scan
        self.hits = 0
        self.misses = 0
        self.writes = 0

    def _key(self, sf: "SourceFile", digest: bytes) -> str:
        h = hashlib.sha256(self._code)
        # surrogateescape: a file name with a byte that is not UTF-8 still has a key
        for part in (digest, sf.rel_path.encode("utf-8", "surrogateescape"),
                     sf.module.encode("utf-8", "surrogateescape")):
            h.update(b"\x00" + part)
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.ir"

    def digest(self, sf: "SourceFile") -> Optional[bytes]:
        """The content digest of the file, read once per scan."""
        digest = self._digests.get(sf.rel_path)
        if digest is None:
            digest = _file_digest(sf)
            if digest is not None:
                self._digests[sf.rel_path] = digest
        return digest

    def know_digests(self, digests: dict[str, bytes]) -> None:
        """Digests read this scan by someone else (the result cache's key), by rel path."""
        self._digests.update(digests)

    def known_digest(self, rel_path: str) -> Optional[bytes]:
        """The digest `digest` or `get` read for this path in this scan, if any."""
        return self._digests.get(rel_path)

    def keep(self, sf: "SourceFile") -> None:
        """Mark the file's entry as used by this scan without loading it (a pre-commit run loads
        only its slice; the other entries must survive `flush`)."""
        digest = self.digest(sf) if self.enabled else None
        if digest is not None:
            self.touched.add(self._key(sf, digest))

    def get(self, sf: "SourceFile") -> Optional[ir.Module]:
        if not self.enabled:
            return None
        digest = self.digest(sf)
        if digest is None:
            return None
        key = self._key(sf, digest)
        mod = self._load(self._path(key))
        if not isinstance(mod, ir.Module) or mod.path != sf.rel_path:
            self.misses += 1
            return None
        self.touched.add(key)
        self.hits += 1
        return mod

    def _load(self, path: Path) -> Optional[ir.Module]:
        """The module stored at `path`, or None: missing, truncated, or not sealed by this installation."""
        assert self.key is not None
        try:
            payload = unseal(self.key, path.read_bytes())
            return IR_CODEC.decode(payload) if payload is not None else None
        except (OSError, CodecError):
            return None

    def put(self, sf: "SourceFile", module: ir.Module) -> None:
        if not self.enabled:
            return
        digest = _file_digest(sf)
        # The file changed between get() and now: the module may come from either version.
        if digest is None or self._digests.get(sf.rel_path, digest) != digest:
            return
        key = self._key(sf, digest)
        starts, module._starts = module._starts, None  # derived from source; not worth storing
        assert self.key is not None
        try:
            data = seal(self.key, IR_CODEC.encode(module))
        except CodecError:
            return  # pathologically deep code: parse it again next time
        finally:
            module._starts = starts
        path = self._path(key)
        try:
            path.parent.mkdir(exist_ok=True)
            atomic_write(path, data)
        except OSError:
            return
        self.touched.add(key)
        self.writes += 1

    def flush(self) -> None:
        """Finish the scan: drop stale entries once the cache outgrows what the scan used."""
        if not self.enabled:
            return
        try:
            entries = [p for sub in self.dir.iterdir() if sub.is_dir() for p in sub.iterdir()]
        except OSError:
            return
        if len(entries) <= max(_PRUNE_MIN, _PRUNE_FACTOR * len(self.touched)):
            return
        for p in entries:
            if p.stem not in self.touched:
                try:
                    p.unlink()
                except OSError:
                    pass
