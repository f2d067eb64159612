"""On-disk cache of LLM verdicts: one JSON file, loaded once, rewritten atomically, sealed with
this installation's key (agentable.cachedir) so that verdicts planted in a cache folder the user
pointed into a scanned tree are ignored."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Callable

from agentable.cachedir import CACHEDIR_TAG, seal, signing_key, unseal
from agentable.findings import Notification
from agentable.nl_check.questions import Question, Verdict

CACHE_FILE = "verdicts.json"
FORMAT = 2  # 2: the JSON is sealed (HMAC-SHA256 + payload)
CACHE_ROOT_NAME = ".agentable_cache"


def default_cache_dir(scan_root: Path) -> Path:
    return Path(scan_root) / CACHE_ROOT_NAME / "nl"


def cache_key(prepared: Question, template_version: str, model: str, base_url: str) -> str:
    """sha256 over the kind, the exact inputs sent (after redaction), template, model and endpoint."""
    inputs = {f.name: getattr(prepared, f.name) for f in dataclasses.fields(prepared)}
    material = json.dumps(
        {"kind": prepared.kind, "inputs": inputs, "template": template_version,
         "model": model, "base_url": base_url},
        sort_keys=True, ensure_ascii=False, default=list,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _mark_cache_root(directory: Path) -> None:
    """Keep the cache out of git and out of backups (CACHEDIR.TAG), like pytest and ruff do."""
    root = next((p for p in (directory, *directory.parents) if p.name == CACHE_ROOT_NAME), directory)
    for name, content in ((".gitignore", "# Created by agentable.\n*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG)):
        path = root / name
        if not path.exists():
            path.write_text(content, encoding="utf-8")


class VerdictCache:
    def __init__(self, directory: Path, notify: Callable[[Notification], None] | None = None) -> None:
        self.directory = Path(directory)
        self.path = self.directory / CACHE_FILE
        self.notifications: list[Notification] = []
        self._notify = notify or self.notifications.append
        self._lock = threading.Lock()
        self._dirty = False
        self._entries: dict[str, dict] = self._load()

    def _load(self) -> dict[str, dict]:
        try:
            data = self._read()
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            self._note(f"LLM verdict cache {self.path} is unreadable or not written by this installation "
                       f"({type(exc).__name__}); starting empty.")
            return {}
        entries = data.get("entries") if isinstance(data, dict) and data.get("format") == FORMAT else None
        if not isinstance(entries, dict):
            self._note(f"LLM verdict cache {self.path} has an unknown layout; starting empty.")
            return {}
        return entries

    def _read(self) -> object:
        """The cache file's JSON; ValueError when it is not sealed with this installation's key."""
        key = signing_key()
        payload = unseal(key, self.path.read_bytes()) if key is not None else None
        if payload is None:
            raise ValueError("signature")
        return json.loads(payload.decode("utf-8"))

    def _read_quietly(self) -> dict[str, dict]:
        try:
            data = self._read()
            entries = data.get("entries") if isinstance(data, dict) and data.get("format") == FORMAT else None
            return entries if isinstance(entries, dict) else {}
        except (OSError, ValueError):
            return {}

    def _note(self, message: str) -> None:
        self._notify(Notification(message, path=str(self.path), level="note", kind="llm"))

    def get(self, key: str) -> Verdict | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        try:
            return Verdict(entry["answer"], entry["confidence"], entry["reason"], "cache")
        except (KeyError, TypeError, ValueError):
            return None  # a damaged entry is a miss, not a crash

    def put(self, key: str, verdict: Verdict) -> None:
        entry = {"answer": verdict.answer, "confidence": verdict.confidence, "reason": verdict.reason}
        with self._lock:
            self._entries[key] = entry
            self._dirty = True

    def flush(self) -> None:
        """Write all entries to a temporary file, then rename it over the cache file."""
        with self._lock:
            if not self._dirty:
                return
            # Another scan may have written meanwhile: keep its entries, ours win on conflict.
            entries = {**self._read_quietly(), **self._entries}
            payload = json.dumps({"format": FORMAT, "entries": entries}, sort_keys=True, indent=0)
            key = signing_key()
            if key is None:
                self._note("LLM verdict cache not written: the user cache directory holding its key is not writable.")
                return
            try:
                created = not self.directory.exists()
                self.directory.mkdir(parents=True, exist_ok=True)
                if created or self.directory.parent.name == CACHE_ROOT_NAME:
                    _mark_cache_root(self.directory)
                fd, tmp = tempfile.mkstemp(prefix=".verdicts-", suffix=".tmp", dir=self.directory)
                try:
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(seal(key, payload.encode("utf-8")))
                    os.replace(tmp, self.path)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
            except OSError as exc:
                self._note(f"LLM verdict cache {self.path} could not be written ({exc.strerror or exc}).")
                return
            self._dirty = False
