"""Which model endpoint a raw HTTP POST addresses (`[[http_llm_call]]` in llm_apis.toml).

Two kinds of evidence, both read from the code:
- the URL's literal text, followed through the value flow: f-string holes filled with what they
  may hold (a runtime hole keeps the literal parts around it), `+` operands, `.format()`, names,
  module constants, settings attributes, parameters (what the callers pass), and dict entries
  (`payload["url"]`, `data.pop("api_endpoint")`) where the dict literal is built, in the caller too;
- the shape of the exchange when the URL says nothing: the JSON body carries the entry's
  `payload_keys` and the response is read along one of its `reply_reads`.

Why apart from `frameworks`: this is syntax and bindings only (expressions, not abstract values),
walked with its own bounds; `frameworks` asks it which entry a POST addresses.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Optional, Sequence

from agentable.cpg import ir
from agentable.cpg.binding import argument_for, is_staticmethod, param_index
from agentable.cpg.graph_api import CodeGraph, Scoped, ValueResolver
from agentable.cpg.response_paths import CALL, INDEX, Segments, parse_access
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Const, ordered

if TYPE_CHECKING:
    from agentable.catalog.specs import LLMCallSpec

_MAX_TEXTS = 24  # texts kept per expression: URLs are few, a wider fan-out is noise
_MAX_SITES = 8  # call sites followed for one parameter
_HOLE_TEXTS = 4  # texts tried per f-string hole
_DICT_READS = frozenset({"pop", "get", "setdefault"})  # `d.get("k")`: the entry stored under "k"
_BODY_ATTRS = frozenset({"text", "content"})


def names_endpoint(url: str, fragment: str) -> bool:
    """Does the URL text hold the endpoint path `fragment` ending at a path boundary (the end, `/`,
    `?`, `#` or a hole)? `https://slack.com/api/chat.postMessage` does not name Ollama's `api/chat`."""
    start = url.find(fragment)
    while start >= 0:
        end = start + len(fragment)
        if end == len(url) or url[end] in "/?#{":
            return True
        start = url.find(fragment, start + 1)
    return False


