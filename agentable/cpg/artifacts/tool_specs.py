"""Tool schemas written in a YAML or JSON file (issue #13): OpenAI function-calling entries
(`{"name", "description", "parameters"}` and the wrapped `{"type": "function", "function": {...}}`),
Anthropic's `input_schema`, MCP tool lists (`inputSchema`), in any shape the catalog's
`tool_schema` entries describe, found anywhere in the document (a list at the root, under
`tools:`/`functions:`, one schema per file). Only a dict whose parameters are a JSON-schema object
counts, so an OpenAPI operation (its `parameters` a list) or a settings table is not a tool.

Each schema keeps where its name, description, `required` and every property are written
(ruamel's node positions for YAML, `json_pos` for JSON), as artifact positions (model.Pos)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional, Union

from agentable.cpg.artifacts.json_pos import json_locations
from agentable.cpg.artifacts.model import Artifact, Pos

Key = Union[str, int]
_MAX_NODES = 20_000


@dataclass(frozen=True)
class SpecParam:
    name: str
    pos: Pos  # its key under `properties`
    described: bool  # a non-empty description, an enum or a const tells the model what to pass
    required: bool


@dataclass
class FileToolSpec:
    path: str  # the YAML/JSON file
    keys: tuple[Key, ...]  # where the schema is in the document
    shape: str  # the catalog tool_schema entry it matches
    provider: str
    name: Optional[str]
    pos: Pos  # its name (the document's place of the schema when the name is not a string)
    description: Optional[str]  # None: no description key; "" or blank: empty
    description_pos: Optional[Pos]
    params: list[SpecParam] = field(default_factory=list)
    params_pos: Optional[Pos] = None
    # `required` written beside the parameters instead of inside their JSON schema: nothing is required
    misplaced_required: Optional[Pos] = None
    misplaced_names: tuple[str, ...] = ()  # the names that `required` lists
    group: tuple[Key, ...] = ()  # the list holding it: schemas in one list are offered together
    description_key: str = "description"
    params_key: str = "parameters"

    @property
    def required(self) -> list[str]:
        return [p.name for p in self.params if p.required]


def tool_specs_of(art: Artifact, shapes) -> list[FileToolSpec]:
    """The tool schemas in a parsed YAML/JSON file, in document order (memoised on the artifact)."""
    hit = getattr(art, "_tool_specs", None)
    if hit is not None:
        return hit
    out: list[FileToolSpec] = []
    if art.kind in ("yaml", "json") and isinstance(art.data, (dict, list)):
        where = _Locator(art)
        inner: set[int] = set()  # the body of a wrapped schema found is not a second tool
        for keys, d in _dicts(art.data):
            spec = _match(art, where, keys, d, shapes) if id(d) not in inner else None
            if spec is not None:
                out.append(spec)
                wrapper = next((sh.wrapper_key for sh in shapes if sh.name == spec.shape), None)
                if wrapper:
                    inner.add(id(d.get(wrapper)))
    art._tool_specs = out  # type: ignore[attr-defined]
    return out


def _dicts(doc) -> Iterator[tuple[tuple[Key, ...], dict]]:
    budget = [_MAX_NODES]
    seen: set[int] = set()
    stack: list[tuple[tuple[Key, ...], object]] = [((), doc)]
    while stack and budget[0] > 0:
        keys, node = stack.pop()
        if id(node) in seen:  # a YAML alias visited before
            continue
        seen.add(id(node))
        budget[0] -= 1
        if isinstance(node, dict):
            yield keys, node
            stack.extend(((*keys, str(k)), v) for k, v in reversed(list(node.items())) if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(((*keys, i), v) for i, v in reversed(list(enumerate(node))) if isinstance(v, (dict, list)))


def _match(art: Artifact, where: "_Locator", keys: tuple[Key, ...], d: dict, shapes) -> Optional[FileToolSpec]:
    for shape in shapes:
        body, at = d, keys
        if shape.wrapper_key:
            inner = d.get(shape.wrapper_key)
            if not isinstance(inner, dict):
                continue
            body, at = inner, (*keys, shape.wrapper_key)
        elif isinstance(d.get("function"), dict):
            continue  # the wrapped form: its own shape reads it
        name, params = body.get(shape.name_key), body.get(shape.params_key)
        if not isinstance(params, dict) or shape.name_key not in body:
            continue
        if params and not ("properties" in params or params.get("type") == "object"):
            continue  # not a JSON schema of the arguments
        anchor = where.pos(art, (*at, shape.name_key)) or where.pos(art, keys) or (1, 0, 1, 0)
        desc = body.get(shape.description_key)
        spec = FileToolSpec(
            art.path, keys, shape.name, shape.provider, name if isinstance(name, str) else None, anchor,
            desc if isinstance(desc, str) else ("<dynamic>" if shape.description_key in body and desc is not None
                                                else None),
            where.pos(art, (*at, shape.description_key)) if shape.description_key in body else None,
            params_pos=where.pos(art, (*at, shape.params_key)),
            group=keys[:-1] if keys and isinstance(keys[-1], int) else keys,
            description_key=shape.description_key, params_key=shape.params_key)
        required = params.get("required")
        wanted = {r for r in required if isinstance(r, str)} if isinstance(required, list) else set()
        props = params.get("properties")
        if isinstance(props, dict):
            for pname, prop in props.items():
                p = prop if isinstance(prop, dict) else {}
                text = p.get(shape.param_description_key)
                described = (isinstance(text, str) and bool(text.strip())) or "enum" in p or "const" in p
                ppos = where.pos(art, (*at, shape.params_key, "properties", str(pname))) or anchor
                spec.params.append(SpecParam(str(pname), ppos, described, str(pname) in wanted))
        beside = body.get("required")
        if "required" not in params and isinstance(beside, list) and beside \
                and all(isinstance(r, str) for r in beside):
            spec.misplaced_required = where.pos(art, (*at, "required"))
            spec.misplaced_names = tuple(beside)
        return spec
    return None


class _Locator:
    """The position of a key (or an array item) by its path: ruamel's for YAML, json_pos's for JSON."""

    def __init__(self, art: Artifact) -> None:
        self.json = json_locations(art.text) if art.kind == "json" else None

    def pos(self, art: Artifact, keys: tuple[Key, ...]) -> Optional[Pos]:
        if not keys:
            return None
        at: Optional[tuple[int, int]] = None
        if self.json is not None:
            at = self.json.get(keys)
        else:
            parent: object = art.data
            for k in keys[:-1]:
                try:
                    parent = parent[k]  # type: ignore[index]
                except (KeyError, IndexError, TypeError):
                    return None
            lc = getattr(parent, "lc", None)
            try:
                if lc is not None:
                    got = lc.key(keys[-1]) if isinstance(keys[-1], str) else lc.item(keys[-1])
                    at = (int(got[0]), int(got[1]))
            except (KeyError, IndexError, TypeError, AttributeError):
                at = None
        if at is None:
            return None
        line, col = at
        text = art.lines[line] if line < len(art.lines) else ""
        word = str(keys[-1]) if isinstance(keys[-1], str) else ""
        end = col + len(word) + (2 if text[col:col + 1] in ("\"", "'") else 0)
        return (line + 1, col, line + 1, min(max(end, col + 1), max(len(text), col + 1)))
