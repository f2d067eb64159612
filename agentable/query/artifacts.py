"""Facts from the agent's non-Python files (issue #13) for the rules: model ids written in
settings files, and the stop sequences a model call takes from a settings file the code loads
(prompt templates missing a variable: agentable/rules/lard/helpers.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Union, cast

from agentable.cpg import ir
from agentable.cpg.agent import LLMCall
from agentable.cpg.artifacts import Artifact, ModelSetting, artifact_links
from agentable.cpg.artifacts.model import Pos
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.query.facts import EvalAt, code_strings, per_graph
from agentable.query.protocol import stop_config


@per_graph
def config_model_settings(g: ProjectGraph) -> list[ModelSetting]:
    """Every model id written in a YAML/JSON/TOML settings file, a CrewAI agents.yaml `llm:`, a
    .prompty's model configuration or a `.env` example, with its role (ModelSetting.role)."""
    arts = g.artifacts
    if arts is None or not arts.paths:
        return []
    return list(arts.model_settings())


def uncalled_function_spec(g: ProjectGraph, path: str) -> bool:
    """Is a settings file a function spec (a `function:` table with a `name` and `parameters`, as
    folders of YAML-defined AI functions hold) whose name no code mentions? Such files are loaded
    by a folder glob and run by name; one no code names is never run, and its `model` never sent."""
    art = g.artifacts.get(path) if g.artifacts is not None else None
    data = art.data if art is not None else None
    fn = data.get("function") if isinstance(data, dict) else None
    name = fn.get("name") if isinstance(fn, dict) and "parameters" in fn else None
    return isinstance(name, str) and bool(name) and name not in code_strings(g)


# ----------------------------------------------------------------------------- values read from settings files

_DATA_KINDS = frozenset({"yaml", "json", "toml"})
_STOP_KEYS = ("stop", "stop_sequences")
Key = Union[str, int]


@dataclass(frozen=True)
class FileStops:
    """The stop sequences a model call takes from a settings file the code loads: "set" (the
    `stops` written at `pos`), or "none" (the table the call is given with `**` has no stop key,
    or the list is empty; `pos` is that table's or that list's key)."""

    state: str
    stops: tuple[str, ...]
    path: str
    pos: Pos  # artifact position (0-based character columns; ProjectGraph.span adjusts)
    keys: tuple[Key, ...]  # the key path of the list, or of the table

    @property
    def where(self) -> str:
        return f"`{'.'.join(str(k) for k in self.keys) or '<root>'}` in `{self.path}`"


def settings_stops(g: ProjectGraph, c: LLMCall) -> Optional[FileStops]:
    """Where the stop sequences of a model call are written when they come from a YAML/JSON/TOML
    file the code loads (`stop=cfg["llm"]["stop"]`, `**cfg["params"]` with `cfg =
    yaml.safe_load(open(p))`, p a path agentable resolves), instead of a Python literal; None when
    they are not (stop_config's answer stands)."""
    state = stop_config(g, c).state
    if g.artifacts is None or not g.artifacts.paths or state == "set":
        return None
    names = tuple(dict.fromkeys((*_STOP_KEYS, c._param_name("stop") or "stop")))
    if state == "none":  # an options table read from a file (`options=cfg["ollama"]`) may hold the stop
        for kw in c.call.keywords:
            found = _file_value(g, kw.value, c.func, c.site.stmt, 4) if kw.name is not None else None
            table = _lookup(found[0].data, found[1]) if found is not None else None
            if found is not None and isinstance(table, dict):
                for k in names:
                    if k in table:
                        return _stops_at(g, (found[0], (*found[1], k)))
        return None
    s = c.setting("stop")
    if s is not None:
        found = _file_value(g, s.expr, s.func, cast(EvalAt, s.stmt), 4)
        return _stops_at(g, found) if found is not None else None
    tables: list[tuple[Artifact, tuple[Key, ...], object]] = []
    for kw in c.call.keywords:
        if kw.name is not None:
            continue
        found = _file_value(g, kw.value, c.func, c.site.stmt, 4)
        table = _lookup(found[0].data, found[1]) if found is not None else None
        if found is None or not isinstance(table, dict):
            return None  # a `**` of something else: unknown
        tables.append((found[0], found[1], table))
    if not tables or any(kw.name is None or kw.name in _STOP_KEYS or kw.name == c._param_name("stop")
                         for place in _other_places(g, c) for kw in place.keywords):
        return None  # set (or maybe set) where the call is bound or its client built
    for art, keys, table in tables:
        for k in names:
            if k in table:  # type: ignore[operator]
                return _stops_at(g, (art, (*keys, k)))
    art, keys, _ = tables[0]
    return FileStops("none", (), art.path, _key_pos(art, keys), keys)


