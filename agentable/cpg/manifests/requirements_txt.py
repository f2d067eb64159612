"""requirements.txt, constraints files and every file in pip's requirements format: one
requirement per logical line (continuations joined, comments dropped), `-r`/`-c` includes read as
part of the including file, `-e` and URL requirements named by their `#egg=` (a VCS URL without
one, nor a subdirectory, by its repository), a wheel or sdist archive (a path, `file:` or web URL)
by its file name (`vendor/acme_tools-1.2.0-py3-none-any.whl` is `acme-tools==1.2.0`), per-requirement
options left out; options, other local paths and unnamed URLs declare nothing. The column helpers
here also place the declarations of the other formats."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Optional

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

from agentable.cpg.manifests.reader_api import ManifestReader


_COMMENT_RE = re.compile(r"(^|\s)#.*$")
_INCLUDE_RE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=[^\s-]))(\S+)")
_EGG_RE = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
# Per-requirement options (--hash, --config-settings, ...) end the requirement itself.
_REQ_OPTION_RE = re.compile(r"\s--?[A-Za-z]")
# A VCS checkout named by no #egg=: pip builds the repository, whose distribution is nearly always
# named after it (`git+https://github.com/org/Toolkit.git@v2` -> Toolkit).
_VCS_REPO_RE = re.compile(r"^(?:(?:-e|--editable)\s+)?(?:git|hg|svn|bzr)\+[^\s#]*?/([A-Za-z0-9][A-Za-z0-9._-]*?)"
                          r"(?:\.git)?/?(?:@[^\s#/]*)?$")


def _logical_lines(text: str) -> Iterable[tuple[int, str, str]]:
    """(1-based first line, joined body without comments, first physical line) per logical line."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start, first = i, lines[i]
        body = ""
        while True:
            raw = lines[i]
            # An #egg= fragment is part of a URL, not a comment.
            part = raw if _EGG_RE.search(raw) else _COMMENT_RE.sub("", raw)
            i += 1
            if part.rstrip().endswith("\\") and i < len(lines):
                body += part.rstrip()[:-1] + " "
                continue
            body += part
            break
        yield start + 1, body.strip(), first


def _requirements(reader: ManifestReader, p: Path, text: str, rel: str, group: str) -> bool:
    for line_no, body, first in _logical_lines(text):
        _requirement_line(reader, p, body, first, rel, line_no, group)
    return True


def _requirement_line(reader: ManifestReader, p: Path, body: str, first: str, rel: str, line_no: int, group: str) -> None:
    if not body:
        return
    inc = _INCLUDE_RE.match(body)
    if inc:
        target = p.parent / inc.group(2)
        inc_group = "constraint" if inc.group(1) in ("-c", "--constraint") else group
        included = reader.parse(target, inc_group) if reader.is_file(target) else None
        if included is None:
            reader.note(f"included file {inc.group(2)!r} not found or unreadable", rel, line_no)
        else:
            reader.out.includes.setdefault(rel, []).append(included)
        return
    egg = _EGG_RE.search(body)
    repo = None if egg else _VCS_REPO_RE.match(body)
    if repo is not None:
        col = first.find(repo.group(1)) + 1 or 1
        reader.add(repo.group(1), rel, line_no, col, col + len(repo.group(1)), group)
        return
    if body.startswith(("-e", "--editable")) or (egg and "@" not in body.split("#", 1)[0].split("://", 1)[0]):
        if egg:  # a URL or VCS checkout names its distribution only through #egg=
            col = first.find(egg.group(1)) + 1 or 1
            reader.add(egg.group(1), rel, line_no, col, col + len(egg.group(1)), group)
        return
    if body.startswith("-"):
        return  # --index-url, --pre, ...
    archive = archive_requirement(body.split()[0])
    if archive is not None:
        name, requirement = archive
        col = _find_col(first, name)
        reader.add(requirement, rel, line_no, col, col + len(name), group)
        return
    if body.startswith((".", "/", "~", "file:")) or ("://" in body and "@" not in body.split("://", 1)[0]):
        return  # a local path or bare URL without a name
    opt = _REQ_OPTION_RE.search(body)
    req = body[: opt.start()] if opt else body
    col = _find_col(first, _name_prefix(req))
    reader.add(req, rel, line_no, col, _end_col(first, col), group)


_ARCHIVE_RE = re.compile(r"^(?P<file>[^/\\]+?\.(?:whl|tar\.gz|zip))(?P<extras>\[[A-Za-z0-9_,.\s-]+\])?$")


def archive_requirement(location: str) -> Optional[tuple[str, str]]:
    """(the distribution name as the file writes it, the requirement `name[extras]==version`) of a
    wheel or sdist given by a path or URL (`./wheels/acme_tools-1.2.0-py3-none-any.whl`,
    `https://host/dl/acme-tools-1.2.0.tar.gz#sha256=...`, with pip's optional `[extras]` after it);
    None for anything else. The file name is standard (a wheel's by its spec, an sdist's as
    `name-version.tar.gz`), and pip installs exactly that release."""
    path = location.split("#", 1)[0].split("?", 1)[0]
    m = _ARCHIVE_RE.match(re.split(r"[/\\]", path)[-1])
    if m is None:
        return None
    file = m.group("file")
    try:
        if file.endswith(".whl"):
            name, version, _build, _tags = parse_wheel_filename(file)
        else:
            name, version = parse_sdist_filename(file if file.endswith(".tar.gz") else file[:-4] + ".tar.gz")
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    raw = file.split("-", 1)[0] if file.endswith(".whl") else file.rsplit("-", 1)[0]
    extras = re.sub(r"\s", "", m.group("extras") or "")
    return raw, f"{name}{extras}=={version}"


def _name_prefix(req: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return m.group(1) if m else req.strip()


def _find_col(line: str, needle: str, start: int = 0) -> int:
    at = line.find(needle, start) if needle else -1
    return at + 1 if at >= 0 else start + 1


def _end_col(line: str, col: int, options: bool = True) -> int:
    """Exclusive end of the declaration on its line: before a comment, a continuation or (in
    requirements files) per-requirement options."""
    text = _COMMENT_RE.sub("", line) if not _EGG_RE.search(line) else line
    text = text.rstrip().removesuffix("\\").rstrip()
    opt = _REQ_OPTION_RE.search(text, col) if options else None
    if opt:
        text = text[: opt.start()].rstrip()
    return max(len(text) + 1, col)
