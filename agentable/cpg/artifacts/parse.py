"""Reading one non-Python file of the agent into an Artifact: data-only parsers, positions kept.

The scanned tree is hostile (docs/security.md): YAML is read by ruamel.yaml's round-trip loader
(data only: no tags are constructed into objects, no code runs) with the line and column of
every key and value; JSON by `json`, TOML by `tomllib` (their positions are found in the text);
a Jinja2 template is *parsed* by Jinja2's own parser, never compiled or rendered; `{var}`
templates are scanned with a regex; an INI file (`config.ini`, `settings.cfg`) is checked by
`configparser` (no interpolation) and its keys located line by line (a flat `key = value` file
is read as one section). A file that does not parse gives a notification, never an exception,
and a walk stops after a bounded number of nodes (YAML aliases cannot blow it up)."""

from __future__ import annotations

import configparser
import json
import posixpath
import re
import sys
from typing import Iterator, Optional

from agentable.cpg.artifacts.model import Artifact, ModelSetting, Pos, PromptTemplate, TemplateVar
from agentable.cpg.artifacts.yaml_fast import load_yaml
from agentable.findings import Notification
from agentable.paths import is_env_example

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Keys whose string value names a model (lower case); keys ending in `_model` / `_llm` too.
MODEL_KEYS = frozenset({"model", "model_name", "model_id", "modelid", "llm", "llm_model", "chat_model",
                        "default_model", "function_calling_llm", "manager_llm", "deployment_name"})
# Settings read beside a model id: the same table, or its `parameters`-like child table.
SETTING_KEYS = frozenset({"max_tokens", "max_completion_tokens", "max_output_tokens", "max_new_tokens", "num_predict",
                          "temperature", "top_p", "stop", "stop_sequences", "base_url", "api_base",
                          "openai_api_base", "api_version", "provider", "api_type"})
_PARAM_TABLES = frozenset({"parameters", "params", "options", "model_kwargs", "generation_config"})
_MAX_NODES = 50_000
_MODEL_ID_RE = re.compile(r"^[A-Za-z0-9][\w.:/@+-]{1,99}$")
_ENV_MODEL_RE = re.compile(r"^\s*(?:export\s+)?([A-Za-z0-9_]*MODEL[A-Za-z0-9_]*)\s*=\s*([\"']?)([^\"'#\s]+)\2")
_SETTINGS_HINT_RE = re.compile(r"(?im)^[\s\-{,]*[\"']?[\w.-]*(?:model|llm)[\w.-]*[\"']?\s*[:=]")
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$", re.S | re.M)


def artifact_kind(rel: str) -> str:
    name = rel.rpartition("/")[2].lower()
    ext = posixpath.splitext(name)[1]
    if name.startswith(".env") or is_env_example(name):
        return "env"
    return {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml", ".prompty": "prompty",
            ".j2": "jinja", ".jinja": "jinja", ".jinja2": "jinja", ".ini": "ini", ".cfg": "ini"}.get(ext, "text")


def may_hold_settings(kind: str, text: str) -> bool:
    """Cheap test before a parse: does a data file have a key naming a model at all?"""
    if kind == "env":
        return "MODEL" in text
    if kind in ("yaml", "json", "toml", "prompty", "ini"):
        return _SETTINGS_HINT_RE.search(text) is not None
    return False


def parse_artifact(rel: str, text: str) -> tuple[Artifact, list[Notification]]:
    kind = artifact_kind(rel)
    lines = [ln.rstrip("\r") for ln in text.split("\n")]
    art = Artifact(rel, kind, lines)
    notes: list[Notification] = []
    try:
        if kind == "yaml":
            art.data = _load_yaml(text)
            art.models = list(_models(art, _walk_yaml(art.data)))
        elif kind == "json":
            art.data = json.loads(text)
            art.models = list(_models(art, _located(art, _walk_plain(art.data), _json_value_re)))
        elif kind == "toml":
            art.data = tomllib.loads(text)
            art.models = list(_models(art, _located(art, _walk_plain(art.data), _toml_value_re)))
        elif kind == "prompty":
            m = _FRONT_MATTER_RE.match(text)
            if m:
                art.data = _load_yaml(m.group(1), line_offset=1)
                art.body_line = text[:m.end()].count("\n") + 2
                art.models = list(_models(art, _walk_yaml(art.data, line_offset=1)))
        elif kind == "env":
            art.models = list(_env_models(art))
        elif kind == "ini":
            art.data = _load_ini(text)
            art.models = list(_models(art, _walk_ini(art)))
    except RecursionError:
        notes.append(Notification("could not read: nested too deeply", rel, "note", "artifact"))
    except Exception as exc:  # any parser error of hostile input: a notification, never a crash
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        notes.append(Notification(f"could not parse {kind.upper()}: {first[:200]}", rel, "note", "artifact"))
    return art, notes


