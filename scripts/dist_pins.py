"""Maintainer script: the exact pins (`name==1.2.3`) that the manifests of project folders declare
and whose minor series requires.pack has not read, one `name==version` a line, to add to
scripts/dist_requires_pins.txt and mine with

    python scripts/dist_pins.py FOLDER... >> scripts/dist_requires_pins.txt
    python scripts/dist_requires.py --merge --minors 0 --list scripts/dist_requires_pins.txt \\
        -o agentable/catalog/requires.pack

EPDD001 follows what a declared release installs (installed_closure); for a release of a series
never read it only has the neighbouring releases' requirements, and says so. Manifests are read
with agentable's own reader (every kind it knows), never by importing or running the projects.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from packaging.version import InvalidVersion, Version

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agentable.catalog import load_catalog
from agentable.catalog.releases import ReleaseIndex
from agentable.files import discover
from agentable.cpg.manifests.reader import parse_manifests


def pins_of(root: Path) -> set[tuple[str, str]]:
    """(distribution, version) of each exact pin declared under `root`. A lock's entries are left
    out: a lock lists everything its install brings, and EPDD001 reads it for that."""
    found = parse_manifests(root, discover([root], root=root, respect_gitignore=False).manifests)
    return {(r.dist, r.specifier[2:]) for r in found.requirements
            if r.specifier.startswith("==") and "," not in r.specifier and "*" not in r.specifier}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+", type=Path)
    args = ap.parse_args()
    index = ReleaseIndex()
    catalog = load_catalog()
    wanted: set[tuple[str, str]] = set()
    for folder in args.folders:
        wanted |= pins_of(folder)
    for dist, version in sorted(wanted):
        mined = index.get(dist)
        try:
            v = Version(version)
        except InvalidVersion:
            continue
        # a series already read is known; a distribution that requires nothing brings nothing
        if (mined is not None or catalog.wheel_requires(dist)) and not (mined is not None and mined.read_near(v)):
            print(f"{dist}=={version}")


if __name__ == "__main__":
    main()
