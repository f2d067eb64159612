"""Lowering with 2-3 jobs: one forked helper lowers part of the files while the scan lowers the
rest. Same modules and notes as lowering everything in one process, in the same order, and a
helper that fails costs only time."""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path

import pytest

import agentable.scan as scan_module
from agentable.files import discover
from agentable.scan import parse_files

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")


def _project(tmp_path: Path, count: int = 24) -> list:
    for i in range(count):
        body = "".join(f"def f{j}(x):\n    return call_{i}(x, {j})\n\n" for j in range(i + 1))
        (tmp_path / f"m{i:02d}.py").write_text("import json\n\n" + body, encoding="utf-8")
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    return discover([tmp_path], root=tmp_path, exclude=[], respect_gitignore=False).sources


def _dumped(modules: list) -> list[bytes]:
    return [pickle.dumps(m, protocol=pickle.HIGHEST_PROTOCOL) for m in modules]


@needs_fork
def test_split_lowering_gives_what_one_process_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = _project(tmp_path)
    serial, serial_notes = parse_files(sources, 1)
    lowered_here: list[str] = []
    real = scan_module._lower_one

    def spy(sf):  # type: ignore[no-untyped-def]
        lowered_here.append(sf.rel_path)
        return real(sf)

    monkeypatch.setattr(scan_module, "_lower_one", spy)
    split, split_notes = parse_files(sources, 2)
    assert 0 < len(lowered_here) < len(sources)  # the helper lowered the others
    assert [m.path for m in split] == [m.path for m in serial]
    assert _dumped(split) == _dumped(serial)
    assert split_notes == serial_notes and any("syntax error" in n.message for n in split_notes)


@needs_fork
def test_files_of_a_failed_helper_are_lowered_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = _project(tmp_path)
    serial, serial_notes = parse_files(sources, 1)

    def dies(todo):  # type: ignore[no-untyped-def]
        raise MemoryError("helper out of memory")

    monkeypatch.setattr(scan_module, "_lower_many_pickled", dies)
    split, split_notes = parse_files(sources, 2)
    assert _dumped(split) == _dumped(serial) and split_notes == serial_notes


def test_few_files_are_lowered_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = _project(tmp_path, count=3)
    monkeypatch.setattr(scan_module, "_split_lowering", lambda todo: pytest.fail("forked for 4 files"))
    modules, _ = parse_files(sources, 2)
    assert len(modules) == 4
