"""What the per-kind manifest parsers (requirements_txt, pyproject, poetry, pipfile, setup_files,
conda, scripts, locks, toml_locations) ask of the reader that hands them a file, as a Protocol.

Why: `reader._Reader` dispatches each file to its parser, so typing the parsers against `_Reader`
made every parser import `reader` back (a cycle, even as an import for the type checker only).
They type against this Protocol, which `_Reader` satisfies, and imports run one way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Protocol

from agentable.cpg.manifests.model import ManifestSet


class ManifestReader(Protocol):
    @property
    def out(self) -> ManifestSet: ...

    @property
    def root(self) -> Path: ...

    def rel(self, p: Path) -> str: ...

    def is_file(self, p: Path) -> bool: ...

    def note(self, message: str, rel: str, line: int = 0) -> None: ...

    def add(self, text: str, rel: str, line: int, col: int, end_col: int, group: str, table: str = "") -> None: ...

    def include(self, base: Path, name: str, rel: str, group: str, line: int = 0) -> bool: ...

    def parse(self, p: Path, group: str = "main") -> Optional[str]: ...
