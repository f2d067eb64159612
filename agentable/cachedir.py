"""Where the caches live, and the key that proves an entry was written by this installation.

The scanned repository is untrusted (docs/security.md): a cache folder inside it could hold
entries its author planted. So by default the caches live in the user's cache directory
(platformdirs), one folder per project path, and every entry is signed with HMAC-SHA256 under
a key kept there too; an entry whose signature does not verify is a miss, wherever the cache
folder is (`--cache-dir` may point into the tree).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import msgpack
import platformdirs

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by agentable.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_KEY_FILE = "signing.key"
_MAC_SIZE = 32


def user_cache_root() -> Path:
    """agentable's folder in the user's cache directory ($XDG_CACHE_HOME/agentable on Linux)."""
    return Path(platformdirs.user_cache_dir("agentable", appauthor=False))


def project_cache_dir(project_root: Path) -> Path:
    """The default cache folder of the project at `project_root`: keyed by its absolute path."""
    digest = hashlib.sha256(os.fsencode(Path(project_root).resolve())).hexdigest()[:20]
    return user_cache_root() / "projects" / digest


def _read_key(path: Path) -> Optional[bytes]:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if len(data) == 32 else None


@lru_cache(maxsize=4)
def _signing_key(root: Path) -> Optional[bytes]:
    path = root / _KEY_FILE
    key = _read_key(path)
    if key is not None:
        return key
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key
    except FileExistsError:  # another scan made it meanwhile
        return _read_key(path)
    except OSError:
        return None  # no writable user cache: no key, no cache


def signing_key() -> Optional[bytes]:
    """This installation's key, made on first use; None when the user cache is not writable."""
    return _signing_key(user_cache_root())


def seal(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest() + payload


def unseal(key: bytes, data: bytes) -> Optional[bytes]:
    """The payload when `data` was sealed with `key`, else None."""
    mac, payload = data[:_MAC_SIZE], data[_MAC_SIZE:]
    expected = hmac.new(key, payload, hashlib.sha256).digest()
    return payload if len(mac) == _MAC_SIZE and hmac.compare_digest(mac, expected) else None


def ensure_cache_dir(cache_dir: Path) -> None:
    """Create `cache_dir` with a `.gitignore` of `*` and a CACHEDIR.TAG, as ruff does."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, text in ((".gitignore", "# Created by agentable automatically.\n*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG)):
        marker = cache_dir / name
        if not marker.exists():
            atomic_write(marker, text.encode())


def atomic_write(path: Path, data: bytes) -> None:
    # A temporary file in the same folder, then a rename: readers see the old entry or the new one.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_sealed(key: bytes, path: Path) -> Optional[bytes]:
    """The payload of a sealed cache file; None when it is absent, unreadable or not sealed with
    this installation's key."""
    try:
        return unseal(key, path.read_bytes())
    except OSError:
        return None


def write_sealed(key: bytes, path: Path, payload: bytes) -> bool:
    """Seal `payload` and write it atomically to `path`, a file in a folder of the cache root;
    False when the cache cannot be written (a read-only cache never fails a scan)."""
    try:
        ensure_cache_dir(path.parent.parent)
        path.parent.mkdir(exist_ok=True)
        atomic_write(path, seal(key, payload))
    except OSError:
        return False
    return True


def unpack_plain(payload: Optional[bytes]) -> Any:
    """msgpack data of plain values only (no extension types); None for anything else."""
    if payload is None:
        return None
    try:
        return msgpack.unpackb(payload, raw=False, strict_map_key=True, use_list=True, ext_hook=_no_ext)
    except Exception:  # msgpack raises several types for truncated or foreign data
        return None


def _no_ext(code: int, data: bytes) -> Any:
    raise ValueError("a plain cache entry holds no extension types")
