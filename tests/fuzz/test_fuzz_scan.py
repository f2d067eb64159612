"""Property-based fuzzing of the whole scan: no generated or mutated program makes an exception
escape `scan`, makes a rule fail or a file get lost, and every result renders.

Two properties: programs that follow Python's grammar (hypothesmith.from_grammar), one per
case, and this repository's fixture and dataset files mutated byte by byte
(tests/fuzz/program_gen.py), several per case scanned as one folder (a scan costs more than a
program). CI runs a derandomized, database-less profile of about 2,000 programs;
`scripts/fuzz_scan.py` is the long run. AGENTABLE_FUZZ_SCALE=10 multiplies the examples.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from agentable.config import Config
from agentable.report import render
from agentable.rules import all_rules
from agentable.scan import scan
from agentable.scan_result import ScanResult
from program_gen import mutate

ROOT = Path(__file__).resolve().parents[2]
SCALE = int(os.environ.get("AGENTABLE_FUZZ_SCALE", "1"))
RULE_IDS = {r.meta.id for r in all_rules()}
SEED_FILES = sorted(p for d in ("tests/rules/fixtures", "datasets") for p in (ROOT / d).rglob("*.py"))


def fuzz_settings(examples: int) -> settings:
    return settings(max_examples=examples * SCALE, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.large_base_example])


def scan_programs(folder: Path, programs: list[bytes]) -> ScanResult:
    """Scan the programs as p000.py, p001.py ... and check that the result is well formed."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    lines: dict[str, int] = {}
    for i, data in enumerate(programs):
        name = f"p{i:03d}.py"
        (folder / name).write_bytes(data)
        lines[name] = data.count(b"\n") + 1
    result = scan([folder], Config().merge_cli(respect_gitignore=False))
    failures = [f"{n.path}: {n.message}" for n in result.notifications
                if n.kind == "rule" or n.message.startswith(("could not parse:", "could not analyse the project"))]
    assert not failures
    skipped = {n.path for n in result.notifications if n.kind == "read" or n.message.startswith("could not analyse")}
    assert result.files_scanned + len(skipped) == len(programs)
    for f in result.findings:
        assert f.rule_id in RULE_IDS
        assert f.span.path in lines and f.span.path not in skipped
        assert 1 <= f.span.line <= f.span.end_line <= lines[f.span.path], f
    json.loads(render(result, "json"))
    json.loads(render(result, "sarif"))
    render(result, "text")
    return result


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


# from_grammar only: from_node takes ~0.9 s a program here (scripts/fuzz_scan.py uses both).
# One program a case: with several, most cases exceed hypothesis' depth budget and are discarded.
PROGRAMS = hypothesmith.from_grammar().map(_encoded)


@fuzz_settings(300)
@given(program=PROGRAMS)
def test_generated_programs_scan_cleanly(program: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    scan_programs(tmp_path_factory.mktemp("generated"), [program])


@fuzz_settings(300)
@given(picks=st.lists(st.tuples(st.sampled_from(SEED_FILES), st.integers(0, 2**32 - 1)), min_size=1, max_size=10))
def test_mutated_real_files_scan_cleanly(picks: list[tuple[Path, int]], tmp_path_factory: pytest.TempPathFactory) -> None:
    programs = []
    for path, seed in picks:
        rng = random.Random(seed)
        programs.append(mutate(path.read_bytes(), rng, rng.randint(1, 4)))
    scan_programs(tmp_path_factory.mktemp("mutated"), programs)


def test_the_checks_catch_a_lost_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """scan_programs fails when a file is neither analysed nor noted (so the properties can fail)."""
    import agentable.scan as scan_module

    real = scan_module.parse_files

    def lose_one(sources, *args, **kwargs):  # type: ignore[no-untyped-def]
        modules, notes = real(sources, *args, **kwargs)
        return modules[1:], notes

    monkeypatch.setattr(scan_module, "parse_files", lose_one)
    with pytest.raises(AssertionError):
        scan_programs(tmp_path, [b"x = 1\n", b"y = 2\n"])
