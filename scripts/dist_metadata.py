"""Maintainer script: derive the catalog's wheel table (agentable/catalog/wheels.pack) from the
distributions' own wheels, instead of writing import names and dependencies by hand.

For each distribution named (on the command line, or one a line in --list), it downloads the
newest wheel with `pip download --no-deps --only-binary=:all:` (PyPI through pip, nothing else; the
machine's pip configuration is not read, so local mirrors or constraints do not change the result),
and reads from it:
- the import names it installs: the top-level packages and modules in RECORD (a namespace folder
  without `__init__.py`, such as `google/`, gives its sub-packages: `google.genai`); `top_level.txt`
  when RECORD is missing. Private names (`_x`), tests, docs and examples are left out;
- its unconditional `Requires-Dist` (what installing it brings), and per extra the distributions
  the extra adds (`pydantic-ai-slim[ag-ui]` -> ag-ui-protocol);
- for a list line marked `optional` (langchain-community, crewai-tools...), which public classes,
  functions and modules import a package the distribution does not bring, behind an ImportError
  that says `pip install <name>` (scripts/dist_optional.py).
Markers other than `extra == ...` (python_version, sys_platform) are kept as unconditional: the
table answers "can a declared distribution bring this import", not "on which platform".

Huge wheels (torch, tensorflow, nvidia-*, ... hundreds of MB; `_HUGE`) are not downloaded: their
METADATA comes from `pip install --dry-run --report` (the index serves it apart from the wheel), and
their import names from `_HUGE_IMPORTS` or the distribution's name; the entry says so
(`imports_from = "name"`). Downloads run `--jobs` at a time; finished distributions are appended to
`<output>.partial.jsonl`, so an interrupted run resumes where it stopped.

    python scripts/dist_metadata.py --list scripts/dist_metadata.txt -o agentable/catalog/wheels.pack
"""

from __future__ import annotations

import argparse
import datetime
import email.message
import email.parser
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dist_optional import mine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from agentable.catalog.datapack import WHEELS

_PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
_ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k == "PIP_CERT"},
        "PIP_CONFIG_FILE": os.devnull}
# Wheels of hundreds of MB: read their METADATA only. Their import names are the ones below, or the
# distribution's name with `_` for `-`.
_HUGE = re.compile(r"^(torch|torchvision|torchaudio|tensorflow.*|tf-nightly.*|tf-keras|nvidia-.*|cuda-.*|jaxlib|"
                   r"jax-cuda.*|onnxruntime.*|triton|xformers|vllm|bitsandbytes|flash-attn|deepspeed|pyarrow|"
                   r"opencv-.*|paddlepaddle.*|mxnet.*|cupy.*|ray|ctranslate2|llvmlite|polars|duckdb|playwright|"
                   r"faiss-gpu.*|tensorrt.*|intel-.*|mkl.*|torch-.*)$")
_HUGE_IMPORTS: dict[str, list[str]] = {
    "torch": ["functorch", "torch", "torchgen"], "tensorflow": ["tensorflow"], "tf-keras": ["tf_keras"],
    "opencv-python": ["cv2"], "opencv-python-headless": ["cv2"], "opencv-contrib-python": ["cv2"],
    "opencv-contrib-python-headless": ["cv2"], "faiss-gpu": ["faiss"], "faiss-gpu-cu12": ["faiss"],
    "pyarrow": ["pyarrow"], "ray": ["ray"], "onnxruntime": ["onnxruntime"], "onnxruntime-gpu": ["onnxruntime"],
}

# Extras for the project's own development (tests, docs, linters): never what a user installs.
_DEV_EXTRA = re.compile(r"^(dev|develop|development|tests?|testing|quality|docs?|lint|linting|typing|style|benchmarks?|"
                        r"all|full|complete|benchmarking|compare|cover|coverage|profiling|rtd|check|enabler|type|mypy|pre-commit)"
                        r"([-_].*)?$|.*-(dev|tests?|testing)$")
