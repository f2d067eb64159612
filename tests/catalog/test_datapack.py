"""The catalog's mined tables in per-distribution slices (catalog/datapack.py): written and read
back unchanged, a slice read only when asked, a damaged file read as empty."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from agentable.catalog.datapack import API_SURFACE, REQUIRES, WHEELS, Pack, Table, read_pack, write_pack
from agentable.catalog.loader import DATA_DIR

PAYLOAD = {"version": 1, "mined": "2026-12-01",
           "wheels": {"acme-sdk": {"imports": ["acme"], "requires": ["httpx"], "extras": {"cli": ["click"]},
                                   "version": "2.1.0"},
                      "beta": {"imports": ["beta"], "version": "0.3.0"}}}


class _Counting:
    """An opener that counts the bytes read from the file."""

    def __init__(self, path: Path) -> None:
        self.path, self.read = path, 0

    def __call__(self) -> BinaryIO:
        data = self.path.read_bytes()
        outer = self

        class _File(io.BytesIO):
            def read(self, n: int | None = -1) -> bytes:  # type: ignore[override]
                out = super().read(n)
                outer.read += len(out)
                return out

        return _File(data)


def test_round_trip_and_same_bytes(tmp_path: Path) -> None:
    table = Table("x.pack", "wheels", head=("imports", "requires"))
    table.write(tmp_path / "a.pack", PAYLOAD)
    table.write(tmp_path / "b.pack", dict(reversed(PAYLOAD.items())))
    assert (tmp_path / "a.pack").read_bytes() == (tmp_path / "b.pack").read_bytes()
    assert table.read(tmp_path / "a.pack") == PAYLOAD
    meta, _slices = read_pack(tmp_path / "a.pack")
    assert meta["heads"] == {"acme-sdk": {"imports": ["acme"], "requires": ["httpx"]}, "beta": {"imports": ["beta"]}}


def test_a_slice_is_read_only_when_asked(tmp_path: Path) -> None:
    slices = {f"dist-{i}": {"releases": [f"1.{j}.0" for j in range(50)]} for i in range(40)}
    write_pack(tmp_path / "r.pack", {"mined": "2026-12-01"}, slices)
    opener = _Counting(tmp_path / "r.pack")
    pack = Pack(opener)
    assert pack.meta == {"mined": "2026-12-01"} and len(pack.names()) == 40
    header_only = opener.read
    assert pack.get("dist-7") == slices["dist-7"] and pack.get("dist-39") == slices["dist-39"]
    assert pack.get("unknown") is None and "dist-0" in pack
    assert opener.read - header_only < (tmp_path / "r.pack").stat().st_size / 10  # two slices of forty


def test_a_damaged_or_missing_pack_reads_as_empty(tmp_path: Path) -> None:
    write_pack(tmp_path / "ok.pack", {"mined": "x"}, {"a": [1]})
    good = (tmp_path / "ok.pack").read_bytes()
    for name, data in (("magic.pack", b"PK\x03\x04" + good[4:]), ("cut.pack", good[:30]),
                       ("noise.pack", good[:20] + b"\xff" * 40)):
        (tmp_path / name).write_bytes(data)
        pack = Pack(lambda n=name: open(tmp_path / n, "rb"))
        assert pack.meta == {} and pack.names() == () and pack.get("a") is None, name
    missing = Pack(lambda: open(tmp_path / "absent.pack", "rb"))
    assert missing.meta == {} and missing.get("a") is None


def test_the_shipped_tables_are_packs() -> None:
    for table in (API_SURFACE, REQUIRES, WHEELS):
        pack = table.open()
        assert pack.meta.get("mined") and len(pack.names()) > 10, table.file
        assert (DATA_DIR / table.file).exists()
    assert "imports" in WHEELS.open().meta["heads"]["openai"]