class EndpointTexts:
    """The literal texts an expression may be built from, for one question (its own memo)."""

    def __init__(self, res: ValueResolver, depth: int = 10) -> None:
        self.res = res
        self.g = res.g
        self.depth = depth
        self._memo: dict[int, list[str]] = {}

    def of(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> list[str]:
        return self._texts(e, func, stmt, self.depth)

    def _texts(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, depth: int) -> list[str]:
        if e is None or depth < 0:
            return []
        hit = self._memo.get(id(e))
        if hit is not None:
            return hit
        self._memo[id(e)] = []  # cycle guard
        out = list(dict.fromkeys(self._walk(e, func, stmt, depth)))[:_MAX_TEXTS]
        self._memo[id(e)] = out
        return out

    def _walk(self, e: ir.Expr, func: FunctionInfo, stmt: object, depth: int) -> list[str]:
        if isinstance(e, ir.Constant):
            return [e.value] if isinstance(e.value, str) else []
        if isinstance(e, ir.FString):
            return self._fstring(e, func, stmt, depth)
        if isinstance(e, ir.Concat):
            return self._joined([self._texts(p, func, stmt, depth) for p in e.parts])
        if isinstance(e, ir.BinOp) and e.op == "+":
            return self._joined([self._texts(e.left, func, stmt, depth), self._texts(e.right, func, stmt, depth)])
        if isinstance(e, ir.BinOp) and e.op == "%":  # "%s/v1/chat/completions" % base
            return self._texts(e.left, func, stmt, depth)
        if isinstance(e, ir.IfExp):
            return self._texts(e.body, func, stmt, depth) + self._texts(e.orelse, func, stmt, depth)
        if isinstance(e, ir.BoolOp):  # `url or DEFAULT_URL`
            return [t for v in e.values for t in self._texts(v, func, stmt, depth)]
        if isinstance(e, ir.Subscript):
            key = ir.string_value(e.index)
            return self._entry(e.value, key, func, stmt, depth) if key is not None else []
        if isinstance(e, ir.Call):
            return self._call(e, func, stmt, depth) + self._constants(e, func, stmt)
        if isinstance(e, ir.Name):
            return self._name(e, func, stmt, depth) + self._constants(e, func, stmt)
        if isinstance(e, ir.Attribute):
            out = self._constants(e, func, stmt)
            for x, owner, s in self.g._literal_defs(e, func, stmt):
                out += self._texts(x, owner, s, depth - 1)
            return out
        return []

    def _constants(self, e: ir.Expr, func: FunctionInfo, stmt: object) -> list[str]:
        """The string constants the resolver says `e` holds (a project function's returned URL)."""
        # in the values' stable order: the texts are cut at _MAX_TEXTS, so set order would decide which stay
        return [v.value for v in ordered(self.res.values(e, func, stmt))
                if isinstance(v, Const) and isinstance(v.value, str)]

    def _fstring(self, e: ir.FString, func: FunctionInfo, stmt: object, depth: int) -> list[str]:
        """The literal parts with `{}` for each hole, and the hole filled with each text it may hold
        (`f"https://api.openai.com/v1/{api_name}"`, `api_name` one of two constants)."""
        pieces: list[list[str]] = []
        for p in e.parts:
            if isinstance(p, str):
                pieces.append([p])
            else:
                # URLs first (a settings getter may hold many other strings): the hole keeps a few
                texts = sorted(self._texts(p, func, stmt, depth - 1), key=lambda t: "://" not in t)
                pieces.append([*texts[:_HOLE_TEXTS], "{}"])
        return [e.literal_text(), *self._joined(pieces)]

    @staticmethod
    def _joined(pieces: Sequence[list[str]]) -> list[str]:
        """Every concatenation of one text per piece (an empty piece is a hole: `{}`), bounded."""
        options = [p if p else ["{}"] for p in pieces]
        return ["".join(combo) for combo in itertools.islice(itertools.product(*options), _MAX_TEXTS)]

    def _call(self, e: ir.Call, func: FunctionInfo, stmt: object, depth: int) -> list[str]:
        """`d.pop("k")` / `d.get("k", default)`: the entry, and the default; any other call (a
        `.format()` template, a path join, `os.getenv(name, default)`): the text of its parts."""
        f = e.func
        if isinstance(f, ir.Attribute) and f.attr in _DICT_READS and e.args:
            key = ir.string_value(e.args[0])
            if key is not None:
                out = self._entry(f.value, key, func, stmt, depth)
                return out + [t for a in e.args[1:2] for t in self._texts(a, func, stmt, depth - 1)]
        parts = list(e.args)
        if isinstance(f, ir.Attribute):
            parts.insert(0, f.value)
        return [t for p in parts for t in self._texts(p, func, stmt, depth - 1)]

    def _entry(self, container: ir.Expr, key: str, func: FunctionInfo, stmt: object, depth: int) -> list[str]:
        """The texts stored under `key` in the dict literals `container` may be, and by `d[key] = v`."""
        out: list[str] = []
        for d, owner, s in dict_literals(self.g, container, func, stmt, depth - 1):
            out += self._texts(d.get(key), owner, s, depth - 1)
        if isinstance(container, ir.Name):
            for k, v, s in func.item_stores.get(container.id, ()):
                if ir.string_value(k) == key:
                    out += self._texts(v, func, s, depth - 1)
        return out

    def _name(self, e: ir.Name, func: FunctionInfo, stmt: object, depth: int) -> list[str]:
        out: list[str] = []
        for x, owner, s in self.g._literal_defs(e, func, stmt):
            out += self._texts(x, owner, s, depth - 1)
        for arg, owner, s in _param_arguments(self.g, e, func, stmt):
            out += self._texts(arg, owner, s, depth - 1)
        return out


def _param_arguments(g: CodeGraph, e: ir.Name, func: FunctionInfo, stmt: object) -> list[tuple[ir.Expr, FunctionInfo, object]]:
    """When `e` is a parameter of the function it is read in: its default and what the first
    call sites pass for it, each with its scope."""
    owner, defs = g.name_bindings(func, e.id, stmt)
    if not any(d.how == "param" for d in defs):
        return []
    idx = param_index(owner, e.id)
    if idx is None:
        return []
    param = owner.params[idx]
    out: list[tuple[ir.Expr, FunctionInfo, object]] = []
    if param.default is not None:
        out.append((param.default, owner.parent or owner.module.toplevel, None))
    offset = 1 if owner.cls is not None and not is_staticmethod(owner) else 0  # as the resolver binds them
    for site in g.argument_sites(owner)[:_MAX_SITES]:
        arg = argument_for(site.call, param, idx - offset)
        if arg is not None:
            out.append((arg, site.func, site.stmt))
    return out


def dict_literals(g: CodeGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                  depth: int = 4) -> list[Scoped[ir.Dict]]:
    """The dict literals `e` may be: itself, what a name, `self.x` or a module constant is bound
    to, what the callers pass for a parameter, the argument of `json.dumps(...)`; each with its scope."""
    out: list[Scoped[ir.Dict]] = []
    seen: set[int] = set()
    todo: list[tuple[Optional[ir.Expr], FunctionInfo, object, int]] = [(e, func, stmt, depth)]
    while todo and len(out) < _MAX_SITES:
        x, f, s, d = todo.pop()
        if x is None or d < 0 or id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, ir.Dict):
            out.append((x, f, s))
        elif isinstance(x, ir.Call) and ir.dotted(x.func) in ("json.dumps", "dict") and x.args:
            todo.append((x.args[0], f, s, d))
        elif isinstance(x, (ir.Name, ir.Attribute)):
            todo += [(v, o, t, d - 1) for v, o, t in g._literal_defs(x, f, s)]
            if isinstance(x, ir.Name):
                todo += [(v, o, t, d - 1) for v, o, t in _param_arguments(g, x, f, s)]
    return out


