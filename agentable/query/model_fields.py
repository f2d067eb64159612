"""Model ids written as the default of a field of a settings record in code: a dataclass or a
pydantic model (`class Settings(BaseSettings): model: str = "gpt-4"`, `@dataclass class
GeminiConfig: model: str = "gemini-1.0-pro"`). Such a class is a settings file written in Python:
its defaults are what the project runs with, handed on as a whole object (often to code the value
resolution cannot follow: a class picked by name from a registry, a settings object read through
services). Which classes are records is catalog data (models.toml [settings_records]); a model key
is one of the settings files' (`model`, `model_name`, `*_model`, ...)."""

from __future__ import annotations

from dataclasses import dataclass

from agentable.cpg import ir
from agentable.cpg.artifacts.parse import MODEL_KEYS
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import ClassInfo
from agentable.cpg.values import ExtRef
from agentable.query.facts import code_strings, per_graph


@dataclass(frozen=True)
class FieldModel:
    """A model id that is the default of a settings record's field."""

    model_id: str
    path: str
    pos: ir.Pos  # the string literal
    cls: str  # the class's name
    key: str  # the field's name
    settings: tuple[tuple[str, object], ...]  # the record's other literal fields (an `api_type` beside it)


def _is_model_key(key: str) -> bool:
    k = key.lower()
    return k in MODEL_KEYS or k.endswith(("_model", "_llm"))


@per_graph
def field_model_defaults(g: ProjectGraph) -> list[FieldModel]:
    """Every string default of a model-keyed field of a settings record that the project uses
    (constructs, names or hands on; see `_used`), unless every construction gives the field."""
    out: list[FieldModel] = []
    for cls in g.classes.values():
        if g.is_test_code(cls.module.path) or not _is_record(g, cls):
            continue
        fields = {name: vals[0][0] for name, vals in cls.attrs.items()
                  if vals and vals[0][2] is None and isinstance(vals[0][1], ir.Assign)}
        others = tuple((k, v.value) for k, v in fields.items()
                       if isinstance(v, ir.Constant) and isinstance(v.value, str))
        for key, value in fields.items():
            if not (_is_model_key(key) and isinstance(value, ir.Constant) and isinstance(value.value, str)
                    and value.value.strip()):
                continue
            if not _used(g, cls) or _always_given(g, cls, key) or not _read(g, key):
                continue
            out.append(FieldModel(value.value.strip(), cls.module.path, value.pos, cls.name, key,
                                  tuple((k, v) for k, v in others if k != key)))
    return out


def _is_record(g: ProjectGraph, cls: ClassInfo) -> bool:
    """A dataclass (by its decorator) or a class with a settings-record base (pydantic)."""
    kinds = g.catalog.settings_records
    bases = set(kinds.get("bases", ()))
    decorators = set(kinds.get("decorators", ()))
    if bases & set(g.external_bases(cls.qualname)):
        return True
    top = cls.module.toplevel
    for dec in cls.node.decorators:
        head = dec.func if isinstance(dec, ir.Call) else dec
        if any(isinstance(v, ExtRef) and v.path in decorators for v in g.shallow.values(head, top, cls.node)):
            return True
    return False


def _used(g: ProjectGraph, cls: ClassInfo) -> bool:
    """Is the class constructed, named in code as a value (passed as a class, an annotation), or
    its name written in a string (a registry that picks it by name)?"""
    return bool(g.constructions(cls.qualname)) or _named(g, cls)


def _named(g: ProjectGraph, cls: ClassInfo) -> bool:
    return cls.name in _names_read(g) or cls.name in code_strings(g)


def _always_given(g: ProjectGraph, cls: ClassInfo, key: str) -> bool:
    """Does every construction give the field, the class being used only through them (so the
    default is never used)? A `**` splat may or may not give it."""
    sites = g.constructions(cls.qualname)
    return bool(sites) and not _named(g, cls) and all(site.call.kwarg(key) is not None for site in sites)


def _all_functions(g: ProjectGraph) -> list:
    return list(g.functions.values()) + [m.toplevel for m in g.modules.values()]


@per_graph
def _field_reads(g: ProjectGraph) -> frozenset[str]:
    """Every attribute name read in the project's code, and every string constant (a key)."""
    attrs = {e.attr for _f, _s, e in g.expressions(ir.Attribute, _all_functions(g)) if isinstance(e, ir.Attribute)}
    return frozenset(attrs) | code_strings(g)


def _read(g: ProjectGraph, key: str) -> bool:
    """Is the field read anywhere (`config.model`, `getattr(cfg, "model")`, `data["model"]`)?"""
    return key in _field_reads(g)


@per_graph
def _names_read(g: ProjectGraph) -> frozenset[str]:
    """The names read as values anywhere in the project, other than as the callee of a call
    (`settings_class = Settings`, `run(Settings)`, `cfg: Settings`)."""
    funcs = _all_functions(g)
    callees = {id(e.func) for _f, _s, e in g.expressions(ir.Call, funcs) if isinstance(e, ir.Call)}
    return frozenset(e.id for _f, _s, e in g.expressions(ir.Name, funcs)
                     if isinstance(e, ir.Name) and id(e) not in callees)
