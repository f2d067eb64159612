"""What reading the agent's non-Python files costs (issue #13): the same scan with and without the
artifact layer (discovery of prompt, tool-spec and settings files, their parsing and the links to
the code that loads them), interleaved in one process.

    python benchmarks/bench_artifacts.py [--repeat 3] [--repo PATH ...]

Targets: the generated corpus (benchmarks/.corpus; Python only), and for each --repo a copy that
keeps only its Python files and dependency manifests ("code only") and the repository as it is.
"Without the layer" is the same scan with discovery listing no artifact (`files.is_artifact`
answers False), which is what a scan did before the layer existed. On a project without such
files the layer must cost nothing measurable, and the findings must be identical; the repository
as it is shows the layer's cost where it has work to do. CPU seconds (`time.process_time`), best
of --repeat, both modes alternating, since this machine's speed drifts.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).parent))

from bench_scan import run_scan as bench_run_scan
from gen_corpus import DEFAULT_OUT, generate

from agentable import files
from agentable.paths import is_manifest
from agentable.scan_result import ScanResult


def run_scan(root: Path) -> ScanResult:
    return bench_run_scan(root, 1, None)  # one process, no cache, the offline checker




def without_layer(fn: Callable[[], ScanResult]) -> ScanResult:
    real = files.is_artifact
    files.is_artifact = lambda rel_path: False  # type: ignore[assignment]
    try:
        return fn()
    finally:
        files.is_artifact = real  # type: ignore[assignment]


def findings(result: ScanResult) -> list[tuple[str, str, int, str]]:
    return sorted((f.rule_id, f.span.path, f.span.line, f.message) for f in result.findings)


def code_only(repo: Path, dest: Path) -> Path:
    """A copy of `repo` with only its Python files and dependency manifests."""
    for p in repo.rglob("*"):
        rel = p.relative_to(repo).as_posix()
        if p.is_file() and not p.is_symlink() and ".git/" not in rel + "/" and (
                p.suffix == ".py" or is_manifest(rel)):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, dest / rel)
    return dest


def measure(label: str, root: Path, repeat: int, same_findings: bool) -> None:
    n_art = len(files.discover([root], root=root, respect_gitignore=False).artifacts)
    with_t, without_t = float("inf"), float("inf")
    a = b = None
    for _ in range(repeat):
        t0 = time.process_time()
        a = run_scan(root)
        with_t = min(with_t, time.process_time() - t0)
        t0 = time.process_time()
        b = without_layer(lambda: run_scan(root))
        without_t = min(without_t, time.process_time() - t0)
    assert a is not None and b is not None
    same = findings(a) == findings(b)
    print(f"{label:<44} {n_art:>6} {without_t:9.2f} s {with_t:9.2f} s {with_t / without_t:7.3f}x  "
          f"{len(a.findings):>4} / {len(b.findings):<4} {'identical' if same else 'DIFFERENT'}")
    if same_findings and not same:
        print("  findings differ on a project without such files: the layer changed the code's findings")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--repo", type=Path, action="append", default=[], help="A real repository (repeatable).")
    args = ap.parse_args()
    if not args.corpus.exists():
        generate(args.corpus)
    run_scan(Path(__file__).parent.parent / "datasets/examples")  # one-time imports and catalog loads
    print(f"{'target':<44} {'files':>6} {'without':>11} {'with':>11} {'ratio':>8}  findings (with / without)")
    measure("generated corpus (Python only)", args.corpus, args.repeat, True)
    for repo in args.repo:
        with tempfile.TemporaryDirectory(prefix="agentable-bench-art-") as tmp:
            measure(f"{repo.name} (code only)", code_only(repo, Path(tmp)), args.repeat, True)
        measure(f"{repo.name} (as it is)", repo, args.repeat, False)


if __name__ == "__main__":
    main()
