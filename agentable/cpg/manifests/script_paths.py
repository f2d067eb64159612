"""Where the paths an install script hands to `pip install` come from.

A Dockerfile or shell script installs more than packages by name: a requirements file
(`-r /app/requirements-api.txt`), a local folder (`pip install -e .`, `/usr/src/lib`), a folder on
the import path (`ENV PYTHONPATH=/usr/src/lib`). Such a path is either a file of the project (what
the script copied into the image: `COPY requirements-api.txt /app/`, or the build context below
`WORKDIR` after `COPY . .`) or a checkout of another repository (`ADD https://github.com/o/lib.git#<ref>
/usr/src/lib`, `git clone https://github.com/o/lib [dir]`, then `cd lib && pip install -e .`),
whose files are not in the project. This module follows `WORKDIR`, `cd`, `COPY`/`ADD`, `git clone`
and `ENV`/`export PYTHONPATH` through the script's commands in order, and says which of the two a
path is. Paths built from variables, or copied from another build stage, are neither."""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from dataclasses import dataclass, field
from typing import Optional

# A repository URL a checkout is made from: `https://github.com/o/lib.git#ref`, `git@host:o/lib`,
# `git+https://...@ref`. The repository's name is the last path part, `.git` and any ref dropped.
_REPO_URL_RE = re.compile(r"^(?:git\+)?(?:https?|ssh|git)://\S+|^git@[^:\s]+:\S+$")
_GIT_SUFFIX_RE = re.compile(r"\.git$")
# A Dockerfile instruction in its JSON form: `COPY ["requirements.txt", "/app/"]`.
_JSON_FORM_RE = re.compile(r"^(COPY|ADD)\s+(\[.*\])\s*$", re.IGNORECASE)


def repository_name(url: str) -> str:
    """`https://github.com/princeton-nlp/WebShop.git#64fa2a5` -> "WebShop"; "" when the URL has no path."""
    base = url.split("#", 1)[0].rstrip("/")
    last = re.split(r"[/:]", base)[-1].split("@", 1)[0]  # `.../lib.git@v2`: the ref dropped
    name = _GIT_SUFFIX_RE.sub("", last)
    return name if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name or "") else ""


def is_repository_url(word: str) -> bool:
    """A URL a `git clone` or `ADD` takes a repository from (a `.git` URL, `git+`, `git@`, `ssh`), not
    any web address (`ADD https://example.org/data.zip /data` is a file)."""
    if not _REPO_URL_RE.match(word):
        return False
    base = word.split("#", 1)[0].rstrip("/")
    return word.startswith(("git+", "git@", "git://", "ssh://")) or bool(_GIT_SUFFIX_RE.search(base))


