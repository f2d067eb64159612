"""The module index: a pre-commit run finds its slice from per-file facts kept between scans, loads
only the slice's IR, and reports what a run without the index reports; an index that is corrupt,
planted or of another shape is ignored without a traceback."""

from __future__ import annotations

from pathlib import Path

import msgpack
import pytest

import agentable.scan as scan_module
from agentable.cache import ParseCache
from agentable.cachedir import seal, signing_key
from agentable.config import Config
from agentable.cpg.focus import ModuleFacts
from agentable.module_index import ModuleIndex, decode_entries, facts_hash
from agentable.scan import ScanOptions, scan

LLM = '''
import json
from openai import OpenAI

client = OpenAI()


def ask(question: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
    return reply.choices[0].message.content
'''

PLANNER = '''
import json
from app.llm import ask


def plan(goal: str) -> dict:
    return json.loads(ask(goal))
'''

MAIN = '''
from app.planner import plan


def run() -> None:
    print(plan("ship it"))
'''

# A second app that shares no import with the first: outside the slice of app/planner.py.
OTHER = '''
import json
import anthropic

client = anthropic.Anthropic()


def grade(essay: str) -> dict:
    reply = client.messages.create(model="claude-3-5-haiku-latest", max_tokens=300,
                                   messages=[{"role": "user", "content": essay}])
    return json.loads(reply.content[0].text)
'''


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for rel, text in (("app/__init__.py", ""), ("app/llm.py", LLM), ("app/planner.py", PLANNER),
                      ("app/main.py", MAIN), ("grader/__init__.py", ""), ("grader/essay.py", OTHER)):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _scan(root: Path, cache: Path | None, only: set[str] | None = None):
    return scan([root], Config(), ScanOptions(cache_dir=cache, only_files=only))


def _keys(result) -> list[tuple[str, str, int, str]]:
    return sorted((f.rule_id, f.span.path, f.span.line, f.message) for f in result.findings)


def _index_file(cache: Path) -> Path:
    return cache / "index" / "modules.entry"


