"""Install scripts: a shell script (`install.sh`, `setup.sh`, a tool's or an instrument's `run.sh`) or
a Dockerfile whose commands `pip install` packages by name. Whoever runs the code of that folder
runs the script first (a tool bundle's `install.sh` before its server starts, a wrapper that
installs and then calls the Python file, the image the folder is built into), so what it installs
is declared for the folder's code, like a requirements file beside it.

Only commands are read: `pip install`, `pip3 install`, `python -m pip install`, `uv pip install`
(after `RUN` and its `--mount` options, `sudo`, environment assignments or `if`/`then`/`do`); a
command inside a string (`echo "pip install x"`) or a comment is not one. A wheel or sdist archive
declares the release its file name says (`pip install wheels/acme_tools-1.2.0-py3-none-any.whl`, as in
requirements files). Options and their values, project paths, plain URLs and arguments built from
variables declare nothing. A VCS URL, or
a local folder that the script cloned or `ADD`ed from a repository (`script_paths.py` follows
`WORKDIR`, `cd`, `COPY`/`ADD` and `git clone`), declares a distribution named after the repository
(as requirements files name such URLs) and is kept as a source checkout, as is such a folder on
`PYTHONPATH`. A `-r` file is read as a manifest of its own; one the script copied from another
folder of the project (`COPY deploy/worker.txt /srv/reqs.txt`) also declares for the script's folder,
and one from a checkout makes the script's declarations unknown. A script that installs none of
these, or only the installer's own tools, is not a manifest."""

from __future__ import annotations

import re
import shlex
from pathlib import PurePosixPath
from typing import Iterator, Optional

from packaging.requirements import InvalidRequirement, Requirement as PkgRequirement
from packaging.utils import canonicalize_name

from agentable.cpg.manifests.model import PythonRange, governing_dir
from agentable.cpg.manifests.reader_api import ManifestReader
from agentable.cpg.manifests.requirements_txt import archive_requirement
from agentable.cpg.manifests.script_paths import ScriptPaths, is_repository_url, repository_name

# The file names read: any `*.sh`, a `Dockerfile`, `Dockerfile.<variant>`, `<name>.dockerfile`.
INSTALL_SCRIPT_RE = re.compile(r"(^|/)([^/]+\.sh|Dockerfile(\.[^/]+)?|[^/]+\.dockerfile)$")

# What may precede the installer on a command: a Dockerfile's RUN, sudo, `VAR=value`, a shell keyword.
_PREFIX = r"(?:RUN(?:\s+--\S+)*\s+|(?:sudo|if|then|else|do|!|exec)\s+|[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*"
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
    """Record what the script's `pip install` commands install: packages by name, a repository's
    checkout (a VCS URL, or a local folder the script cloned or `ADD`ed from one: named after the
    repository, as in requirements files, and kept in `source_checkouts`), a project requirements file
    it installs with `-r` that does not already govern its folder (an include), and a requirements file
    from such a checkout (what it declares is unknown: `unknown_dependencies`). A folder of a checkout
    on `PYTHONPATH` is kept in `source_checkouts` too. False when it installs none of these, or only the
    installer's own tools (python.toml `installer_tools`: `pip install -U pip setuptools wheel` before
    `pip install -r requirements.txt`)."""
    from agentable.catalog import python_facts  # (the catalog imports the manifest model)

    image = image_python(rel, text)
    if image is not None:
        reader.out.image_pythons[rel] = image
    tools = python_facts().installer_tools
    found: list[tuple[str, int, int, int]] = []  # (requirement, line, column, end column)
    files: list[tuple[str, int]] = []  # `-r` files, with their line
    checkouts: list[str] = []
    lines = text.splitlines()
    state = ScriptPaths(governing_folder(rel))
    for line_no, command in _commands(lines):
        state.read(command)
        checkouts += [url for p in state.python_path(command) for url in [state.checkout_of(p)] if url]
        m = _COMMAND_RE.match(command)
        if m is None:
            continue
        try:
            words = shlex.split(m.group("args"), comments=True)
        except ValueError:  # an unclosed quote: not a command we can read
            continue
        option = ""
        for word in words:
            if option:
                if option in ("-r", "--requirement"):
                    files.append((word, line_no))
                elif option in ("-e", "--editable"):
                    found += _target(state, lines, line_no, word, checkouts)
                option = ""
                continue
            if word.startswith(("--requirement=", "--editable=")) or (word.startswith("-r") and len(word) > 2
                                                                    and not word.startswith("--")):
                value = word.split("=", 1)[1] if word.startswith("--") else word[2:]
                if word.startswith("--editable="):
                    found += _target(state, lines, line_no, value, checkouts)
                else:
                    files.append((value, line_no))
                continue
            if word.startswith("-"):
                option = word if word in _VALUE_OPTIONS else ""
                continue
            found += _target(state, lines, line_no, word, checkouts)
    names = [f for f in found if canonicalize_name(PkgRequirement(f[0]).name) not in tools]
    included = _include_files(reader, state, rel, files)
    if not names and not included and not checkouts and rel not in reader.out.unknown_dependencies:
        return False
    for req, line, col, end in (found if names else ()):
        reader.add(req, rel, line, col, end, "main")
    if checkouts:
        reader.out.source_checkouts[rel] = tuple(dict.fromkeys(checkouts))
    return True


