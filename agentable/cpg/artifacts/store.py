"""The non-Python files of a project, read and parsed on demand (a README is listed, never read,
unless code loads it)."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Callable, Iterable, Optional

from agentable.cpg.artifacts.model import Artifact, ModelSetting
from agentable.cpg.artifacts.parse import artifact_kind, may_hold_settings, parse_artifact
from agentable.findings import Notification
from agentable.paths import read_artifact

# (root, rel) -> (text, "") or (None, why not); agentable.paths.read_artifact by default.
Reader = Callable[[Path, str], tuple[Optional[str], str]]

_SETTINGS_KINDS = frozenset({"yaml", "toml", "prompty", "env", "ini"})
_JSON_SETTINGS_HINTS = ("config", "setting", "model", "llm", "agent", "prompt")


class ArtifactSet:
    def __init__(self, root: Path, rels: Iterable[str], reader: Optional[Reader] = None) -> None:
        if reader is None:
            reader = read_artifact  # the default: bounded, symlink-safe
        self.root = root
        self.paths: set[str] = set(rels)
        self.reader = reader
        self.notifications: list[Notification] = []
        self._parsed: dict[str, Optional[Artifact]] = {}
        self._texts: dict[str, Optional[str]] = {}
        self._settings: Optional[list[ModelSetting]] = None
        self._by_name: Optional[dict[str, list[str]]] = None

    def __contains__(self, rel: str) -> bool:
        return rel in self.paths

    def get(self, rel: str) -> Optional[Artifact]:
        """The parsed file, or None (not discovered, unreadable)."""
        if rel in self._parsed:
            return self._parsed[rel]
        art = None
        text = self.text(rel)
        if text is not None:
            art, notes = parse_artifact(rel, text)
            self.notifications.extend(notes)
        self._parsed[rel] = art
        return art

    def text(self, rel: str) -> Optional[str]:
        """The file's text, read once (None: not discovered, unreadable), for a cheap test before a parse."""
        if rel in self._texts:
            return self._texts[rel]
        text = None
        if rel in self.paths:
            text, reason = self.reader(self.root, rel)
            if text is None:
                self.notifications.append(Notification(reason, rel, "warning", "read"))
        self._texts[rel] = text
        return text

    def lines(self, rel: str) -> Optional[list[str]]:
        art = self._parsed.get(rel)
        return art.lines if art is not None else None

    def with_name(self, name: str) -> list[str]:
        """The discovered files whose base name is `name`."""
        if self._by_name is None:
            self._by_name = {}
            for p in sorted(self.paths):
                self._by_name.setdefault(posixpath.basename(p), []).append(p)
        return self._by_name.get(name, [])

    def settings_files(self) -> list[str]:
        """The files read without a loader in the code: YAML, TOML, .prompty and .env examples, and
        JSON files named like settings (`config.json`, `llm_settings.json`, ...)."""
        out = []
        for p in sorted(self.paths):
            kind = artifact_kind(p)
            if kind in _SETTINGS_KINDS or (kind == "json" and any(h in posixpath.basename(p).lower()
                                                                   for h in _JSON_SETTINGS_HINTS)):
                out.append(p)
        return out

    def model_settings(self) -> list[ModelSetting]:
        """Every model id written in a settings file, in path order."""
        if self._settings is None:
            out: list[ModelSetting] = []
            for p in self.settings_files():
                if p not in self._parsed:
                    text = self.text(p)
                    if text is None:
                        self._parsed[p] = None
                        continue
                    if not may_hold_settings(artifact_kind(p), text):
                        continue  # not parsed: nothing in it names a model
                    art, notes = parse_artifact(p, text)
                    self.notifications.extend(notes)
                    self._parsed[p] = art
                cached = self._parsed[p]
                if cached is not None:
                    out.extend(cached.models)
            self._settings = out
        return self._settings
