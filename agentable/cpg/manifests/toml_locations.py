"""Where TOML values sit, since tomllib gives no positions: `_Lines` finds a table's lines, the
line assigning a key and the quoted string of a value. With it, the PEP 508 lists of TOML
manifests (pyproject tables, PEP 723 blocks) are read with the line and column of each entry; a
version written as a build-time template (`{{ version }}`) is read unpinned."""

from __future__ import annotations

import re
import sys
from typing import Any, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from agentable.cpg.manifests.model import PythonRange
from agentable.cpg.manifests.reader_api import ManifestReader

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


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


def _toml(reader: ManifestReader, text: str, rel: str) -> Optional[dict]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reader.note(f"invalid TOML: {exc}", rel)
        return None


def _pep508_list(reader: ManifestReader, lines: _Lines, items: Any, rel: str, group: str, start: int) -> None:
    if items is not None and not isinstance(items, list):
        # `dependencies = "openai"`: installers refuse it, so nothing is declared; say so
        reader.note(f"a dependency list must be an array of strings, not {type(items).__name__} {items!r:.60}; "
                    "installers reject the file, and its entries are not read", rel, start + 1)
        return
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


def _table_lists(reader: ManifestReader, lines: _Lines, table: Any, rel: str, section: str, parent_key: str,
                 prefix: str) -> None:
    """A table of named PEP 508 lists: optional-dependencies, dependency-groups, PDM dev groups."""
    if isinstance(table, dict):
        _named_lists(reader, lines, table, rel, lines.within(section, parent_key), prefix)


def _named_lists(reader: ManifestReader, lines: _Lines, table: dict, rel: str, where: tuple[int, int], prefix: str) -> None:
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


def _python_range(reader: ManifestReader, spec: str, rel: str, idx: int, line_text: str, written: str = "") -> None:
    """Record the Python versions a manifest declares (`spec` in PEP 440; `written` as the file
    writes it, when that differs) at 0-based line `idx`; a range no installer can read is noted."""
    spec = spec.strip()
    try:
        SpecifierSet(spec)
    except InvalidSpecifier:
        reader.note(f"the declared Python versions {spec!r} are not a PEP 440 range; not read", rel, idx + 1)
        return
    if not spec:
        return
    shown = (written or spec).strip()
    at = line_text.find(shown)
    col = at + 1 if at >= 0 else 1
    reader.out.python_ranges[rel] = PythonRange(spec, rel, idx + 1, col, col + len(shown) if at >= 0 else 1)
