"""`[tool.agentable]` configuration, merged with command-line flags."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

import pathspec

from agentable.findings import Notification, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration the user must fix; the CLI exits 2 with this message."""


_LEVELS = ("error", "warning", "note", "never")


@dataclass(frozen=True)
class LLMSettings:
    enabled: bool = False
    model: Optional[str] = None
    base_url: Optional[str] = None
    api_key_env: Optional[str] = None
    timeout: Optional[float] = None
    max_retries: Optional[int] = None
    max_calls: Optional[int] = None
    max_tokens_total: Optional[int] = None
    concurrency: Optional[int] = None
    cache_dir: Optional[str] = None


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fail_on: Optional[str] = None
    format: Optional[str] = None
    jobs: Optional[int] = None
    respect_gitignore: bool = True
    min_severity: str = "note"
    llm: LLMSettings = field(default_factory=LLMSettings)
    notifications: tuple[Notification, ...] = ()

    def merge_cli(self, **overrides: Any) -> "Config":
        """Command-line values override the file; None means "not given"."""
        changes: dict[str, Any] = {}
        for key, value in overrides.items():
            if value is None:
                continue
            if key in ("select", "ignore", "exclude"):
                value = tuple(_codes(value) if key != "exclude" else value)
            if key == "fail_on" and value not in _LEVELS:
                raise ConfigError(f"fail-on must be one of {', '.join(_LEVELS)}, not {value!r}")
            changes[key] = value
        return replace(self, **changes)

    def min_severity_level(self) -> Severity:
        return Severity.parse(self.min_severity)

    def rule_enabled(self, rule_id: str, category: str, path: str) -> bool:
        """ruff-style selection: the most specific matching prefix wins; ignore wins ties."""
        rid = rule_id.upper()
        sel = max((len(p) for p in self.select if rid.startswith(p)), default=-1) if self.select else 0
        ign = max((len(p) for p in self.ignore if rid.startswith(p)), default=-1)
        if sel < 0 or (ign >= 0 and ign >= sel):
            return False
        if path:
            for pattern, codes in self.per_file_ignores:
                if any(rid.startswith(c) for c in codes) and pathspec.GitIgnoreSpec.from_lines([pattern]).match_file(path):
                    return False
        return True


def _codes(values) -> list[str]:
    if isinstance(values, str):
        values = [values]
    out = []
    for v in values:
        if not isinstance(v, str):
            raise ConfigError(f"rule selectors must be strings, not {v!r}")
        out.append(v.strip().upper())
    return out


_KNOWN = {"select", "ignore", "exclude", "per-file-ignores", "fail-on", "format", "jobs", "respect-gitignore",
          "min-severity", "llm"}
_LLM_KEYS = {"enabled": bool, "model": str, "base-url": str, "api-key-env": str, "timeout": (int, float),
             "max-retries": int, "max-calls": int, "max-tokens": int, "concurrency": int, "cache-dir": str}


def load_config(root: Path, explicit: Optional[Path] = None) -> Config:
    table, source = _find_table(root, explicit)
    if table is None:
        return Config()
    return _from_table(table, source)


def _find_table(root: Path, explicit: Optional[Path]) -> tuple[Optional[dict], str]:
    candidates = [explicit] if explicit is not None else [root / "pyproject.toml", root / "agentable.toml", root / ".agentable.toml"]
    for path in candidates:
        if path is None or not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            if explicit is not None or path.name != "pyproject.toml":
                raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
            return None, str(path)  # a broken pyproject is reported by the manifest reader
        except OSError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        if path.name == "pyproject.toml":
            table = data.get("tool", {}).get("agentable")
            if table is not None:
                return table, str(path)
            if explicit is not None:
                return {}, str(path)
            continue
        return data, str(path)
    return None, ""


def _from_table(t: dict, source: str) -> Config:
    notes: list[Notification] = []
    for key in t:
        if key not in _KNOWN:
            notes.append(Notification(f"unknown configuration key {key!r} in [tool.agentable]", source, "warning", "config"))

    def get(key: str, typ, default=None):
        if key not in t:
            return default
        value = t[key]
        if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            raise ConfigError(f"{source}: [tool.agentable] {key} has the wrong type ({type(value).__name__})")
        return value

    def str_list(key: str) -> tuple[str, ...]:
        value = get(key, list, [])
        if not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{source}: [tool.agentable] {key} must be a list of strings")
        return tuple(value)

    pfi = get("per-file-ignores", dict, {})
    per_file: list[tuple[str, tuple[str, ...]]] = []
    for pattern, codes in pfi.items():
        if isinstance(codes, str):
            codes = [codes]
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{source}: per-file-ignores[{pattern!r}] must be a list of rule codes")
        per_file.append((pattern, tuple(c.upper() for c in codes)))
    fail_on = get("fail-on", str)
    if fail_on is not None and fail_on not in _LEVELS:
        raise ConfigError(f"{source}: fail-on must be one of {', '.join(_LEVELS)}")
    min_sev = get("min-severity", str, "note")
    if min_sev not in ("error", "warning", "note"):
        raise ConfigError(f"{source}: min-severity must be error, warning or note")
    fmt = get("format", str)
    if fmt is not None and fmt not in ("text", "json", "sarif"):
        raise ConfigError(f"{source}: format must be text, json or sarif")
    return Config(
        select=tuple(_codes(str_list("select"))),
        ignore=tuple(_codes(str_list("ignore"))),
        exclude=str_list("exclude"),
        per_file_ignores=tuple(per_file),
        fail_on=fail_on,
        format=fmt,
        jobs=get("jobs", int),
        respect_gitignore=get("respect-gitignore", bool, True),
        min_severity=min_sev,
        llm=_llm(get("llm", dict, {}), source, notes),
        notifications=tuple(notes),
    )


def _llm(t: dict, source: str, notes: list[Notification]) -> LLMSettings:
    if "api-key" in t or "api_key" in t:
        raise ConfigError(f"{source}: [tool.agentable.llm] must not contain an API key; name an environment "
                          "variable with api-key-env (default OPENAI_API_KEY) instead")
    values: dict[str, Any] = {}
    for key, value in t.items():
        typ = _LLM_KEYS.get(key)
        if typ is None:
            notes.append(Notification(f"unknown configuration key {key!r} in [tool.agentable.llm]", source, "warning", "config"))
            continue
        if not isinstance(value, typ):
            raise ConfigError(f"{source}: [tool.agentable.llm] {key} has the wrong type ({type(value).__name__})")
        name = {"max-tokens": "max_tokens_total"}.get(key, key.replace("-", "_"))
        values[name] = value
    return LLMSettings(**values)
