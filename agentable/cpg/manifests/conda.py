"""environment.yml / environment.yaml (conda): the `dependencies` list of an environment, read as
data (ruamel's round-trip load: plain values with positions, nothing constructed). Its `pip:`
sub-list is pip requirements-file lines (`-r` includes too). The conda packages around it are conda
match specs (`numpy=1.26`, `conda-forge::openai>=1.0`, `pytorch 2.1.*`, `scipy[version='>=1.11']`):
a conda package's name is the PyPI name of the same distribution for most Python packages, and
distributions.toml [conda] lists the ones whose names differ (`pytorch` is torch) and the packages
that install no Python distribution at all (`python`, `cudatoolkit`, `graphviz`, the C library);
those declare nothing. Conda declarations carry the table "conda", for the rules that tell them
from pip's. A YAML file with no `dependencies` list is not an environment file (it is not read as a
manifest); one that does not parse is a manifest whose dependencies are unknown."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from agentable.cpg.manifests.model import Requirement, normalize_dist
from agentable.cpg.manifests.requirements_txt import _COMMENT_RE, _requirement_line
from agentable.cpg.manifests.reader_api import ManifestReader

# `channel::name`, `channel/label::name`: where conda gets it, not what it is
_CHANNEL_RE = re.compile(r"^[^\s:]+::")
_NAME_RE = re.compile(r"^\s*([A-Za-z0-9_][A-Za-z0-9._-]*)")
# `name[version='>=1.2', build=...]`: the bracket form's version key
_BRACKET_VERSION_RE = re.compile(r"""\[[^\]]*\bversion\s*=\s*['"]?([^'",\]]+)""")


def _environment_yml(reader: ManifestReader, p: Path, text: str, rel: str) -> bool:
    from agentable.cpg.artifacts.yaml_fast import load_yaml

    try:
        doc = load_yaml(text)
    except Exception as exc:  # any YAML error: the file is an environment whose packages are unknown
        if "dependencies" not in text:
            return False
        reader.out.unknown_dependencies[rel] = f"does not parse as YAML: {str(exc).splitlines()[0]}"
        reader.note("environment file does not parse as YAML; its dependencies are unknown", rel)
        return True
    deps = doc.get("dependencies") if isinstance(doc, dict) else None
    if not isinstance(deps, list):
        return False  # a YAML file named so that is not a conda environment (an app's settings)
    lines = text.splitlines()
    for i, item in enumerate(deps):
        line = _line_of(deps, i)
        if isinstance(item, dict):
            pip = item.get("pip")
            if isinstance(pip, list):
                for j, spec in enumerate(pip):
                    pline = _line_of(pip, j)
                    if isinstance(spec, str) and pline:
                        body = _COMMENT_RE.sub("", spec).strip()
                        _requirement_line(reader, p, body, lines[pline - 1], rel, pline, "main")
            continue
        if isinstance(item, str) and line:
            _conda_package(reader, item, lines[line - 1], rel, line)
    return True


def _line_of(seq: Any, i: int) -> int:
    """The 1-based line of item `i` of a round-trip sequence (0 when unknown)."""
    try:
        return int(seq.lc.item(i)[0]) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return 0


def _conda_package(reader: ManifestReader, spec: str, first: str, rel: str, line_no: int) -> None:
    from agentable.catalog import conda_names

    body = _CHANNEL_RE.sub("", spec.strip())
    m = _NAME_RE.match(body)
    if m is None:
        return
    name = m.group(1)
    renamed, not_python = conda_names()
    conda = normalize_dist(name)
    dist = renamed.get(conda, name)
    if conda in not_python or not dist:
        return
    specifier = conda_specifier(body[m.end():])
    col = first.find(name) + 1 or 1
    end = len(_COMMENT_RE.sub("", first).rstrip().rstrip("'\"")) + 1
    reader.out.requirements.append(Requirement(
        normalize_dist(dist), name, specifier, (), "", rel, line_no, col, max(end, col + len(name)), "main", "conda"))


def conda_specifier(rest: str) -> str:
    """The PEP 440 specifier of a conda match spec's version part (what follows the name): `=1.2`
    (conda's fuzzy match: 1.2.*) is `==1.2.*`, `==1.2` and `>=1.2,<2` are as written, a bare version
    after a space (`1.2.*`, `1.2`) is `==` it, a `=build` string is dropped. "" when there is none,
    or when it cannot be written in PEP 440 (an `|` of ranges)."""
    bracket = _BRACKET_VERSION_RE.search(rest)
    text = bracket.group(1) if bracket else rest.split("[", 1)[0]
    text = text.strip()
    if not text or "|" in text:
        return ""
    if text.startswith("=") and not text.startswith("=="):
        version = text[1:].split("=", 1)[0].strip()  # `=1.2=py39_0`: the build string after the version
        return _valid(f"=={version.rstrip('.*')}.*") or _valid(f"=={version}")
    version = text.split()[0] if text[0].isdigit() else ""
    if version:  # `numpy 1.26.*`, `numpy 1.26.4 py311_0`
        return _valid(f"=={version}") or _valid(f"=={version.rstrip('*').rstrip('.')}.*")
    return _valid(re.sub(r"\s*,\s*", ",", text).split()[0])  # `>=1.2, <2`; a build string after a space dropped


def _valid(spec: str) -> str:
    try:
        return str(SpecifierSet(spec))
    except InvalidSpecifier:
        return ""

