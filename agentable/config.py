"""`[tool.agentable]` configuration (or a dedicated agentable.toml), merged with command-line flags."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Optional

import pathspec
import platformdirs

from agentable.findings import Notification, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration the user must fix; the CLI exits 2 with this message."""


class _BrokenPyproject(Exception):
    """The project's pyproject.toml is not TOML: its settings cannot be read."""


FAIL_ON = ("error", "warning", "note", "never")
SEVERITIES = ("error", "warning", "note")
FORMATS = ("text", "json", "sarif")
# Rule ids are a category code and three digits; selectors are their prefixes, or ALL.
_SELECTOR_RE = re.compile(r"^(ALL|[A-Z]+[0-9]{0,3})$")
_API_KEY_KEYS = ("api-key", "api_key", "apikey")
_API_KEY_ERROR = ("must not contain an API key (it would be committed with the project); name the environment "
                  "variable that holds it with api-key-env instead (default OPENAI_API_KEY)")


@dataclass(frozen=True)
class LLMSettings:
    enabled: bool = False
    model: Optional[str] = None
    base_url: Optional[str] = None
    api_key_env: Optional[str] = None
    timeout: Optional[float] = None
    max_retries: Optional[int] = None
    max_calls: Optional[int] = None
    max_tokens_total: Optional[int] = None  # key `max-tokens`: prompt + completion tokens per scan
    concurrency: Optional[int] = None
    max_seconds: Optional[float] = None  # wall-clock budget of the whole checker
    cache_dir: Optional[str] = None


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fail_on: Optional[str] = None
    format: Optional[str] = None
    jobs: Optional[int] = None
    respect_gitignore: bool = True
    min_severity: str = "note"
    # test code builds fake tools, schemas and keys on purpose: its findings are noise unless asked for
    include_tests: bool = False
    llm: LLMSettings = field(default_factory=LLMSettings)
    notifications: tuple[Notification, ...] = ()
    source: str = ""  # the file the settings came from

    def merge_cli(self, **overrides: Any) -> "Config":
        """Command-line values override the file; None means "not given"."""
        changes: dict[str, Any] = {}
        for key, value in overrides.items():
            if value is None:
                continue
            if key in ("select", "ignore"):
                value = tuple(_selectors(value, f"--{key}"))
            elif key == "exclude":
                value = tuple([value] if isinstance(value, str) else value)
            elif key == "per_file_ignores" and isinstance(value, dict):
                value = _per_file(value, "--per-file-ignores")
            _check_choice(key.replace("_", "-"), value, "command line")
            if key == "jobs" and (not isinstance(value, int) or not 0 <= value <= _JOBS_MAX):
                raise ConfigError(f"--jobs must be a whole number from 0 to {_JOBS_MAX} (0: one per CPU), not {value!r}")
            changes[key] = value
        return replace(self, **changes)

    def min_severity_level(self) -> Severity:
        return Severity.parse(self.min_severity)

    def rule_enabled(self, rule_id: str, category: str, path: str) -> bool:
        """ruff-style selection: the most specific matching selector wins, and ignore wins a tie.
        A non-empty `path` also applies per-file-ignores."""
        rid, cat = rule_id.upper(), category.upper()
        sel = _specificity(self.select, rid, cat) if self.select else 0
        ign = _specificity(self.ignore, rid, cat)
        if sel < 0 or ign >= sel:
            return False
        if path:
            for spec, codes in self._per_file_specs:
                if _specificity(codes, rid, cat) >= 0 and spec.match_file(path):
                    return False
        return True

    @cached_property
    def _per_file_specs(self) -> list[tuple[pathspec.PathSpec, tuple[str, ...]]]:
        # Compiled once: rule_enabled runs for every finding.
        return [(pathspec.GitIgnoreSpec.from_lines([pattern]), codes) for pattern, codes in self.per_file_ignores]


def _specificity(selectors: tuple[str, ...], rule_id: str, category: str) -> int:
    """Length of the longest selector matching the rule (ALL counts 0), or -1."""
    best = -1
    for s in selectors:
        if s == "ALL":
            best = max(best, 0)
        elif rule_id.startswith(s) or s == category:
            best = max(best, len(s))
    return best