# ----------------------------------------------------------------------------- YAML


def _load_yaml(text: str, line_offset: int = 0):
    # ruamel's round-trip load (plain data with positions; no object construction), scanned by
    # libyaml where it can be (yaml_fast)
    return load_yaml(text)


# A walked scalar: (key path, key, value, (line, col) of the value 0-based or None, the parent table)
_Item = tuple[tuple[str, ...], str, object, Optional[tuple[int, int]], object]


def _walk_yaml(doc, line_offset: int = 0) -> Iterator[_Item]:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq  # deferred like the YAML import above

    budget = [_MAX_NODES]
    seen: set[int] = set()

    def walk(node, keys: tuple[str, ...]) -> Iterator[_Item]:
        if id(node) in seen or budget[0] <= 0:  # an alias visited before: once is enough
            return
        seen.add(id(node))
        if isinstance(node, CommentedMap):
            for k, v in node.items():
                budget[0] -= 1
                if budget[0] <= 0:
                    return
                try:
                    line, col = node.lc.value(k)
                except (KeyError, TypeError, AttributeError):
                    line = col = None
                at = (line + line_offset, col) if line is not None and col is not None else None
                if isinstance(v, (CommentedMap, CommentedSeq)):
                    yield from walk(v, (*keys, str(k)))
                else:
                    yield (*keys, str(k)), str(k), v, at, node
        elif isinstance(node, CommentedSeq):
            for i, v in enumerate(node):
                budget[0] -= 1
                if isinstance(v, (CommentedMap, CommentedSeq)):
                    yield from walk(v, (*keys, str(i)))

    yield from walk(doc, ())


# ----------------------------------------------------------------------------- JSON / TOML


def _walk_plain(doc) -> Iterator[_Item]:
    budget = [_MAX_NODES]

    def walk(node, keys: tuple[str, ...]) -> Iterator[_Item]:
        if isinstance(node, dict):
            for k, v in node.items():
                budget[0] -= 1
                if budget[0] <= 0:
                    return
                if isinstance(v, (dict, list)):
                    yield from walk(v, (*keys, str(k)))
                else:
                    yield (*keys, str(k)), str(k), v, None, node
        elif isinstance(node, list):
            for i, v in enumerate(node):
                budget[0] -= 1
                if isinstance(v, (dict, list)):
                    yield from walk(v, (*keys, str(i)))

    yield from walk(doc, ())


def _json_value_re(key: str, value: str) -> re.Pattern:
    return re.compile(re.escape(json.dumps(key)) + r"\s*:\s*(" + re.escape(json.dumps(value)) + ")")


def _toml_value_re(key: str, value: str) -> re.Pattern:
    k = re.escape(key)
    return re.compile(r"(?m)^[ \t]*(?:" + k + r'|"' + k + r"\"|'" + k + r"')[ \t]*=[ \t]*([\"']" + re.escape(value)
                      + r"[\"'])")


def _located(art: Artifact, items: Iterator[_Item], pattern) -> Iterator[_Item]:
    """Give the model-id scalars of a JSON/TOML document their (line, col), found in the text in
    document order (the parsers keep none)."""
    text = art.text
    starts: dict[tuple[str, str], int] = {}
    for keys, key, value, _, parent in items:
        at = None
        if isinstance(value, str) and _is_model_key(key):
            m = pattern(key, value).search(text, starts.get((key, value), 0))
            if m:
                starts[(key, value)] = m.end()
                off = m.start(1)
                line = text.count("\n", 0, off)
                at = (line, off - (text.rfind("\n", 0, off) + 1))
        yield keys, key, value, at, parent


