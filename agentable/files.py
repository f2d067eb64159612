"""Which files a scan reads: Python sources and dependency manifests, honouring .gitignore.

The tree is walked in Python with the ignore rules git would apply: every .gitignore from the
repository's top down, and `.git/info/exclude`. git itself is never run: the scanned tree is
untrusted, and its own `.git/config` could make git run any command (core.fsmonitor), see
docs/security.md. (A file that is tracked although an ignore rule matches it is skipped.) Sources
that cannot be analysed (binary, too large, undecodable) are dropped here with a notification;
`read_source` repeats the checks so that worker processes can read files on their own.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

import pathspec

from agentable.findings import Notification
# what a path is and how a discovered file is read live in agentable.paths (the code graph uses them too);
# re-exported here for the users of agentable.files
from agentable.paths import ARTIFACT_MAX_BYTES, is_manifest, is_test_path, read_artifact  # noqa: F401
from agentable.paths import MODAL_IMAGE_HINTS, Signature, is_env_example, stat_signature
from agentable.paths import inside_root as _inside, load_utf8 as _load

if TYPE_CHECKING:
    from agentable.file_facts import FileFacts

MAX_SOURCE_BYTES = 2_000_000

SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "site-packages", "node_modules", "__pycache__", "build", "dist",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".agentable_cache", ".eggs",
})
# PEP 723 inline script metadata: a Python file with a `# /// script` block is its own manifest;
# so may be a file that builds the Modal image its code runs in (read by cpg.manifests.modal_images).
_SCRIPT_BLOCK_RE = re.compile(rb"(?m)^# /// script[ \t]*\r?$")


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
    # Non-Python files an agent may load (prompts, tool specs, model settings): rel paths, not read
    # here; agentable.cpg.artifacts reads the ones it needs through `read_artifact`.
    artifacts: list[str] = field(default_factory=list)
    # The stat signature (paths.stat_signature) of every file classified, by absolute path.
    signatures: dict[str, Signature] = field(default_factory=dict)


def module_name(rel_path: str, package: str = "") -> str:
    """"pkg/sub/mod.py" -> "pkg.sub.mod", "src/pkg/__init__.py" -> "pkg"; under `package` (the
    dotted name of a scanned root that is itself a package) "mod.py" -> "package.mod"."""
    parts = rel_path.removesuffix(".py").split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if not package and len(parts) > 1 and parts[0] in ("src", "lib"):
        parts = parts[1:]
    name = ".".join(p for p in parts if p)
    if package:
        return f"{package}.{name}" if name else package
    return name or "__init__"


def root_package(root: Path) -> str:
    """The dotted package a scanned folder is when it (and maybe its parents) hold `__init__.py`:
    scanning `examples/` of a project, `from examples.util import x` names a module inside it."""
    names: list[str] = []
    cur = root
    while (cur / "__init__.py").is_file() and cur.name.isidentifier() and cur.parent != cur:
        names.append(cur.name)
        cur = cur.parent
    return ".".join(reversed(names))


# Prompts, tool specs and model settings kept outside .py files (issue #13).
ARTIFACT_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".toml", ".j2", ".jinja", ".jinja2", ".prompty", ".txt",
                               ".md", ".tmpl", ".ini", ".cfg"})


def is_artifact(rel_path: str) -> bool:
    """A file that may hold a prompt, a tool spec or model settings (never a manifest)."""
    name = rel_path.rpartition("/")[2]
    if is_env_example(name):
        return True
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in ARTIFACT_SUFFIXES and not is_manifest(rel_path)


def _is_skipped_dir(path: str, name: str) -> bool:
    return name in SKIP_DIRS or name.endswith(".egg-info") or os.path.exists(os.path.join(path, "pyvenv.cfg"))


def discover(paths: Iterable[Path], *, root: Path, exclude: Iterable[str] = (), respect_gitignore: bool = True,
             max_bytes: int = MAX_SOURCE_BYTES, force_exclude: bool = False, facts: Optional[FileFacts] = None
             ) -> Discovery:
    """The sources and manifests under `paths`, relative to `root`.

    Files named in `paths` are kept even when ignored or excluded (like ruff), unless
    `force_exclude` applies the exclusions to them too. With `facts` (built for `max_bytes`), a
    source unchanged since a scan read it is not read again.
    """
    disc = Discovery()
    root = root.resolve()
    patterns = [p for p in exclude if p.strip()]
    user_spec = pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None
    found: dict[str, bool] = {}  # rel path -> named explicitly
    for p in paths:
        p = Path(p)
        if not os.path.lexists(p):
            disc.notifications.append(Notification(f"{p}: no such file or directory", str(p), "error", "config"))
            continue
        rp = p.resolve()
        if rp.is_file() or not rp.is_dir():
            found[_rel(rp, root)] = True
            continue
        listed = _Walker(root, respect_gitignore, user_spec, disc.notifications).walk(rp)
        for rel in listed:
            found.setdefault(rel, False)
    package = root_package(root)
    for rel in sorted(found):
        _classify(disc, root, rel, found[rel], user_spec, force_exclude, max_bytes, package, facts)
    return disc


def _classify(disc: Discovery, root: Path, rel: str, explicit: bool, user_spec: Optional[pathspec.PathSpec],
              force_exclude: bool, max_bytes: int, package: str = "", facts: Optional[FileFacts] = None) -> None:
    source, manifest = rel.endswith(".py"), is_manifest(rel)
    artifact = not (source or manifest) and is_artifact(rel)
    if not (source or manifest or artifact):
        return
    if not explicit or force_exclude:
        if user_spec is not None and user_spec.match_file(rel):
            return
        if force_exclude and any(part in SKIP_DIRS or part.endswith(".egg-info") for part in rel.split("/")[:-1]):
            return
    abs_path = root / rel
    try:
        st = os.lstat(abs_path)
        if stat.S_ISLNK(st.st_mode):
            if not _inside(abs_path, root):
                disc.notifications.append(Notification("symlink points outside the scanned root; skipped", rel,
                                                       "note", "read"))
                return
            st = os.stat(abs_path)
    except OSError:
        return  # deleted but still tracked, a broken link
    if not stat.S_ISREG(st.st_mode):
        return  # a submodule, a fifo
    sig = disc.signatures[str(abs_path)] = stat_signature(st)
    if artifact:
        if st.st_size <= ARTIFACT_MAX_BYTES:  # larger ones are data, not prompts or settings
            disc.artifacts.append(rel)
        return
    if manifest:
        disc.manifests.append(abs_path)
    if source:
        sf = SourceFile(abs_path, rel, module_name(rel, package))
        known = facts.verdict(str(abs_path), sig) if facts is not None else None
        if known is not None:
            reason, own = known
        else:
            data, reason = _load(abs_path, max_bytes)
            own = not manifest and data is not None and _declares_own_dependencies(data)
            if facts is not None:
                facts.record_verdict(str(abs_path), sig, reason, own)
        if reason:
            disc.notifications.append(Notification(reason, rel, "warning", "read"))
        else:
            disc.sources.append(sf)
            if own:
                disc.manifests.append(abs_path)


def _declares_own_dependencies(data: bytes) -> bool:
    """A PEP 723 block, or perhaps the Modal image the file's code runs in (cheap byte checks)."""
    if b"# /// script" in data and _SCRIPT_BLOCK_RE.search(data):
        return True
    return all(h in data for h in MODAL_IMAGE_HINTS)


