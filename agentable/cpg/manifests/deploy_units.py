"""Deployment descriptors that build a folder on its own: a `langgraph.json` (LangGraph CLI,
`langgraph dev` / `build` / `up`, LangGraph Platform) lists under `dependencies` what the image
installs: "." (the descriptor's folder), the path of a folder holding a pyproject.toml, setup.py or
requirements.txt ("./my_agent"), or a package name. Only those are installed, and only the listed
folders are copied in: the manifests of the folders above a listed one are not read, and the
repository's own package is importable only when its folder is listed too. A listed folder is an
install unit of its own (`ManifestSet.deploy_units`, used by `for_path`).

Read only where manifests are: the folders of the manifests read and the folders above them, up to
the scanned root. A descriptor with `dockerfile_lines` (arbitrary build steps that may install
more; an empty list adds none) or that cannot be read defines no unit."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path, PurePosixPath

from agentable.cpg.manifests.model import DeployUnit, governing_dir
from agentable.cpg.manifests.reader_api import ManifestReader

# descriptor file name -> the key that lists what its image installs
DESCRIPTORS = {"langgraph.json": "dependencies"}
# keys whose presence means the build installs more than the descriptor lists
_OPEN_KEYS = frozenset({"dockerfile_lines"})
_MAX_BYTES = 200_000


def read_deploy_units(reader: ManifestReader, root: Path) -> None:
    """Record, for every folder a descriptor lists, the descriptor and every folder it lists."""
    folders: set[str] = set()
    for m in reader.out.manifests:
        cur = PurePosixPath(governing_dir(m))
        if cur.parts[:1] == ("..",):
            continue  # an enclosing project's: not part of the scan
        while True:
            folders.add(str(cur))
            if str(cur) in (".", ""):
                break
            cur = cur.parent
    for folder in sorted(folders):
        for name, key in DESCRIPTORS.items():
            path = root / folder / name
            if reader.is_file(path):
                _descriptor(reader, path, folder, name, key)


def _descriptor(reader: ManifestReader, path: Path, folder: str, name: str, key: str) -> None:
    rel = name if folder == "." else f"{folder}/{name}"
    try:
        if path.stat().st_size > _MAX_BYTES:
            return
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError):
        return
    if not isinstance(data, dict) or any(data.get(k) for k in _OPEN_KEYS):  # `"dockerfile_lines": []` adds none
        return
    deps = data.get(key)
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        return
    members: list[str] = []
    listed_at: dict[str, int] = {}
    for dep in deps:
        if dep.startswith("."):
            members.append(posixpath.normpath(posixpath.join(folder, dep)))
            listed_at.setdefault(members[-1], _line_of(text, dep) or 1)
        else:  # a package name the image installs
            line = _line_of(text, dep)
            col = text.splitlines()[line - 1].find(dep) + 1 if line else 1
            reader.add(dep, rel, line or 1, col, col + len(dep), "main")
    entries = _graph_files(data.get("graphs"), folder)
    for member in members:
        known = reader.out.deploy_units.get(member, DeployUnit((), ()))
        # several descriptors list the folder: what any of them installs along with it counts
        reader.out.deploy_units[member] = DeployUnit((*known.descriptors, rel),
                                                     tuple(dict.fromkeys((*known.members, *members))),
                                                     tuple(dict.fromkeys((*known.entries, *entries))),
                                                     (*known.listed_at, (rel, listed_at[member])))


def _graph_files(graphs: object, folder: str) -> list[str]:
    """The Python files of `"graphs": {"id": "./path/file.py:variable"}`, relative to the root."""
    if not isinstance(graphs, dict):
        return []
    out = []
    for target in graphs.values():
        spec = target.get("path") if isinstance(target, dict) else target  # {"path": ..., "description": ...}
        if isinstance(spec, str) and spec.partition(":")[0].endswith(".py"):
            out.append(posixpath.normpath(posixpath.join(folder, spec.partition(":")[0])))
    return out


def _line_of(text: str, value: str) -> int:
    needle = json.dumps(value)
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return 0
