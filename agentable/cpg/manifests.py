"""Dependency manifests: requirements files, pyproject (PEP 621, PEP 735, Poetry), setup.cfg,
setup.py (read statically, never executed) and Pipfile, with the line of every declaration."""

from __future__ import annotations

import ast
import configparser
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable, Optional

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


@dataclass(frozen=True)
class Requirement:
    dist: str  # PEP 503-normalised name
    raw_name: str
    specifier: str
    extras: tuple[str, ...]
    marker: str
    path: str  # manifest path relative to the root
    line: int
    col: int
    end_col: int
    group: str  # main | optional:<name> | dev | group:<name>


def normalize_dist(name: str) -> str:
    return str(canonicalize_name(name))


@dataclass
class ManifestSet:
    requirements: list[Requirement] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)

    def declared(self, dist: str) -> list[Requirement]:
        d = normalize_dist(dist)
        return [r for r in self.requirements if r.dist == d]

    def has_manifest(self) -> bool:
        return bool(self.manifests)

    def specifier_for(self, dist: str) -> Optional[SpecifierSet]:
        reqs = [r for r in self.declared(dist) if r.group == "main"] or self.declared(dist)
        if not reqs:
            return None
        spec = SpecifierSet()
        for r in reqs:
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

    def for_path(self, rel_path: str) -> "ManifestSet":
        """The manifests governing a source file: those of its directory or the nearest ancestor that has any."""
        dirs: dict[str, list[str]] = {}
        for m in self.manifests:
            dirs.setdefault(str(PurePosixPath(m).parent), []).append(m)
        cur = PurePosixPath(rel_path).parent
        while True:
            key = str(cur)
            if key in dirs:
                chosen = set(dirs[key])
                return ManifestSet([r for r in self.requirements if r.path in chosen], sorted(chosen), [])
            if key in (".", "/", ""):
                return ManifestSet([], [], [])
            cur = cur.parent


def parse_manifests(root: Path, paths: Iterable[Path]) -> ManifestSet:
    out = ManifestSet()
    seen: set[Path] = set()
    for p in sorted(paths):
        _parse_one(root, p, out, seen)
    return out


def _rel(root: Path, p: Path) -> str:
    try:
        return p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def _read(root: Path, p: Path, out: ManifestSet) -> Optional[str]:
    rel = _rel(root, p)
    try:
        if p.stat().st_size > _MAX_BYTES:
            out.notifications.append(Notification("manifest larger than 2 MB; skipped", rel, "warning", "manifest"))
            return None
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        out.notifications.append(Notification("manifest is not valid UTF-8; skipped", rel, "warning", "manifest"))
    except OSError as exc:
        out.notifications.append(Notification(f"manifest unreadable: {exc.strerror or exc}", rel, "warning", "manifest"))
    return None


def _parse_one(root: Path, p: Path, out: ManifestSet, seen: set[Path]) -> None:
    rp = p.resolve()
    if rp in seen or not rp.is_file():
        return
    seen.add(rp)
    text = _read(root, p, out)
    if text is None:
        return
    rel = _rel(root, p)
    name = p.name
    before = len(out.notifications)
    try:
        if name == "pyproject.toml":
            _pyproject(text, rel, out)
        elif name == "setup.cfg":
            _setup_cfg(text, rel, out)
        elif name == "setup.py":
            _setup_py(text, rel, out)
        elif name == "Pipfile":
            _pipfile(text, rel, out)
        elif name.endswith((".yml", ".yaml")):
            _environment_yml(text, rel, out)
        else:
            _requirements(root, p, text, rel, out, seen)
    except Exception as exc:  # a manifest must never stop the scan
        out.notifications.append(Notification(f"could not read manifest: {exc}", rel, "warning", "manifest"))
    if len(out.notifications) == before or any(r.path == rel for r in out.requirements):
        out.manifests.append(rel)


def _add(out: ManifestSet, text: str, rel: str, line: int, col: int, group: str, line_text: str) -> None:
    """Parse one PEP 508 requirement string found at (line, col)."""
    try:
        req = PkgRequirement(text.strip())
    except InvalidRequirement as exc:
        out.notifications.append(Notification(f"invalid requirement {text.strip()!r} at line {line}: {exc}", rel, "warning", "manifest"))
        return
    start = line_text.find(req.name)
    col = start + 1 if start >= 0 else col
    out.requirements.append(Requirement(
        normalize_dist(req.name), req.name, str(req.specifier), tuple(sorted(req.extras)),
        str(req.marker) if req.marker else "", rel, line, col, len(line_text.rstrip()) + 1, group))