_FROM_RE = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(?P<image>\S+)", re.I)
# the official image, from Docker Hub or a mirror's library path: `python:3.9`, `python:3.11-slim`
_PYTHON_IMAGE_RE = re.compile(r"(?:^|/)python:(?P<major>\d+)\.(?P<minor>\d+)(?:[.\-@]|$)")
_COPY_ALL_RE = re.compile(r"^\s*(?:COPY|ADD)\s+(?:--\S+\s+)*\.\/?\s+\S+\s*$", re.I)


def image_python(rel: str, text: str) -> Optional[PythonRange]:
    """The Python of a Dockerfile's final stage when it is built from the official `python:X.Y`
    image and copies its whole folder in (`COPY . .`, after that FROM); else None."""
    if not re.search(r"(^|/)(Dockerfile[^/]*|[^/]+\.dockerfile)$", rel):
        return None
    lines = text.splitlines()
    last = max((i for i, line in enumerate(lines) if _FROM_RE.match(line)), default=None)
    if last is None or not any(_COPY_ALL_RE.match(line) for line in lines[last + 1:]):
        return None
    m = _FROM_RE.match(lines[last])
    image = _PYTHON_IMAGE_RE.search(m.group("image")) if m is not None else None
    if m is None or image is None:
        return None
    col = m.start("image") + 1
    return PythonRange(f"=={image.group('major')}.{image.group('minor')}.*", rel, last + 1, col,
                       col + len(m.group("image")))


def governing_folder(rel: str) -> str:
    """The folder of the script `rel`, relative to the root ("" for the root)."""
    parent = str(PurePosixPath(rel).parent)
    return "" if parent == "." else parent


def _target(state: ScriptPaths, lines: list[str], line_no: int, word: str,
            checkouts: list[str]) -> list[tuple[str, int, int, int]]:
    """The requirement a positional `pip install` argument declares, as (text, line, column, end):
    a name (`flask`, `numpy<2`), a named URL (`pkg @ git+https://...`, `...#egg=pkg`), a VCS URL (its
    repository's name), a local folder that is a checkout of a repository (its name), or a wheel or
    sdist by its file name; nothing for a project path, another URL, or a word built from a variable."""
    line, col = _locate(lines, line_no, word)
    end = col + len(word)
    if "$" in word:
        return []
    archive = archive_requirement(word)
    if archive is not None:
        name_col = lines[line - 1].find(archive[0], col - 1) + 1 if line - 1 < len(lines) else 0
        return [(archive[1], line, name_col or col, (name_col or col) + len(archive[0]))]
    egg = re.search(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)", word)
    if " @ " in word or "://" in word or word.startswith("git@"):
        named = egg.group(1) if egg else word.split(" @ ", 1)[0].strip() if " @ " in word else ""
        link = word.split(" @ ", 1)[-1].strip()
        if is_repository_url(link):
            checkouts.append(link)
            named = named or repository_name(link)
        return [(named, line, col, end)] if named and _valid(named) else []
    if not _names_a_package(word):
        url = state.checkout_of(re.sub(r"\[[^\]]*\]$", "", word))  # `/usr/src/lib[extra]`, `.`
        if url is None or not repository_name(url):
            return []
        checkouts.append(url)
        return [(repository_name(url), line, col, end)]
    return [(word, line, col, end)] if _valid(word) else []


def _valid(text: str) -> bool:
    try:
        PkgRequirement(text)
    except InvalidRequirement:
        return False
    return True


def _include_files(reader: ManifestReader, state: ScriptPaths, rel: str, files: list[tuple[str, int]]) -> bool:
    """Read the `-r` files the script installs: one from a repository's checkout makes what the
    script installs unknown (`unknown_dependencies`); a project file that does not already govern the
    script's folder (a folder's own or an enclosing folder's requirements file) is included, so its
    declarations govern the folder too. True when any was included."""
    included = False
    folder = governing_folder(rel)
    for name, _line in files:
        url = state.checkout_of(name)
        if url is not None:
            reader.out.unknown_dependencies.setdefault(
                rel, f"it installs `{name}` from a checkout of {url}, whose declarations are not in the project")
            reader.out.checkout_requirements.setdefault(rel, url)
            continue
        found = next((p for p in state.project_paths(name) if (reader.root / p).is_file()), None)
        if found is None:
            continue
        home = governing_dir(found)
        if home in (".", "") or folder == home or folder.startswith(home + "/"):
            continue  # already declares for the script's folder
        done = reader.parse(reader.root / found)
        if done is not None:
            reader.out.includes.setdefault(rel, []).append(done)
            included = True
    return included


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
