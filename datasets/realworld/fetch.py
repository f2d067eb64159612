#!/usr/bin/env python3
"""Bring the repositories of the real-world benchmark to their pinned commits.

Each case of labels.json (next to this file) gets its own folder, checkouts/<case id>/, holding its
repository at the case's commit; `agentable eval datasets/realworld` scans the case's sub-folder
(`path`) of it. Only what a scan of that sub-folder can need is brought: the sub-folder whole, and
the files (not folders) of each folder above it up to the repository root, which hold the
repository's manifests (a git "cone" sparse checkout). With --whole a case gets its whole
repository instead: a scan then also sees the sibling packages the sub-folder imports (a partial
checkout makes `from services.x import y` look like an undeclared dependency), as a user scanning
their own repository does; the eval still reports only inside the sub-folder.

    python datasets/realworld/fetch.py                       # all cases, from https://github.com/<repo>
    python datasets/realworld/fetch.py --batch tuning        # one batch
    python datasets/realworld/fetch.py --from DIR            # copy DIR/<owner>__<name>/ instead of git
    python datasets/realworld/fetch.py --batch blind2 --whole # whole repositories, not cones

Without --from it runs git (partial clone: `git fetch --depth 1 --filter=blob:none origin <commit>`,
falling back to fetching all branches when the server refuses a fetch by commit), with hooks and
fsmonitor off and no submodules. A case whose folder already holds its commit is left alone
(--force brings it again). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
# Written last into each case's folder; `agentable eval` takes a case as present only when this
# file names the case's commit (the name is repeated in agentable/eval.py).
MARKER = ".realworld-fetch.json"
GIT_SAFE = ["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "submodule.recurse=false",
            "-c", "advice.detachedHead=false", "-c", "init.defaultBranch=main"]


class FetchError(Exception):
    pass


def load_cases(labels: Path, batch: Optional[str], only: list[str]) -> dict[str, dict]:
    data = json.loads(labels.read_text(encoding="utf-8"))
    cases = data.get("cases", {})
    unknown = [c for c in only if c not in cases]
    if unknown:
        raise FetchError(f"unknown case(s): {', '.join(unknown)}")
    if batch is not None and not any(c.get("batch") == batch for c in cases.values()):
        known = sorted({str(c.get("batch")) for c in cases.values()})
        raise FetchError(f"no case is in batch {batch!r} (batches: {', '.join(known)})")
    return {cid: c for cid, c in cases.items()
            if (not only or cid in only) and (batch is None or c.get("batch") == batch)}


def is_present(folder: Path, case: dict, whole: bool = False) -> bool:
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (marker.get("commit") == case["commit"] and marker.get("path", "") == case.get("path", "")
            and marker.get("whole", False) == whole)


def _cone(path: str) -> tuple[list[str], str]:
    """(folders whose own files are kept, the folder kept whole) for a case's sub-folder."""
    parts = [p for p in path.strip("/").split("/") if p and p != "."]
    if any(p == ".." for p in parts):
        raise FetchError(f"path {path!r} leaves the repository")
    return ["/".join(parts[:i]) for i in range(len(parts))], "/".join(parts)


def copy_tree(source: Path, dest: Path, path: str, everything: bool = False) -> int:
    """Copy the cone of `path` (or with `everything` the whole tree) from an already-present tree;
    symlinks are copied as links, never followed; .git folders are not copied. Returns the number
    of files copied."""
    above, whole = _cone("" if everything else path)
    count = 0
    for rel in above:
        folder = source / rel
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if entry.is_symlink() or entry.is_file():
                count += _copy_entry(entry, dest / rel / entry.name)
    top = source / whole if whole else source
    if not top.is_dir() or top.is_symlink():
        raise FetchError(f"{top} is not a folder")
    for dirpath, dirnames, filenames in os.walk(top):  # does not descend into symlinked folders
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        rel_dir = Path(dirpath).relative_to(source)
        for d in dirnames:
            if os.path.islink(os.path.join(dirpath, d)):
                count += _copy_entry(Path(dirpath, d), dest / rel_dir / d)
        for name in sorted(filenames):
            count += _copy_entry(Path(dirpath, name), dest / rel_dir / name)
    return count


def _copy_entry(src: Path, dst: Path) -> int:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    else:
        shutil.copyfile(src, dst)
    return 1


