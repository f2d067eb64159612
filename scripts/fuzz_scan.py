"""Fuzz the whole scan: generate Python programs, scan them in batches, report every crash.

    python scripts/fuzz_scan.py --examples 10000 [--batch 50] [--seed 1] [--out fuzz-crashes]

Programs come from four sources, mixed:
  - hypothesmith.from_grammar(): random text that follows Python's grammar (odd but parseable);
  - hypothesmith.from_node(): programs built from libcst nodes (valid Python);
  - tests/fuzz/program_gen.DEEP_SHAPES: deeply nested or very long constructs (if/elif chains,
    bracket nests, operator chains, nested defs...), each after an agent with a known LOPE001,
    at depths from 1 to 4,096;
  - byte-level mutations of this repository's fixture and dataset .py files (lines deleted,
    duplicated, swapped, truncation, random bytes, NULs, invalid UTF-8, deep nesting inserted).

Each batch is written to a folder and scanned through `agentable.scan.scan` in a forked child
process (a native crash or a hang must not end the run), then rendered as JSON and SARIF. A
crash is the child dying or hanging, an exception out of the scan or a reporter, a rule
that failed (a "rule" notification), a file the lowering failed on for another reason than
nesting too deep ("could not parse:"), or a deep program whose LOPE001 went missing without a
notification for its file. A crashing batch is scanned again file by file; the first
reproducers are saved under --out. Progress goes to stderr; the figures to stdout at the end:
programs generated, files scanned, crashes found, elapsed time. Exit status 1 when a crash was found.

Needs the test extra (`pip install -e '.[test]'`): hypothesis and hypothesmith.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))

import hypothesmith  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings, strategies as st  # noqa: E402

from agentable.config import Config  # noqa: E402
from agentable.report import render  # noqa: E402
from agentable.scan import scan  # noqa: E402
from program_gen import DEEP_SHAPES, DEFECT_LINE, DEFECT_RULE, deep_program, mutate  # noqa: E402

KEEP_REPRODUCERS = 10
BATCH_TIMEOUT_S = 600  # a scan that takes longer counts as a hang


@dataclass
class Program:
    kind: str  # grammar | node | deep | mutated
    data: bytes
    expect_defect: bool = False  # a deep program: its LOPE001 must be reported or its file noted


@dataclass
class Tally:
    programs: int = 0
    files_scanned: int = 0
    crashes: list[tuple[str, str]] = field(default_factory=list)  # (kind, what)
    saved: list[Path] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)


def seed_files() -> list[bytes]:
    files = sorted(p for d in ("tests/rules/fixtures", "datasets") for p in (ROOT / d).rglob("*.py"))
    return [p.read_bytes() for p in files]


def programs_strategy(corpus: list[bytes]) -> st.SearchStrategy[Program]:
    deep = st.builds(lambda shape, k, extra: Program("deep", deep_program(shape, max(1, 2 ** k + extra)).encode(), True),
                     st.sampled_from(sorted(DEEP_SHAPES)), st.integers(0, 12), st.integers(-1, 1))
    mutated = st.builds(lambda data, rng: Program("mutated", mutate(data, rng, rng.randint(1, 4))),
                        st.sampled_from(corpus), st.randoms(use_true_random=False))
    return st.one_of(
        hypothesmith.from_grammar().map(lambda s: Program("grammar", s.encode("utf-8", "surrogatepass"))),
        hypothesmith.from_node().map(lambda s: Program("node", s.encode("utf-8", "surrogatepass"))),
        deep,
        mutated,
    )


def problems(folder: Path, batch: list[Program]) -> list[str]:
    """What went wrong scanning `folder` (empty: nothing)."""
    try:
        result = scan([folder], Config().merge_cli(respect_gitignore=False))
        render(result, "json")
        render(result, "sarif")
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return [f"exception: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-8)}"]
    out = [f"{n.kind}: {n.path}: {n.message}" for n in result.notifications
           if n.kind == "rule" or n.message.startswith(("could not parse:", "could not analyse the project"))]
    noted = {n.path for n in result.notifications}
    found = {f.span.path for f in result.findings if f.rule_id == DEFECT_RULE and f.span.line == DEFECT_LINE}
    for i, prog in enumerate(batch):
        name = f"p{i:04d}.py"
        if prog.expect_defect and name not in found and name not in noted:
            out.append(f"missed: {name}: the agent's {DEFECT_RULE} was not reported and the file has no notification")
    return out


def isolated_problems(folder: Path, batch: list[Program]) -> list[str]:
    """`problems` in a forked child process: a native crash (tree-sitter is C) or a hang is
    reported like any other crash instead of ending the run."""
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(folder, batch, sender))
    child.start()
    sender.close()
    found: Optional[list[str]] = None
    try:
        if receiver.poll(BATCH_TIMEOUT_S):
            found = receiver.recv()
    except EOFError:  # the child died without an answer
        pass
    if found is None and child.is_alive():
        child.kill()
        found = [f"hang: no result after {BATCH_TIMEOUT_S} s"]
    child.join()
    return found if found is not None else [f"native crash: the scanning process ended with exit code {child.exitcode}"]


def _child(folder: Path, batch: list[Program], sender) -> None:  # type: ignore[no-untyped-def]
    sender.send(problems(folder, batch))


def write_batch(folder: Path, batch: list[Program]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i, prog in enumerate(batch):
        (folder / f"p{i:04d}.py").write_bytes(prog.data)


def check_batch(batch: list[Program], work: Path, out: Path, tally: Tally) -> None:
    folder = work / "batch"
    write_batch(folder, batch)  # on disk before the scan: a hard crash leaves it to look at
    tally.files_scanned += len(batch)
    found = isolated_problems(folder, batch)
    if not found:
        return
    for prog in batch:  # which programs: one by one
        single = work / "single"
        write_batch(single, [prog])
        for what in isolated_problems(single, [prog]):
            tally.crashes.append((prog.kind, what))
            print(f"CRASH ({prog.kind}): {what.splitlines()[0][:300]}", file=sys.stderr, flush=True)
            if len(tally.saved) < KEEP_REPRODUCERS:
                out.mkdir(parents=True, exist_ok=True)
                path = out / f"crash{len(tally.saved):02d}_{prog.kind}.py"
                path.write_bytes(prog.data)
                path.with_suffix(".txt").write_text(what + "\n", encoding="utf-8")
                tally.saved.append(path)


def run(examples: int, batch_size: int, seed_value: int, out: Path) -> Tally:
    tally = Tally()
    batch: list[Program] = []
    work = Path(tempfile.mkdtemp(prefix="agentable-fuzz-"))
    started = time.perf_counter()

    @seed(seed_value)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(programs_strategy(seed_files()))
    def collect(prog: Program) -> None:
        tally.programs += 1
        tally.by_kind[prog.kind] = tally.by_kind.get(prog.kind, 0) + 1
        batch.append(prog)
        if len(batch) >= batch_size:
            check_batch(batch, work, out, tally)
            batch.clear()
            print(f"{tally.programs} programs, {len(tally.crashes)} crashes, {time.perf_counter() - started:.0f} s",
                  file=sys.stderr, flush=True)

    try:
        collect()
        if batch:
            check_batch(batch, work, out, tally)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tally


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000, help="programs to generate")
    parser.add_argument("--batch", type=int, default=50, help="programs scanned together in one folder")
    parser.add_argument("--seed", type=int, default=random.randrange(2**32), help="hypothesis seed (default: random)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-crashes"), help="where the first reproducers go")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # hypothesis' non-interactive and deprecation warnings
    started = time.perf_counter()
    tally = run(args.examples, args.batch, args.seed, args.out)
    elapsed = time.perf_counter() - started
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(tally.by_kind.items()))
    print(f"seed: {args.seed}")
    print(f"programs generated: {tally.programs} ({kinds})")
    print(f"files scanned: {tally.files_scanned}")
    print(f"crashes found: {len(tally.crashes)}")
    for path in tally.saved:
        print(f"  reproducer: {path}")
    print(f"elapsed: {elapsed:.0f} s")
    return 1 if tally.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
