"""Reading manifest files: `parse_manifests` reads each file once (an include cycle stops there),
within a size limit and as UTF-8, and hands it by its kind to the module that reads that kind:
lock files to locks, PEP 723 scripts to scripts, the others by name to pyproject, setup_files,
pipfile, conda or requirements_txt, which record what they find through the `_Reader` they are
given. Broken input becomes a notification; nothing here raises: a file that cannot be read is
not listed among the manifests (or locks) read."""

from __future__ import annotations

import codecs

import re
import os
from pathlib import Path, PurePosixPath
from typing import Iterable, Optional, Union

from packaging.requirements import InvalidRequirement, Requirement as PkgRequirement

from agentable.cpg.manifests.conda import _environment_yml
from agentable.cpg.manifests.deploy_units import read_deploy_units
from agentable.cpg.manifests.install_scripts import INSTALL_SCRIPT_RE, install_script
from agentable.cpg.manifests.locks import _lock_file
from agentable.cpg.manifests.model import ManifestSet, Requirement, governing_dir, normalize_dist
from agentable.cpg.manifests.pipfile import _pipfile
from agentable.cpg.manifests.pyproject import _pyproject
from agentable.cpg.manifests.requirements_txt import _requirements
from agentable.cpg.manifests.modal_images import modal_image
from agentable.cpg.manifests.scripts import _script
from agentable.cpg.manifests.script_paths import repository_name
from agentable.cpg.manifests.setup_files import _setup_cfg, _setup_py
from agentable.findings import Notification
from agentable.paths import file_signature, is_manifest

_MAX_BYTES = 2_000_000


def parse_manifests(root: Path, paths: Iterable[Path]) -> ManifestSet:
    """Read the files at `paths` that files.is_manifest accepts."""
    return read_manifests(root, paths).out


def read_manifests(root: Path, paths: Iterable[Path]) -> "_Reader":
    """`parse_manifests`, returning the reader: its `out` (the ManifestSet), and the `inputs` it
    consulted and whether they describe it whole (`cacheable`), for `agentable.manifest_cache`."""
    reader = _Reader(root)
    for p in sorted(Path(p) for p in paths):
        reader.parse(p)
    read_deploy_units(reader, reader.root)
    _parse_enclosing(reader)
    _drop_ungoverned_install_scripts(reader.out)
    reader.out.root_names = tuple(p.name for p in (reader.root.parent, reader.root) if p.name)
    _drop_own_checkouts(reader.out)
    reader.out.manifests.sort()
    reader.out.lock_files.sort()
    return reader


def _drop_ungoverned_install_scripts(out: ManifestSet) -> None:
    """Keep an install script only where a manifest (requirements file, pyproject, setup.py...)
    governs its folder: there it adds to the project's declarations for that folder's code (a tool
    bundle's install.sh). A project that declares nothing there has not made the script its
    declaration of everything the folder imports (a Dockerfile beside loose scripts)."""
    regular = [governing_dir(m) for m in out.manifests if manifest_kind(PurePosixPath(m).name) != "install"]

    def governed(script: str) -> bool:
        folder = governing_dir(script)
        return any(d in (".", "") or d.startswith("..") or folder == d or folder.startswith(d + "/") for d in regular)

    dropped = {m for m in out.manifests if manifest_kind(PurePosixPath(m).name) == "install" and not governed(m)}
    if dropped:
        out.manifests[:] = [m for m in out.manifests if m not in dropped]
        out.requirements[:] = [r for r in out.requirements if r.path not in dropped]
        for table in (out.unknown_dependencies, out.source_checkouts, out.includes, out.checkout_requirements):
            for m in dropped & table.keys():
                del table[m]


def _drop_own_checkouts(out: ManifestSet) -> None:
    """A script that clones the project's own repository (`git clone .../langroid.git`, then `pip
    install .` in it, in langroid's Dockerfile) installs the project, not another repository: its
    checkout holds no unknown modules, and its requirements file is the project's."""
    own = {normalize_dist(n) for n in out.project_names.values()}
    folders = [normalize_dist(n) for n in out.root_names]

    def is_own(url: str) -> bool:
        name = normalize_dist(repository_name(url) or "-")
        # the project's distribution, or the folder it is checked out in (`ChatPaper`, `ChatPaper-main`,
        # `owner__ChatPaper`: the name between separators)
        return name in own or any(re.search(rf"(^|-){re.escape(name)}(-|$)", f) for f in folders)

    for script, urls in list(out.source_checkouts.items()):
        kept = tuple(u for u in urls if not is_own(u))
        if kept:
            out.source_checkouts[script] = kept
        else:
            del out.source_checkouts[script]
    for script, url in list(out.checkout_requirements.items()):
        if is_own(url):
            del out.checkout_requirements[script]
            out.unknown_dependencies.pop(script, None)


# How many folders above the scanned one may hold the manifests of the project it belongs to.
_ENCLOSING_LEVELS = 2


