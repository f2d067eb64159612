"""pyproject.toml: PEP 621 `[project]` dependencies and optional-dependencies, PEP 735
dependency-groups, Poetry's tables (read by poetry), PDM and uv dev dependencies, Hatch
environments, and the dependencies build hooks fill in for `[project] dynamic` (Hatch metadata
hooks, hatch-requirements-txt files, setuptools `[tool.setuptools.dynamic]` files). Dynamic
dependencies that no table or file read here gives are recorded in `unknown_dependencies`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentable.cpg.manifests.entry_points import toml_entry_points
from agentable.cpg.manifests.poetry import _poetry
from agentable.cpg.manifests.model import normalize_dist
from agentable.cpg.manifests.toml_locations import (
    _Lines, _named_lists, _pep508_list, _python_range, _subtable, _table_lists, _toml,
)
from agentable.cpg.manifests.reader_api import ManifestReader


def _published(data: dict[str, Any], project: Any, poetry: Any) -> bool:
    """Does this pyproject.toml build a distribution for users to install: a build backend, and
    a PEP 621 `[project]` or Poetry's explicit `packages` (not `package-mode = false`, Poetry's
    application mode)? A Poetry table without `packages` is often an application's."""
    build = data.get("build-system")
    if not isinstance(build, dict) or not isinstance(build.get("build-backend"), str):
        return False
    if isinstance(poetry, dict):
        return poetry.get("package-mode", True) is not False and isinstance(poetry.get("packages"), list)
    return isinstance(project, dict) and isinstance(project.get("name"), str)


def _pyproject(reader: ManifestReader, p: Path, text: str, rel: str) -> bool:
    data = _toml(reader, text, rel)
    if data is None:
        return False
    lines = _Lines(text)
    project = data.get("project")
    tool_table = data["tool"] if isinstance(data.get("tool"), dict) else {}
    for table in (project, tool_table.get("poetry")):
        if isinstance(table, dict) and isinstance(table.get("name"), str) and table["name"].strip():
            reader.out.project_names[rel] = normalize_dist(table["name"].strip())
            break
    if _published(data, project, tool_table.get("poetry")):
        reader.out.published.add(rel)
    if isinstance(project, dict):
        first, end = lines.within("project")
        _pep508_list(reader, lines, project.get("dependencies"), rel, "main", lines.key("dependencies", first, end))
        if isinstance(project.get("requires-python"), str):
            idx = lines.key("requires-python", first, end)
            _python_range(reader, project["requires-python"], rel, idx, lines.lines[idx] if idx < len(lines.lines) else "")
        _table_lists(reader, lines, project.get("optional-dependencies"), rel, "project.optional-dependencies",
                     "optional-dependencies", "optional:")
        for key in ("scripts", "gui-scripts"):
            toml_entry_points(reader, lines, project.get(key), rel, f"project.{key}", key)
    _table_lists(reader, lines, data.get("dependency-groups"), rel, "dependency-groups", "", "group:")
    tool = data["tool"] if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry")
    if isinstance(poetry, dict):
        _poetry(reader, lines, poetry, rel)
        toml_entry_points(reader, lines, poetry.get("scripts"), rel, "tool.poetry.scripts", "scripts")
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


def _dynamic_dependencies(reader: ManifestReader, p: Path, lines: _Lines, data: dict, rel: str) -> bool:
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