# ----------------------------------------------------------------------------- requirements.txt


def _requirements(root: Path, p: Path, text: str, rel: str, out: ManifestSet, seen: set[Path]) -> None:
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start = i
        line = lines[i]
        while line.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line.rstrip()[:-1] + " " + lines[i]
        i += 1
        body = re.split(r"(^|\s)#", line, maxsplit=1)[0].strip()
        if not body:
            continue
        if body.startswith(("-r", "--requirement", "-c", "--constraint")):
            target = body.split(None, 1)[1] if " " in body else body[2:]
            inc = (p.parent / target.strip()).resolve()
            if inc.is_file():
                _parse_one(root, inc, out, seen)
                if _rel(root, inc) not in out.manifests:
                    out.manifests.append(_rel(root, inc))
            continue
        if body.startswith("-e") or "://" in body or body.startswith("--editable"):
            m = re.search(r"#egg=([A-Za-z0-9_.\-]+)", line)
            if m:
                _add(out, m.group(1), rel, start + 1, 1, "main", lines[start])
            continue
        if body.startswith("-"):
            continue
        body = body.split(" --hash", 1)[0].split(";", 1)[0] if " --hash" in body else body
        _add(out, body, rel, start + 1, 1, "main", lines[start])


# ----------------------------------------------------------------------------- TOML manifests


def _find_line(lines: list[str], needle: str, after: int = 0) -> tuple[int, str]:
    """1-based line of the first occurrence of `needle` as a quoted string or a key, else of the name."""
    for idx in range(after, len(lines)):
        if needle in lines[idx]:
            return idx + 1, lines[idx]
    return 1, lines[0] if lines else ""


def _section_start(lines: list[str], header: str) -> int:
    for idx, line in enumerate(lines):
        if line.strip().replace(" ", "") == header:
            return idx
    return 0


def _toml(text: str, rel: str, out: ManifestSet) -> Optional[dict]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        out.notifications.append(Notification(f"invalid TOML: {exc}", rel, "warning", "manifest"))
        return None


def _pep508_list(out: ManifestSet, items, rel: str, lines: list[str], group: str, after: int) -> None:
    if not isinstance(items, list):
        return
    for item in items:
        if not isinstance(item, str):
            continue
        line, text = _find_line(lines, item, after)
        _add(out, item, rel, line, 1, group, text)


def _pyproject(text: str, rel: str, out: ManifestSet) -> None:
    data = _toml(text, rel, out)
    if data is None:
        return
    lines = text.splitlines()
    project = data.get("project", {})
    start = _section_start(lines, "[project]")
    _pep508_list(out, project.get("dependencies", []), rel, lines, "main", start)
    for name, items in (project.get("optional-dependencies") or {}).items():
        _pep508_list(out, items, rel, lines, f"optional:{name}", _section_start(lines, "[project.optional-dependencies]"))
    for name, items in (data.get("dependency-groups") or {}).items():
        _pep508_list(out, [i for i in items if isinstance(i, str)], rel, lines, f"group:{name}", _section_start(lines, "[dependency-groups]"))
    poetry = data.get("tool", {}).get("poetry", {})
    if poetry:
        _poetry_table(out, poetry.get("dependencies", {}), rel, lines, "main", "[tool.poetry.dependencies]")
        _poetry_table(out, poetry.get("dev-dependencies", {}), rel, lines, "dev", "[tool.poetry.dev-dependencies]")
        for gname, group in (poetry.get("group") or {}).items():
            _poetry_table(out, (group or {}).get("dependencies", {}), rel, lines, f"group:{gname}",
                          f"[tool.poetry.group.{gname}.dependencies]")


def poetry_to_pep440(spec: str) -> str:
    """Poetry's ^, ~ and * constraints as PEP 440 specifiers."""
    parts = []
    for piece in str(spec).split(","):
        piece = piece.strip()
        if not piece or piece == "*":
            continue
        if piece.startswith("^"):
            v = piece[1:].strip()
            nums = [int(x) if x.isdigit() else 0 for x in re.split(r"[.]", v)[:3]]
            while len(nums) < 3:
                nums.append(0)
            given = len(re.split(r"[.]", v))
            if nums[0] != 0:
                upper = f"{nums[0] + 1}.0.0"
            elif nums[1] != 0 or given == 2:
                upper = f"0.{nums[1] + 1}.0"
            else:
                upper = f"0.0.{nums[2] + 1}" if given >= 3 else "1.0.0"
            if nums[0] != 0 and given <= 2:
                upper = f"{nums[0] + 1}.0"
            parts.append(f">={v},<{upper}")
        elif piece.startswith("~") and not piece.startswith("~="):
            v = piece[1:].strip()
            nums = v.split(".")
            upper = f"{nums[0]}.{int(nums[1]) + 1}.0" if len(nums) >= 2 and nums[1].isdigit() else f"{int(nums[0]) + 1}.0"
            parts.append(f">={v},<{upper}")
        elif re.match(r"^\d", piece):
            parts.append(f"=={piece}")
        else:
            parts.append(piece)
    return ",".join(parts)


