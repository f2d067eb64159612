"""Lock files (uv.lock, poetry.lock, pdm.lock, Pipfile.lock, PEP 751 pylock.toml): the distributions
they pin and their versions, kept by the lock's folder in `ManifestSet.locked` (names) and
`ManifestSet.pins` (versions, with the line that pins each); not declarations.
TOML locks are read as a stream, line by line, and fully parsed only to confirm a problem the line
reader saw; a lock too large, not UTF-8, truncated or malformed is a notification and is not used."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path, PurePosixPath
from typing import Optional

from agentable.cpg.manifests.model import LockedPin, normalize_dist
from agentable.cpg.manifests.reader_api import ManifestReader

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


_MAX_LOCK_BYTES = 64_000_000  # read as a stream, line by line: memory stays small
_MAX_LOCK_TOML_BYTES = 16_000_000  # a full TOML parse, only to confirm a problem the line reader saw
_LOCK_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\]\[]+?)\s*(\]\]?)\s*(?:#.*)?$")
_LOCK_NAME_RE = re.compile(r'^\s*name\s*=\s*"([A-Za-z0-9][A-Za-z0-9._-]*)"\s*(?:#.*)?$')
_LOCK_VERSION_RE = re.compile(r'^\s*version\s*=\s*"([^"]+)"\s*(?:#.*)?$')
_DIST_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_LOCK_KEY_RE = re.compile(r'^\s*(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"))*\s*=\s*(.*)$')
_LOCK_SCALAR_RE = re.compile(r'^(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_.:+-]+)\s*(?:#.*)?$')


def _lock_file(reader: ManifestReader, p: Path, rel: str) -> bool:
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
            pins = _pipfile_lock(reader, p, rel)
        else:
            pins = _toml_lock(reader, p, rel, "packages" if p.name.startswith("pylock") else "package")
    except UnicodeDecodeError:
        reader.note("lock file is not valid UTF-8; skipped", rel)
        return False
    except OSError as exc:
        reader.note(f"lock file unreadable: {exc.strerror or exc}", rel)
        return False
    if pins is None:
        return False
    folder = str(PurePosixPath(rel).parent)
    reader.out.locked[folder] = reader.out.locked.get(folder, frozenset()) | {pin.dist for pin in pins}
    by_dist = reader.out.pins.setdefault(folder, {})
    for pin in pins:
        if pin.version:
            by_dist[pin.dist] = (*by_dist.get(pin.dist, ()), pin)
    return True


def _pin(name: str, version: object, rel: str, line: int, text: str = "") -> LockedPin:
    return LockedPin(normalize_dist(name), version.strip() if isinstance(version, str) else "", rel, line,
                     len(text.rstrip()) + 1)


def _pipfile_lock(reader: ManifestReader, p: Path, rel: str) -> Optional[list[LockedPin]]:
    try:
        with open(p, encoding="utf-8-sig") as fh:
            text = fh.read()
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        reader.note(f"invalid JSON (truncated?): {exc.msg}", rel, exc.lineno)
        return None
    sections = [data.get(k) for k in ("default", "develop")] if isinstance(data, dict) else []
    if not any(isinstance(s, dict) for s in sections):
        reader.note("not a Pipfile.lock: no \"default\" or \"develop\" table; skipped", rel)
        return None
    lines: dict[str, tuple[int, str]] = {}  # name -> line of its entry: pipenv writes one key per line
    for i, ln in enumerate(text.splitlines(), start=1):
        m = re.match(r'^\s*"([A-Za-z0-9][A-Za-z0-9._-]*)"\s*:\s*\{', ln)
        if m:
            lines.setdefault(m.group(1), (i, ln))
    out: list[LockedPin] = []
    for s in sections:
        for name, entry in (s.items() if isinstance(s, dict) else ()):
            if _DIST_NAME_RE.match(str(name)):
                version = entry.get("version") if isinstance(entry, dict) else None
                exact = version[2:] if isinstance(version, str) and version.startswith("==") else ""
                out.append(_pin(str(name), exact, rel, *lines.get(str(name), (1, ""))))
    return out


def _toml_lock(reader: ManifestReader, p: Path, rel: str, table: str) -> Optional[list[LockedPin]]:
    """The `name` and `version` of every [[package]] (uv, Poetry, PDM) or [[packages]] (PEP 751)
    table, read line by line: these files are written by tools, one key per line, arrays closed by
    a `]` line. What the line reader cannot follow is handed to a full TOML parse, which decides
    (and names the error)."""
    pins: list[LockedPin] = []
    named: Optional[tuple[str, int]] = None  # (name, line) of the package table being read, before its version
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
                if named is not None:
                    pins.append(_pin(named[0], "", rel, named[1]))
                    named = None
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
                    named = (name.group(1), line_no)
                    pending = 0
                    continue
            if named is not None:
                version = _LOCK_VERSION_RE.match(line)
                if version:
                    pins.append(_pin(named[0], version.group(1), rel, line_no, line))
                    named = None
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
    if named is not None:
        pins.append(_pin(named[0], "", rel, named[1]))
    if not problem:
        return pins
    return _toml_lock_strict(reader, p, rel, table, problem)


_QUOTED_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')


def _bracket_depth(text: str) -> int:
    """Brackets opened minus closed in a line of TOML, strings and comments left out."""
    if "[" not in text and "]" not in text:
        return 0
    bare = _QUOTED_RE.sub("", text).split("#", 1)[0] if ('"' in text or "'" in text or "#" in text) else text
    return bare.count("[") - bare.count("]")


def _toml_lock_strict(reader: ManifestReader, p: Path, rel: str, table: str, problem: str) -> Optional[list[LockedPin]]:
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
    # A full parse keeps no positions: each pin cites the lock's first line.
    return [_pin(e["name"], e.get("version"), rel, 1) for e in packages]