# ----------------------------------------------------------------------------- INI

_INI_TOP = "top"  # the section keys above the first header are read into
_INI_SECTION_RE = re.compile(r"^\s*\[([^\]]+)\]")
_INI_KEY_RE = re.compile(r"^([^\s=:#;\[][^=:]*?)\s*[=:]\s*(.*?)\s*(?:\s[#;].*)?$")


def _load_ini(text: str) -> dict[str, dict[str, str]]:
    """The sections of an INI file as plain data; configparser raises on a malformed file (the
    notification), and reads `%(x)s` literally (no interpolation: the values are never expanded).
    Keys above the first `[section]` (a flat `key = value` file) are read as a section of their own."""
    parser = configparser.ConfigParser(interpolation=None, strict=False, inline_comment_prefixes=("#", ";"))
    try:
        parser.read_string(f"[{_INI_TOP}]\n" + text)
    except configparser.ParsingError as exc:
        raise ValueError(_ini_error(exc, text)) from None
    sections = {name: dict(parser.items(name, raw=True)) for name in parser.sections()}
    if not sections.get(_INI_TOP):
        sections.pop(_INI_TOP, None)  # a file that starts with its first section
    return sections


def _ini_error(exc: configparser.ParsingError, text: str) -> str:
    lineno = exc.errors[0][0] - 1 if exc.errors else 0  # the added header line is not the file's
    lines = text.split("\n")
    line = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""
    return f"line {lineno}: {line[:80]!r} is neither a [section] nor a key = value"


def _ini_value(raw: str) -> object:
    v = raw.strip().strip("\"'")
    return int(v) if v.isdigit() else v


def _walk_ini(art: Artifact) -> Iterator[_Item]:
    """Each `key = value` of an INI file with the value's position; an indented line continues
    the value above it and is not a key."""
    section = ""
    tables: dict[str, dict[str, object]] = {}
    rows: list[tuple[str, str, str, tuple[int, int]]] = []
    for i, line in enumerate(art.lines):
        if not line or line[0] in " \t" or line.lstrip().startswith(("#", ";")):
            continue
        head = _INI_SECTION_RE.match(line)
        if head:
            section = head.group(1).strip()
            continue
        m = _INI_KEY_RE.match(line)
        if m is None:
            continue
        key, raw = m.group(1).strip(), m.group(2)
        value = raw.strip("\"'")
        col = m.start(2)  # a quoted value's span includes its quotes, as in YAML and TOML
        tables.setdefault(section, {})[key.lower()] = _ini_value(raw)
        rows.append((section, key, value, (i, col)))
    for section, key, value, at in rows:
        # one section often holds several models (`MODEL`, `REASONING_MODEL`) and one set of
        # limits whose code decides which model they go with: they are beside a model only
        # when it is the section's one model
        one = sum(_is_model_key(k) for k in tables[section]) == 1
        yield (section, key), key, value, at, tables[section] if one else {}


# ----------------------------------------------------------------------------- model ids


def _is_model_key(key: str) -> bool:
    k = key.lower()
    return k in MODEL_KEYS or k.endswith(("_model", "_llm"))


def _scalar_pos(art: Artifact, at: tuple[int, int], value: str) -> Pos:
    """The span of a scalar whose first character is at `at` (0-based): quotes included."""
    line, col = at
    text = art.lines[line] if line < len(art.lines) else ""
    end = col + len(value)
    if col < len(text) and text[col] in "\"'":
        close = text.find(text[col], col + 1 + len(value))
        end = close + 1 if close > 0 else end + 2
    return (line + 1, col, line + 1, min(end, max(len(text), col + 1)))


