"""Install scripts: a shell script (`install.sh`, `setup.sh`, a tool's or an instrument's `run.sh`) or
a Dockerfile whose commands `pip install` packages by name. Whoever runs the code of that folder
runs the script first (a tool bundle's `install.sh` before its server starts, a wrapper that
installs and then calls the Python file, the image the folder is built into), so what it installs
is declared for the folder's code, like a requirements file beside it.

Only commands are read: `pip install`, `pip3 install`, `python -m pip install`, `uv pip install`
(after `RUN`, `sudo`, environment assignments or `if`/`then`/`do`); a command inside a string
(`echo "pip install x"`) or a comment is not one. Options and their values, `-r` files (read as
manifests of their own), local paths, URLs, wheels and arguments built from variables declare
nothing. A script that installs no package by name, or only the installer's own tools, is not a
manifest."""

from __future__ import annotations

import re
import shlex
from typing import Iterator

from packaging.requirements import InvalidRequirement, Requirement as PkgRequirement
from packaging.utils import canonicalize_name

from agentable.cpg.manifests.reader_api import ManifestReader

# The file names read: any `*.sh`, a `Dockerfile`, `Dockerfile.<variant>`, `<name>.dockerfile`.
INSTALL_SCRIPT_RE = re.compile(r"(^|/)([^/]+\.sh|Dockerfile(\.[^/]+)?|[^/]+\.dockerfile)$")

# What may precede the installer on a command: a Dockerfile's RUN, sudo, `VAR=value`, a shell keyword.
_PREFIX = r"(?:(?:RUN|sudo|if|then|else|do|!|exec)\s+|[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*"
# The installer itself: pip, pip3, pip3.11, a path to one, `python -m pip`, `uv pip`.
_INSTALLER = (r"(?:(?:\S*/)?pip[0-9.]*|(?:\S*/)?python[0-9.]*\s+-m\s+pip|(?:\S*/)?uv\s+pip|"
              r"\$\{?\w+\}?\s+-m\s+pip)")
_COMMAND_RE = re.compile(rf"^\s*{_PREFIX}{_INSTALLER}\s+install\s+(?P<args>.*)$")
# Options of `pip install` / `uv pip install` that take a value (`-i URL`, `--target DIR`).
_VALUE_OPTIONS = frozenset({
    "-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
    "-t", "--target", "--prefix", "--root", "--python", "-p", "--index-strategy", "--exclude-newer", "--platform",
    "--python-version", "--implementation", "--abi", "--src", "--upgrade-strategy", "--progress-bar",
    "--cache-dir", "--log", "--trusted-host", "-C", "--config-settings", "--global-option", "--install-option",
    "--no-binary", "--only-binary", "-e", "--editable", "--report", "--resolution", "--prerelease",
})
_SEPARATORS = re.compile(r"&&|\|\||;|\|")


def install_script(reader: ManifestReader, text: str, rel: str) -> bool:
    """Record what the script's `pip install` commands install by name; False when none does, or
    when it installs only installer tools (python.toml `installer_tools`: `pip install -U pip
    setuptools wheel` before `pip install -r requirements.txt`)."""
    from agentable.catalog import python_facts  # (the catalog imports the manifest model)

    tools = python_facts().installer_tools
    found: list[tuple[str, int, int]] = []
    lines = text.splitlines()
    for line_no, command in _commands(lines):
        m = _COMMAND_RE.match(command)
        if m is None:
            continue
        try:
            words = shlex.split(m.group("args"), comments=True)
        except ValueError:  # an unclosed quote: not a command we can read
            continue
        skip = False
        for word in words:
            if skip:
                skip = False
                continue
            if word.startswith("-"):
                skip = word in _VALUE_OPTIONS
                continue
            if not _names_a_package(word):
                continue
            try:
                PkgRequirement(word)
            except InvalidRequirement:
                continue
            line, col = _locate(lines, line_no, word)
            found.append((word, line, col))
    if all(canonicalize_name(PkgRequirement(w).name) in tools for w, _, _ in found):
        return False
    for word, line, col in found:
        reader.add(word, rel, line, col, col + len(word), "main")
    return True


def _names_a_package(word: str) -> bool:
    """A requirement by name (`flask`, `numpy<2`, `aizynthfinder[all]`), not a path, URL, wheel,
    archive or a word built from a variable."""
    if not word or "$" in word or "/" in word or "\\" in word or word.startswith((".", "~")):
        return False
    return not word.endswith((".whl", ".tar.gz", ".zip", ".txt"))


def _commands(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(0-based line of its start, text) of each command: continuation lines joined, comment
    lines dropped, split at `&&`, `||`, `;` and `|`."""
    i = 0
    while i < len(lines):
        start = i
        body = ""
        while i < len(lines):
            raw = lines[i]
            i += 1
            if raw.lstrip().startswith("#"):
                if body:
                    continue  # a comment between continuation lines
                break
            if raw.rstrip().endswith("\\"):
                body += raw.rstrip()[:-1] + " "
                continue
            body += raw
            break
        for part in _SEPARATORS.split(body):
            if part.strip():
                yield start, part


def _locate(lines: list[str], start: int, word: str) -> tuple[int, int]:
    """(1-based line, 1-based column) of `word` at or after line `start` of the command."""
    for i in range(start, min(start + 50, len(lines))):
        col = lines[i].find(word)
        if col >= 0 and not lines[i].lstrip().startswith("#"):
            return i + 1, col + 1
    return start + 1, 1
