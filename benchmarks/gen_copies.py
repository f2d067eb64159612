"""Write N copies of datasets/agenttest into one folder: a monorepo of many small apps.

    python benchmarks/gen_copies.py [--copies 10] [--out benchmarks/.corpus-copies/copies-10]

Each copy is a folder `copy_NNN/` holding every case folder of datasets/agenttest unchanged, so
each small agent keeps its own manifest (requirements.txt, pyproject.toml, ...). The scan of
N copies should cost N times the scan of one copy; `bench_scale.py` measures how far it is.
The labels of the dataset (`labels.json`, `floors.json`) are not copied.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "datasets" / "agenttest"
DEFAULT_BASE = Path(__file__).resolve().parent / ".corpus-copies"


def default_out(copies: int) -> Path:
    return DEFAULT_BASE / f"copies-{copies}"


def generate_copies(copies: int, out: Path | None = None, source: Path = SOURCE) -> Path:
    """Write (replacing an old one) `copies` copies of the case folders of `source`; return the folder."""
    out = out or default_out(copies)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    cases = sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith((".", "__")))
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for i in range(copies):
        dest = out / f"copy_{i:03d}"
        for case in cases:
            shutil.copytree(case, dest / case.name, ignore=ignore)
    return out


def ensure_copies(copies: int, out: Path | None = None) -> Path:
    """The corpus of `copies` copies, written only when missing or incomplete."""
    out = out or default_out(copies)
    if not (out / f"copy_{copies - 1:03d}").is_dir() or (out / f"copy_{copies:03d}").exists():
        return generate_copies(copies, out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    out = generate_copies(args.copies, args.out)
    files = sum(1 for _ in out.rglob("*.py"))
    print(f"wrote {args.copies} copies of {SOURCE.name} ({files} Python files) to {out}")


if __name__ == "__main__":
    main()
