"""Dependency manifests: requirements files, pyproject (PEP 621, PEP 735, Poetry, PDM, uv, Hatch,
and the dependencies build hooks fill in for `dynamic`), setup.cfg, setup.py (read statically,
never executed), Pipfile, environment.yml and PEP 723 inline script metadata, with the line and
column of every declaration; and lock files (uv, Poetry, PDM, Pipfile.lock, PEP 751), for the
names of the distributions they pin, which are not declarations. Broken input becomes a
notification; nothing here raises.

`parse_manifests` (reader) reads a project's manifests into a ManifestSet (model), handing each
file to the module for its kind: requirements_txt, pyproject (with toml_locations, for where
TOML values sit), poetry, pipfile, setup_files, conda, scripts and locks."""

from agentable.cpg.manifests.model import ManifestSet, Requirement, governing_dir, is_add_on, normalize_dist
from agentable.cpg.manifests.poetry import poetry_to_pep440
from agentable.cpg.manifests.reader import manifest_kind, parse_manifests

__all__ = ["ManifestSet", "Requirement", "governing_dir", "is_add_on", "manifest_kind", "normalize_dist", "parse_manifests",
           "poetry_to_pep440"]