def _selectors(values: Any, where: str) -> list[str]:
    if isinstance(values, str):
        values = [v for v in re.split(r"[,\s]+", values) if v]
    if not isinstance(values, (list, tuple)):
        raise ConfigError(f"{where} must be a list of rule ids or prefixes, not {_type(values)}")
    out = []
    for v in values:
        if not isinstance(v, str):
            raise ConfigError(f"{where}: rule selectors must be strings, not {v!r}")
        code = v.strip().upper()
        if not _SELECTOR_RE.match(code):
            raise ConfigError(f"{where}: {v!r} is not a rule id or prefix (e.g. \"LOPE\", \"LOPE001\", \"ALL\")")
        out.append(code)
    return out


def _per_file(table: dict, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out = []
    for pattern, codes in table.items():
        out.append((str(pattern), tuple(_selectors(codes, f"{where}[{pattern!r}]"))))
    return tuple(out)


def _check_choice(key: str, value: Any, where: str) -> None:
    choices = {"fail-on": FAIL_ON, "min-severity": SEVERITIES, "format": FORMATS}.get(key)
    if choices is not None and value not in choices:
        raise ConfigError(f"{where}: {key} must be one of {', '.join(choices)}, not {value!r}")


def _type(value: Any) -> str:
    return {str: "a string", bool: "a boolean", int: "an integer", float: "a number", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


# ----------------------------------------------------------------------------- reading


_KEYS: dict[str, type] = {
    "select": list, "ignore": list, "exclude": list, "per-file-ignores": dict, "fail-on": str, "format": str,
    "jobs": int, "respect-gitignore": bool, "min-severity": str, "include-tests": bool, "llm": dict,
}
_LLM_KEYS: dict[str, type | tuple[type, ...]] = {
    "enabled": bool, "model": str, "base-url": str, "api-key-env": str, "timeout": (int, float), "max-retries": int,
    "max-calls": int, "max-tokens": int, "concurrency": int, "max-seconds": (int, float), "cache-dir": str,
}
_LLM_FIELDS = {"max-tokens": "max_tokens_total"}
# What only the invoking user may set (docs/security.md): turning the network on, the endpoint,
# which environment variable is sent as the key, and where verdicts are cached.
_USER_ONLY_LLM_KEYS = ("enabled", "base-url", "api-key-env", "cache-dir")
_JOBS_MAX = 64
_LLM_MINIMUM = {"timeout": 0.001, "max-retries": 0, "max-calls": 0, "max-tokens": 1, "concurrency": 1,
                "max-seconds": 0.001}
_CONFIG_FILES = (".agentable.toml", "agentable.toml", "pyproject.toml")  # dedicated files win, as in ruff


def load_config(root: Path, explicit: Optional[Path] = None) -> Config:
    """Settings from `explicit`, else from the first of .agentable.toml, agentable.toml and a
    pyproject.toml with [tool.agentable] at `root`; defaults when there is none."""
    candidates = [explicit] if explicit is not None else [root / name for name in _CONFIG_FILES]
    for path in candidates:
        if not path.is_file():
            if explicit is not None:
                raise ConfigError(f"{path}: no such configuration file")
            continue
        try:
            found = _read_table(path, explicit is not None)
        except _BrokenPyproject as exc:
            note = Notification(f"configuration not read: {exc}; scanned with the default settings", str(path),
                                "error", "config")
            return Config(notifications=(note,), source=str(path))
        if found is not None:
            table, where = found
            return _from_table(table, str(path), where)
    return Config()


def _read_table(path: Path, explicit: bool) -> Optional[tuple[dict, str]]:
    """(settings table, its name for messages), or None when the file has none."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        if path.name == "pyproject.toml" and not explicit:
            # The project's own file: say so, and scan with the defaults (the rest of the scan goes on).
            raise _BrokenPyproject(f"invalid TOML: {exc}") from exc
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror or exc}") from exc
    tool = data.get("tool")
    nested = tool.get("agentable") if isinstance(tool, dict) else None
    if nested is not None:
        if not isinstance(nested, dict):
            raise ConfigError(f"{path}: [tool.agentable] must be a table")
        return nested, "[tool.agentable]"
    if path.name == "pyproject.toml":
        return ({}, "[tool.agentable]") if explicit else None
    return data, path.name  # a dedicated file: top-level keys


def _from_table(t: dict, source: str, where: str) -> Config:
    notes: list[Notification] = []
    prefix = f"{source}: {where}"

    def get(key: str, default: Any = None) -> Any:
        if key not in t:
            return default
        value, typ = t[key], _KEYS[key]
        if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            raise ConfigError(f"{prefix} {key} must be {_type(typ())}, not {_type(value)}")
        if isinstance(value, str):
            _check_choice(key, value, prefix)
        return value

    for key in t:
        if key in _API_KEY_KEYS:
            raise ConfigError(f"{prefix} {_API_KEY_ERROR}")
        if key not in _KEYS and key != "tool":
            notes.append(Notification(f"unknown configuration key {key!r} in {where}; ignored", source, "warning",
                                      "config"))
    exclude = get("exclude", [])
    if not all(isinstance(v, str) for v in exclude):
        raise ConfigError(f"{prefix} exclude must be a list of glob strings")
    jobs = get("jobs")
    if jobs is not None and not 0 <= jobs <= _JOBS_MAX:
        raise ConfigError(f"{prefix} jobs must be from 0 to {_JOBS_MAX} (0: one per CPU), not {jobs}")
    return Config(
        select=tuple(_selectors(get("select", []), f"{prefix} select")),
        ignore=tuple(_selectors(get("ignore", []), f"{prefix} ignore")),
        exclude=tuple(exclude),
        per_file_ignores=_per_file(get("per-file-ignores", {}), f"{prefix} per-file-ignores"),
        fail_on=get("fail-on"),
        format=get("format"),
        jobs=jobs,
        respect_gitignore=get("respect-gitignore", True),
        min_severity=get("min-severity", "note"),
        include_tests=get("include-tests", False),
        llm=_project_llm(get("llm", {}), source, f"{where[:-1]}.llm]" if where.endswith("]") else f"{where} [llm]",
                         notes),
        notifications=tuple(notes),
        source=source,
    )


def _project_llm(t: dict, source: str, where: str, notes: list[Notification]) -> LLMSettings:
    """The project's LLM settings, without what only the user may set: a repository can choose
    the model and the budgets, never whether the network is used, where to, or with which key."""
    refused = [key for key in _USER_ONLY_LLM_KEYS if key in t]
    if refused:
        notes.append(Notification(
            f"{where} {', '.join(refused)} ignored: only the user running agentable can turn the LLM checker on or "
            f"choose its endpoint, key or cache (--llm, --llm-base-url, AGENTABLE_LLM_* variables, or "
            f"{user_config_path()})", source, "warning", "config"))
    return _llm({k: v for k, v in t.items() if k not in refused}, source, where, notes)


def user_config_path() -> Path:
    """The user-level configuration file (~/.config/agentable/config.toml on Linux)."""
    return Path(platformdirs.user_config_dir("agentable", appauthor=False)) / "config.toml"


def load_user_llm() -> tuple[LLMSettings, list[Notification]]:
    """The `[llm]` table of the user-level configuration file; every key is allowed there."""
    path = user_config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return LLMSettings(), []
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from exc
    table = data.get("llm", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [llm] must be a table")
    notes: list[Notification] = []
    return _llm(table, str(path), "[llm]", notes), notes


def env_llm(environ: Optional[dict[str, str]] = None) -> dict[str, Any]:
    """LLM settings from AGENTABLE_LLM (1/true/yes enables), AGENTABLE_LLM_MODEL,
    AGENTABLE_LLM_BASE_URL and AGENTABLE_LLM_API_KEY_ENV."""
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    flag = env.get("AGENTABLE_LLM", "").strip().lower()
    if flag:
        out["enabled"] = flag in ("1", "true", "yes", "on")
    for name, key in (("AGENTABLE_LLM_MODEL", "model"), ("AGENTABLE_LLM_BASE_URL", "base_url"),
                      ("AGENTABLE_LLM_API_KEY_ENV", "api_key_env")):
        if env.get(name):
            out[key] = env[name]
    return out


def _llm(t: dict, source: str, where: str, notes: list[Notification]) -> LLMSettings:
    values: dict[str, Any] = {}
    for key, value in t.items():
        if key in _API_KEY_KEYS:
            raise ConfigError(f"{source}: {where} {_API_KEY_ERROR}")
        typ = _LLM_KEYS.get(key)
        if typ is None:
            notes.append(Notification(f"unknown configuration key {key!r} in {where}; ignored", source, "warning",
                                      "config"))
            continue
        if not isinstance(value, typ) or (typ is not bool and isinstance(value, bool)):
            expected = "a number" if isinstance(typ, tuple) else _type(typ())
            raise ConfigError(f"{source}: {where} {key} must be {expected}, not {_type(value)}")
        minimum = _LLM_MINIMUM.get(key)
        if minimum is not None and isinstance(value, (int, float)) and value < minimum:
            raise ConfigError(f"{source}: {where} {key} must be at least {minimum:g}, not {value}")
        values[_LLM_FIELDS.get(key, key.replace("-", "_"))] = value
    return LLMSettings(**values)
