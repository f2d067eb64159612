"""Dependency manifests: requirements files, pyproject (PEP 621, PEP 735, Poetry, PDM, uv, Hatch,
and the dependencies build hooks fill in for `dynamic`), setup.cfg, setup.py (read statically,
never executed), Pipfile, environment.yml and PEP 723 inline script metadata, with the line and
column of every declaration; and lock files (uv, Poetry, PDM, Pipfile.lock, PEP 751), for the
names of the distributions they pin, which are not declarations. Broken input becomes a
notification; nothing here raises.

What the rules consult on a ManifestSet: `requirements`, `manifests` and `includes` (folder
scopes, through `for_path`), `unknown_dependencies` (manifests whose runtime dependencies are
computed at build time), `script_manifests` / `script_scope` (files that declare their own
dependencies) and `locked` / `locked_for` (what a fresh install from the lock gets)."""

from __future__ import annotations

import ast
import configparser
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Optional

from packaging.requirements import InvalidRequirement, Requirement as PkgRequirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from agentable.findings import Notification

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_MAX_BYTES = 2_000_000
# Folders that hold a project's requirement files but are not the project itself.
_REQUIREMENT_DIRS = frozenset({"requirements", "reqs"})


@dataclass(frozen=True)
class Requirement:
    dist: str  # PEP 503-normalised name
    raw_name: str  # as written
    specifier: str  # PEP 440 specifier, "" when unpinned
    extras: tuple[str, ...]
    marker: str
    path: str  # manifest path relative to the root, forward slashes
    line: int  # 1-based
    col: int  # 1-based column where the name starts
    end_col: int  # exclusive end of the requirement text on that line
    group: str  # main | optional:<name> | dev | group:<name> | constraint


_PROJECT_MANIFESTS = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})


def normalize_dist(name: str) -> str:
    return str(canonicalize_name(name))


def governing_dir(manifest: str) -> str:
    """The project folder a manifest belongs to: its folder, or the parent of a requirements/ folder."""
    parent = PurePosixPath(manifest).parent
    if parent.name in _REQUIREMENT_DIRS:
        parent = parent.parent
    return str(parent)


@dataclass
class ManifestSet:
    requirements: list[Requirement] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    # (The fields below are keyword-only: ManifestSet(requirements, manifests, notes, includes) still holds.)
    # Manifests read fine whose runtime dependencies are computed at build time and could not be
    # read (pyproject `dynamic = ["dependencies"]` with no hook table or file that gives them, a
    # setup.py whose install_requires is built by code): manifest -> why. Their other requirements
    # (extras, groups) are in `requirements`; a distribution missing from them proves nothing.
    unknown_dependencies: dict[str, str] = field(default_factory=dict, kw_only=True)
    # PEP 723 inline script metadata: source file -> its manifest id (the file itself). Such a file
    # is governed by its `# /// script` block alone (tools run it in an environment of its own);
    # its requirements are in `requirements` with `path` == the id. Scripts are not in `manifests`,
    # which lists the files that govern folders. See `script_scope`.
    script_manifests: dict[str, str] = field(default_factory=dict, kw_only=True)
    # Lock files (uv.lock, poetry.lock, pdm.lock, Pipfile.lock, pylock.toml) read without error:
    # the lock's folder ("." for the root) -> PEP 503 names of every distribution it pins, transitive
    # ones and every group or extra included. Not declarations: never in `requirements`.
    locked: dict[str, frozenset[str]] = field(default_factory=dict, kw_only=True)
    lock_files: list[str] = field(default_factory=list, kw_only=True)  # the lock files behind `locked`
    # manifest -> files it pulls in with -r/-c; they govern wherever the including file does.
    includes: dict[str, list[str]] = field(default_factory=dict)
    _scopes: dict[tuple[str, bool], "ManifestSet"] = field(default_factory=dict, repr=False, compare=False)

    def declared(self, dist: str) -> list[Requirement]:
        d = normalize_dist(dist)
        return [r for r in self.requirements if r.dist == d]

    def has_manifest(self) -> bool:
        return bool(self.manifests or self.script_manifests)

    def script_scope(self, rel_path: str) -> Optional["ManifestSet"]:
        """The declarations governing `rel_path` when it is a PEP 723 script (only its own block),
        else None: the hook a scope lookup consults first."""
        mid = self.script_manifests.get(rel_path)
        if mid is None:
            return None
        return ManifestSet([r for r in self.requirements if r.path == mid], [mid])

    def locked_for(self, rel_path: str) -> Optional[frozenset[str]]:
        """The distributions locked for a source file: the lock files of its folder or of the
        nearest ancestor folder that has any (a uv workspace locks every member at its root)."""
        cur = PurePosixPath(rel_path).parent
        while True:
            hit = self.locked.get(str(cur))
            if hit is not None:
                return hit
            if str(cur) in (".", "/", "") or cur.parent == cur:
                return None
            cur = cur.parent

    def specifier_for(self, dist: str) -> Optional[SpecifierSet]:
        """Intersection of the main-group (and constraint) ranges; other groups only when the
        distribution is declared nowhere else. None when undeclared."""
        reqs = self.declared(dist)
        if not reqs:
            return None
        pinned = [r for r in reqs if r.group in ("main", "constraint")]
        if not any(r.group == "main" for r in pinned):
            pinned = reqs
        spec = SpecifierSet()
        for r in pinned:
            try:
                spec &= SpecifierSet(r.specifier)
            except InvalidSpecifier:
                continue
        return spec

    def allows(self, dist: str, version: str) -> Optional[bool]:
        spec = self.specifier_for(dist)
        if spec is None or not str(spec):
            return None
        try:
            return spec.contains(Version(version), prereleases=True)
        except InvalidVersion:
            return None

    def for_path(self, rel_path: str, inherit: bool = True) -> "ManifestSet":
        """The manifests governing a source file: those of its folder or of the nearest ancestor
        folder that has any, plus the files they include; with `inherit`, also the manifests of the
        folders above it, for distributions the nearer ones do not declare (a sub-folder's
        requirements.txt usually adds to the root's: `pip install -r requirements.txt -r
        sub/requirements.txt`). A PEP 723 script is governed by its own block alone. One answer
        per folder, kept."""
        script = self.script_scope(rel_path)
        if script is not None:
            return script
        folder = str(PurePosixPath(rel_path).parent)
        key = (folder, inherit)
        hit = self._scopes.get(key)
        if hit is None:
            hit = self._scopes[key] = self._scope_of(folder, inherit)
        return hit

    def _scope_of(self, folder: str, inherit: bool) -> "ManifestSet":
        by_dir: dict[str, list[str]] = {}
        for m in self.manifests:
            by_dir.setdefault(governing_dir(m), []).append(m)
        levels: list[set[str]] = []  # nearest first: the manifests of each governing folder
        cur = PurePosixPath(folder)
        while True:
            key = str(cur)
            if key in by_dir:
                levels.append(self._with_includes(by_dir[key]))
                if not inherit or self._standalone(by_dir[key]):
                    break
            if key in (".", "/", "") or cur.parent == cur:
                break
            cur = cur.parent
        if not levels:
            return ManifestSet()
        requirements: list[Requirement] = []
        for chosen in levels:
            nearer = {r.dist for r in requirements}  # a nearer level's declaration of a distribution wins
            requirements += [r for r in self.requirements if r.path in chosen and r.dist not in nearer]
        order = [m for chosen in levels for m in self.manifests if m in chosen]
        every = set(order)
        return ManifestSet(requirements, list(dict.fromkeys(order)), [],
                           {k: v for k, v in self.includes.items() if k in every})

    def _standalone(self, manifests: list[str]) -> bool:
        """A folder that is a distribution of its own (setup.py, setup.cfg, or a pyproject.toml that
        declares dependencies): what it declares is complete, it inherits nothing from above."""
        declaring = {r.path for r in self.requirements} | set(self.unknown_dependencies)
        return any(PurePosixPath(m).name in _PROJECT_MANIFESTS and m in declaring for m in manifests)

    def _with_includes(self, start: list[str]) -> set[str]:
        chosen: set[str] = set()
        todo = list(start)
        while todo:
            m = todo.pop()
            if m not in chosen:
                chosen.add(m)
                todo.extend(self.includes.get(m, ()))
        return chosen


