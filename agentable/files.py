"""Which files a scan reads: Python sources and dependency manifests, honouring .gitignore."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import pathspec

from agentable.findings import Notification

SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "site-packages", "node_modules", "__pycache__", "build", "dist",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".agentable_cache", ".eggs",
})
_MANIFEST_RE = re.compile(r"(^|/)(requirements[^/]*\.(txt|in)|requirements/[^/]+\.(txt|in)|constraints[^/]*\.txt|"
                          r"pyproject\.toml|setup\.cfg|setup\.py|Pipfile|environment\.ya?ml)$")
_CODING_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


@dataclass
class SourceFile:
    abs_path: Path
    rel_path: str  # relative to the root, forward slashes
    module: str  # dotted module name guessed from the path


@dataclass
class Discovery:
    sources: list[SourceFile] = field(default_factory=list)
    manifests: list[Path] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)


def module_name(rel_path: str) -> str:
    parts = rel_path.removesuffix(".py").split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if len(parts) > 1 and parts[0] in ("src", "lib"):
        parts = parts[1:]
    return ".".join(p for p in parts if p) or "__init__"


def _is_skipped_dir(path: Path, name: str) -> bool:
    return name in SKIP_DIRS or name.endswith(".egg-info") or (path / "pyvenv.cfg").exists()


def _git_files(root: Path) -> Optional[list[str]]:
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True, timeout=10)
        if top.returncode != 0:
            return None
        out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return [p for p in out.stdout.decode("utf-8", "replace").split("\0") if p]


def _walk(root: Path, respect_gitignore: bool, notes: list[Notification]) -> list[str]:
    """Walk the tree (outside git), applying nested .gitignore files."""
    out: list[str] = []
    seen_dirs: set[tuple[int, int]] = set()
    specs: list[tuple[str, pathspec.PathSpec]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        d = Path(dirpath)
        try:
            st = d.stat()
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen_dirs:
            notes.append(Notification("directory loop skipped", _rel(d, root), "warning", "read"))
            dirnames[:] = []
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        rel_dir = _rel(d, root)
        if respect_gitignore and (d / ".gitignore").is_file():
            try:
                lines = (d / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
                specs.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))
            except OSError:
                pass
        keep = []
        for name in sorted(dirnames):
            sub = d / name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if _is_skipped_dir(sub, name) or _ignored(specs, rel + "/"):
                continue
            if sub.is_symlink() and not _inside(sub, root):
                notes.append(Notification("symlink points outside the scanned root; skipped", rel, "note", "read"))
                continue
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not _ignored(specs, rel):
                out.append(rel)
    return out


def _ignored(specs: list[tuple[str, pathspec.PathSpec]], rel: str) -> bool:
    for base, spec in specs:
        if base and not rel.startswith(base + "/"):
            continue
        sub = rel[len(base) + 1:] if base else rel
        if spec.match_file(sub):
            return True
    return False


def _rel(p: Path, root: Path) -> str:
    try:
        r = p.relative_to(root).as_posix()
    except ValueError:
        r = p.as_posix()
    return "" if r == "." else r


def _inside(p: Path, root: Path) -> bool:
    try:
        p.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def discover(paths: Iterable[Path], *, root: Path, exclude: Iterable[str] = (), respect_gitignore: bool = True,
             max_bytes: int = 2_000_000, force_exclude: bool = False) -> Discovery:
    disc = Discovery()
    root = root.resolve()
    user_spec = pathspec.GitIgnoreSpec.from_lines(list(exclude)) if exclude else None
    candidates: list[str] = []
    explicit: set[str] = set()
    for p in paths:
        p = Path(p)
        if not p.exists():
            disc.notifications.append(Notification("no such file or directory", str(p), "error", "config"))
            continue
        rp = p.resolve()
        if rp.is_file():
            rel = _rel(rp, root)
            explicit.add(rel)
            candidates.append(rel)
            continue
        base = _rel(rp, root)
        listed = _git_files(rp) if respect_gitignore else None
        if listed is not None:
            listed = [f for f in listed if not any(_is_skipped_dir(rp, part) for part in f.split("/")[:-1])]
            candidates.extend(f"{base}/{f}" if base else f for f in listed)
        else:
            candidates.extend(f"{base}/{f}" if base else f for f in _walk(rp, respect_gitignore, disc.notifications))
    for rel in sorted(set(candidates)):
        if user_spec is not None and user_spec.match_file(rel) and (rel not in explicit or force_exclude):
            continue
        parts = rel.split("/")
        if rel not in explicit and any(part in SKIP_DIRS or part.endswith(".egg-info") for part in parts[:-1]):
            continue
        abs_path = root / rel
        if abs_path.is_symlink() and not _inside(abs_path, root):
            disc.notifications.append(Notification("symlink points outside the scanned root; skipped", rel, "note", "read"))
            continue
        if _MANIFEST_RE.search(rel):
            disc.manifests.append(abs_path)
        if rel.endswith(".py") and abs_path.is_file():
            disc.sources.append(SourceFile(abs_path, rel, module_name(rel)))
    return disc


def read_source(sf: SourceFile, max_bytes: int = 2_000_000) -> Optional[bytes]:
    """The file's bytes as UTF-8, or None (binary, too large, unreadable, undecodable)."""
    try:
        size = sf.abs_path.stat().st_size
        if size > max_bytes:
            return None
        data = sf.abs_path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    for line in data.splitlines()[:2]:
        m = _CODING_RE.match(line)
        if m:
            try:
                return data.decode(m.group(1).decode("ascii")).encode("utf-8")
            except (LookupError, UnicodeDecodeError):
                return None
    return None


def skip_reason(sf: SourceFile, max_bytes: int = 2_000_000) -> str:
    """Why read_source returned None, for the notification."""
    try:
        size = sf.abs_path.stat().st_size
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if size > max_bytes:
        return f"skipped: {size // 1024} KB is larger than the {max_bytes // 1024} KB limit"
    try:
        head = sf.abs_path.read_bytes()[:8192]
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if b"\0" in head:
        return "skipped: binary file"
    return "skipped: not valid UTF-8 and no coding declaration"
