"""Peak memory of a cold scan at two sizes, for one or more agentable checkouts, as ratios against
the first (the base).

    python benchmarks/compare_memory.py CHECKOUT [CHECKOUT ...] [--small 10] [--large 40] [--rounds 1] [--jobs 1]

Each run is a fresh `agentable scan CORPUS --jobs 1 --no-cache --no-llm` process (PYTHONPATH=
CHECKOUT) started by a helper process, whose children's rusage gives the scan's peak resident
memory (ru_maxrss) and CPU seconds; the corpora are `--small` and `--large` copies of
datasets/agenttest (gen_copies.py: a monorepo of small apps, each with its own manifest), copied
out of this repository and scanned there. Runs alternate between the checkouts (the order flips
every round). Prints, per size and checkout, the lowest peak over the rounds, MB and KB per line
(lines as the scan counts them), the growth large / small of the scan's peak, and each
checkout's peak as a ratio of the first checkout's, also above the peak of a scan of an empty
folder (start-up: imports and the catalog). The issue's target is <= 0.6 KB per line. With
`--jobs N` the scans run N rule workers, and the peak is that of the largest process (the parent or
one forked worker, whose pages shared with the parent count in full).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from gen_copies import ensure_copies

_CHILD = ("import resource, subprocess, sys\n"
          "subprocess.run([sys.executable, '-m', 'agentable', 'scan', *sys.argv[1:]], check=True)\n"
          "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
          "print(u.ru_maxrss, u.ru_utime + u.ru_stime)\n")


def cold_scan(folder: Path, checkout: Path, jobs: int = 1) -> tuple[float, float, int]:
    """(peak MB, CPU seconds, lines scanned) of one cold scan of `folder` by `checkout`."""
    with tempfile.TemporaryDirectory(prefix="agentable-mem-") as tmp:
        report = Path(tmp) / "report.json"
        args = [str(folder), "--jobs", str(jobs), "--no-cache", "--no-llm", "--format", "json", "-o", str(report),
                "-q", "--exit-zero", "--no-respect-gitignore"]
        env = dict(os.environ, PYTHONPATH=str(checkout), PYTHONHASHSEED="0")
        res = subprocess.run([sys.executable, "-c", _CHILD, *args], env=env, capture_output=True, text=True,
                             check=True, cwd=tmp)  # cwd: see compare_cpu.py
        lines = json.loads(report.read_text(encoding="utf-8"))["summary"]["lines"]
    kib, cpu = res.stdout.strip().splitlines()[-1].split()
    mb = int(kib) / 1024 if sys.platform != "darwin" else int(kib) / (1024 * 1024)
    return mb, float(cpu), int(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkouts", type=Path, nargs="+")
    ap.add_argument("--small", type=int, default=10, help="Copies of agenttest in the small corpus.")
    ap.add_argument("--large", type=int, default=40, help="Copies of agenttest in the large corpus.")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1, help="Rule workers of each scan (--jobs).")
    args = ap.parse_args()
    sizes = (args.small, args.large)
    peak: dict[tuple[int, Path], float] = {}
    lines: dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="agentable-mem-project-") as tmp:
        empty = Path(tmp) / "empty"
        empty.mkdir()
        for c in args.checkouts:  # what the process holds before it reads any code (imports, catalog)
            peak[0, c] = cold_scan(empty, c, args.jobs)[0]
        for copies in sizes:
            folder = Path(tmp) / f"copies-{copies}"
            shutil.copytree(ensure_copies(copies), folder, symlinks=True)
            for r in range(args.rounds):
                for c in (args.checkouts if r % 2 == 0 else list(reversed(args.checkouts))):
                    mb, cpu, lines[copies] = cold_scan(folder, c, args.jobs)
                    peak[copies, c] = min(mb, peak.get((copies, c), mb))
                    print(f"{copies} copies, round {r}  {c}: peak {mb:7.0f} MB  CPU {cpu:6.2f} s", flush=True)
            shutil.rmtree(folder, ignore_errors=True)
    base = args.checkouts[0]
    print()
    for copies in sizes:
        for c in args.checkouts:
            mb, own = peak[copies, c], peak[copies, c] - peak[0, c]
            print(f"{copies:3d} copies ({lines[copies]:,} lines)  {c}: {mb:7.0f} MB = "
                  f"{mb * 1024 / lines[copies]:.2f} KB/line = {mb / peak[copies, base]:.3f}x base; "
                  f"above an empty scan's {peak[0, c]:.0f} MB: {own * 1024 / lines[copies]:.2f} KB/line = "
                  f"{own / (peak[copies, base] - peak[0, base]):.3f}x base")
    for c in args.checkouts:
        print(f"growth {args.large}/{args.small} copies  {c}: {peak[args.large, c] / peak[args.small, c]:.2f}x "
              f"(lines {lines[args.large] / lines[args.small]:.2f}x)")


if __name__ == "__main__":
    main()