def parse_manifests(root: Path, paths: Iterable[Path]) -> ManifestSet:
    """Read the files at `paths` that files.is_manifest accepts."""
    reader = _Reader(root)
    for p in sorted(Path(p) for p in paths):
        reader.parse(p)
    reader.out.manifests.sort()
    reader.out.lock_files.sort()
    return reader.out


_LOCK_NAMES = frozenset({"uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock"})
_PYLOCK_RE = re.compile(r"^pylock(\.[^/.]+)?\.toml$")  # PEP 751: pylock.toml, pylock.<name>.toml


def manifest_kind(name: str) -> str:
    """"lock" (a lock file), "script" (a Python file other than setup.py: PEP 723 metadata) or
    "manifest", for a file name that files.is_manifest accepted."""
    if name in _LOCK_NAMES or _PYLOCK_RE.match(name):
        return "lock"
    if name.endswith(".py") and name != "setup.py":
        return "script"
    return "manifest"


# ----------------------------------------------------------------------------- reading


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = _resolve(root) or root
        self.out = ManifestSet()
        self.seen: set[Path] = set()
        self.failed: set[Path] = set()

    def rel(self, p: Path) -> str:
        rp = _resolve(p) or p
        try:
            return rp.relative_to(self.root).as_posix()
        except ValueError:
            return rp.as_posix()

    def note(self, message: str, rel: str, line: int = 0) -> None:
        where = f"line {line}: " if line else ""
        self.out.notifications.append(Notification(f"{where}{message}", rel, "warning", "manifest"))

    def parse(self, p: Path, group: str = "main") -> Optional[str]:
        """Read one manifest (once); its relative path, or None when it could not be read."""
        rp = _resolve(p)
        rel = self.rel(p)
        if rp is None or not rp.is_file():
            return None
        if rp in self.seen:  # read already, or being read (an include cycle)
            return None if rp in self.failed else rel
        self.seen.add(rp)
        kind = manifest_kind(rp.name)
        ok = False
        try:
            if kind == "lock":
                ok = _lock_file(self, rp, rel)
            else:
                text = self._read(rp, rel)
                ok = text is not None and self._dispatch(rp, text, rel, group)
        except Exception as exc:  # a manifest must never stop the scan
            self.note(f"could not read manifest: {exc}", rel)
            ok = False
        if not ok:
            self.failed.add(rp)
            return None
        if kind == "script":
            self.out.script_manifests[rel] = rel
        elif kind == "lock":
            self.out.lock_files.append(rel)
        else:
            self.out.manifests.append(rel)
        return rel

    def include(self, base: Path, name: str, rel: str, group: str, line: int = 0) -> bool:
        """Read the requirements file `name` (relative to the folder of manifest `base`) as part of
        manifest `rel`, which then includes it. False, with a notification, when it cannot be read."""
        target = base.parent / name
        rt = _resolve(target)
        inside = rt is not None and (rt == self.root or self.root in rt.parents)
        included = self.parse(target, group) if inside and rt.is_file() else None
        if included is None:
            self.note(f"dependency file {name!r} not found or unreadable", rel, line)
            return False
        self.out.includes.setdefault(rel, []).append(included)
        return True

    def _read(self, p: Path, rel: str) -> Optional[str]:
        try:
            size = p.stat().st_size
            if size > _MAX_BYTES:
                self.note(f"manifest is {size // 1024} KB, larger than the {_MAX_BYTES // 1_000_000} MB limit; skipped", rel)
                return None
            data = p.read_bytes()
        except OSError as exc:
            self.note(f"manifest unreadable: {exc.strerror or exc}", rel)
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.note("manifest is not valid UTF-8; skipped", rel, line)
            return None

    def _dispatch(self, p: Path, text: str, rel: str, group: str) -> bool:
        name = p.name
        if name == "pyproject.toml":
            return _pyproject(self, p, text, rel)
        if name == "setup.cfg":
            return _setup_cfg(self, text, rel)
        if name == "setup.py":
            return _setup_py(self, p, text, rel)
        if name.endswith(".py"):
            return _script(self, text, rel)
        if name == "Pipfile":
            return _pipfile(self, text, rel)
        if name.endswith((".yml", ".yaml")):
            return _environment_yml(self, p, text, rel)
        if name.startswith("constraints"):
            group = "constraint"
        return _requirements(self, p, text, rel, group)

    def add(self, text: str, rel: str, line: int, col: int, end_col: int, group: str) -> None:
        """Record the PEP 508 requirement `text`, which starts at (line, col) of the manifest."""
        stripped = text.strip()
        col += len(text) - len(text.lstrip())
        try:
            req = PkgRequirement(stripped)
        except InvalidRequirement as exc:
            self.note(f"invalid requirement {stripped!r}: {str(exc).splitlines()[0]}", rel, line)
            return
        self.out.requirements.append(Requirement(
            normalize_dist(req.name), req.name, str(req.specifier), tuple(sorted(req.extras)),
            str(req.marker) if req.marker else "", rel, line, col, max(end_col, col), group))


