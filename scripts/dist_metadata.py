"""Maintainer script: derive the catalog's wheel table (agentable/catalog/wheels.toml) from the
distributions' own wheels, instead of writing import names and dependencies by hand.

For each distribution named (on the command line, or one a line in --list), it downloads the
newest wheel with `pip download --no-deps --only-binary=:all:` (PyPI through pip, nothing else),
and reads from it:
- the import names it installs: the top-level packages and modules in RECORD (a namespace folder
  without `__init__.py`, such as `google/`, gives its sub-packages: `google.genai`); `top_level.txt`
  when RECORD is missing. Private names (`_x`), tests, docs and examples are left out;
- its unconditional `Requires-Dist` (what installing it brings), and per extra the distributions
  the extra adds (`pydantic-ai-slim[ag-ui]` -> ag-ui-protocol).
Markers other than `extra == ...` (python_version, sys_platform) are kept as unconditional: the
table answers "can a declared distribution bring this import", not "on which platform".

The output is sorted and compact (one inline table per distribution); rerun it with the old list
plus the new names to add distributions, and commit the wheels.toml it writes:

    python scripts/dist_metadata.py --list scripts/dist_metadata.txt -o agentable/catalog/wheels.toml
"""

from __future__ import annotations

import argparse
import re
import email.parser
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

# Extras for the project's own development (tests, docs, linters): never what a user installs.
_DEV_EXTRA = re.compile(r"^(dev|develop|development|tests?|testing|quality|docs?|lint|linting|typing|style|benchmarks?|"
                        r"all|full|complete|benchmarking|compare|cover|coverage|profiling|rtd|check|enabler|type|mypy|pre-commit)"
                        r"([-_].*)?$|.*-(dev|tests?|testing)$")
_SKIP = frozenset({"tests", "test", "testing", "docs", "doc", "examples", "example", "benchmarks", "scripts"})


def _wheel(dist: str, where: Path) -> Path | None:
    before = set(where.glob("*.whl"))
    r = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                        "-d", str(where), dist], capture_output=True, text=True)
    new = sorted(set(where.glob("*.whl")) - before)
    if r.returncode != 0 or not new:
        print(f"{dist}: no wheel ({r.stderr.strip().splitlines()[-1:] or r.returncode})", file=sys.stderr)
        return None
    return new[0]


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
            tops.add(top)
            continue
        # a namespace folder: its sub-packages (and modules) are what it installs
        for i in inner:
            sub = i.split("/")
            if len(sub) > 1 and sub[1].startswith("__init__."):
                tops.add(f"{top}.{sub[0]}")
            elif len(sub) == 1 and sub[0].endswith(".py"):
                tops.add(f"{top}.{sub[0][:-3]}")
    if not tops:
        tl = f"{info_dir}top_level.txt"
        if tl in names:
            tops = {t.strip() for t in z.read(tl).decode().splitlines() if t.strip()}
    return sorted(t for t in tops if not t.split(".")[-1].startswith("_") and t.split(".")[0] not in _SKIP
                  and t.replace(".", "").replace("_", "").isalnum())


def read_wheel(path: Path) -> dict:
    with zipfile.ZipFile(path) as z:
        info_dir = next(n.split("/")[0] + "/" for n in z.namelist() if n.split("/")[0].endswith(".dist-info"))
        meta = email.parser.Parser().parsestr(z.read(f"{info_dir}METADATA").decode("utf-8", "replace"))
        imports = _imports(z, info_dir)
    requires: set[str] = set()
    extras: dict[str, set[str]] = {}
    for raw in meta.get_all("Requires-Dist") or []:
        try:
            req = Requirement(raw)
        except InvalidRequirement:
            continue
        name = str(canonicalize_name(req.name))
        marker = str(req.marker or "")
        if "extra" in marker:
            for extra in {e for e in (meta.get_all("Provides-Extra") or [])
                          if req.marker.evaluate({"extra": e, "python_version": "3.12", "sys_platform": "linux",
                                                  "platform_system": "Linux", "platform_machine": "x86_64",
                                                  "implementation_name": "cpython", "os_name": "posix",
                                                  "platform_python_implementation": "CPython",
                                                  "python_full_version": "3.12.0"})}:
                extras.setdefault(str(canonicalize_name(extra)), set()).add(name)
        else:
            requires.add(name)
    own = str(canonicalize_name(meta["Name"]))
    extras = {e: v for e, v in extras.items() if not _DEV_EXTRA.match(e)}
    return {"name": own, "version": meta["Version"], "imports": imports, "requires": sorted(requires - {own}),
            "extras": {e: sorted(v - {own}) for e, v in sorted(extras.items()) if v - {own}}}


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def render(entries: list[dict]) -> str:
    lines = ["# Generated by scripts/dist_metadata.py from each distribution's newest wheel on PyPI: do not edit",
             "# by hand, rerun it. imports = the top-level packages and modules the wheel installs; requires =",
             "# its unconditional Requires-Dist; extras = what each extra adds (only extras that add something).",
             "", "[wheels]"]
    for e in sorted(entries, key=lambda e: e["name"]):
        fields = [f'version = "{e["version"]}"', f"imports = {_toml_list(e['imports'])}",
                  f"requires = {_toml_list(e['requires'])}"]
        if e["extras"]:
            fields.append("extras = { " + ", ".join(f'"{k}" = {_toml_list(v)}' for k, v in e["extras"].items()) + " }")
        lines.append(f'"{e["name"]}" = {{ ' + ", ".join(fields) + " }")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dists", nargs="*")
    ap.add_argument("--list", type=Path, help="file with one distribution a line (# comments)")
    ap.add_argument("--wheels", type=Path, help="folder to keep the downloaded wheels in (default: a temporary one)")
    ap.add_argument("-o", "--output", type=Path, help="write here (default: stdout)")
    args = ap.parse_args(argv)
    dists = list(args.dists)
    if args.list:
        dists += [ln.split("#")[0].strip() for ln in args.list.read_text().splitlines() if ln.split("#")[0].strip()]
    entries: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        where = args.wheels or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        for d in dict.fromkeys(dists):
            cached = sorted(w for w in where.glob("*.whl") if canonicalize_name(w.name.split("-")[0]) == canonicalize_name(d))
            path = cached[-1] if cached else _wheel(d, where)
            if path is not None:
                entries.append(read_wheel(path))
    text = render(entries)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
