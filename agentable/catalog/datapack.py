"""The catalog's mined tables (api_surface, requires, wheels) in per-distribution slices, each
decoded the first time a question needs it.

Parsed whole, the three gzip'd JSON tables took ~30 MB in every scan process, and each forked
`--jobs` worker made its own copy as it touched them. A `.pack` file holds a small header (what
questions about every distribution need: the import map, the dates) and one compressed slice per
distribution; a scan reads the header and only the slices its rules ask about.

Layout (data only: zlib and json.loads, nothing that can carry code):
  MAGIC, the header's byte length (8 bytes, little-endian), the header, then the slices;
  header = zlib(JSON {"meta": {...}, "names": [name, ...], "ends": [end offset of each slice]}),
  slice i = zlib(JSON value), the bytes from ends[i-1] (0 for the first) to ends[i] after the header.
Written by the maintainer scripts (scripts/dist_api.py, dist_requires.py, dist_metadata.py)
through `write_pack`, with `sort_keys` and no timestamps: the same data gives the same bytes.
"""

from __future__ import annotations

import json
import struct
import zlib
from functools import cached_property, partial
from importlib import resources
from pathlib import Path
from typing import IO, Any, Callable, Optional

MAGIC = b"agentable-pack 1\n"
_LENGTH = struct.Struct("<Q")
_MAX_HEADER = 1 << 26  # a header's bytes; more is a damaged file (the shipped ones are < 1 MB)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")


def write_pack(path: Path, meta: dict[str, Any], slices: dict[str, Any]) -> None:
    """Write `meta` as the header and each value of `slices` as its own slice."""
    names = sorted(slices)
    body = bytearray()
    ends: list[int] = []
    for name in names:
        body += zlib.compress(_dumps(slices[name]), 9)
        ends.append(len(body))
    header = zlib.compress(_dumps({"meta": meta, "names": names, "ends": ends}), 9)
    Path(path).write_bytes(MAGIC + _LENGTH.pack(len(header)) + header + bytes(body))


def read_pack(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(meta, every slice by name): the whole file, for the maintainer scripts and tests."""
    pack = Pack(lambda: open(path, "rb"))
    return pack.meta, {name: pack.get(name) for name in pack.names()}


def _open_shipped(name: str) -> IO[bytes]:
    return resources.files("agentable.catalog").joinpath(name).open("rb")


def shipped(name: str) -> Callable[[], IO[bytes]]:
    """An opener for a pack file of the catalog package (also inside a zip install); picklable."""
    return partial(_open_shipped, name)


class Pack:
    """A pack file read lazily: the header on first use, a slice when asked (each slice decoded
    once by the caller, which keeps what it builds from it). A missing or malformed file reads
    as empty: the questions it answers then have no mined data, as before it was mined."""

    def __init__(self, opener: Callable[[], IO[bytes]]) -> None:
        self._open = opener

    @cached_property
    def _header(self) -> tuple[dict[str, Any], dict[str, int], list[int], int]:
        """(meta, name -> its position, slice end offsets, where the slices start)."""
        try:
            with self._open() as fh:
                if fh.read(len(MAGIC)) != MAGIC:
                    return {}, {}, [], 0
                (size,) = _LENGTH.unpack(fh.read(_LENGTH.size))
                if size > _MAX_HEADER:
                    return {}, {}, [], 0
                header = json.loads(zlib.decompress(fh.read(size)))
        except (OSError, ValueError, struct.error, zlib.error):
            return {}, {}, [], 0
        if not isinstance(header, dict):
            return {}, {}, [], 0
        meta, names, ends = header.get("meta"), header.get("names"), header.get("ends")
        if not (isinstance(meta, dict) and isinstance(names, list) and isinstance(ends, list)
                and len(names) == len(ends) and all(isinstance(e, int) for e in ends)):
            return {}, {}, [], 0
        return meta, {str(n): i for i, n in enumerate(names)}, ends, len(MAGIC) + _LENGTH.size + size

    @property
    def meta(self) -> dict[str, Any]:
        return self._header[0]

    def names(self) -> tuple[str, ...]:
        return tuple(self._header[1])

    def __contains__(self, name: object) -> bool:
        return name in self._header[1]

    def get(self, name: str) -> Optional[Any]:
        """The slice stored under `name`, decoded; None when there is none (or it is malformed)."""
        _meta, where, ends, start = self._header
        i = where.get(name)
        if i is None:
            return None
        begin = ends[i - 1] if i else 0
        try:
            with self._open() as fh:
                fh.seek(start + begin)
                return json.loads(zlib.decompress(fh.read(ends[i] - begin)))
        except (OSError, ValueError, zlib.error):
            return None


class Table:
    """One mined table as the maintainer scripts build it (`{..., sliced: {name: entry}}`) and as
    a pack stores it: each entry a slice, the other keys and each entry's `head` fields (what a
    question over every distribution reads) in the header, under "heads"."""

    def __init__(self, file: str, sliced: str, head: tuple[str, ...] = ()) -> None:
        self.file, self.sliced, self.head = file, sliced, head

    def write(self, path: Path, payload: dict[str, Any]) -> None:
        entries = payload.get(self.sliced, {})
        meta = {k: v for k, v in payload.items() if k != self.sliced}
        if self.head:
            meta["heads"] = {name: {f: e[f] for f in self.head if f in e}
                             for name, e in entries.items() if isinstance(e, dict) and any(f in e for f in self.head)}
        write_pack(path, meta, entries)

    def read(self, path: Path) -> dict[str, Any]:
        """The payload as written (for --merge runs of the scripts and for tests)."""
        meta, slices = read_pack(path)
        return {**{k: v for k, v in meta.items() if k != "heads"}, self.sliced: slices}

    def open(self) -> Pack:
        """The shipped pack of this table."""
        return Pack(shipped(self.file))


# The three mined tables (see agentable/catalog/api_surface.py, releases.py and catalog.py).
API_SURFACE = Table("api_surface.pack", "dists")
REQUIRES = Table("requires.pack", "dists", head=("imports",))
WHEELS = Table("wheels.pack", "wheels", head=("imports", "imports_from", "requires"))
