"""Maintainer script: mine what each release of a distribution requires, from the package index's
own metadata, into agentable/catalog/requires.pack (read by EPDD003 to find declared ranges
that no release can satisfy together, e.g. `langgraph<0.3` with `langchain-core^1.0`).

For each distribution named (one a line in --list; `#` starts a comment; `name==1.2.3` also reads
that exact release, e.g. an old pin that real projects declare, outside the selection below):
- `pip index versions` gives its final releases (newest first);
- for the newest --minors minor series (1.2.x, 1.3.x, ...) the first and the last release of each
  series are read with `pip install --dry-run --no-deps --only-binary=:all: --report`, which takes
  the wheel's METADATA (PEP 658) and never builds, imports or runs the package; releases without
  a wheel are skipped;
- each read release keeps its `Requires-Dist` lines as written (markers and extras included);
- with --imports, each read release's wheel is also downloaded (`pip download --no-deps
  --only-binary=:all:`) for the top-level import names it installs (RECORD, else top_level.txt; the
  reader of scripts/dist_metadata.py): names that differ per release, such as the `dsp` package
  that dspy-ai wheels up to 2.5 install beside `dspy`, and that its newest wheel (a shim) lacks.
  `--minors 0` reads only the exact `name==version` releases of the list.

Requests go to the index through pip only, several distributions per pip run (the k-th selected
release of each distribution in run k). The output is data only (a pack, agentable/catalog/datapack.py:
each distribution a slice, the import names in the header), as the payload

    {"version": 1, "mined": "<date>", "dists": {"<name>": {"releases": [...newest first],
     "requires": {"<release>": ["<Requires-Dist>", ...]},
     "imports": {"<release>": ["<top-level import name>", ...]}}}}   (imports: --imports only)

    python scripts/dist_requires.py --list scripts/dist_requires.txt -o agentable/catalog/requires.pack
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dist_metadata's wheel reader (--imports)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from agentable.catalog.datapack import REQUIRES

_PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
# The machine's pip settings may pin a constraint file or add local indexes: no configuration file
# is read (PIP_CONFIG_FILE=os.devnull) and no PIP_* variable kept but the certificate bundle, so that
# every run asks the public index the same way.
_ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k == "PIP_CERT"},
        "PIP_CONFIG_FILE": os.devnull}
_MISSING = re.compile(r"(?:No matching distribution found for|satisfies the requirement|Cannot install) "
                      r"([A-Za-z0-9_.\-]+)==([^\s),]+)")


def releases(dist: str) -> list[str]:
    r = subprocess.run([*_PIP, "index", "versions", "--ignore-requires-python", dist],
                       capture_output=True, text=True, timeout=120, env=_ENV)
    m = re.search(r"Available versions: (.*)", r.stdout)
    if not m:
        print(f"{dist}: no releases ({r.stderr.strip().splitlines()[-1:]})", file=sys.stderr)
        return []
    out = []
    for v in m.group(1).split(", "):
        try:
            if not Version(v).is_prerelease:
                out.append(v.strip())
        except InvalidVersion:
            continue
    return out


def selected(versions: list[str], minors: int) -> list[str]:
    """First and last release of each of the newest `minors` minor series, newest first."""
    series: dict[tuple[int, int], list[str]] = {}
    for v in versions:
        rel = Version(v).release
        series.setdefault((rel[0], rel[1] if len(rel) > 1 else 0), []).append(v)
    keys = sorted(series, reverse=True)[:minors]
    picked: list[str] = []
    for k in keys:
        vs = sorted(series[k], key=Version, reverse=True)
        picked += [vs[0]] if len(vs) == 1 else [vs[0], vs[-1]]
    return picked


def _newest_first(versions: set[str]) -> list[str]:
    def key(v: str) -> Version:
        try:
            return Version(v)
        except InvalidVersion:
            return Version("0")
    return sorted(versions, key=key, reverse=True)


def read_batch(pins: list[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """Requires-Dist of each (dist, version), dropping pins pip cannot take and retrying."""
    pending = list(pins)
    for _ in range(len(pins) + 1):
        if not pending:
            return {}
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "report.json"
            r = subprocess.run([*_PIP, "install", "--dry-run", "--no-deps", "--ignore-installed", "--only-binary=:all:",
                                "--ignore-requires-python", "-q", "--report", str(report),
                                *[f"{d}=={v}" for d, v in pending]], capture_output=True, text=True, timeout=600, env=_ENV)
            if r.returncode == 0 and report.exists():
                data = json.loads(report.read_text(encoding="utf-8"))
                out = {}
                for item in data.get("install", []):
                    meta = item.get("metadata", {})
                    out[(str(canonicalize_name(meta.get("name", ""))), meta.get("version", ""))] = meta.get("requires_dist") or []
                return out
        bad = _MISSING.search(r.stderr)
        if not bad:
            print(f"batch failed: {r.stderr.strip()[-300:]}", file=sys.stderr)
            return {}
        drop = (str(canonicalize_name(bad.group(1))), bad.group(2))
        pending = [(d, v) for d, v in pending if (str(canonicalize_name(d)), v) != drop]
    return {}


def read_imports(pin: tuple[str, str]) -> list[str] | None:
    """The top-level import names the wheel of `dist==version` installs, None without a wheel."""
    import zipfile

    from dist_metadata import _imports

    dist, version = pin
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([*_PIP, "download", "--no-deps", "--only-binary=:all:", "--ignore-requires-python", "-q",
                            "-d", tmp, f"{dist}=={version}"], capture_output=True, text=True, timeout=600, env=_ENV)
        wheels = sorted(Path(tmp).glob("*.whl"))
        if r.returncode != 0 or not wheels:
            print(f"{dist}=={version}: no wheel", file=sys.stderr)
            return None
        with zipfile.ZipFile(wheels[0]) as z:
            info = next(n.split("/")[0] + "/" for n in z.namelist() if n.split("/")[0].endswith(".dist-info"))
            return _imports(z, info)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", type=Path, required=True)
    ap.add_argument("-o", "--out", type=Path, required=True)
    ap.add_argument("--top", type=int, default=0, help="Only the first N names of the list (0: all).")
    ap.add_argument("--minors", type=int, default=12,
                    help="Newest minor series per distribution (first and last release of each).")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--imports", action="store_true",
                    help="also download each read release's wheel for the import names it installs")
    ap.add_argument("--merge", action="store_true",
                    help="keep the output's other distributions (and releases read): add the listed ones")
    args = ap.parse_args()
    names: list[str] = []
    exact: dict[str, list[str]] = {}
    for line in args.list.read_text(encoding="utf-8").splitlines():
        name, _, pin = line.split("#", 1)[0].strip().partition("==")
        name = str(canonicalize_name(name)) if name else ""
        if pin:
            exact.setdefault(name, []).append(pin.strip())
        if name and name not in names:
            names.append(name)
    if args.top:
        names = names[:args.top]
    with ThreadPoolExecutor(args.jobs) as pool:
        all_releases = dict(zip(names, pool.map(releases, names), strict=True))
    picks = {d: selected(vs, args.minors) for d, vs in all_releases.items() if vs}
    for d, pins in exact.items():  # exact releases asked for (a pre-release pin included)
        picks.setdefault(d, []).extend(v for v in pins if v not in picks.get(d, []))
        all_releases.setdefault(d, []).extend(v for v in pins if v not in all_releases[d] and not Version(v).is_prerelease)
    rounds = max((len(p) for p in picks.values()), default=0)
    batches = [[(d, p[k]) for d, p in picks.items() if k < len(p)] for k in range(rounds)]
    # smaller batches keep one bad pin from costing a whole round of retries
    chunks = [b[i:i + 40] for b in batches for i in range(0, len(b), 40)]
    requires: dict[str, dict[str, list[str]]] = {}
    partial = args.out.with_name(args.out.name + ".partial.jsonl")  # resumes an interrupted run
    if partial.exists():
        for line in partial.read_text(encoding="utf-8").splitlines():
            dist, version, reqs = json.loads(line)
            requires.setdefault(dist, {})[version] = reqs
    chunks = [[(d, v) for d, v in c if v not in requires.get(d, {})] for c in chunks]
    chunks = [c for c in chunks if c]
    with ThreadPoolExecutor(args.jobs) as pool, partial.open("a", encoding="utf-8") as log:
        for done, result in enumerate(pool.map(read_batch, chunks), 1):
            for (dist, version), reqs in result.items():
                requires.setdefault(dist, {})[version] = sorted(reqs)
                log.write(json.dumps([dist, version, sorted(reqs)]) + "\n")
            log.flush()
            print(f"{done}/{len(chunks)} batches", file=sys.stderr)
    dists: dict[str, dict] = {d: {"releases": all_releases[d], "requires": requires.get(d, {})} for d in sorted(picks)}
    if args.imports:
        pins = [(d, v) for d in sorted(picks) for v in requires.get(d, {})]
        with ThreadPoolExecutor(args.jobs) as pool:
            for (d, v), tops in zip(pins, pool.map(read_imports, pins), strict=True):
                if tops is not None:
                    dists[d].setdefault("imports", {})[v] = tops
    if args.merge and args.out.exists():
        old = REQUIRES.read(args.out).get("dists", {})
        for d, e in dists.items():  # releases known before stay read, and known (an index that
            # did not answer this time lists only the pins asked for)
            e["requires"] = {**old.get(d, {}).get("requires", {}), **e["requires"]}
            e["releases"] = _newest_first({*old.get(d, {}).get("releases", []), *e["releases"]})
            imports = {**old.get(d, {}).get("imports", {}), **e.get("imports", {})}
            if imports:
                e["imports"] = imports
        dists = dict(sorted({**old, **dists}.items()))
    payload = {"version": 1, "mined": datetime.date.today().isoformat(), "dists": dists}
    REQUIRES.write(args.out, payload)  # sorted keys, no timestamp: the same data gives the same bytes
    n = sum(len(v["requires"]) for v in dists.values())
    partial.unlink()
    print(f"{len(dists)} distributions, {n} releases read -> {args.out}")


if __name__ == "__main__":
    main()
