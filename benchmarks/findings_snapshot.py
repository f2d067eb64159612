"""Snapshot the findings of `agentable scan --format json --no-cache` over fixed folders, to diff
two versions of agentable (a speed change must not change a single finding).

    PYTHONPATH=<checkout> python benchmarks/findings_snapshot.py OUT.txt [--copies 10] [--only NAME]

Scans, each as its own `agentable scan` (in this process, through the command line):
datasets/agenttest, datasets/holdout, datasets/holdout2, datasets/examples, every rule fixture
case, tests/rules/fixtures/<rule id>/<case>/ (all rules, --include-tests), and the copies corpus of
`gen_copies.py`. Each folder is copied out of the repository first and scanned as a project of its
own, as the suite scans fixtures (inside the repository, `scan <folder>` analyses the enclosing
project). Writes one line per finding: folder, rule id, path, line, col, message; sorted.
The folders are those of the checkout holding this script, whichever agentable PYTHONPATH picks.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from gen_copies import ensure_copies

ROOT = Path(__file__).resolve().parent.parent


def targets(copies: int) -> list[tuple[str, Path, list[str]]]:
    out = [(f"datasets/{name}", ROOT / "datasets" / name, []) for name in ("agenttest", "holdout", "holdout2", "examples")]
    fixtures = ROOT / "tests" / "rules" / "fixtures"
    for case in sorted(p for p in fixtures.glob("*/*") if p.is_dir() and not p.name.startswith(".")):  # <rule>/<case>
        out.append((case.relative_to(ROOT).as_posix(), case, ["--include-tests"]))
    if copies:
        out.append((f"copies-{copies}", ensure_copies(copies), ["--no-respect-gitignore"]))
    return out


def scan_findings(path: Path, extra: list[str]) -> list[str]:
    from agentable.cli import main

    with tempfile.TemporaryDirectory(prefix="agentable-snap-") as tmp:
        report = Path(tmp) / "report.json"
        # a copy outside this repository: scanning a folder inside it would analyse the whole
        # repository (the enclosing project), with agentable's own pyproject as the manifest
        isolated = Path(tmp) / "project" / path.name
        shutil.copytree(path, isolated, symlinks=True)
        args = ["scan", str(isolated), "--format", "json", "--no-cache", "--no-llm", "--jobs", "1",
                "-o", str(report), "-q", "--exit-zero", *extra]
        res = CliRunner().invoke(main, args, catch_exceptions=False)
        if res.exit_code != 0 or not report.exists():
            return [f"SCAN FAILED exit={res.exit_code} {res.output.strip()[:500]}"]
        data = json.loads(report.read_text(encoding="utf-8"))
    rows = [f"{f['rule']}\t{f['file']}\t{f['span']['line']}\t{f['span']['col']}\t{f['message']}"
            for f in data["findings"]]
    rows += [f"NOTE\t{n.get('kind', '')}\t{n.get('message', '')}" for n in data.get("notifications", [])
             if n.get("kind") in ("rule", "parse")]
    return sorted(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--copies", type=int, default=10, help="Copies of agenttest to scan too (0: none).")
    ap.add_argument("--only", default=None, help="Only the folders whose label contains this.")
    args = ap.parse_args()
    lines, total = [], 0
    for label, path, extra in targets(args.copies):
        if args.only and args.only not in label:
            continue
        rows = scan_findings(path, extra)
        total += len(rows)
        lines += [f"{label}\t{r}" for r in rows]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import agentable

    print(f"{total} findings in {args.out} (agentable from {Path(agentable.__file__).parent})")


if __name__ == "__main__":
    main()
