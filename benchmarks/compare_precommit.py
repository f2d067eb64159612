"""Compare the CPU time of the pre-commit run of two (or more) agentable checkouts, runs interleaved.

    python benchmarks/compare_precommit.py FOLDER CHECKOUT [CHECKOUT ...] [--rounds 3] [--files 3]

What the hook runs, `agentable scan --no-llm F1 F2 F3` in a fresh process, on a copy of FOLDER
made a repository (a `.git` folder), one copy and one cache folder per checkout, each cache filled
by a whole scan of that checkout first. Every round edits the same `--files` modules of every copy
anew (a new function appended, different each round), so each measured run is the first run after
an edit, and then runs each checkout's hook (order alternating between rounds). Prints the CPU
seconds (user + system of the child) per run, each checkout's minimum and the ratios of the
minima against the first checkout. Bytecode goes to a temporary folder, written by the filling
scan: an installed agentable imports compiled modules.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = ("import resource, subprocess, sys\n"
          "subprocess.run([sys.executable, '-m', 'agentable', 'scan', *sys.argv[1:]], check=True,\n"
          "               stdout=subprocess.DEVNULL)\n"
          "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
          "print(u.ru_utime + u.ru_stime)\n")


def hook_cpu(copy: Path, checkout: Path, work: Path, args: list[str]) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPYCACHEPREFIX=str(work / "pyc"), PYTHONPATH=str(checkout), PYTHONHASHSEED="0")
    res = subprocess.run([sys.executable, "-c", _CHILD, *args, "--cache-dir", str(work / "cache"), "--no-llm",
                          "--exit-zero", "-q"], env=env, cwd=copy, check=True, capture_output=True, text=True)
    return float(res.stdout.strip().splitlines()[-1])


def edit(files: list[Path], round_no: int) -> None:
    for i, p in enumerate(files):
        p.write_bytes(p.read_bytes() + f"\n\ndef edited_{round_no}_{i}(x: int) -> int:\n    return x * {i + 2}\n".encode())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("checkouts", type=Path, nargs="+")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--files", type=int, default=3, help="Modules edited and named per run.")
    args = ap.parse_args()
    folder = args.folder.resolve()
    modules = [p.relative_to(folder) for p in sorted(folder.rglob("*.py")) if p.name != "__init__.py"]
    named = modules[:: max(1, len(modules) // args.files)][: args.files]
    rel = [p.as_posix() for p in named]
    cpu: dict[Path, list[float]] = {c: [] for c in args.checkouts}
    with tempfile.TemporaryDirectory(prefix="agentable-precommit-") as tmp:
        works = {c: Path(tmp) / str(i) for i, c in enumerate(args.checkouts)}
        for c, work in works.items():
            copy = work / folder.name
            shutil.copytree(folder, copy, symlinks=True)
            (copy / ".git").mkdir()
            hook_cpu(copy, c, work, [".", "--jobs", "1"])  # fills the cache, as the last whole scan did
            print(f"{c}: cache filled", flush=True)
        for r in range(args.rounds):
            for c in (args.checkouts if r % 2 == 0 else list(reversed(args.checkouts))):
                copy = works[c] / folder.name
                edit([copy / p for p in named], r)
                seconds = hook_cpu(copy, c, works[c], rel)
                cpu[c].append(seconds)
                print(f"round {r}  {c}: {seconds:6.2f} s CPU", flush=True)
    base = min(cpu[args.checkouts[0]])
    for c, runs in cpu.items():
        print(f"{c}: min {min(runs):.2f} s CPU = {min(runs) / base:.2f}x ({' '.join(f'{x:.2f}' for x in runs)})")


if __name__ == "__main__":
    main()
