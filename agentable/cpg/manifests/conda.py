"""environment.yml (conda): the `pip:` section of an environment, read line by line (no YAML
parser needed), each item as a requirements-file line; the conda packages around it are not read."""

from __future__ import annotations

import re
from pathlib import Path

from agentable.cpg.manifests.requirements_txt import _COMMENT_RE, _requirement_line
from agentable.cpg.manifests.reader_api import ManifestReader


def _environment_yml(reader: ManifestReader, p: Path, text: str, rel: str) -> bool:
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