def _other_places(g: ProjectGraph, c: LLMCall) -> list[ir.Call]:
    """The bound settings and the client construction of a call (their own `**` are not followed)."""
    return [call for _path, call in tuple(c.binds) + ((c.client_site,) if c.client_site else ())]


def _stops_at(g: ProjectGraph, found: tuple[Artifact, tuple[Key, ...]]) -> Optional[FileStops]:
    art, keys = found
    value = _lookup(art.data, keys)
    if value is _MISSING:
        return None
    pos = _key_pos(art, keys)
    if value is None or value is False or value == [] or value == "":
        return FileStops("none", (), art.path, pos, keys)
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else None
    if items is None or not all(isinstance(x, str) for x in items):
        return None
    return FileStops("set", tuple(dict.fromkeys(items)), art.path, pos, keys)


_MISSING = object()


def _lookup(data: object, keys: tuple[Key, ...]) -> object:
    for k in keys:
        if isinstance(data, dict) and isinstance(k, str) and k in data:
            data = data[k]
        elif isinstance(data, list) and isinstance(k, int) and -len(data) <= k < len(data):
            data = data[k]
        else:
            return _MISSING
    return data


def file_value(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo,
               stmt: EvalAt) -> Optional[tuple[Artifact, tuple[Key, ...]]]:
    """(the loaded YAML/JSON/TOML file, the literal key path) an expression reads, or None:
    `cfg["tools"]` with `cfg = json.load(open(p))`, p a path the artifact linker resolves."""
    return _file_value(g, e, func, stmt, 4)


def _file_value(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt,
                depth: int) -> Optional[tuple[Artifact, tuple[Key, ...]]]:
    """(the loaded settings file, the literal key path) an expression reads, or None."""
    if e is None or depth < 0:
        return None
    if isinstance(e, ir.Subscript) and isinstance(e.index, ir.Constant) and isinstance(e.index.value, (str, int)) \
            and not isinstance(e.index.value, bool):
        base = _file_value(g, e.value, func, stmt, depth)
        return (base[0], (*base[1], e.index.value)) if base is not None else None
    if isinstance(e, ir.Call):
        f = e.func
        if isinstance(f, ir.Attribute) and f.attr == "get" and e.args and isinstance(e.args[0], ir.Constant) \
                and isinstance(e.args[0].value, str):
            base = _file_value(g, f.value, func, stmt, depth)
            return (base[0], (*base[1], e.args[0].value)) if base is not None else None
        loaders = g.catalog.python.settings_loaders
        if e.args and any(isinstance(v, ExtRef) and v.path in loaders for v in g.values(f, func, stmt)):
            art = _loaded_file(g, e.args[0], func, stmt, 2)
            return (art, ()) if art is not None else None
        return None
    if isinstance(e, (ir.Name, ir.Attribute)):
        defs = g._literal_defs(e, func, stmt)[:8]
        results = [_file_value(g, x, owner, cast(EvalAt, at), depth - 1) for x, owner, at in defs]
        same = {(r[0].path, r[1]) for r in results if r is not None}
        if defs and None not in results and len(same) == 1:
            return results[0]
    return None


def _loaded_file(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt, depth: int) -> Optional[Artifact]:
    """The settings file an open handle or a file's text is: `open(p)`, `Path(p).read_text()`,
    `fh.read()`, or a name bound to one (`with open(p) as fh`)."""
    if depth < 0 or g.artifacts is None:
        return None
    if isinstance(e, ir.Call):
        ld = artifact_links(g).by_call.get(id(e))
        if ld is not None:
            art = g.artifacts.get(ld.artifact)
            return art if art is not None and art.kind in _DATA_KINDS else None
        if isinstance(e.func, ir.Attribute) and e.func.attr == "read" and not e.args:
            return _loaded_file(g, e.func.value, func, stmt, depth - 1)
        return None
    if isinstance(e, ir.Name):
        owner, defs = g.name_bindings(func, e.id, stmt)
        arts = {id(a): a for d in defs for a in [_loaded_file(g, d.value, owner, d.stmt, depth - 1)
                                                 if d.how in ("with", "assign") and d.value is not None else None]}
        if len(arts) == 1 and None not in arts.values() and len(defs) >= 1:
            return next(iter(arts.values()))
    return None