# ----------------------------------------------------------------------------- listing


class _Walker:
    """Walk a tree outside git: nested .gitignore files, skipped folders, symlink loops."""

    def __init__(self, root: Path, respect_gitignore: bool, user_spec: Optional[pathspec.PathSpec],
                 notes: list[Notification]) -> None:
        self.root = root
        self.respect_gitignore = respect_gitignore
        self.user_spec = user_spec
        self.notes = notes
        # (root-relative folder, the root's path seen from a rules file above it, the rules)
        self.specs: list[tuple[str, str, pathspec.PathSpec]] = []
        self.visited: set[tuple[int, int]] = set()
        self.out: list[str] = []

    def walk(self, top: Path) -> list[str]:
        if self.respect_gitignore:
            self._load_outer_rules()
            # .gitignore files between the root and `top` apply too
            rel_top = _rel(top, self.root)
            parts = rel_top.split("/") if rel_top and not rel_top.startswith("/") else []
            for i in range(len(parts)):
                self._load_gitignore(self.root.joinpath(*parts[:i]), "/".join(parts[:i]))
            if self._named_but_ignored(parts):
                # Like a file named on the command line, a folder named there is scanned (ruff
                # does the same); only the .gitignore files inside it still apply.
                self.specs.clear()
                self.notes.append(Notification("this folder is ignored by .gitignore; scanned because it was named",
                                               rel_top, "note", "read"))
        self._visit(str(top), _rel(top, self.root), ())
        return self.out

    def _named_but_ignored(self, parts: list[str]) -> bool:
        return any(self._ignored("/".join(parts[:i]), True) for i in range(1, len(parts) + 1))

    def _load_outer_rules(self) -> None:
        """The rules that apply from above the root: the .gitignore files of the folders from the
        repository's top down to the root's parent, and the repository's .git/info/exclude."""
        chain = [self.root, *self.root.parents]
        top = next((folder for folder in chain if os.path.exists(os.path.join(folder, ".git"))), None)
        if top is None:
            return  # not inside a repository: nothing above the root applies
        for folder in reversed(chain[1:chain.index(top) + 1]):
            self._load_gitignore(folder, "", self.root.relative_to(folder).as_posix() + "/")
        lead = "" if top == self.root else self.root.relative_to(top).as_posix() + "/"
        self._load_rules(top / ".git" / "info" / "exclude", "", lead)

    def _load_gitignore(self, folder: Path, rel_dir: str, lead: str = "") -> None:
        self._load_rules(folder / ".gitignore", rel_dir, lead)

    def _load_rules(self, path: Path, rel_dir: str, lead: str) -> None:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        self.specs.append((rel_dir, lead, pathspec.GitIgnoreSpec.from_lines(lines)))

    def _visit(self, path: str, rel_dir: str, ancestors: tuple[tuple[int, int], ...]) -> None:
        try:
            st = os.stat(path)
        except OSError:
            return
        key = (st.st_dev, st.st_ino)
        if key in ancestors:
            self.notes.append(Notification("symlink loop: folder links back to a parent; skipped", rel_dir, "note", "read"))
            return
        if key in self.visited:
            self.notes.append(Notification("folder already scanned through another symlink; skipped", rel_dir,
                                           "note", "read"))
            return
        self.visited.add(key)
        depth = len(self.specs)
        if self.respect_gitignore and os.path.isfile(os.path.join(path, ".gitignore")):
            self._load_gitignore(Path(path), rel_dir)
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            self.notes.append(Notification(f"folder unreadable: {exc.strerror or exc}", rel_dir, "warning", "read"))
            entries = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                continue
            if not is_dir:
                if not self._ignored(rel, False):
                    self.out.append(rel)
                continue
            if _is_skipped_dir(entry.path, entry.name) or self._ignored(rel, True):
                continue
            if entry.is_symlink() and not _inside(Path(entry.path), self.root):
                self.notes.append(Notification("symlink points outside the scanned root; skipped", rel, "note", "read"))
                continue
            self._visit(entry.path, rel, (*ancestors, key))
        del self.specs[depth:]  # a folder's .gitignore applies below it only

    def _ignored(self, rel: str, is_dir: bool) -> bool:
        if self.user_spec is not None and self.user_spec.match_file(rel + "/" if is_dir else rel):
            return True
        # The deepest .gitignore with a matching rule decides (a nested `!pattern` re-includes).
        for base, lead, spec in reversed(self.specs):
            if base and not rel.startswith(base + "/"):
                continue
            sub = lead + (rel[len(base) + 1:] if base else rel)
            result = spec.check_file(sub + "/" if is_dir else sub)
            if result.include is not None:
                return bool(result.include)
        return False


def _rel(p: Path, root: Path) -> str:
    try:
        r = p.relative_to(root).as_posix()
    except ValueError:
        r = p.as_posix()  # outside the root: keep the absolute path
    return "" if r == "." else r


# ----------------------------------------------------------------------------- reading


def read_source(sf: SourceFile, max_bytes: int = 2_000_000) -> Optional[bytes]:
    """The file's text as UTF-8 bytes, or None (binary, too large, unreadable, undecodable)."""
    return _load(sf.abs_path, max_bytes)[0]


def skip_reason(sf: SourceFile, max_bytes: int = 2_000_000) -> str:
    """Why read_source returned None, for the notification."""
    return _load(sf.abs_path, max_bytes)[1] or "skipped"