@dataclass
class ScriptPaths:
    """What the commands read so far say about paths: the working folder, what `COPY` put where,
    and which folders are checkouts of other repositories."""

    folder: str  # the script's folder, relative to the project root ("" for the root)
    # the working folder: absolute in an image (`WORKDIR`), "." for the folder the script starts in,
    # None once a `cd` or `WORKDIR` names a folder built from a variable
    cwd: Optional[str] = "."
    copies: list[tuple[str, str]] = field(default_factory=list)  # (path in the image, path in the build context)
    checkouts: dict[str, str] = field(default_factory=dict)  # path -> URL of the repository checked out there

    def absolute(self, path: str) -> Optional[str]:
        """`path` joined to the working folder; None when that is unknown or `path` has a variable."""
        if "$" in path:
            return None
        if path.startswith("/"):
            return posixpath.normpath(path)
        return None if self.cwd is None else posixpath.normpath(posixpath.join(self.cwd, path))

    def checkout_of(self, path: str) -> Optional[str]:
        """The repository URL whose checkout holds `path`, or None."""
        where = self.absolute(path)
        for root, url in self.checkouts.items():
            if where is not None and (where == root or where.startswith(root.rstrip("/") + "/")):
                return url
        return None

    def project_paths(self, path: str) -> list[str]:
        """The project files `path` may be, most likely first: what `COPY` put there, else the path
        itself, each read from the script's folder and then from the project root (the two usual
        build contexts, and the two folders a shell script is run from)."""
        where = self.absolute(path)
        if where is None:
            return []
        found = [src if where == dest else posixpath.join(src, where[len(dest.rstrip("/")) + 1:])
                 for dest, src in reversed(self.copies)
                 if where == dest or where.startswith(dest.rstrip("/") + "/")]
        if not where.startswith("/"):
            found.append(where)
        out: list[str] = []
        for rel in found:
            out += [posixpath.normpath(posixpath.join(self.folder, rel)) if self.folder else rel, rel]
        return [p for p in dict.fromkeys(out) if p and p != "." and not p.startswith("..")]

    def read(self, command: str) -> None:
        """Update the state from one command (a Dockerfile instruction or a shell command)."""
        words = _split(command)
        if not words:
            return
        head = words[0].upper()
        if head == "FROM":
            self.cwd, self.copies = "/", []
        elif (head == "WORKDIR" and len(words) >= 2) or (words[0] == "cd" and len(words) == 2):
            self.cwd = self.absolute(words[1])
        elif head in ("COPY", "ADD"):
            self._copy(head, words[1:])
        elif words[0] == "git" and len(words) >= 3 and words[1] == "clone":
            self._clone(words[2:])

    def python_path(self, command: str) -> list[str]:
        """The folders an `ENV PYTHONPATH=...` or `export PYTHONPATH=...` puts on the import path."""
        words = _split(command)
        if len(words) < 2 or words[0] not in ("ENV", "export"):
            return []
        pairs = [w.split("=", 1) for w in words[1:] if "=" in w]
        if words[0] == "ENV" and len(words) >= 3 and "=" not in words[1]:
            pairs = [[words[1], " ".join(words[2:])]]  # the old form: `ENV PYTHONPATH /usr/src/lib`
        return [a for k, v in pairs if k == "PYTHONPATH" for p in v.split(":") if p
                for a in [self.absolute(p)] if a is not None]

    def _copy(self, head: str, args: list[str]) -> None:
        if any(a.startswith("--from") for a in args):
            return  # from another stage or image: not a project file
        args = [a for a in args if not a.startswith("--")]
        if len(args) < 2:
            return
        *sources, dest = args
        place = self.absolute(dest)
        if place is None:
            return
        if head == "ADD" and len(sources) == 1 and is_repository_url(sources[0]):
            self.checkouts[place] = sources[0]
            return
        if any("://" in s or "$" in s for s in sources):
            return
        for src in sources:
            src_path = posixpath.normpath(src.lstrip("/"))
            if src_path == ".":
                self.copies.append((place, ""))  # `COPY . /app`: the build context itself
                continue
            if not (dest.endswith("/") or dest in (".", "./") or len(sources) > 1):
                self.copies.append((place, src_path))  # a file or folder copied to that name
            # (`COPY requirements.txt /app` copies into /app when WORKDIR made it a folder)
            self.copies.append((posixpath.join(place, posixpath.basename(src_path)), src_path))

    def _clone(self, args: list[str]) -> None:
        rest = [a for a in args if not a.startswith("-")]
        url = next((a for a in rest if is_repository_url(a) or "://" in a), None)
        if url is None:
            return
        after = rest[rest.index(url) + 1:]
        place = self.absolute(after[0] if after else repository_name(url))
        if place is not None:
            self.checkouts[place] = url


def _split(command: str) -> list[str]:
    """The words of a command, a Dockerfile instruction's JSON form too, with a leading `RUN` (and
    its `--mount=...` options) dropped."""
    text = command.strip()
    form = _JSON_FORM_RE.match(text)
    if form is not None:
        try:
            listed = json.loads(form.group(2))
        except ValueError:
            return []
        return [form.group(1), *(str(w) for w in listed)] if isinstance(listed, list) else []
    try:
        words = shlex.split(text)  # (not `comments=True`: a `#ref` inside a URL is no comment)
    except ValueError:
        return []
    cut = next((i for i, w in enumerate(words) if w.startswith("#")), len(words))
    words = words[:cut]
    if words and words[0] == "RUN":
        words = words[1:]
        while words and words[0].startswith("--"):
            words = words[1:]
    return words
