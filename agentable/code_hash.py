"""The version of the analysis itself: a digest of agentable's code and catalog data, which keys
every user-cache entry whose content another version could compute differently (results,
manifests, per-file facts)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from agentable import __version__

_PACKAGE = Path(__file__).parent
# code and the catalog's data (TOML tables, the mined tables: packs, JSON, gzipped or not)
_ANALYSIS_SUFFIXES = (".py", ".toml", ".json", ".gz", ".pack")


@lru_cache(maxsize=1)
def analysis_hash() -> str:
    """Every file whose change can change findings: the package's code and its catalog data."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in _ANALYSIS_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