class _Loads:
    """Which rel paths the scan asks the parse cache for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real = ParseCache.get

        def get(cache: ParseCache, sf):
            self.paths.append(sf.rel_path)
            return real(cache, sf)

        monkeypatch.setattr(ParseCache, "get", get)


def test_precommit_loads_only_the_slice_and_reports_what_a_full_run_does(tmp_path: Path, monkeypatch) -> None:
    root, cache = _project(tmp_path), tmp_path / "cache"
    full = _scan(root, cache)  # fills the parse cache and the index
    assert _index_file(cache).is_file()
    named = {"app/planner.py"}
    reference = _scan(root, None, named)  # no cache, no index: every module is loaded
    assert _keys(reference) and {f.span.path for f in reference.findings} == named
    loads = _Loads(monkeypatch)
    result = _scan(root, cache, named)
    assert _keys(result) == _keys(reference)
    assert sorted(loads.paths) == ["app/llm.py", "app/main.py", "app/planner.py"]
    assert (result.files_scanned, result.lines_scanned) == (full.files_scanned, full.lines_scanned)


def test_an_edit_that_adds_an_import_widens_the_slice(tmp_path: Path, monkeypatch) -> None:
    root, cache = _project(tmp_path), tmp_path / "cache"
    _scan(root, cache)
    (root / "grader" / "essay.py").write_text("from app.llm import ask\n" + OTHER, encoding="utf-8")
    named = {"app/llm.py"}
    loads = _Loads(monkeypatch)
    result = _scan(root, cache, named)
    assert "grader/essay.py" in loads.paths  # edited: its facts are read from its new content
    assert _keys(result) == _keys(_scan(root, None, named))
    index = ModuleIndex(cache)
    facts = [index.facts(p, m, d) for p, m, d in _current(root, cache)]
    assert all(facts) and "app.llm" in next(f for f in facts if f and f.path == "grader/essay.py").imports


def _current(root: Path, cache: Path) -> list[tuple[str, str, bytes]]:
    import hashlib

    out = []
    for p in sorted(root.rglob("*.py")):
        rel = p.relative_to(root).as_posix()
        name = rel[:-3].replace("/", ".").removesuffix(".__init__")
        out.append((rel, name, hashlib.sha256(p.read_bytes()).digest()))
    return out


def test_a_named_manifest_or_new_file_still_analyses_what_it_must(tmp_path: Path) -> None:
    root, cache = _project(tmp_path), tmp_path / "cache"
    _scan(root, cache)
    (root / "app" / "extra.py").write_text(PLANNER.replace("def plan", "def plan_again"), encoding="utf-8")
    named = {"app/extra.py"}
    assert _keys(_scan(root, cache, named)) == _keys(_scan(root, None, named))
    (root / "requirements.txt").write_text("openai>=1.40\n", encoding="utf-8")
    named = {"requirements.txt"}
    assert _keys(_scan(root, cache, named)) == _keys(_scan(root, None, named))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty"])
def test_a_corrupt_index_is_ignored(tmp_path: Path, monkeypatch, damage: str) -> None:
    root, cache = _project(tmp_path), tmp_path / "cache"
    _scan(root, cache)
    path = _index_file(cache)
    data = path.read_bytes()
    path.write_bytes({"garbage": b"\x93\x01\x02not msgpack" * 50, "truncated": data[: len(data) // 2],
                      "flipped": data[:-1] + bytes([data[-1] ^ 0xFF]), "empty": b""}[damage])
    assert ModuleIndex(cache).facts("app/llm.py", "app.llm", b"\0" * 32) is None
    named = {"app/planner.py"}
    loads = _Loads(monkeypatch)
    assert _keys(_scan(root, cache, named)) == _keys(_scan(root, None, named))
    assert "grader/essay.py" in loads.paths  # no usable index: every module was read for its facts


def _planted(cache: Path, payload: object, *, sealed: bool = True) -> None:
    key = signing_key()
    assert key is not None
    data = msgpack.packb(payload, use_bin_type=True)
    _index_file(cache).write_bytes(seal(key, data) if sealed else data)


def _row(imports: object = ("json",), lines: object = 3) -> list:
    return [b"\1" * 32, "app.llm", False, lines, list(imports) if isinstance(imports, tuple) else imports]


@pytest.mark.parametrize("payload", [
    [1, 2, 3],
    {"format": 99, "code": "x", "files": {}},
    {"format": 1, "code": "another version", "files": {}},
    "HOSTILE_ROW",
    "EXT",
    "BAD_LINES",
    "SHORT_DIGEST",
])
def test_a_sealed_index_of_another_shape_is_ignored(tmp_path: Path, payload: object) -> None:
    root, cache = _project(tmp_path), tmp_path / "cache"
    _scan(root, cache)
    code = facts_hash()
    if payload == "HOSTILE_ROW":
        payload = {"format": 1, "code": code, "files": {"app/llm.py": _row(imports=[{"__reduce__": "os.system"}])}}
    elif payload == "EXT":
        payload = {"format": 1, "code": code, "files": {"app/llm.py": _row(imports=[msgpack.ExtType(0, b"\0\0")])}}
    elif payload == "BAD_LINES":
        payload = {"format": 1, "code": code, "files": {"app/llm.py": _row(lines=True)}}
    elif payload == "SHORT_DIGEST":
        row = _row()
        row[0] = b"\1"
        payload = {"format": 1, "code": code, "files": {"app/llm.py": row}}
    _planted(cache, payload)
    assert ModuleIndex(cache)._entries == {}
    named = {"app/planner.py"}
    assert _keys(_scan(root, cache, named)) == _keys(_scan(root, None, named))


def test_an_unsealed_index_planted_in_the_cache_is_ignored(tmp_path: Path) -> None:
    root, cache = _project(tmp_path), tmp_path / "cache"
    _scan(root, cache)
    # A well-formed index that claims app/planner.py imports nothing: were it read, the slice would
    # lose app/llm.py and the findings would change.
    forged = {"format": 1, "code": facts_hash(), "files": {
        "app/planner.py": [b"\1" * 32, "app.planner", False, 7, []]}}
    _planted(cache, forged, sealed=False)
    assert ModuleIndex(cache)._entries == {}
    named = {"app/planner.py"}
    assert _keys(_scan(root, cache, named)) == _keys(_scan(root, None, named))


def test_decode_accepts_what_save_writes(tmp_path: Path) -> None:
    index = ModuleIndex(tmp_path / "cache")
    facts = ModuleFacts("a/b.py", "a.b", False, frozenset({"json", "a.c"}), 12)
    index.record(b"\7" * 32, facts)
    index.save()
    again = ModuleIndex(tmp_path / "cache")
    assert again.facts("a/b.py", "a.b", b"\7" * 32) == facts
    assert again.facts("a/b.py", "a.b", b"\x08" * 32) is None  # another content
    assert decode_entries({"format": 1, "code": facts_hash(), "files": {}}) == {}


def test_the_index_is_not_needed_for_the_result(tmp_path: Path, monkeypatch) -> None:
    """With no signing key the index is neither read nor written: every module is read for its facts."""
    root, cache = _project(tmp_path), tmp_path / "cache"
    monkeypatch.setattr(scan_module, "ModuleIndex", _NoKeyIndex)
    _scan(root, cache)
    assert not _index_file(cache).exists()
    named = {"app/planner.py"}
    assert _keys(_scan(root, cache, named)) == _keys(_scan(root, None, named))


class _NoKeyIndex(ModuleIndex):
    def __init__(self, cache_dir: Path) -> None:
        super().__init__(cache_dir)
        self.key = None
        self._entries = {}


def test_a_file_name_that_is_not_utf8_is_left_out_of_the_index(tmp_path: Path) -> None:
    index = ModuleIndex(tmp_path / "cache")
    index.record(b"\1" * 32, ModuleFacts("caf\udce9.py", "caf\udce9", False, frozenset({"json"}), 3))
    index.record(b"\2" * 32, ModuleFacts("b.py", "b", False, frozenset(), 1))
    index.save()
    again = ModuleIndex(tmp_path / "cache")
    assert again.facts("b.py", "b", b"\2" * 32) is not None
    assert again.facts("caf\udce9.py", "caf\udce9", b"\1" * 32) is None


def test_a_precommit_run_keeps_the_parse_cache_of_the_modules_it_did_not_load(tmp_path: Path, monkeypatch) -> None:
    from agentable import cache as cache_mod

    monkeypatch.setattr(cache_mod, "_PRUNE_MIN", 0)  # prune as a large project's cache would be
    monkeypatch.setattr(cache_mod, "_PRUNE_FACTOR", 1)
    root, cache = _project(tmp_path), tmp_path / "cache"
    _scan(root, cache)
    entries = sorted((cache / "parse").glob("*/*.ir"))
    assert len(entries) == 6
    _scan(root, cache, {"app/planner.py"})
    assert sorted((cache / "parse").glob("*/*.ir")) == entries