def _git(args: list[str], cwd: Optional[Path] = None) -> str:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1")
    proc = subprocess.run(["git", *GIT_SAFE, *args], cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise FetchError(f"git {' '.join(args)}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout.strip()


def git_fetch(url: str, commit: str, dest: Path, path: str, everything: bool = False) -> None:
    _, whole = _cone("" if everything else path)
    _git(["init", "-q", str(dest)])
    _git(["remote", "add", "origin", url], cwd=dest)
    common = ["fetch", "-q", "--filter=blob:none", "--no-tags", "--no-recurse-submodules", "origin"]
    try:
        _git([*common[:2], "--depth", "1", *common[2:], commit], cwd=dest)
    except FetchError:  # a server that does not serve a commit by id: fetch the branches instead
        _git(common, cwd=dest)
    if whole:
        _git(["sparse-checkout", "set", "--cone", "--", whole], cwd=dest)
    _git(["checkout", "-q", "--detach", commit], cwd=dest)
    head = _git(["rev-parse", "HEAD"], cwd=dest)
    if head != commit:
        raise FetchError(f"checked out {head}, expected {commit}")


def fetch_case(cid: str, case: dict, checkouts: Path, source_dir: Optional[Path], remote_base: str,
               whole: bool = False) -> str:
    dest = checkouts / cid
    tmp = checkouts / f".{cid}.partial"
    if tmp.exists():
        shutil.rmtree(tmp)
    path = case.get("path", "")
    _cone(path)  # a path that leaves the repository fails even when the whole tree is brought
    try:
        if source_dir is not None:
            source = source_dir / case["repo"].replace("/", "__")
            if not source.is_dir():
                raise FetchError(f"no tree at {source}")
            tmp.mkdir(parents=True)
            copy_tree(source, tmp, path, whole)
            how = f"copied from {source}"
        else:
            tmp.parent.mkdir(parents=True, exist_ok=True)
            url = f"{remote_base.rstrip('/')}/{case['repo']}"
            git_fetch(url, case["commit"], tmp, path, whole)
            how = f"git {url}"
        scanned = tmp / path if path else tmp
        if not scanned.is_dir():
            raise FetchError(f"the repository has no folder {path!r}")
        marker = {"repo": case["repo"], "commit": case["commit"], "path": path, "source": how}
        if whole:
            marker["whole"] = True
        (tmp / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        if dest.exists() or dest.is_symlink():
            if dest.is_symlink() or not dest.is_dir():
                dest.unlink()
            else:
                shutil.rmtree(dest)
        tmp.rename(dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return how


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--from", dest="source_dir", type=Path, default=None,
                    help="copy already-present trees from DIR/<owner>__<name>/ instead of running git")
    ap.add_argument("--batch", default=None, help="only this batch's cases (tuning, blind, blind2, ...)")
    ap.add_argument("--whole", action="store_true",
                    help="bring each case's whole repository, not only its sub-folder and the files above it")
    ap.add_argument("--case", action="append", default=[], help="only this case (repeatable)")
    ap.add_argument("--force", action="store_true", help="bring cases again even when present")
    ap.add_argument("--labels", type=Path, default=HERE / "labels.json", help=argparse.SUPPRESS)
    ap.add_argument("--checkouts", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--remote-base", default="https://github.com", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    checkouts = args.checkouts or args.labels.resolve().parent / "checkouts"
    try:
        cases = load_cases(args.labels, args.batch, args.case)
    except (OSError, ValueError, FetchError) as exc:
        print(f"fetch.py: {exc}", file=sys.stderr)
        return 2
    if args.source_dir is None and shutil.which("git") is None:
        print("fetch.py: git is not installed (or use --from DIR)", file=sys.stderr)
        return 2
    failed = 0
    for cid, case in cases.items():
        dest = checkouts / cid
        if not args.force and is_present(dest, case, args.whole):
            print(f"{cid}: present")
            continue
        try:
            how = fetch_case(cid, case, checkouts, args.source_dir, args.remote_base, args.whole)
        except (OSError, FetchError) as exc:
            failed += 1
            print(f"{cid}: FAILED: {exc}", file=sys.stderr)
            continue
        print(f"{cid}: {case['commit'][:12]} {how}")
    print(f"{len(cases) - failed} of {len(cases)} cases in {checkouts}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