def _resolve(p: Path) -> Optional[Path]:
    try:
        return p.resolve()
    except (OSError, RuntimeError):  # symlink loops
        return None


# ----------------------------------------------------------------------------- requirements.txt

_COMMENT_RE = re.compile(r"(^|\s)#.*$")
_INCLUDE_RE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=[^\s-]))(\S+)")
_EGG_RE = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
# Per-requirement options (--hash, --config-settings, ...) end the requirement itself.
_REQ_OPTION_RE = re.compile(r"\s--?[A-Za-z]")


def _logical_lines(text: str) -> Iterable[tuple[int, str, str]]:
    """(1-based first line, joined body without comments, first physical line) per logical line."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start, first = i, lines[i]
        body = ""
        while True:
            raw = lines[i]
            # An #egg= fragment is part of a URL, not a comment.
            part = raw if _EGG_RE.search(raw) else _COMMENT_RE.sub("", raw)
            i += 1
            if part.rstrip().endswith("\\") and i < len(lines):
                body += part.rstrip()[:-1] + " "
                continue
            body += part
            break
        yield start + 1, body.strip(), first


def _requirements(reader: _Reader, p: Path, text: str, rel: str, group: str) -> bool:
    for line_no, body, first in _logical_lines(text):
        _requirement_line(reader, p, body, first, rel, line_no, group)
    return True


def _requirement_line(reader: _Reader, p: Path, body: str, first: str, rel: str, line_no: int, group: str) -> None:
    if not body:
        return
    inc = _INCLUDE_RE.match(body)
    if inc:
        target = p.parent / inc.group(2)
        inc_group = "constraint" if inc.group(1) in ("-c", "--constraint") else group
        included = reader.parse(target, inc_group) if target.is_file() else None
        if included is None:
            reader.note(f"included file {inc.group(2)!r} not found or unreadable", rel, line_no)
        else:
            reader.out.includes.setdefault(rel, []).append(included)
        return
    egg = _EGG_RE.search(body)
    if body.startswith(("-e", "--editable")) or (egg and "@" not in body.split("#", 1)[0].split("://", 1)[0]):
        if egg:  # a URL or VCS checkout names its distribution only through #egg=
            col = first.find(egg.group(1)) + 1 or 1
            reader.add(egg.group(1), rel, line_no, col, col + len(egg.group(1)), group)
        return
    if body.startswith("-"):
        return  # --index-url, --pre, ...
    if body.startswith((".", "/", "~")) or ("://" in body and "@" not in body.split("://", 1)[0]):
        return  # a local path or bare URL without a name
    opt = _REQ_OPTION_RE.search(body)
    req = body[: opt.start()] if opt else body
    col = _find_col(first, _name_prefix(req))
    reader.add(req, rel, line_no, col, _end_col(first, col), group)


def _name_prefix(req: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return m.group(1) if m else req.strip()


def _find_col(line: str, needle: str, start: int = 0) -> int:
    at = line.find(needle, start) if needle else -1
    return at + 1 if at >= 0 else start + 1


def _end_col(line: str, col: int, options: bool = True) -> int:
    """Exclusive end of the declaration on its line: before a comment, a continuation or (in
    requirements files) per-requirement options."""
    text = _COMMENT_RE.sub("", line) if not _EGG_RE.search(line) else line
    text = text.rstrip().removesuffix("\\").rstrip()
    opt = _REQ_OPTION_RE.search(text, col) if options else None
    if opt:
        text = text[: opt.start()].rstrip()
    return max(len(text) + 1, col)


# ----------------------------------------------------------------------------- TOML locations


class _Lines:
    """Finds where TOML values sit, since tomllib gives no positions."""

    _HEADER_RE = re.compile(r"^\s*\[\[?([^\]]+)\]\]?\s*(#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def section(self, name: str) -> Optional[tuple[int, int]]:
        """(header, end) line indexes of table `name`; None when the file has no such header."""
        want = name.replace(" ", "")
        for idx, line in enumerate(self.lines):
            m = self._HEADER_RE.match(line)
            if m and m.group(1).replace(" ", "").replace('"', "").replace("'", "") == want:
                end = idx + 1
                while end < len(self.lines) and not self._HEADER_RE.match(self.lines[end]):
                    end += 1
                return idx, end
        return None

    def within(self, name: str, parent_key: str = "") -> tuple[int, int]:
        """Lines to search for the keys of table `name`: its section, else from the line that
        assigns `parent_key` (a dotted key or an inline table), else the whole file."""
        found = self.section(name)
        if found is not None:
            return found
        end = len(self.lines)
        return (self.key(parent_key, 0, end) if parent_key else 0), end

    def key(self, key: str, start: int, end: int) -> int:
        """Index of the line assigning `key` (plain, quoted or as the last part of a dotted key)."""
        pat = re.compile(r"^\s*(?:[\w.\"'-]+\.)?[\"']?" + re.escape(key) + r"[\"']?\s*=", re.I)
        for idx in range(start, min(end, len(self.lines))):
            if pat.match(self.lines[idx]):
                return idx
        return start

    def string(self, value: str, cursor: tuple[int, int]) -> Optional[tuple[int, int, int]]:
        """(line index, 0-based start, 0-based end) of the quoted `value` at or after `cursor`."""
        line, col = cursor
        for idx in range(line, len(self.lines)):
            text = self.lines[idx]
            for quote in ('"', "'"):
                at = text.find(quote + value + quote, col if idx == line else 0)
                if at >= 0:
                    return idx, at + 1, at + 1 + len(value)
        return None


def _toml(reader: _Reader, text: str, rel: str) -> Optional[dict]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reader.note(f"invalid TOML: {exc}", rel)
        return None


def _pep508_list(reader: _Reader, lines: _Lines, items: Any, rel: str, group: str, start: int) -> None:
    if not isinstance(items, list):
        return
    cursor = (start, 0)
    for item in items:
        if not isinstance(item, str):
            continue  # {include-group = ...} and other tables
        found = lines.string(item, cursor)
        if found is None:
            reader.add(_untemplated(item), rel, start + 1, 1, 1, group)
            continue
        idx, begin, end = found
        cursor = (idx, end)
        reader.add(_untemplated(item), rel, idx + 1, begin + 1, end + 1, group)


_TEMPLATE_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_NAME_EXTRAS_RE = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?")


def _untemplated(item: str) -> str:
    """A requirement whose version is a build-time template (`mcp-types=={{ version }}`, filled in
    by uv-dynamic-versioning and similar hooks) is read unpinned: the placeholder is no range."""
    if "{{" not in item and "{%" not in item:
        return item
    head, sep, marker = item.partition(";")
    m = _NAME_EXTRAS_RE.match(head)
    if m and _TEMPLATE_RE.search(head, m.end()):
        head = head[: m.end()]
    return head + sep + marker


def _table_lists(reader: _Reader, lines: _Lines, table: Any, rel: str, section: str, parent_key: str,
                 prefix: str) -> None:
    """A table of named PEP 508 lists: optional-dependencies, dependency-groups, PDM dev groups."""
    if isinstance(table, dict):
        _named_lists(reader, lines, table, rel, lines.within(section, parent_key), prefix)


def _named_lists(reader: _Reader, lines: _Lines, table: dict, rel: str, where: tuple[int, int], prefix: str) -> None:
    first, end = where
    for name, items in table.items():
        _pep508_list(reader, lines, items, rel, f"{prefix}{name}", lines.key(name, first, end))


def _subtable(lines: _Lines, section: str, key: str) -> tuple[int, int]:
    """Lines of table `section`.`key`: its own [section.key] header, else from the line assigning
    `key` inside [section] (an inline table), else [section] itself."""
    found = lines.section(f"{section}.{key}")
    if found is not None:
        return found
    first, end = lines.within(section)
    return lines.key(key, first, end), end


def _pyproject(reader: _Reader, p: Path, text: str, rel: str) -> bool:
    data = _toml(reader, text, rel)
    if data is None:
        return False
    lines = _Lines(text)
    project = data.get("project")
    if isinstance(project, dict):
        first, end = lines.within("project")
        _pep508_list(reader, lines, project.get("dependencies"), rel, "main", lines.key("dependencies", first, end))
        _table_lists(reader, lines, project.get("optional-dependencies"), rel, "project.optional-dependencies",
                     "optional-dependencies", "optional:")
    _table_lists(reader, lines, data.get("dependency-groups"), rel, "dependency-groups", "", "group:")
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry")
    if isinstance(poetry, dict):
        _poetry(reader, lines, poetry, rel)
    pdm = tool.get("pdm")
    if isinstance(pdm, dict):
        _table_lists(reader, lines, pdm.get("dev-dependencies"), rel, "tool.pdm.dev-dependencies", "dev-dependencies",
                     "group:")
    uv = tool.get("uv")
    if isinstance(uv, dict):
        first, end = lines.within("tool.uv")
        _pep508_list(reader, lines, uv.get("dev-dependencies"), rel, "dev", lines.key("dev-dependencies", first, end))
    envs = (tool.get("hatch") or {}).get("envs") if isinstance(tool.get("hatch"), dict) else None
    if isinstance(envs, dict):
        for env, conf in envs.items():
            if isinstance(conf, dict):
                first, end = lines.within(f"tool.hatch.envs.{env}")
                for key in ("dependencies", "extra-dependencies"):
                    _pep508_list(reader, lines, conf.get(key), rel, f"group:{env}", lines.key(key, first, end))
    runtime_known = _dynamic_dependencies(reader, p, lines, data, rel)
    if isinstance(project, dict):
        dynamic = project.get("dynamic")
        if isinstance(dynamic, list) and "dependencies" in dynamic and not runtime_known \
                and not isinstance(project.get("dependencies"), list):
            reader.out.unknown_dependencies[rel] = (
                '[project] dynamic lists "dependencies" and no build hook table or file this tool reads gives them')
    return True


def _table(data: Any, *keys: str) -> dict:
    for k in keys:
        data = data.get(k) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _dynamic_dependencies(reader: _Reader, p: Path, lines: _Lines, data: dict, rel: str) -> bool:
    """Dependencies that build hooks fill in for `[project] dynamic`: Hatch metadata hooks
    (`[tool.hatch.metadata.hooks.<name>]` dependencies / optional-dependencies, as
    uv-dynamic-versioning takes them, or requirement files for hatch-requirements-txt) and
    setuptools `[tool.setuptools.dynamic]` files. True when they give the runtime dependencies
    (Poetry's own table counts too)."""
    known = False
    hooks = _table(data, "tool", "hatch", "metadata", "hooks")
    for name, hook in hooks.items():
        if not isinstance(hook, dict):
            continue
        section = f"tool.hatch.metadata.hooks.{name}"
        first, end = lines.within(section)
        optional = hook.get("optional-dependencies")
        if name == "requirements_txt":  # hatch-requirements-txt: lists of requirement files
            files = hook.get("files")
            if isinstance(files, list):
                line = lines.key("files", first, end) + 1
                read = [reader.include(p, f, rel, "main", line) for f in files if isinstance(f, str)]
                known = all(read) or known
            if isinstance(optional, dict):
                o_first, o_end = _subtable(lines, section, "optional-dependencies")
                for extra, names in optional.items():
                    line = lines.key(extra, o_first, o_end) + 1
                    for f in names if isinstance(names, list) else []:
                        if isinstance(f, str):
                            reader.include(p, f, rel, f"optional:{extra}", line)
            continue
        if isinstance(hook.get("dependencies"), list):
            known = True
            _pep508_list(reader, lines, hook["dependencies"], rel, "main", lines.key("dependencies", first, end))
        if isinstance(optional, dict):
            _named_lists(reader, lines, optional, rel, _subtable(lines, section, "optional-dependencies"), "optional:")
    dyn = _table(data, "tool", "setuptools", "dynamic")
    if dyn:
        first, end = lines.within("tool.setuptools.dynamic")
        deps = dyn.get("dependencies")
        if isinstance(deps, dict) and deps.get("file"):
            line = lines.key("dependencies", first, end) + 1
            read = [reader.include(p, f, rel, "main", line) for f in _str_list(deps.get("file"))]
            known = all(read) or known
        optional = dyn.get("optional-dependencies")
        if isinstance(optional, dict):
            o_first, o_end = _subtable(lines, "tool.setuptools.dynamic", "optional-dependencies")
            for extra, spec in optional.items():
                if isinstance(spec, dict):
                    line = lines.key(extra, o_first, o_end) + 1
                    for f in _str_list(spec.get("file")):
                        reader.include(p, f, rel, f"optional:{extra}", line)
    if isinstance(_table(data, "tool", "poetry").get("dependencies"), dict):
        known = True
    return known


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


# ----------------------------------------------------------------------------- Poetry


def _release(v: str) -> list[str]:
    m = re.match(r"^\d+(?:\.\d+)*", v)
    return m.group(0).split(".") if m else []


def _caret_upper(v: str) -> str:
    """^ allows changes that keep the left-most non-zero part: ^1.2 -> <2.0, ^0.2.3 -> <0.3.0, ^0.0 -> <0.1."""
    rel = [int(x) for x in _release(v)] or [0]
    for i, x in enumerate(rel):
        if x != 0:
            return ".".join(str(y) for y in rel[:i] + [x + 1] + [0] * (len(rel) - i - 1))
    # all zeros: ^0 -> <1, ^0.0 -> <0.1, ^0.0.0 -> <0.0.1
    bump = len(rel) - 1
    return ".".join(str(y) for y in rel[:bump] + [rel[bump] + 1]) if len(rel) > 1 else "1"


def _tilde_upper(v: str) -> str:
    """~1.2.3 -> <1.3.0, ~1.2 -> <1.3, ~1 -> <2."""
    rel = [int(x) for x in _release(v)] or [0]
    if len(rel) == 1:
        return str(rel[0] + 1)
    return ".".join(str(y) for y in rel[:1] + [rel[1] + 1] + [0] * (len(rel) - 2))


def _pad_upper(v: str, upper: str) -> str:
    """Give the upper bound at least as many parts as the version written: ^1.2 -> <2.0, not <2."""
    parts = upper.split(".")
    want = max(len(_release(v)), 2)
    return ".".join(parts + ["0"] * (want - len(parts)))


def poetry_to_pep440(spec: str) -> Optional[str]:
    """Poetry's ^, ~, * and bare versions as a PEP 440 specifier; None when not expressible (`||`)."""
    spec = str(spec).strip()
    if "||" in spec or "|" in spec:
        return None
    parts: list[str] = []
    # Poetry separates AND-ed constraints with commas or spaces (">=1.0 <2.0").
    pieces = re.findall(r"(?:\^|~=|~|==|!=|>=|<=|>|<|=)?\s*[^\s,]+", spec)
    for piece in pieces:
        piece = piece.replace(" ", "")
        if not piece or piece == "*":
            continue
        if piece.startswith("^"):
            v = piece[1:]
            parts.append(f">={v},<{_pad_upper(v, _caret_upper(v))}")
        elif piece.startswith("~") and not piece.startswith("~="):
            v = piece[1:]
            parts.append(f">={v},<{_pad_upper(v, _tilde_upper(v))}")
        elif piece[0].isdigit():
            parts.append(f"=={piece}")
        elif piece.startswith("=") and not piece.startswith("=="):
            parts.append(f"={piece}")
        else:
            parts.append(piece)
    return ",".join(parts)


def _poetry(reader: _Reader, lines: _Lines, poetry: dict, rel: str) -> None:
    extra_of: dict[str, str] = {}
    extras = poetry.get("extras")
    if isinstance(extras, dict):
        for extra, names in extras.items():
            for n in names if isinstance(names, list) else []:
                extra_of.setdefault(normalize_dist(str(n)), extra)
    tables = [("dependencies", "main", "tool.poetry.dependencies"),
              ("dev-dependencies", "dev", "tool.poetry.dev-dependencies")]
    for key, group, section in tables:
        _poetry_table(reader, lines, poetry.get(key), rel, group, section, extra_of)
    groups = poetry.get("group")
    if isinstance(groups, dict):
        for gname, gtable in groups.items():
            if isinstance(gtable, dict):
                _poetry_table(reader, lines, gtable.get("dependencies"), rel, f"group:{gname}",
                              f"tool.poetry.group.{gname}.dependencies", extra_of)


def _poetry_table(reader: _Reader, lines: _Lines, table: Any, rel: str, group: str, section: str,
                  extra_of: dict[str, str]) -> None:
    if not isinstance(table, dict):
        return
    first, end = lines.within(section)
    for name, value in table.items():
        if name.lower() == "python":
            continue
        spec, extras, marker, optional = _poetry_value(value)
        pep = poetry_to_pep440(spec)
        idx = lines.key(name, first, end)
        line = lines.lines[idx] if idx < len(lines.lines) else ""
        col = _find_col(line, name)
        if pep is None:
            reader.note(f"Poetry constraint {spec!r} for {name} cannot be written as one PEP 440 range; "
                        "read as unpinned", rel, idx + 1)
            pep = ""
        text = name + (f"[{','.join(extras)}]" if extras else "") + pep + (f"; {marker}" if marker else "")
        entry_group = f"optional:{extra_of.get(normalize_dist(name), 'poetry')}" if optional else group
        reader.add(text, rel, idx + 1, col, _end_col(line, col, False), entry_group)


def _poetry_value(value: Any) -> tuple[str, list[str], str, bool]:
    """(version constraint, extras, marker, optional) of one Poetry dependency value."""
    if isinstance(value, str):
        return value, [], "", False
    if isinstance(value, list):  # several constraints by marker: no single range
        return "*", [], "", all(isinstance(v, dict) and v.get("optional") for v in value)
    if isinstance(value, dict):
        extras = [str(e) for e in value.get("extras", []) if isinstance(e, str)]
        marker = value.get("markers", "") if isinstance(value.get("markers"), str) else ""
        return str(value.get("version", "*")), extras, marker, bool(value.get("optional"))
    return "*", [], "", False


# ----------------------------------------------------------------------------- Pipfile


def _pipfile(reader: _Reader, text: str, rel: str) -> bool:
    data = _toml(reader, text, rel)
    if data is None:
        return False
    lines = _Lines(text)
    for section, group in (("packages", "main"), ("dev-packages", "dev")):
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        first, end = lines.within(section)
        for name, value in table.items():
            extras: list[str] = []
            marker = ""
            if isinstance(value, dict):
                spec = value.get("version", "*")
                extras = [str(e) for e in value.get("extras", []) if isinstance(e, str)]
                marker = value.get("markers", "") if isinstance(value.get("markers"), str) else ""
            else:
                spec = value
            spec = str(spec).strip()
            spec = "" if spec == "*" else spec
            idx = lines.key(name, first, end)
            line = lines.lines[idx] if idx < len(lines.lines) else ""
            col = _find_col(line, name)
            req = name + (f"[{','.join(extras)}]" if extras else "") + spec + (f"; {marker}" if marker else "")
            reader.add(req, rel, idx + 1, col, _end_col(line, col, False), group)
    return True


# ----------------------------------------------------------------------------- setup.cfg


def _setup_cfg(reader: _Reader, text: str, rel: str) -> bool:
    cp = configparser.ConfigParser(interpolation=None)
    try:
        cp.read_string(text)
    except configparser.Error as exc:
        line = getattr(exc, "lineno", 0) or 0
        reader.note(f"invalid setup.cfg: {str(exc).splitlines()[0]}", rel, line)
        return False
    lines = _Lines(text)
    if cp.has_option("options", "install_requires"):
        first, end = lines.within("options")
        _cfg_list(reader, lines, cp.get("options", "install_requires"), rel, "main",
                  lines.key("install_requires", first, end))
    if cp.has_section("options.extras_require"):
        first, end = lines.within("options.extras_require")
        for extra, value in cp.items("options.extras_require"):
            _cfg_list(reader, lines, value, rel, f"optional:{extra}", lines.key(extra, first, end))
    return True


def _cfg_list(reader: _Reader, lines: _Lines, value: str, rel: str, group: str, start: int) -> None:
    items = [_COMMENT_RE.sub("", i).strip() for i in value.splitlines()]
    items = [i for i in items if i]
    if len(items) == 1 and all(re.match(r"\s*[A-Za-z0-9]", i) for i in items[0].split(",")):
        items = [i.strip() for i in items[0].split(",")]  # "a, b>=1" on the key line
    idx = start
    for item in items:
        if item.startswith("file:"):
            continue  # requirements kept in another file
        for j in range(idx, len(lines.lines)):
            at = lines.lines[j].find(item, lines.lines[j].find("=") + 1 if j == start else 0)
            if at >= 0:
                idx = j
                reader.add(item, rel, j + 1, at + 1, at + 1 + len(item), group)
                break
        else:
            reader.add(item, rel, start + 1, 1, 1, group)


# ----------------------------------------------------------------------------- setup.py


def _setup_py(reader: _Reader, p: Path, text: str, rel: str) -> bool:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", 0) or 0
        reader.note(f"setup.py does not parse ({getattr(exc, 'msg', exc)}); its dependencies are unknown", rel, line)
        return False
    sp = _SetupPy(tree)
    lines = text.splitlines()
    emitted: set[tuple[int, str]] = set()

    def emit(node: ast.expr, group: str) -> bool:
        """Declare the requirements `node` evaluates to; True when all of it could be read (a
        requirement file it reads counts)."""
        consts, opaque = sp.strings(node)
        for c in consts:
            if (id(c), group) not in emitted:
                emitted.add((id(c), group))
                _add_const(reader, c, lines, rel, group)
        files = [f for f in sp.file_refs(node) if (p.parent / f).is_file()]
        read = [reader.include(p, f, rel, group, getattr(node, "lineno", 0)) for f in files]
        return not opaque or (bool(read) and all(read))

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for arg, value in sp.keywords(node):
            if arg == "install_requires":
                if not emit(value, "main"):
                    reader.out.unknown_dependencies.setdefault(
                        rel, f"install_requires (line {value.lineno}) is computed by code this tool does not run")
            elif arg == "extras_require":
                for extra, v in sp.entries(value):
                    emit(v, f"optional:{extra}")
    return True


class _SetupPy:
    """A static reading of a setup.py: what a name is bound to anywhere in the file (assigned,
    extended, appended to), what is stored under a key of a dict name (`extras["test"] = [...]`,
    `extras.update({...})`, `extras.setdefault(k, [...])`), and the requirement strings an
    expression evaluates to. Names are not scoped: a union over the file, which is what setup.py
    files need."""

    _LIST_CALLS = frozenset({"list", "tuple", "sorted", "set", "frozenset"})

    def __init__(self, tree: ast.Module) -> None:
        self.bound: dict[str, list[ast.expr]] = {}  # name -> values (and pieces added to it)
        self.items: dict[str, list[tuple[str, ast.expr]]] = {}  # dict name -> (key, value)
        self.funcs: dict[str, ast.AST] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.funcs.setdefault(node.name, node)
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    self._store(t, node.value)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                if isinstance(node, ast.AugAssign) and not isinstance(node.op, (ast.Add, ast.BitOr)):
                    continue
                self._store(node.target, node.value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                self._method(node.func.value, node.func.attr, node)
            elif isinstance(node, (ast.With, ast.AsyncWith)):  # with open("requirements.txt") as f
                for item in node.items:
                    if item.optional_vars is not None:
                        self._store(item.optional_vars, item.context_expr)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):  # for line in f
                self._store(node.target, node.iter)

    def _store(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.bound.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            self.items.setdefault(target.value.id, []).append((_key(target.slice), value))

    def _method(self, obj: ast.expr, attr: str, call: ast.Call) -> None:
        if isinstance(obj, ast.Name):
            if attr in ("extend", "append", "add", "update") and len(call.args) == 1:
                self.bound.setdefault(obj.id, []).append(call.args[0])
            elif attr == "insert" and len(call.args) == 2:
                self.bound.setdefault(obj.id, []).append(call.args[1])
            elif attr == "setdefault" and len(call.args) == 2:
                self.items.setdefault(obj.id, []).append((_key(call.args[0]), call.args[1]))
            if attr == "update":
                for kw in call.keywords:
                    if kw.arg is not None:
                        self.items.setdefault(obj.id, []).append((kw.arg, kw.value))
                    else:
                        self.bound.setdefault(obj.id, []).append(kw.value)
        elif isinstance(obj, ast.Subscript) and isinstance(obj.value, ast.Name):
            if attr in ("extend", "append") and len(call.args) == 1:  # extras["test"].extend([...])
                self.items.setdefault(obj.value.id, []).append((_key(obj.slice), call.args[0]))

    def keywords(self, call: ast.Call) -> list[tuple[str, ast.expr]]:
        """The keyword arguments of a call, `**kwargs` of a dict it can read included."""
        out: list[tuple[str, ast.expr]] = []
        for kw in call.keywords:
            if kw.arg is not None:
                out.append((kw.arg, kw.value))
            else:
                out.extend(self.entries(kw.value))
        return out

    def entries(self, node: ast.expr, seen: frozenset[str] = frozenset(), depth: int = 0) -> list[tuple[str, ast.expr]]:
        """(key, value) pairs a dict expression holds: a literal, dict(...), a name with every
        value and item stored under it."""
        if depth > 20:
            return []
        out: list[tuple[str, ast.expr]] = []
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if k is None:  # {**other}
                    out.extend(self.entries(v, seen, depth + 1))
                else:
                    out.append((_key(k), v))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            for a in node.args[:1]:
                out.extend(self.entries(a, seen, depth + 1))
            for kw in node.keywords:
                out.extend([(kw.arg, kw.value)] if kw.arg else self.entries(kw.value, seen, depth + 1))
        elif isinstance(node, ast.Name) and node.id not in seen:
            inner = seen | {node.id}
            for value in self.bound.get(node.id, ()):
                out.extend(self.entries(value, inner, depth + 1))
            out.extend(self.items.get(node.id, ()))
        return out

    def strings(self, node: ast.expr, seen: frozenset[str] = frozenset(),
                depth: int = 0) -> tuple[list[ast.Constant], bool]:
        """(requirement string constants `node` evaluates to, whether some part of it is opaque:
        computed by code, not literals)."""
        if depth > 20:
            return [], True
        if isinstance(node, ast.Constant):
            ok = isinstance(node.value, str) and "\n" not in node.value.strip()
            return ([node] if ok and node.value.strip() else []), not ok
        parts: list[ast.expr]
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            parts = list(node.elts)
        elif isinstance(node, ast.Starred):
            parts = [node.value]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.BitOr)):
            parts = [node.left, node.right]
        elif isinstance(node, ast.IfExp):
            parts = [node.body, node.orelse]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self._LIST_CALLS \
                and len(node.args) <= 1 and not node.keywords:
            parts = list(node.args)
        elif isinstance(node, ast.Name):
            if node.id in seen:
                return [], False
            seen = seen | {node.id}
            parts = list(self.bound.get(node.id, ()))
            if not parts:
                return [], True
        else:
            return [], True
        out: list[ast.Constant] = []
        opaque = False
        for part in parts:
            got, dark = self.strings(part, seen, depth + 1)
            out.extend(got)
            opaque = opaque or dark
        return out, opaque

    def file_refs(self, node: ast.expr) -> list[str]:
        """Requirement files an expression reads: the `.txt`/`.in` paths written in it, in the
        values of the names it uses and in the bodies of the module's functions it calls
        (`(here / "requirements.txt").read_text().splitlines()`, `parse_requirements("reqs.in")`)."""
        out: list[str] = []
        todo: list[ast.AST] = [node]
        done: set[int] = set()
        while todo and len(done) < 2000:
            cur = todo.pop()
            if id(cur) in done:
                continue
            done.add(id(cur))
            for sub in ast.walk(cur):
                if isinstance(sub, ast.Name):
                    todo.extend(self.bound.get(sub.id, ()))
                    if sub.id in self.funcs:
                        todo.append(self.funcs[sub.id])
                elif isinstance(sub, ast.Attribute) and sub.attr in self.funcs:
                    todo.append(self.funcs[sub.attr])
                path = _path_literal(sub)
                if path and path not in out:
                    out.append(path)
        return out


