"""The commands a manifest installs: PEP 621 `[project.scripts]` and `[project.gui-scripts]`,
Poetry's `[tool.poetry.scripts]` and setup.cfg's `[options.entry_points]` `console_scripts` and
`gui_scripts`, each `name = "module:attr"` with its line. (setup.py's entry_points are code, and
not read.)"""

from __future__ import annotations

import re
from typing import Any

from agentable.cpg.manifests.model import EntryPoint
from agentable.cpg.manifests.reader_api import ManifestReader
from agentable.cpg.manifests.toml_locations import _Lines

_TARGET_RE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*:\s*([A-Za-z_][\w.]*)\s*(?:\[[^\]]*\])?\s*$")


def toml_entry_points(reader: ManifestReader, lines: _Lines, table: Any, rel: str, section: str,
                      parent_key: str) -> None:
    """The `name = "module:attr"` entries of a pyproject table (`project.scripts`)."""
    if not isinstance(table, dict):
        return
    first, end = lines.within(section, parent_key)
    for name, value in table.items():
        if isinstance(value, dict):  # Poetry's `{ reference = "module:attr", type = "console" }`
            value = value.get("reference") if value.get("type", "console") == "console" else None
        if isinstance(value, str):
            _add(reader, lines, rel, str(name), value, lines.key(str(name), first, end))


def cfg_entry_points(reader: ManifestReader, lines: _Lines, value: str, rel: str, start: int) -> None:
    """The `name = module:attr` lines of setup.cfg's console_scripts (or gui_scripts) value."""
    for item in value.splitlines():
        name, eq, target = item.partition("=")
        if not eq or not name.strip():
            continue
        idx = next((j for j in range(start, len(lines.lines)) if item.strip() in lines.lines[j]), start)
        _add(reader, lines, rel, name.strip(), target, idx)


def _add(reader: ManifestReader, lines: _Lines, rel: str, name: str, target: str, idx: int) -> None:
    m = _TARGET_RE.match(re.sub(r"\s#.*$", "", target))  # (an INI value keeps an inline comment)
    if m is None:
        return
    text = lines.lines[idx] if idx < len(lines.lines) else ""
    at = text.find(m.group(1))
    col = at + 1 if at >= 0 else 1
    reader.out.entry_points.append(EntryPoint(name, m.group(1), m.group(2), rel, idx + 1, col,
                                              col + len(m.group(1)) if at >= 0 else 1))