_SKIP = frozenset({"tests", "test", "testing", "docs", "doc", "examples", "example", "benchmarks", "scripts"})


def _imports(z: zipfile.ZipFile, info_dir: str) -> list[str]:
    names = z.namelist()
    files = [n for n in names if not n.startswith(info_dir) and ".data/" not in n.split("/")[0] + "/"]
    tops: set[str] = set()
    folders: dict[str, set[str]] = {}
    for n in files:
        parts = n.split("/")
        if len(parts) == 1:
            if parts[0].endswith((".py", ".so", ".pyd")) or ".cpython-" in parts[0]:
                tops.add(parts[0].split(".")[0])
        else:
            folders.setdefault(parts[0], set()).add("/".join(parts[1:]))
    for top, inner in folders.items():
        if "__init__.py" in inner or any(i.startswith("__init__.") for i in inner):
            tops.add(_below_stubs(z, top, inner))
            continue
        # a namespace folder (PEP 420, at any depth: azure/storage/blob/): the shallowest packages
        # under it, and the modules that sit in its namespace folders, are what it installs
        for i in inner:
            sub = i.split("/")
            for k in range(1, len(sub)):
                if f"{'/'.join(sub[:k])}/__init__.py" in inner:
                    tops.add(".".join([top, *sub[:k]]))
                    break
            else:
                if sub[-1].endswith((".py", ".so", ".pyd")) and not sub[-1].startswith("__init__."):
                    tops.add(".".join([top, *sub[:-1], sub[-1].split(".")[0]]))
    if not tops:
        tl = f"{info_dir}top_level.txt"
        if tl in names:
            tops = {t.strip() for t in z.read(tl).decode().splitlines() if t.strip()}
    return sorted(t for t in tops if not any(p.startswith("_") for p in t.split(".")) and t.split(".")[0] not in _SKIP
                  and t.replace(".", "").replace("_", "").isalnum())


def _below_stubs(z: zipfile.ZipFile, top: str, inner: set[str]) -> str:
    """`top`, or the dotted package below it when `top` and the packages on the way hold nothing
    but a namespace stub `__init__.py` (pkgutil/pkg_resources style) and one sub-package:
    azure-storage-blob installs `azure.storage.blob`, not the whole `azure`."""
    name = top
    while True:
        subs = {i.split("/")[0] for i in inner if "/" in i}
        others = {i for i in inner if "/" not in i} - {"__init__.py"}
        stub = z.read(f"{name.replace('.', '/')}/__init__.py") if "__init__.py" in inner else b""
        if len(subs) != 1 or others or not (b"extend_path" in stub or b"declare_namespace" in stub):
            return name
        sub = subs.pop()
        name, inner = f"{name}.{sub}", {i.split("/", 1)[1] for i in inner if i.startswith(sub + "/")}


def _metadata(meta: email.message.Message | dict[str, Any]) -> dict[str, Any]:
    """Name, version, unconditional requirements and extras from a wheel's METADATA (parsed
    email headers, or the JSON form of pip's report)."""
    if isinstance(meta, dict):
        name, version = meta.get("name", ""), meta.get("version", "")
        reqs, provided = meta.get("requires_dist") or [], meta.get("provides_extra") or []
    else:
        name, version = meta["Name"], meta["Version"]
        reqs, provided = meta.get_all("Requires-Dist") or [], meta.get_all("Provides-Extra") or []
    requires: set[str] = set()
    extras: dict[str, set[str]] = {}
    env = {"python_version": "3.12", "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
           "implementation_name": "cpython", "os_name": "posix", "platform_python_implementation": "CPython",
           "python_full_version": "3.12.0"}
    for raw in reqs:
        try:
            req = Requirement(raw)
        except InvalidRequirement:
            continue
        dist = str(canonicalize_name(req.name))
        if req.marker is not None and "extra" in str(req.marker):
            for extra in (e for e in provided if req.marker.evaluate({**env, "extra": e})):
                extras.setdefault(str(canonicalize_name(extra)), set()).add(dist)
        else:
            requires.add(dist)
    own = str(canonicalize_name(name))
    extras = {e: v for e, v in extras.items() if not _DEV_EXTRA.match(e)}
    return {"name": own, "version": version, "requires": sorted(requires - {own}),
            "extras": {e: sorted(v - {own}) for e, v in sorted(extras.items()) if v - {own}}}