def _models(art: Artifact, items: Iterator[_Item]) -> Iterator[ModelSetting]:
    crew_agents = _is_crewai_agents(art)
    prompty_api = _prompty_api(art) if art.kind == "prompty" else ""
    for keys, key, value, at, parent in items:
        if not isinstance(value, str) or at is None:
            continue
        v = value.strip()
        if art.kind == "prompty":
            if keys[:2] != ("model", "configuration") or key not in ("name", "model", "azure_deployment"):
                continue
            role = prompty_api
        else:
            if not _is_model_key(key):
                continue
            role = "agent" if crew_agents and len(keys) == 2 and key.lower() == "llm" else "setting"
        if not _MODEL_ID_RE.match(v):
            continue  # a template (`${MODEL}`, `{{ model }}`), a sentence, a path
        settings = _settings_beside(parent)
        where = tuple((k, p) for k, val in settings if isinstance(val, int)
                      for p in [_setting_pos(art, parent, k, val, at[0])] if p is not None)
        yield ModelSetting(v, art.path, _scalar_pos(art, at, v), key, keys, role, settings, where)


def _settings_beside(table) -> tuple[tuple[str, object], ...]:
    out: list[tuple[str, object]] = []
    if not isinstance(table, dict):
        return ()
    for k, v in table.items():
        lk = str(k).lower()
        if lk in SETTING_KEYS and isinstance(v, (str, int, float, list)) and not isinstance(v, bool):
            out.append((lk, list(v) if isinstance(v, list) else v))
        elif lk in _PARAM_TABLES and isinstance(v, dict):
            out.extend((str(k2).lower(), v2) for k2, v2 in v.items()
                       if str(k2).lower() in SETTING_KEYS and isinstance(v2, (str, int, float)))
    return tuple(out)


def _setting_pos(art: Artifact, table, key: str, value: int, near: int) -> Optional[Pos]:
    """Where a numeric setting beside a model id is written: from the YAML node's position, or
    (JSON/TOML keep none) its `key: value` in the text nearest the model id's line (0-based)."""
    if art.kind == "yaml":
        for t in (table, *(v for k, v in table.items() if str(k).lower() in _PARAM_TABLES and isinstance(v, dict))):
            k = next((k for k in t if str(k).lower() == key), None)
            if k is not None and hasattr(t, "lc"):
                try:
                    line, col = t.lc.value(k)
                except (KeyError, TypeError, AttributeError):
                    return None
                return _scalar_pos(art, (line, col), str(value))
        return None
    if art.kind not in ("json", "toml", "ini"):
        return None
    sep = {"json": ":", "toml": "="}.get(art.kind, "[=:]")
    pat = re.compile(r"[\"']?" + re.escape(key) + r"[\"']?\s*" + sep + r"\s*(" + str(value) + r")(?![\w.])", re.I)
    best: Optional[Pos] = None
    for m in pat.finditer(art.text):
        line = art.text.count("\n", 0, m.start(1))
        col = m.start(1) - (art.text.rfind("\n", 0, m.start(1)) + 1)
        if best is None or abs(line - near) < abs(best[0] - 1 - near):
            best = (line + 1, col, line + 1, col + len(m.group(1)))
    return best


def _is_crewai_agents(art: Artifact) -> bool:
    """CrewAI's agents.yaml: agent name -> {role, goal, backstory, llm, tools, ...}."""
    if art.kind != "yaml" or posixpath.basename(art.path).lower() not in ("agents.yaml", "agents.yml"):
        return False
    data = art.data
    return isinstance(data, dict) and any(isinstance(v, dict) and ("role" in v or "goal" in v) for v in data.values())


def _prompty_api(art: Artifact) -> str:
    model = art.data.get("model") if isinstance(art.data, dict) else None
    api = model.get("api") if isinstance(model, dict) else None
    return "completion" if api == "completion" else "chat"


def _env_models(art: Artifact) -> Iterator[ModelSetting]:
    for i, line in enumerate(art.lines):
        m = _ENV_MODEL_RE.match(line)
        if m and _MODEL_ID_RE.match(m.group(3)) and "EMBED" not in m.group(1).upper():
            col = m.start(3)
            yield ModelSetting(m.group(3), art.path, (i + 1, col, i + 1, col + len(m.group(3))), m.group(1),
                               (m.group(1),), "setting")


# ----------------------------------------------------------------------------- templates

_FORMAT_FIELD_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_IDENT_RE = re.compile(r"[A-Za-z_]\w*")