def _key(node: ast.expr) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else "extra"


def _path_literal(node: ast.AST) -> Optional[str]:
    """A requirement file path written as a literal, `"a" / "b.txt"` or os.path.join("a", "b.txt")."""
    parts: list[str] = []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parts = [node.value]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        cur: ast.expr = node
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.Div):
            if isinstance(cur.right, ast.Constant) and isinstance(cur.right.value, str):
                parts.insert(0, cur.right.value)
            cur = cur.left
        if isinstance(cur, ast.Constant) and isinstance(cur.value, str):
            parts.insert(0, cur.value)
    elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)) \
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "join":
        parts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    path = "/".join(p.strip("/") for p in parts if p)
    if not path or len(path) > 300 or "\n" in path or path.startswith("/") or not path.endswith((".txt", ".in")):
        return None
    return path


def _add_const(reader: _Reader, elt: ast.Constant, lines: list[str], rel: str, group: str) -> None:
    line = lines[elt.lineno - 1] if 0 < elt.lineno <= len(lines) else ""
    start = _char_col(line, elt.col_offset)
    col = _find_col(line, _name_prefix(elt.value), start)
    end = _char_col(line, elt.end_col_offset or 0) if elt.end_lineno == elt.lineno else len(line) + 1
    reader.add(elt.value.strip(), rel, elt.lineno, col, end, group)