def _parse_enclosing(reader: "_Reader") -> None:
    """Read the manifests of the project that encloses the scanned folder, when that folder is a
    part of one (`agentable scan multi_agents/` in a repository whose requirements.txt or
    pyproject.toml is at its top): the nearest of the `_ENCLOSING_LEVELS` folders above that holds
    any, not above a repository's top (`.git`). Their paths are relative (`../requirements.txt`);
    the scopes inherit from them as from any folder above (ManifestSet.for_path). Only for a
    folder that has manifests of its own and no project manifest (`multi_agents/requirements.txt`). A scan of a
    folder gives its files the dependencies a scan of the whole project gives them. Notes about
    those files are dropped: they are not part of the scan."""
    if reader.exists(reader.root / ".git"):
        return
    # only a folder whose own manifests add to a project's (requirements files, no pyproject.toml,
    # setup.py or setup.cfg): a folder without any is scanned as it is (a dataset of small projects)
    own = [PurePosixPath(m).name for m in reader.out.manifests if governing_dir(m) == "."]
    if not own or any(n in ("pyproject.toml", "setup.py", "setup.cfg") for n in own):
        return
    for folder in list(reader.root.parents)[:_ENCLOSING_LEVELS]:
        names = reader.listing(folder)
        if names is None:
            return
        found = [folder / n for n in names
                 if is_manifest(n) and manifest_kind(n) == "manifest" and reader.is_file(folder / n)]
        if found:
            reader.outer = folder
            kept = len(reader.out.notifications)
            for p in found:
                reader.parse(p)
            del reader.out.notifications[kept:]
            return
        if reader.exists(folder / ".git"):
            return


_LOCK_NAMES = frozenset({"uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock"})
_PYLOCK_RE = re.compile(r"^pylock(\.[^/.]+)?\.toml$")  # PEP 751: pylock.toml, pylock.<name>.toml


# pip reads a requirements file that starts with a UTF-16 or UTF-32 byte-order mark in that encoding
# (pip's `auto_decode`; Windows editors save so); anything else must be UTF-8. UTF-32 first: its
# little-endian mark begins with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    return data.decode("utf-8-sig")


