"""What a project-relative path is (test code, a dependency manifest) and how a discovered file is
read safely. Low level on purpose: both file discovery (agentable.files) and the code graph
(agentable.cpg, which must not reach up into discovery) use these, and they import nothing of
agentable.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import AbstractSet, Optional, Union

_MANIFEST_RE = re.compile(r"(^|/)(requirements[^/]*\.(txt|in)|requirements/[^/]+\.(txt|in)|constraints[^/]*\.txt|"
                          r"(?!MANIFEST\.in$)[^/]+\.in|pyproject\.toml|setup\.cfg|setup\.py|Pipfile|environment\.ya?ml|"
                          # lock files: what a fresh install gets (read by cpg.manifests, never as declarations)
                          r"uv\.lock|poetry\.lock|pdm\.lock|Pipfile\.lock|pylock(\.[^/.]+)?\.toml|"
                          # install scripts: what their `pip install` commands install (cpg.manifests.install_scripts)
                          r"[^/]+\.sh|Dockerfile(\.[^/]+)?|[^/]+\.dockerfile)$")
_CODING_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")

# Larger artifacts are data, not prompts or settings.
ARTIFACT_MAX_BYTES = 512_000

# What tells an edited file from the one read before (the caches of agentable.file_facts and
# agentable.manifest_cache): size, modification and change times in nanoseconds, inode, device.
Signature = tuple[int, ...]


def stat_signature(st: os.stat_result) -> Signature:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def file_signature(p: Union[str, Path]) -> Optional[Signature]:
    """The signature of the regular file at `p` (links followed), or None when there is none."""
    try:
        st = os.stat(p)
    except OSError:
        return None
    return stat_signature(st) if stat.S_ISREG(st.st_mode) else None


# A Python file that may build the Modal image its code runs in (cpg.manifests.modal_images reads
# it as a manifest): discovery's cheap byte check, all of these occur in it.
MODAL_IMAGE_HINTS = (b"modal", b"pip_install")


# An example of the environment a project reads (`.env.example`, `.env_template`, `.env-sample`,
# `.env.local.example`, `env.template`, `example.env`): the settings it documents for a user to copy.
# A real `.env` (or `.env.local`) is the user's own, and not read as the project's documentation.
_ENV_EXAMPLE_RE = re.compile(r"^(?:\.?env[._-](?:[\w.-]*[._-])?(?:example|sample|template|tmpl|dist|defaults?)"
                             r"|(?:example|sample|template)[._-]?\.env)$", re.IGNORECASE)


def is_manifest(rel_path: str) -> bool:
    return bool(_MANIFEST_RE.search(rel_path))


def is_env_example(rel_path: str) -> bool:
    """Is the file an example `.env` the project ships (see _ENV_EXAMPLE_RE)?"""
    return bool(_ENV_EXAMPLE_RE.match(rel_path.rpartition("/")[2]))


_TEST_DIRS = frozenset({"tests", "test", "testing"})


def reported_in(path: str, only: Optional[AbstractSet[str]]) -> bool:
    """Is a finding at `path` reported when the run reports only in `only` (None: everywhere)? An
    entry ending in "/" is a folder ("" the whole root); any other entry is one file."""
    if only is None or path in only:
        return True
    return any((w == "" or w.endswith("/")) and path.startswith(w) for w in only)


# What a test runner collects from a file: test functions or classes, or a test framework imported.
# A script merely named like a test (`agent_test.py` that chats with the agent from the command
# line) has none of these, and is application code.
_TEST_CODE_RE = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+test|^[ \t]*class[ \t]+Test|"
                           r"^[ \t]*(?:import|from)[ \t]+(?:pytest|unittest|hypothesis)\b", re.MULTILINE)


def is_test_path(rel_path: str, source: Optional[str] = None) -> bool:
    """Test code: under a tests/ folder, `conftest.py`, or a pytest-style file name (`test_*.py`,
    `*_test.py`); with `source` given, a file that is only named like a test must also hold
    test code (see _TEST_CODE_RE)."""
    parts = rel_path.split("/")
    name = parts[-1]
    if _TEST_DIRS.intersection(parts[:-1]) or name == "conftest.py":
        return True
    if not (name.startswith("test_") or name.endswith("_test.py")):
        return False
    return source is None or _TEST_CODE_RE.search(source) is not None


# ----------------------------------------------------------------------------- reading


def inside_root(p: Path, root: Path) -> bool:
    try:
        p.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def load_utf8(path: Path, max_bytes: int) -> tuple[Optional[bytes], str]:
    """(UTF-8 bytes, "") or (None, why the file is skipped)."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                return None, f"skipped: {size // 1024} KB is larger than the {max_bytes // 1024} KB limit"
            data = fh.read()
    except OSError as exc:
        return None, f"unreadable: {exc.strerror or exc}"
    if b"\0" in data[:8192]:
        return None, "skipped: binary file"
    try:
        data.decode("utf-8")
        return data, ""
    except UnicodeDecodeError:
        pass
    # PEP 263: a coding cookie on the first or second line.
    for line in data.splitlines()[:2]:
        m = _CODING_RE.match(line)
        if m:
            try:
                return data.decode(m.group(1).decode("ascii")).encode("utf-8"), ""
            except (LookupError, UnicodeDecodeError):
                return None, f"skipped: not decodable as its declared encoding {m.group(1).decode('ascii', 'replace')!r}"
    return None, "skipped: not valid UTF-8 and no coding declaration"


def read_artifact(root: Path, rel: str, max_bytes: int = ARTIFACT_MAX_BYTES) -> tuple[Optional[str], str]:
    """(text, "") of a discovered artifact, or (None, why not): re-checked here, as the file is
    read after discovery (a symlink leading out of the root, too large, binary, not UTF-8)."""
    path = root / rel
    if not inside_root(path, root.resolve()):
        return None, "symlink points outside the scanned root; skipped"
    data, reason = load_utf8(path, max_bytes)
    if data is None:
        return None, reason
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        return None, "skipped: not valid UTF-8"
