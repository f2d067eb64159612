"""Time the scan on the synthetic corpus (see gen_corpus.py).

    python benchmarks/bench_scan.py [--corpus benchmarks/.corpus] [--repeat 1] [--profile]

Measures, in one process:
  (a) tree-sitter parsing alone (`parse_bytes` over every file);
  (b) the whole scan without the LLM and without the cache, with --jobs 1 and --jobs 2;
  (c) a warm scan: cache populated, nothing changed;
  (d) an incremental scan: cache populated, 3 files changed;
  (e) the pre-commit run: those 3 files named, the project as context;
  (f) the `agentable scan` command in a new process, wall clock (start-up and exit included).
Targets (issue #2, the core graph and `agentable scan`): b/a <= 4 and >= 30,000 lines/s on one core.
`--profile` adds a cProfile of (b) with the hottest functions of the graph code.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).parent))

from gen_corpus import DEFAULT_OUT, generate

from agentable.config import Config
from agentable.cpg.lower import parse_bytes
from agentable.deep_stack import call_deep
from agentable.scan import ScanOptions, scan
from agentable.scan_result import ScanResult


def peak_rss_mb() -> float:
    """Peak resident set of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def offline_checker(root: Path) -> object:
    """The deterministic NL checker `agentable scan` uses when the LLM is off."""
    try:
        from agentable.cli import _make_checker

        # (config, cache, use_llm, no_llm, model, base_url), as `agentable scan --no-llm` makes it (the
        # call had one argument too many and failed, leaving the rule runner's default checker)
        return _make_checker(Config(), None, False, True, None, None)[0]
    except Exception:  # the checker is optional; time the scan without it
        return None


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run_scan(corpus: Path, jobs: int, cache_dir: Path | None, only: set[str] | None = None) -> ScanResult:
    config = Config().merge_cli(respect_gitignore=False)  # the corpus lives in a gitignored folder
    options = ScanOptions(jobs=jobs, cache_dir=cache_dir, checker=offline_checker(corpus), only_files=only)
    return scan([corpus], config, options)


def warm_up(sample: list[Path]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="agentable-bench-warm-"))
    try:
        for p in sample:
            shutil.copy(p, folder / p.name)
        run_scan(folder, 1, None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cli_wall_clock(corpus: Path) -> float:
    """What a user waits for: a fresh `agentable scan` process, no cache, report to a file."""
    out = Path(tempfile.mkdtemp(prefix="agentable-bench-out-")) / "report.json"
    cmd = [sys.executable, "-m", "agentable", "scan", str(corpus), "--no-cache", "--no-respect-gitignore",
           "--format", "json", "-o", str(out), "-q", "--exit-zero"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    elapsed = time.perf_counter() - t0
    shutil.rmtree(out.parent, ignore_errors=True)
    return elapsed


def touch_files(files: list[Path], n: int) -> list[tuple[Path, bytes]]:
    """Change `n` files the way an edit would (a new function); return their old bytes."""
    saved = []
    for i, p in enumerate(files[:: max(1, len(files) // n)][:n]):
        old = p.read_bytes()
        saved.append((p, old))
        p.write_bytes(old + f"\n\ndef edited_{i}(x: int) -> int:\n    return x * {i + 2}\n".encode())
    return saved


def profile_scan(corpus: Path, top: int = 25) -> str:
    prof = cProfile.Profile()
    # scan() runs on a deep-stack thread, which a profiler enabled here would not see: profile on
    # that thread (the scan, finding itself on one, then runs in place)
    call_deep(prof.runcall, run_scan, corpus, 1, None)
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).sort_stats("tottime")
    stats.print_stats(r"agentable", top)
    stats.sort_stats("cumulative").print_stats(r"agentable/(cpg|rules|nl_check|scan)", top)
    return out.getvalue()


def row(label: str, lines: int, seconds: float, note: str = "") -> str:
    return f"{label:<38} {seconds:8.3f} s {lines / seconds:>12,.0f} lines/s  {note}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--repeat", type=int, default=1, help="Best of N for (a) and (b).")
    ap.add_argument("--regenerate", action="store_true", help="Write the corpus again first.")
    ap.add_argument("--profile", action="store_true", help="Profile (b) with cProfile.")
    args = ap.parse_args()

    if args.regenerate or not args.corpus.exists():
        generate(args.corpus)
    files = sorted(args.corpus.rglob("*.py"))
    sources = [p.read_bytes() for p in files]
    lines = sum(s.count(b"\n") + (not s.endswith(b"\n")) for s in sources)
    print(f"corpus: {args.corpus} - {len(files)} Python files, {lines:,} lines, "
          f"{sum(map(len, sources)) / 1e6:.1f} MB")

    warm_up(files[:5])  # one-time process costs (imports, catalog) are (f)'s, not (b)'s
    t_a, _ = best_of(args.repeat, lambda: [parse_bytes(s) for s in sources])
    print(row("(a) tree-sitter parse only", lines, t_a))
    rss_a = peak_rss_mb()

    t_b1, res = best_of(args.repeat, lambda: run_scan(args.corpus, 1, None))
    assert isinstance(res, ScanResult)
    print(row("(b) full scan, no cache, --jobs 1", lines, t_b1,
              f"{len(res.findings)} findings, {res.files_scanned} files"))
    rss_b = peak_rss_mb()
    t_b2, _ = best_of(args.repeat, lambda: run_scan(args.corpus, 2, None))
    print(row("(b) full scan, no cache, --jobs 2", lines, t_b2))

    cache_dir = Path(tempfile.mkdtemp(prefix="agentable-bench-cache-"))
    try:
        t_cold, _ = best_of(1, lambda: run_scan(args.corpus, 1, cache_dir))
        print(row("    cold scan filling the cache", lines, t_cold))
        t_c, _ = best_of(1, lambda: run_scan(args.corpus, 1, cache_dir))
        print(row("(c) warm scan, nothing changed", lines, t_c))
        saved = touch_files([p for p in files if p.name != "__init__.py"], 3)
        changed = {p.relative_to(args.corpus).as_posix() for p, _ in saved}
        try:
            t_d, _ = best_of(1, lambda: run_scan(args.corpus, 1, cache_dir))
            # what the pre-commit hook runs: the changed files named, the project as context
            t_e, _ = best_of(1, lambda: run_scan(args.corpus, 1, cache_dir, changed))
        finally:
            for p, old in saved:
                p.write_bytes(old)
        print(row("(d) incremental scan, 3 files changed", lines, t_d))
        print(row("(e) pre-commit run on those 3 files", lines, t_e))
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)

    t_f = cli_wall_clock(args.corpus)
    print(row("(f) agentable scan command, wall clock", lines, t_f))

    print()
    print(f"ratio b/a (jobs 1)           {t_b1 / t_a:6.2f}   (target <= 4)")
    print(f"scan speed, one core         {lines / t_b1:>9,.0f} lines/s   (target >= 30,000)")
    print(f"speed-up --jobs 2 vs 1       {t_b1 / t_b2:6.2f}x")
    print(f"speed-up warm (c) vs (b)     {t_b1 / t_c:6.2f}x")
    print(f"speed-up incremental (d)     {t_b1 / t_d:6.2f}x")
    print(f"speed-up pre-commit (e)      {t_b1 / t_e:6.2f}x")
    print(f"peak RSS: after (a) {rss_a:.0f} MB, after (b) {rss_b:.0f} MB, at the end {peak_rss_mb():.0f} MB; "
          f"--jobs workers peak {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")
    if args.profile:
        print("\n" + profile_scan(args.corpus))


if __name__ == "__main__":
    main()