def _char_col(line: str, byte_offset: int) -> int:
    """ast columns count UTF-8 bytes; Spans count characters."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "ignore"))


# ----------------------------------------------------------------------------- environment.yml


def _environment_yml(reader: _Reader, p: Path, text: str, rel: str) -> bool:
    """The pip: section of a conda environment, read line by line (no YAML parser needed)."""
    pip_indent = -1
    for line_no, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if re.match(r"^-\s*pip\s*:\s*$", stripped):
            pip_indent = indent
            continue
        if pip_indent < 0 or not stripped or stripped.startswith("#"):
            continue
        if indent <= pip_indent or not stripped.startswith("-"):
            pip_indent = -1
            continue
        item = stripped[1:].strip().strip("'\"")
        body = _COMMENT_RE.sub("", item).strip()
        _requirement_line(reader, p, body, line, rel, line_no, "main")
    return True


# ----------------------------------------------------------------------------- PEP 723 scripts

# The reference expression of PEP 723: a `# /// TYPE` line, comment lines, a `# ///` line.
_SCRIPT_BLOCK_RE = re.compile(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$")


def _script(reader: _Reader, text: str, rel: str) -> bool:
    """The `# /// script` block of a Python file (PEP 723 inline script metadata): the
    dependencies of that one file. False when there is none or it cannot be read."""
    text = text.replace("\r\n", "\n")
    blocks = [m for m in _SCRIPT_BLOCK_RE.finditer(text) if m.group("type") == "script"]
    if not blocks:
        at = re.search(r"(?m)^# /// script[ \t]*$", text)
        if at:
            reader.note("`# /// script` block without its closing `# ///` line; its metadata is ignored", rel,
                        text.count("\n", 0, at.start()) + 1)
        return False
    first_line = text.count("\n", 0, blocks[0].start())  # 0-based index of `# /// script`
    if len(blocks) > 1:
        reader.note("more than one `# /// script` block (PEP 723 allows one); its metadata is ignored", rel,
                    first_line + 1)
        return False
    content = "".join(line[2:] if line.startswith("# ") else line[1:]
                      for line in blocks[0].group("content").splitlines(keepends=True))
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        reader.note(f"invalid TOML in the `# /// script` block: {exc}", rel, first_line + 1)
        return False
    deps = data.get("dependencies")
    if deps is not None and not isinstance(deps, list):
        reader.note("`dependencies` of the `# /// script` block is not a list; its metadata is ignored", rel,
                    first_line + 1)
        return False
    inner = _Lines(content)
    key_line = first_line + 1 + inner.key("dependencies", 0, len(inner.lines))
    # Positions come from the file's own lines, so columns count the `# ` prefix.
    _pep508_list(reader, _Lines(text), deps or [], rel, "main", key_line)
    return True


# ----------------------------------------------------------------------------- lock files

_MAX_LOCK_BYTES = 64_000_000  # read as a stream, line by line: memory stays small
_MAX_LOCK_TOML_BYTES = 16_000_000  # a full TOML parse, only to confirm a problem the line reader saw
_LOCK_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\]\[]+?)\s*(\]\]?)\s*(?:#.*)?$")
_LOCK_NAME_RE = re.compile(r'^\s*name\s*=\s*"([A-Za-z0-9][A-Za-z0-9._-]*)"\s*(?:#.*)?$')
_LOCK_KEY_RE = re.compile(r'^\s*(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"))*\s*=\s*(.*)$')
_LOCK_SCALAR_RE = re.compile(r'^(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_.:+-]+)\s*(?:#.*)?$')


def _lock_file(reader: _Reader, p: Path, rel: str) -> bool:
    """Record the distributions a lock file pins in `reader.out.locked` (by the lock's folder).
    A lock that is too large, not UTF-8, truncated or malformed is a notification and is not used."""
    try:
        size = p.stat().st_size
    except OSError as exc:
        reader.note(f"lock file unreadable: {exc.strerror or exc}", rel)
        return False
    if size > _MAX_LOCK_BYTES:
        reader.note(f"lock file is {size // 1_000_000} MB, larger than the {_MAX_LOCK_BYTES // 1_000_000} MB "
                    "limit; skipped", rel)
        return False
    try:
        if p.name == "Pipfile.lock":
            names = _pipfile_lock(reader, p, rel)
        else:
            names = _toml_lock(reader, p, rel, "packages" if p.name.startswith("pylock") else "package")
    except UnicodeDecodeError:
        reader.note("lock file is not valid UTF-8; skipped", rel)
        return False
    except OSError as exc:
        reader.note(f"lock file unreadable: {exc.strerror or exc}", rel)
        return False
    if names is None:
        return False
    folder = str(PurePosixPath(rel).parent)
    reader.out.locked[folder] = reader.out.locked.get(folder, frozenset()) | names
    return True


def _pipfile_lock(reader: _Reader, p: Path, rel: str) -> Optional[frozenset[str]]:
    import json

    try:
        with open(p, encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except json.JSONDecodeError as exc:
        reader.note(f"invalid JSON (truncated?): {exc.msg}", rel, exc.lineno)
        return None
    sections = [data.get(k) for k in ("default", "develop")] if isinstance(data, dict) else []
    if not any(isinstance(s, dict) for s in sections):
        reader.note("not a Pipfile.lock: no \"default\" or \"develop\" table; skipped", rel)
        return None
    return frozenset(normalize_dist(str(name)) for s in sections if isinstance(s, dict) for name in s
                     if re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", str(name)))


def _toml_lock(reader: _Reader, p: Path, rel: str, table: str) -> Optional[frozenset[str]]:
    """The `name` of every [[package]] (uv, Poetry, PDM) or [[packages]] (PEP 751) table, read line
    by line: these files are written by tools, one key per line, arrays closed by a `]` line. What
    the line reader cannot follow is handed to a full TOML parse, which decides (and names the error)."""
    names: set[str] = set()
    problem = ""
    pending = 0  # line of a [[package]] header whose name is not seen yet
    in_array = 0  # line where a multi-line array opened
    in_string = 0  # line where a multi-line string opened
    at_root = True  # before the first table header
    depth = 0  # of the brackets open in that array
    line_no = 0
    with open(p, encoding="utf-8-sig", newline="") as fh:
        for line_no, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            if in_string:
                if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                    in_string = 0
                continue
            stripped = line.strip()
            if in_array:
                depth += _bracket_depth(line)
                if depth <= 0:
                    in_array = depth = 0
                elif stripped and not stripped.startswith("#") and not stripped.endswith((",", "[", "{")):
                    problem = problem or f"line {line_no}: unexpected array element"
                continue
            if not stripped or stripped.startswith("#"):
                continue
            header = _LOCK_HEADER_RE.match(line)
            if header:
                if pending:
                    problem = problem or f"line {pending}: [[{table}]] without a name"
                if len(header.group(1)) != len(header.group(3)):
                    problem = problem or f"line {line_no}: malformed table header"
                double = header.group(1) == "[[" and header.group(3) == "]]"
                pending = line_no if double and header.group(2).replace(" ", "") == table else 0
                at_root = False
                continue
            if pending:
                name = _LOCK_NAME_RE.match(line)
                if name:
                    names.add(normalize_dist(name.group(1)))
                    pending = 0
                    continue
            kv = _LOCK_KEY_RE.match(line)
            if not kv:
                problem = problem or f"line {line_no}: not a key = value line"
                continue
            value = kv.group(1).strip()
            if at_root and re.match(r"\s*[\"']?" + table + r"[\"']?\s*=", line):
                problem = problem or f"line {line_no}: the {table} list is written inline"
            if value.startswith(('"""', "'''")):
                if value.count(value[:3]) < 2:
                    in_string = line_no
            elif value.startswith("["):
                depth = _bracket_depth(value)
                if depth > 0:
                    in_array = line_no
                elif depth < 0 or not re.search(r"\]\s*(?:#.*)?$", value):
                    problem = problem or f"line {line_no}: malformed array"
            elif value.startswith("{"):
                if not re.search(r"\}\s*(?:#.*)?$", value):
                    problem = problem or f"line {line_no}: unterminated inline table"
            elif not _LOCK_SCALAR_RE.match(value):
                problem = problem or f"line {line_no}: malformed value"
    if in_array:
        problem = problem or f"the array opened at line {in_array} is never closed"
    elif in_string:
        problem = problem or f"the string opened at line {in_string} is never closed"
    elif pending:
        problem = problem or f"line {pending}: [[{table}]] without a name"
    if not problem:
        return frozenset(names)
    return _toml_lock_strict(reader, p, rel, table, problem)


_QUOTED_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')


def _bracket_depth(text: str) -> int:
    """Brackets opened minus closed in a line of TOML, strings and comments left out."""
    if "[" not in text and "]" not in text:
        return 0
    bare = _QUOTED_RE.sub("", text).split("#", 1)[0] if ('"' in text or "'" in text or "#" in text) else text
    return bare.count("[") - bare.count("]")


def _toml_lock_strict(reader: _Reader, p: Path, rel: str, table: str, problem: str) -> Optional[frozenset[str]]:
    """The line reader saw `problem`: a full TOML parse decides whether the lock is usable."""
    if p.stat().st_size > _MAX_LOCK_TOML_BYTES:
        reader.note(f"lock file looks truncated or malformed ({problem}); not used", rel)
        return None
    try:
        data = tomllib.loads(p.read_bytes().decode("utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        reader.note(f"lock file is invalid TOML (truncated?): {exc}; not used", rel)
        return None
    packages = data.get(table)
    if not isinstance(packages, list) or not all(isinstance(e, dict) and isinstance(e.get("name"), str)
                                                   for e in packages):
        reader.note(f"lock file has no usable [[{table}]] list ({problem}); not used", rel)
        return None
    return frozenset(normalize_dist(e["name"]) for e in packages)