def manifest_kind(name: str) -> str:
    """"lock" (a lock file), "script" (a Python file other than setup.py: PEP 723 metadata),
    "install" (a shell script or Dockerfile: what its `pip install` commands install) or "manifest",
    for a file name that files.is_manifest accepted."""
    if name in _LOCK_NAMES or _PYLOCK_RE.match(name):
        return "lock"
    if INSTALL_SCRIPT_RE.search(name):
        return "install"
    if name.endswith(".py") and name != "setup.py":
        return "script"
    return "manifest"


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = _resolve(root) or root
        self.outer = self.root  # the top folder whose files may be read: the root, or an enclosing project's
        self.out = ManifestSet()
        self.seen: set[Path] = set()
        self.failed: set[Path] = set()
        self._folders: dict[Path, Optional[Path]] = {}  # folder -> its resolved path
        # What the set was read from, for agentable.manifest_cache: absolute path -> (how it was
        # consulted, what was seen): ("file", the file's stat signature or None when it is not a
        # regular file), ("exists", "dir", a file's signature or None), ("listing", the folder's
        # sorted entry names). `cacheable` is False once a symlink took part (the relative paths
        # then depend on where links lead, which the signatures do not show) or a folder could not
        # be listed.
        self.inputs: dict[str, tuple[str, Probe]] = {}
        self.cacheable = self.root == root

    def is_file(self, p: Path) -> bool:
        """Is `p` a regular file (links followed)? Recorded among the inputs."""
        sig = file_signature(p)
        self.inputs[os.fspath(p)] = ("file", sig)
        return sig is not None

    def exists(self, p: Path) -> bool:
        """Does anything exist at `p` (a folder, or a file)? Recorded among the inputs."""
        seen = probe_exists(p)
        self.inputs[os.fspath(p)] = ("exists", seen)
        return seen is not None

    def listing(self, folder: Path) -> Optional[list[str]]:
        """The sorted entry names of `folder`, or None when it cannot be listed; recorded among the inputs."""
        names = probe_listing(folder)
        if names is None:
            self.cacheable = False
            return None
        self.inputs[os.fspath(folder)] = ("listing", names)
        return list(names)

    def resolve(self, p: Path) -> Optional[Path]:
        """`p` resolved (symlinks followed, `..` applied), or None on a symlink loop. Each folder is
        resolved once: a monorepo's thousands of manifests resolved one by one cost a stat of every
        folder above each of them."""
        if p.name in ("", ".", "..") or not p.is_absolute() or os.path.islink(p):
            real_path = _resolve(p)
            self.cacheable = self.cacheable and real_path == p
            return real_path
        folder = p.parent
        if folder not in self._folders:
            self._folders[folder] = _resolve(folder)
            self.cacheable = self.cacheable and self._folders[folder] == folder
        real = self._folders[folder]
        return real / p.name if real is not None else None

    def rel(self, p: Path) -> str:
        return self._rel_resolved(self.resolve(p) or p)

    def _rel_resolved(self, rp: Path) -> str:
        try:
            return rp.relative_to(self.root).as_posix()
        except ValueError:
            if self.outer != self.root and (rp == self.outer or self.outer in rp.parents):
                return Path(os.path.relpath(rp, self.root)).as_posix()  # an enclosing project's: ../setup.py
            return rp.as_posix()

    def note(self, message: str, rel: str, line: int = 0) -> None:
        where = f"line {line}: " if line else ""
        self.out.notifications.append(Notification(f"{where}{message}", rel, "warning", "manifest"))

    def parse(self, p: Path, group: str = "main") -> Optional[str]:
        """Read one manifest (once); its relative path, or None when it could not be read."""
        rp = self.resolve(p)
        rel = self._rel_resolved(rp or p)
        if rp is None or not self.is_file(rp):
            return None
        if rp in self.seen:  # read already, or being read (an include cycle)
            return None if rp in self.failed else rel
        self.seen.add(rp)
        kind = manifest_kind(rp.name)
        ok = False
        try:
            if kind == "lock":
                ok = _lock_file(self, rp, rel)
            else:
                text = self._read(rp, rel)
                ok = text is not None and self._dispatch(rp, text, rel, group)
        except Exception as exc:  # a manifest must never stop the scan
            self.note(f"could not read manifest: {exc}", rel)
            ok = False
        if not ok:
            self.failed.add(rp)
            return None
        if kind == "script":
            self.out.script_manifests[rel] = rel
        elif kind == "lock":
            self.out.lock_files.append(rel)
        else:
            self.out.manifests.append(rel)
        return rel

    def include(self, base: Path, name: str, rel: str, group: str, line: int = 0) -> bool:
        """Read the requirements file `name` (relative to the folder of manifest `base`) as part of
        manifest `rel`, which then includes it. False, with a notification, when it cannot be read."""
        target = base.parent / name
        rt = self.resolve(target)
        inside = rt is not None and (rt == self.outer or self.outer in rt.parents)
        included = self.parse(target, group) if inside and rt is not None and self.is_file(rt) else None
        if included is None:
            self.note(f"dependency file {name!r} not found or unreadable", rel, line)
            return False
        self.out.includes.setdefault(rel, []).append(included)
        return True

    def _read(self, p: Path, rel: str) -> Optional[str]:
        try:
            size = p.stat().st_size
            if size > _MAX_BYTES:
                self.note(f"manifest is {size // 1024} KB, larger than the {_MAX_BYTES // 1_000_000} MB limit; skipped", rel)
                return None
            data = p.read_bytes()
        except OSError as exc:
            self.note(f"manifest unreadable: {exc.strerror or exc}", rel)
            return None
        try:
            return _decode(data)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.note("manifest is not valid UTF-8; skipped", rel, line)
            return None

    def _dispatch(self, p: Path, text: str, rel: str, group: str) -> bool:
        name = p.name
        if name == "pyproject.toml":
            return _pyproject(self, p, text, rel)
        if name == "setup.cfg":
            return _setup_cfg(self, text, rel)
        if name == "setup.py":
            return _setup_py(self, p, text, rel)
        if manifest_kind(name) == "install":
            return install_script(self, text, rel)
        if name.endswith(".py"):
            if _script(self, text, rel):
                return True
            if modal_image(self, p, text, rel):
                self.out.script_kinds[rel] = "modal"
                return True
            return False
        if name == "Pipfile":
            return _pipfile(self, text, rel)
        if name.endswith((".yml", ".yaml")):
            return _environment_yml(self, p, text, rel)
        if name.startswith("constraints"):
            group = "constraint"
        return _requirements(self, p, text, rel, group)

    def add(self, text: str, rel: str, line: int, col: int, end_col: int, group: str, table: str = "") -> None:
        """Record the PEP 508 requirement `text`, which starts at (line, col) of the manifest."""
        stripped = text.strip()
        col += len(text) - len(text.lstrip())
        try:
            req = PkgRequirement(stripped)
        except InvalidRequirement as exc:
            self.note(f"invalid requirement {stripped!r}: {str(exc).splitlines()[0]}", rel, line)
            return
        self.out.requirements.append(Requirement(
            normalize_dist(req.name), req.name, str(req.specifier), tuple(sorted(req.extras)),
            str(req.marker) if req.marker else "", rel, line, col, max(end_col, col), group, table))


# What a probe of the file system saw: a file's signature, "dir", a folder's entry names, or None.
Probe = Union[None, str, tuple[int, ...], tuple[str, ...]]


def probe_exists(p: Union[str, Path]) -> Probe:
    """"dir" for a folder, a file's signature, or None (nothing there, or something else)."""
    return "dir" if os.path.isdir(p) else file_signature(p)


def probe_listing(folder: Union[str, Path]) -> Optional[tuple[str, ...]]:
    try:
        return tuple(sorted(os.listdir(folder)))
    except OSError:
        return None


def _resolve(p: Path) -> Optional[Path]:
    try:
        return p.resolve()
    except (OSError, RuntimeError):  # symlink loops
        return None
