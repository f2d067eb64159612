"""Compare the CPU time of two (or more) agentable checkouts on one folder, runs interleaved.

    python benchmarks/compare_cpu.py FOLDER CHECKOUT [CHECKOUT ...] [--rounds 2]

Each run is a fresh `agentable scan FOLDER --jobs 1 --no-cache --no-llm` process with
PYTHONPATH=CHECKOUT; its CPU seconds (user + system, from the rusage of a helper process's
children) and its number of findings are printed. On a shared machine the wall clock follows the
load and the CPU time less so: rounds alternate the checkouts, so that a change of load hits each
about equally; read the per-round pairs and the minima. The folder is copied to a temporary
folder first and scanned there as a project of its own (inside a repository, `scan FOLDER` would
analyse the whole enclosing project), with --no-respect-gitignore.
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

_CHILD = ("import resource, subprocess, sys\n"
          "subprocess.run([sys.executable, '-m', 'agentable', 'scan', *sys.argv[1:]], check=True)\n"
          "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
          "print(u.ru_utime + u.ru_stime)\n")


def scan_cpu(folder: Path, checkout: Path) -> tuple[float, int]:
    """(CPU seconds, findings) of one scan of `folder` by the agentable of `checkout`."""
    with tempfile.TemporaryDirectory(prefix="agentable-cpu-") as tmp:
        report = Path(tmp) / "report.json"
        args = [str(folder), "--jobs", "1", "--no-cache", "--no-llm", "--format", "json", "-o", str(report),
                "-q", "--exit-zero", "--no-respect-gitignore"]
        env = dict(os.environ, PYTHONPATH=str(checkout), PYTHONHASHSEED="0")
        # cwd: `python -m` puts the working directory before PYTHONPATH on sys.path, so run from a
        # checkout every child would import that checkout's agentable
        res = subprocess.run([sys.executable, "-c", _CHILD, *args], env=env, capture_output=True, text=True, check=True,
                             cwd=tmp)
        findings = len(json.loads(report.read_text(encoding="utf-8"))["findings"])
    return float(res.stdout.strip().splitlines()[-1]), findings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("checkouts", type=Path, nargs="+")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    cpu: dict[Path, list[float]] = {c: [] for c in args.checkouts}
    with tempfile.TemporaryDirectory(prefix="agentable-cpu-project-") as tmp:
        folder = Path(tmp) / args.folder.resolve().name
        shutil.copytree(args.folder, folder, symlinks=True)
        for r in range(args.rounds):
            for c in (args.checkouts if r % 2 == 0 else list(reversed(args.checkouts))):
                seconds, findings = scan_cpu(folder, c)
                cpu[c].append(seconds)
                print(f"round {r}  {c}: {seconds:8.2f} s CPU  {findings} findings", flush=True)
    for c, runs in cpu.items():
        print(f"{c}: min {min(runs):.2f} s CPU  ({' '.join(f'{x:.2f}' for x in runs)})")


if __name__ == "__main__":
    main()
