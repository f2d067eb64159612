"""Pipfile (pipenv): the `[packages]` (main) and `[dev-packages]` (dev) tables, each entry a
version string or a table with version, extras and markers. Pipfile.lock is read by locks."""

from __future__ import annotations


from agentable.cpg.manifests.requirements_txt import _end_col, _find_col
from agentable.cpg.manifests.toml_locations import _Lines, _toml
from agentable.cpg.manifests.reader_api import ManifestReader


def _pipfile(reader: ManifestReader, text: str, rel: str) -> bool:
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
