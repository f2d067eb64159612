"""Poetry's `[tool.poetry]` tables of pyproject.toml: dependencies, dev-dependencies, groups and
the extras optional dependencies belong to; its constraints (`^`, `~`, `*`, bare versions) are
written as PEP 440 by `poetry_to_pep440`, and one with no single PEP 440 range (`||`) is read
unpinned, with a notification."""

from __future__ import annotations

import re
from typing import Any, Optional

from agentable.cpg.manifests.model import normalize_dist
from agentable.cpg.manifests.requirements_txt import _end_col, _find_col
from agentable.cpg.manifests.toml_locations import _Lines, _python_range
from agentable.cpg.manifests.reader_api import ManifestReader


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
    return ".".join(str(y) for y in [*rel[:bump], rel[bump] + 1]) if len(rel) > 1 else "1"


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


def _poetry(reader: ManifestReader, lines: _Lines, poetry: dict, rel: str) -> None:
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


def _poetry_table(reader: ManifestReader, lines: _Lines, table: Any, rel: str, group: str, section: str,
                  extra_of: dict[str, str]) -> None:
    if not isinstance(table, dict):
        return
    first, end = lines.within(section)
    for name, value in table.items():
        if name.lower() == "python":
            if group == "main" and rel not in reader.out.python_ranges:  # [project] requires-python comes first
                idx = lines.key(name, first, end)
                written = _poetry_value(value)[0]
                python = poetry_to_pep440(written)
                if python:
                    _python_range(reader, python, rel, idx, lines.lines[idx] if idx < len(lines.lines) else "", written)
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
        reader.add(text, rel, idx + 1, col, _end_col(line, col, False), entry_group, table="tool.poetry")


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