def _poetry_table(out: ManifestSet, table, rel: str, lines: list[str], group: str, header: str) -> None:
    if not isinstance(table, dict):
        return
    after = _section_start(lines, header)
    for name, value in table.items():
        if name.lower() == "python":
            continue
        extras: list[str] = []
        if isinstance(value, dict):
            spec = value.get("version", "*")
            extras = list(value.get("extras", []))
            if value.get("optional"):
                group = "optional:poetry"
        elif isinstance(value, str):
            spec = value
        else:
            continue
        pep = poetry_to_pep440(spec)
        line, text = _find_line(lines, name, after)
        req = f"{name}[{','.join(extras)}]{pep}" if extras else f"{name}{pep}"
        _add(out, req, rel, line, 1, group, text)


def _pipfile(text: str, rel: str, out: ManifestSet) -> None:
    data = _toml(text, rel, out)
    if data is None:
        return
    lines = text.splitlines()
    for section, group in (("packages", "main"), ("dev-packages", "dev")):
        after = _section_start(lines, f"[{section}]")
        for name, value in (data.get(section) or {}).items():
            spec = value.get("version", "*") if isinstance(value, dict) else str(value)
            spec = "" if spec.strip() == "*" else spec
            line, ltext = _find_line(lines, name, after)
            _add(out, f"{name}{spec}", rel, line, 1, group, ltext)


# ----------------------------------------------------------------------------- setup.cfg / setup.py / environment.yml


def _setup_cfg(text: str, rel: str, out: ManifestSet) -> None:
    cp = configparser.ConfigParser(interpolation=None)
    try:
        cp.read_string(text)
    except configparser.Error as exc:
        out.notifications.append(Notification(f"invalid setup.cfg: {exc}", rel, "warning", "manifest"))
        return
    lines = text.splitlines()
    if cp.has_option("options", "install_requires"):
        items = [x for x in cp.get("options", "install_requires").splitlines() if x.strip()]
        _pep508_list(out, [i.strip() for i in items], rel, lines, "main", 0)
    if cp.has_section("options.extras_require"):
        for extra, value in cp.items("options.extras_require"):
            _pep508_list(out, [i.strip() for i in value.splitlines() if i.strip()], rel, lines, f"optional:{extra}", 0)


def _setup_py(text: str, rel: str, out: ManifestSet) -> None:
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        out.notifications.append(Notification(f"setup.py does not parse (line {exc.lineno}); its dependencies are unknown", rel, "warning", "manifest"))
        return
    consts: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            consts[node.targets[0].id] = node.value
    lines = text.splitlines()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:
            value = consts.get(kw.value.id, kw.value) if isinstance(kw.value, ast.Name) else kw.value
            if kw.arg == "install_requires":
                _ast_list(out, value, rel, lines, "main")
            elif kw.arg == "extras_require" and isinstance(value, ast.Dict):
                for k, v in zip(value.keys, value.values):
                    extra = k.value if isinstance(k, ast.Constant) else "extra"
                    _ast_list(out, consts.get(v.id, v) if isinstance(v, ast.Name) else v, rel, lines, f"optional:{extra}")


def _ast_list(out: ManifestSet, node: ast.expr, rel: str, lines: list[str], group: str) -> None:
    if not isinstance(node, (ast.List, ast.Tuple)):
        return
    for elt in node.elts:
        if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
            text = lines[elt.lineno - 1] if 0 < elt.lineno <= len(lines) else ""
            _add(out, elt.value, rel, elt.lineno, elt.col_offset + 1, group, text)


def _environment_yml(text: str, rel: str, out: ManifestSet) -> None:
    in_pip = False
    pip_indent = 0
    for i, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("- pip:"):
            in_pip, pip_indent = True, len(line) - len(line.lstrip())
            continue
        if in_pip:
            indent = len(line) - len(line.lstrip())
            if stripped.startswith("- ") and indent > pip_indent:
                _add(out, stripped[2:].split("#")[0], rel, i, 1, "main", line)
            elif stripped:
                in_pip = False