def payload_dicts(g: CodeGraph, spec: LLMCallSpec, call: ir.Call, func: FunctionInfo,
                  stmt: object) -> list[Scoped[ir.Dict]]:
    """The dict literals the JSON body of a POST may be (`json=`, `data=json.dumps(...)`)."""
    out: list[Scoped[ir.Dict]] = []
    for kw in spec.payload_params:
        out += dict_literals(g, call.kwarg(kw), func, stmt)
    return out


def reply_reads(call: ir.Call, func: FunctionInfo) -> set[Segments]:
    """How the function reads the response of `call`: access paths from the response, decoding
    included (`r.json()["choices"][0]` -> ("json", "()", "choices", "[]")), through the names it
    is bound to (`r = post(...)`, `async with post(...) as r`, `data = r.json()`)."""
    aliases: dict[str, Segments] = {}
    for _ in range(3):  # names bound from names bound before: `r`, then `data = r.json()`
        for s in func.stmts:
            value, targets = _binding(s)
            if value is None:
                continue
            path = _path_from(value, call, aliases)
            if path is None:
                continue
            for t in targets:
                if isinstance(t, ir.Name) and t.id not in aliases:
                    aliases[t.id] = path
    reads: set[Segments] = set()
    for kind in (ir.Subscript, ir.Attribute):
        for x, _ in func.walk(kind):
            path = _path_from(x, call, aliases)
            if path:
                reads.add(path)
    return reads


def _binding(s: ir.Stmt) -> tuple[Optional[ir.Expr], list[ir.Expr]]:
    if isinstance(s, ir.Assign):
        return s.value, list(s.targets)
    if isinstance(s, ir.With):
        for it in s.items:
            if it.target is not None:
                return it.context, [it.target]
    return None, []


def _path_from(e: ir.Expr, call: ir.Call, aliases: dict[str, Segments]) -> Optional[Segments]:
    """The access path `e` reads from the response of `call`, or None when it does not read it."""
    segs: list[str] = []
    while True:
        if e is call:
            break
        if isinstance(e, ir.Name):
            if e.id not in aliases:
                return None
            segs.extend(reversed(aliases[e.id]))
            break
        if isinstance(e, ir.Await):
            e = e.value
        elif isinstance(e, ir.Subscript):
            key = ir.string_value(e.index)
            segs.append(key if key is not None else INDEX)
            e = e.value
        elif isinstance(e, ir.Attribute):
            segs.append(e.attr)
            e = e.value
        elif isinstance(e, ir.Call) and ir.dotted(e.func) == "json.loads" and e.args:
            body = e.args[0]  # json.loads(r.text) decodes the body as r.json() does
            if not (isinstance(body, ir.Attribute) and body.attr in _BODY_ATTRS):
                return None
            segs += [CALL, "json"]
            e = body.value
        elif isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute):
            segs += [CALL, e.func.attr]
            e = e.func.value
        else:
            return None
    return tuple(reversed(segs))


def shape_spec(g: CodeGraph, specs: Sequence[LLMCallSpec], call: ir.Call, func: FunctionInfo,
               stmt: object) -> Optional[LLMCallSpec]:
    """The entry whose exchange this POST has when its URL says nothing: a JSON body with the
    entry's `payload_keys` (a `messages` list written out must hold role dicts) and a read of the
    response along one of its `reply_reads`."""
    shaped = [s for s in specs if s.payload_keys and s.reply_reads]
    if not shaped:
        return None
    bodies = payload_dicts(g, shaped[0], call, func, stmt)
    if not bodies:
        return None
    reads = reply_reads(call, func)
    if not reads:
        return None
    for spec in shaped:
        wanted = [parse_access(r) for r in spec.reply_reads]
        if not any(r[:len(w)] == w for r in reads for w in wanted):
            continue
        if any(_carries(d, owner, s, spec.payload_keys, g) for d, owner, s in bodies):
            return spec
    return None


def _carries(d: ir.Dict, func: FunctionInfo, stmt: object, keys: Sequence[str], g: CodeGraph) -> bool:
    """Does the body literal hold every key, with `messages` (if asked for) a possible list of
    role dicts: not a literal of another kind, and a written-out list's first item has a role?"""
    if any(d.get(k) is None for k in keys):
        return False
    messages = d.get("messages") if "messages" in keys else None
    if messages is None:
        return True
    found = g.bound_literal(messages, func, stmt, (ir.Seq, ir.Dict, ir.Constant, ir.FString))
    if found is None:
        return True
    lit = found[0]
    if not isinstance(lit, ir.Seq):
        return False
    first = lit.elts[0] if lit.elts else None
    return first is None or not isinstance(first, ir.Dict) or first.get("role") is not None
