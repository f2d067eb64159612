"""Read the catalog TOML files into typed specs and O(1) lookup indexes.

Expansion (keeps the data short, always explicit in the entry itself):
  * ``clients = [A, B]`` x ``paths = [p, q]``  ->  ``A().p, A().q, B().p, B().q`` (added to ``callees``)
  * ``modules = [m, n]`` x ``names = [X, Y]``   ->  ``m.X, m.Y, n.X, n.Y`` (added to ``callees``/``classes``)
  * ``template = "t"`` copies the keys of the file's ``[template.t]`` table first (the entry's own keys win),
    so shared method lists and client lists are written once.
Every other key must be a field of the entry's dataclass; unknown keys are an error.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path
from typing import Any, Iterable, TypeVar

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


DATA_DIR = Path(__file__).resolve().parent

T = TypeVar("T")


class CatalogError(ValueError):
    """Malformed catalog data."""


def normalize_dist(name: str) -> str:
    """PEP 503 normalisation of a distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _expand(raw: dict[str, Any], key: str) -> tuple[str, ...]:
    out: list[str] = list(raw.pop(key, []))
    clients, paths = raw.pop("clients", None), raw.pop("paths", None)
    if (clients is None) != (paths is None):
        raise CatalogError(f"'clients' and 'paths' go together: {raw}")
    if clients:
        out += [f"{c}().{p}" for c in clients for p in paths]
    modules, names = raw.pop("modules", None), raw.pop("names", None)
    if (modules is None) != (names is None):
        raise CatalogError(f"'modules' and 'names' go together: {raw}")
    if modules:
        out += [f"{m}.{n}" for m in modules for n in names]
    seen: dict[str, None] = dict.fromkeys(out)
    return tuple(seen)


def build(cls: type[T], raw: dict[str, Any], where: str) -> T:
    """Make a spec from one TOML table, expanding callees/classes and checking the keys."""
    data = dict(raw)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key in ("callees", "classes", "symbols"):
        if key in fields:
            data[key] = _expand(data, key)
    unknown = set(data) - set(fields)
    if unknown:
        raise CatalogError(f"{where}: unknown keys {sorted(unknown)} for {cls.__name__}")
    for name, f in fields.items():
        if name in data and isinstance(data[name], list):
            if str(f.type).startswith("tuple"):
                data[name] = tuple(data[name])
            elif str(f.type).startswith("frozenset"):
                data[name] = frozenset(data[name])
    try:
        return cls(**data)
    except TypeError as e:
        raise CatalogError(f"{where}: {e}") from e


def read_toml(name: str) -> dict[str, Any]:
    with open(DATA_DIR / name, "rb") as fh:
        return tomllib.load(fh)


def entries(data: dict[str, Any], kind: str, cls: type[T], fname: str) -> list[T]:
    """Build every [[kind]] table; `template = "x"` first copies the keys of [template.x] (entry keys win)."""
    templates = data.get("template", {})
    out: list[T] = []
    for i, raw in enumerate(data.get(kind, [])):
        where = f"{fname}[[{kind}]] #{i}"
        name = raw.get("template")
        if name is not None:
            if name not in templates:
                raise CatalogError(f"{where}: unknown template {name!r}")
            raw = {**templates[name], **{k: v for k, v in raw.items() if k != "template"}}
        out.append(build(cls, raw, where))
    return out


def index(specs: Iterable[Any], attr: str, kind: str) -> dict[str, Any]:
    """name -> spec; a name listed twice within one kind is an error."""
    out: dict[str, Any] = {}
    for spec in specs:
        for name in getattr(spec, attr):
            if name in out:
                raise CatalogError(f"{kind}: {name!r} listed twice")
            out[name] = spec
    return out


def dotted_prefixes(qualname: str) -> list[str]:
    """'a.B().c' -> ['a.B().c', 'a.B()', 'a.B', 'a'] (longest first, on dotted boundaries)."""
    parts = qualname.split(".")
    out: list[str] = []
    for i in range(len(parts), 0, -1):
        p = ".".join(parts[:i])
        out.append(p)
        if p.endswith("()"):
            out.append(p[:-2])
    return out


def top_module(qualname: str) -> str:
    return qualname.split(".", 1)[0].split("(", 1)[0]