def read_wheel(path: Path, optional: bool = False) -> dict[str, Any]:
    with zipfile.ZipFile(path) as z:
        info_dir = next(n.split("/")[0] + "/" for n in z.namelist() if n.split("/")[0].endswith(".dist-info"))
        meta = email.parser.Parser().parsestr(z.read(f"{info_dir}METADATA").decode("utf-8", "replace"))
        entry = {**_metadata(meta), "imports": _imports(z, info_dir)}
        if optional:
            entry["optional"] = mine(z)
    return entry


def _download(dist: str, where: Path) -> Path | None:
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        r = subprocess.run([*_PIP, "download", "--no-deps", "--only-binary=:all:", "-q", "-d", tmp, dist],
                           capture_output=True, text=True, timeout=600, env=_ENV)
        new = sorted(Path(tmp).glob("*.whl"))
        if r.returncode != 0 or not new:
            print(f"{dist}: no wheel ({r.stderr.strip().splitlines()[-1:] or r.returncode})", file=sys.stderr)
            return None
        return new[0].rename(where / new[0].name)


def _report(dist: str) -> dict[str, Any] | None:
    """The METADATA of `dist`'s newest wheel from pip's install report, without the wheel."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        r = subprocess.run([*_PIP, "install", "--dry-run", "--no-deps", "--ignore-installed", "--only-binary=:all:",
                            "--ignore-requires-python", "-q", "--report", str(report), dist],
                           capture_output=True, text=True, timeout=600, env=_ENV)
        if r.returncode != 0 or not report.exists():
            print(f"{dist}: no metadata ({r.stderr.strip().splitlines()[-1:] or r.returncode})", file=sys.stderr)
            return None
        items = json.loads(report.read_text(encoding="utf-8")).get("install", [])
        return items[0].get("metadata") if items else None


_NOT_FOUND = re.compile(r"(?:No matching distribution found for|satisfies the requirement) ([A-Za-z0-9_.\-\[\]=<>!~]+)")


def _download_batch(dists: list[str], where: Path) -> dict[str, Path]:
    """The newest wheel of each of `dists`, one pip run for all (a run per name costs a pip start
    each: most of the time for small wheels); a name pip finds no wheel for is dropped and the
    rest asked again."""
    pending = list(dists)
    while pending:
        with tempfile.TemporaryDirectory(dir=where) as tmp:
            r = subprocess.run([*_PIP, "download", "--no-deps", "--only-binary=:all:", "-q", "-d", tmp, *pending],
                               capture_output=True, text=True, timeout=1800, env=_ENV)
            if r.returncode == 0:
                out: dict[str, Path] = {}
                for w in Path(tmp).glob("*.whl"):
                    key = str(canonicalize_name(w.name.split("-")[0]))
                    out[key] = w.rename(where / w.name)
                return {d: out[str(canonicalize_name(d.split("==")[0]))] for d in pending
                        if str(canonicalize_name(d.split("==")[0])) in out}
        bad = _NOT_FOUND.search(r.stderr)
        drop = str(canonicalize_name(re.split(r"[=<>!~\[]", bad.group(1))[0])) if bad else None
        if drop is None or not any(str(canonicalize_name(d.split("==")[0])) == drop for d in pending):
            print(f"batch of {len(pending)} failed: {r.stderr.strip()[-300:]}", file=sys.stderr)
            return {}
        print(f"{drop}: no wheel", file=sys.stderr)
        pending = [d for d in pending if str(canonicalize_name(d.split("==")[0])) != drop]
    return {}


def batch(dists: list[str], where: Path, optional: dict[str, bool], keep: bool) -> list[dict[str, Any] | None]:
    """`one` for many names: the huge ones by their metadata, the others downloaded together."""
    small = [d for d in dists if not _HUGE.match(str(canonicalize_name(d.split("==")[0])))]
    try:
        paths = _download_batch(small, where) if small else {}
    except Exception as e:  # a timeout: each name alone
        print(f"batch: {type(e).__name__}: {e}", file=sys.stderr)
        paths = {}
    out: list[dict[str, Any] | None] = []
    for d in dists:
        if d in paths:
            try:
                out.append(read_wheel(paths[d], optional[d]))
            except Exception as e:
                print(f"{d}: {type(e).__name__}: {e}", file=sys.stderr)
                out.append(None)
            if not keep:
                paths[d].unlink()
        elif d in small and paths:
            out.append(None)  # pip had no wheel for it
        else:
            out.append(_safe(d, where, optional[d], keep))
    return out


def one(dist: str, where: Path, optional: bool, keep: bool) -> dict[str, Any] | None:
    key = str(canonicalize_name(dist))
    if _HUGE.match(key):
        meta = _report(dist)
        if meta is None:
            return None
        entry = _metadata(meta)
        return {**entry, "imports": _HUGE_IMPORTS.get(entry["name"], [entry["name"].replace("-", "_")]),
                "imports_from": "name"}
    cached = sorted(w for w in where.glob("*.whl") if canonicalize_name(w.name.split("-")[0]) == key)
    path = cached[-1] if cached else _download(dist, where)
    if path is None:
        return None
    entry = read_wheel(path, optional)
    if not keep:
        path.unlink()
    return entry


def finish(entries: dict[str, dict[str, Any]], known: dict[str, Any] | None = None) -> dict[str, Any]:
    """The shipped payload: wheels (without their raw optional data), and per distribution mined
    for optional dependencies, the public names that need a package it does not bring (judged with
    the wheels of `known` too: those a --merge run keeps)."""
    wheels = {n: {k: v for k, v in e.items() if k != "optional"} for n, e in entries.items()}
    every = {**(known or {}), **wheels}

    def brought(dist: str) -> set[str]:
        out, todo, seen = set(), [dist], set()
        while todo:
            d = todo.pop()
            if d in seen:
                continue
            seen.add(d)
            e = every.get(d)
            out |= set(e["imports"]) if e else {d.replace("-", "_")}
            todo.extend(e["requires"] if e else [])
        return out

    optional: dict[str, Any] = {}
    for n, e in entries.items():
        if "optional" not in e:
            continue
        have = brought(n)
        stdlib = set(sys.stdlib_module_names)
        needs: dict[str, dict[str, list[str]]] = {}
        for where, imports in e["optional"]["needs"].items():
            kept = {}
            for imp, dists in imports.items():
                parts = imp.split(".")
                prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
                if parts[0] in stdlib or prefixes & have:
                    continue  # the distribution brings it: not optional
                ds = [d for d in dists if d != n]  # "pip install -U <itself>" is no answer (an extra is)
                if ds:
                    kept[imp] = ds
            if kept:
                needs[where] = kept
        exports = {k: v for k, v in e["optional"]["exports"].items() if v in needs}
        versions = e["optional"].get("versions", [e["version"]])
        version = versions[0] if len(versions) == 1 else f"{versions[0]} to {versions[-1]}"  # the releases read
        optional[n] = {"version": version, "needs": needs, "exports": exports}
    return {"version": 1, "mined": datetime.date.today().isoformat(), "wheels": wheels, "optional": optional}


def _merged(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """Two releases of one distribution (a list line `name==version` besides `name`): the newer
    one's metadata, and the union of what both were mined for (optional imports differ between
    releases: an integration a hub dropped is still in the release a project pins)."""
    if old is None:
        return new
    from packaging.version import Version

    newer, older = (new, old) if Version(new["version"]) > Version(old["version"]) else (old, new)
    out = dict(newer)
    if "optional" in old or "optional" in new:
        a, b = older.get("optional", {}), newer.get("optional", {})
        out["optional"] = {"needs": {**a.get("needs", {}), **b.get("needs", {})},
                           "exports": {**a.get("exports", {}), **b.get("exports", {})},
                           "versions": sorted({*a.get("versions", [older["version"]]), *b.get("versions", [newer["version"]])},
                                              key=Version)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("dists", nargs="*")
    ap.add_argument("--list", type=Path, help="file with one distribution a line (# comments; `name optional`)")
    ap.add_argument("--wheels", type=Path, help="folder to keep the downloaded wheels in (default: a temporary one)")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=1, help="names per pip download run (1: one run per name)")
    ap.add_argument("-o", "--output", type=Path, required=True, help="the .pack to write")
    ap.add_argument("--merge", action="store_true",
                    help="keep the output's other entries: mine only the names given and add (or replace) them")
    args = ap.parse_args(argv)
    wanted: dict[str, bool] = {str(canonicalize_name(d)): False for d in args.dists}
    if args.list:
        for ln in args.list.read_text().splitlines():
            words = ln.split("#")[0].split()
            if words:  # `name==1.2` asks for that release (mined besides the newest: see _merged)
                key = words[0] if "==" in words[0] else str(canonicalize_name(words[0]))
                wanted[key] = wanted.get(key, False) or "optional" in words[1:]
    partial = args.output.with_name(args.output.name + ".partial.jsonl")
    entries: dict[str, dict[str, Any]] = {}
    done: set[str] = set()
    if partial.exists():
        for line in partial.read_text(encoding="utf-8").splitlines():
            asked, entry = json.loads(line)
            done.add(asked)
            if entry:
                entries[entry["name"]] = _merged(entries.get(entry["name"]), entry)
    todo = [d for d in wanted if d not in done]
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(args.jobs) as pool, \
            partial.open("a", encoding="utf-8") as log:
        where = args.wheels or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        keep = args.wheels is not None
        if args.batch > 1:  # several names per pip run
            chunks = [todo[i:i + args.batch] for i in range(0, len(todo), args.batch)]
            results = (e for es in pool.map(lambda c: batch(c, where, wanted, keep), chunks) for e in es)
        else:
            results = pool.map(lambda d: _safe(d, where, wanted[d], keep), todo)
        for i, (d, entry) in enumerate(zip(todo, results, strict=True), 1):
            if entry:
                entries[entry["name"]] = _merged(entries.get(entry["name"]), entry)
            log.write(json.dumps([d, entry]) + "\n")
            log.flush()
            print(f"{i}/{len(todo)} {d}", file=sys.stderr)
    old = WHEELS.read(args.output) if args.merge and args.output.exists() else None
    payload = finish(entries, old.get("wheels", {}) if old else None)
    if old is not None:
        payload["wheels"] = {**old.get("wheels", {}), **payload["wheels"]}
        payload["optional"] = {**old.get("optional", {}), **payload["optional"]}
    WHEELS.write(args.output, payload)  # sorted keys, no timestamp: the same data gives the same bytes
    partial.unlink()
    print(f"{len(payload['wheels'])} wheels, {len(payload['optional'])} mined for optional imports -> {args.output}")
    return 0


def _safe(dist: str, where: Path, optional: bool, keep: bool) -> dict[str, Any] | None:
    try:
        return one(dist, where, optional, keep)
    except Exception as e:  # one bad wheel must not stop a 40-minute run
        print(f"{dist}: {type(e).__name__}: {e}", file=sys.stderr)
        return None


if __name__ == "__main__":
    raise SystemExit(main())