def _key_pos(art: Artifact, keys: tuple[Key, ...]) -> Pos:
    """Where the last key of a path is written (the document's first line for the root)."""
    if not keys:
        return (1, 0, 1, len(art.lines[0]) if art.lines else 0)
    parent = _lookup(art.data, keys[:-1])
    last = keys[-1]
    if art.kind in ("yaml", "prompty") and hasattr(parent, "lc"):
        first = 1 if art.kind == "prompty" else 0  # a prompty's front matter starts below its `---`
        try:
            line, col = (parent.lc.key(last) if isinstance(last, str) else parent.lc.item(last))
            text = str(last) if isinstance(last, str) else ""
            line = int(line) + first
            return (line + 1, int(col), line + 1, int(col) + max(len(text), 1))
        except (KeyError, TypeError, AttributeError, IndexError):
            pass
    # JSON / TOML keep no positions: the key's first occurrence after its parent keys' in the text
    text, start = art.text, 0
    for i, k in enumerate(keys):
        if not isinstance(k, str):
            continue
        q = r"[\"']?" + re.escape(k) + r"[\"']?"
        # a key (`"stop":`, `stop =`), or a TOML table header (`[model]`, `[agent.model]`)
        header = r"|^[ \t]*\[[ \t]*(?:[^\]\n]*\.)?" + q + r"[ \t]*\]" if art.kind == "toml" else ""
        m = re.search(q + r"\s*[:=]" + header, text[start:], re.M)
        if m is None:
            break
        start += m.start()
        if i == len(keys) - 1:
            line = text.count("\n", 0, start)
            col = start - (text.rfind("\n", 0, start) + 1)
            return (line + 1, col, line + 1, col + len(m.group(0).rstrip(":= \t]")))
        start += len(m.group(0))
    return (1, 0, 1, 0)


# ----------------------------------------------------------------------------- prompt files with their own settings


@dataclass(frozen=True)
class PromptFileStops:
    """Stop sequences a prompt file's framework sends with the prompt it holds: a `.prompty`'s
    `model.parameters.stop`, or the `stop_sequences` of a Semantic Kernel function's `config.json`
    beside its `skprompt.txt`."""

    path: str  # where the stops are written
    pos: Pos
    stops: tuple[str, ...]
    prompt_path: str
    prompt: str


_SK_PROMPT, _SK_CONFIG = "skprompt.txt", "config.json"
_ROLE_RE = re.compile(r"^\s*(system|user|assistant|developer)\s*:\s*$", re.I)
_TEMPLATE_TAG_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


@per_graph
def prompt_file_stops(g: ProjectGraph) -> list[PromptFileStops]:
    arts = g.artifacts
    if arts is None or not arts.paths:
        return []
    out: list[PromptFileStops] = []
    for p in sorted(arts.paths):
        if p.endswith(".prompty"):
            art = arts.get(p)
            if art is None or not isinstance(art.data, dict):
                continue
            out += _file_stops(art, ("model", "parameters"), ("stop",), p, _instructions(art.lines[art.body_line - 1:]))
        elif p.rpartition("/")[2] == _SK_PROMPT:
            config = p[: -len(_SK_PROMPT)] + _SK_CONFIG
            art, text = (arts.get(config), arts.text(p)) if config in arts else (None, None)
            if art is None or text is None or not isinstance(art.data, dict):
                continue
            settings = art.data.get("execution_settings")
            tables = [("execution_settings", str(k)) for k, v in settings.items() if isinstance(v, dict)] \
                if isinstance(settings, dict) else []
            for keys in [*tables, ("completion",)]:
                out += _file_stops(art, keys, ("stop_sequences", "stop"), p, text)
    return out


def _instructions(lines: list[str]) -> str:
    """A chat prompty's system sections (the user's and assistant's turns are the inputs and examples
    it is filled with, not the format asked for); the whole body when it has no role lines."""
    out: list[str] = []
    role = ""
    for line in lines:
        m = _ROLE_RE.match(line)
        if m:
            role = m.group(1).lower()
            continue
        if role in ("", "system"):
            out.append(line)
    return "\n".join(out) if any(_ROLE_RE.match(x) for x in lines) else "\n".join(lines)


def _file_stops(art: Artifact, table_keys: tuple[str, ...], names: tuple[str, ...], prompt_path: str,
                prompt: str) -> list[PromptFileStops]:
    table = _lookup(art.data, table_keys)
    for k in names:
        value = table.get(k) if isinstance(table, dict) else None
        items = [value] if isinstance(value, str) and value else value if isinstance(value, list) else []
        if items and all(isinstance(x, str) for x in items):
            pos = _key_pos(art, (*table_keys, k))
            # the template's tags stand for text the caller fills in, not text the prompt ends with
            text = _TEMPLATE_TAG_RE.sub("…", prompt)
            return [PromptFileStops(art.path, pos, tuple(dict.fromkeys(items)), prompt_path, text)]
    return []