def template_of(art: Artifact, syntax: str) -> Optional[PromptTemplate]:
    """The template the file is in `syntax` ("jinja" or "format"), memoised; None when its text
    is not a valid template of that syntax (a `{"json": 1}` example in an f-string prompt, a Jinja
    syntax error): such a template already fails on its own, and its variables are not known."""
    if syntax in art.templates:
        return art.templates[syntax]
    first = art.body_line if art.kind == "prompty" else 1
    text = "\n".join(art.lines[first - 1:])
    tpl = _jinja_template(art, text, first) if syntax == "jinja" else _format_template(art, text, first)
    art.templates[syntax] = tpl
    return tpl


def _pos_of(art: Artifact, offset_text: str, off: int, first: int, length: int) -> Pos:
    line = offset_text.count("\n", 0, off)
    col = off - (offset_text.rfind("\n", 0, off) + 1)
    return (first + line, col, first + line, col + length)


def format_fields(text: str) -> Optional[list[tuple[str, int]]]:
    """(name, offset) of each `{name}` of a str.format template; None when a field is not a
    plain name (`{0}`, `{}`, a JSON example) or a brace is unbalanced."""
    out: list[tuple[str, int]] = []
    for m in _FORMAT_FIELD_RE.finditer(text):
        body = m.group(1)
        if body is None:
            continue
        name = re.split(r"[!:.\[]", body, maxsplit=1)[0].strip()
        if not _IDENT_RE.fullmatch(name) or name != re.split(r"[!:.\[]", body, maxsplit=1)[0]:
            return None
        out.append((name, m.start(1)))
    rest = _FORMAT_FIELD_RE.sub("", text)
    if "{" in rest or "}" in rest:
        return None
    return out


def _format_template(art: Artifact, text: str, first: int) -> Optional[PromptTemplate]:
    fields = format_fields(text)
    if fields is None:
        return None
    tpl = PromptTemplate(art.path, "format")
    seen: set[str] = set()
    for name, off in fields:
        if name not in seen:
            seen.add(name)
            tpl.variables.append(TemplateVar(name, _pos_of(art, text, off, first, len(name))))
    return tpl


def _jinja_template(art: Artifact, text: str, first: int) -> Optional[PromptTemplate]:
    import jinja2  # deferred, not for a cycle: imported when a Jinja template is read (most scans have none)
    from jinja2 import meta, nodes
    from jinja2.defaults import DEFAULT_NAMESPACE

    env = jinja2.Environment()  # only its parser is used: nothing is compiled or rendered
    try:
        ast = env.parse(text)
    except Exception:  # a syntax error: the template fails by itself
        return None
    names = meta.find_undeclared_variables(ast) - set(DEFAULT_NAMESPACE)
    optional: set[str] = set()
    for t in ast.find_all(nodes.Test):
        if t.name in ("defined", "undefined", "none") and isinstance(t.node, nodes.Name):
            optional.add(t.node.name)
    for f in ast.find_all(nodes.Filter):
        if f.name in ("default", "d") and isinstance(f.node, nodes.Name):
            optional.add(f.node.name)
    tpl = PromptTemplate(art.path, "jinja", optional=frozenset(optional))
    lines = text.split("\n")
    placed: set[str] = set()
    for n in ast.find_all(nodes.Name):
        if n.ctx != "load" or n.name not in names or n.name in placed:
            continue
        placed.add(n.name)
        line = n.lineno if 0 < n.lineno <= len(lines) else 1
        col = _jinja_name_col(lines[line - 1], n.name)
        tpl.variables.append(TemplateVar(n.name, (first + line - 1, col, first + line - 1, col + len(n.name))))
    tpl.variables.sort(key=lambda v: v.pos)
    return tpl


_JINJA_TAG_RE = re.compile(r"\{[{%](.*?)[}%]\}")


def _jinja_name_col(line: str, name: str) -> int:
    """The column of `name` inside a `{{ }}` or `{% %}` tag of the line (else its first mention)."""
    word = re.compile(r"(?<![\w.])" + re.escape(name) + r"(?!\w)")
    for tag in _JINJA_TAG_RE.finditer(line):
        m = word.search(line, tag.start(1), tag.end(1))
        if m:
            return m.start()
    m = word.search(line)
    return m.start() if m else 0
