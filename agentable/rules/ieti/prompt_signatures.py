"""Prompts that document the functions the model may call (`- say(content, target=None): say
something`, or an example call in XML: `<function_call><submit_task><answer>..</answer>...`) with
parameters the project function that runs them does not take (`def _say(self, description,
target=None)`): a call the model writes with the documented keyword fails with "unexpected keyword
argument". Also a listed signature that keeps the method's `self` among callables listed without
it: the model is told to pass one argument more than the method takes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, cast

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.facts import per_graph

# a parameter: a plain name with an optional annotation (`name: str`, `ids: List[int]`) and default
_PARAM = r"[a-z_][a-z0-9_]*(?:\s*:\s*[A-Za-z_][\w.]*(?:\[[^\]\n]{0,40}\])?)?(?:\s*=\s*[^,()\n]{1,40})?"
_PARAMS = rf"\(\s*({_PARAM}(?:\s*,\s*{_PARAM})*)\s*\)"
# a list item that documents a callable: "- act(description, target=None): do something",
# "* search(query, limit=5) - find ..."
_SIGNATURE = re.compile(
    rf"^[ \t]*(?:[-*•]|\d+[.)])[ \t]*`?([a-z_][a-z0-9_]*){_PARAMS}`?[ \t]*(?::|-|–)", re.MULTILINE)
# a line that is a signature alone, listed or not ("search_class(class_name: str)")
_BARE_SIGNATURE = re.compile(
    rf"^[ \t]*(?:(?:[-*•]|\d+[.)])[ \t]*)?`?([a-z_][a-z0-9_]*){_PARAMS}`?[ \t]*(?:(?::|-|–).*)?$", re.MULTILINE)
# an example call written as XML, the way prompts for text-only tool calling show it:
# "<function_call>\n<submit_task>\n<answer>...</answer>\n<sources>...</sources>\n</submit_task>";
# the wrapper tag says it is a call, so the tag inside names the function and the ones below its parameters
_XML_CALL = re.compile(
    r"<(?:function_call|tool_call|invoke)>\s*<([a-z_][a-z0-9_]*)>(.{0,4000}?)</\1>", re.DOTALL)
# a signature written inline in prose ("use get_news(query, start_date) for targeted searches"):
# judged only when the name is a tool the model is given, whose parameters are its schema
_INLINE_SIGNATURE = re.compile(rf"(?<![\w.])`?([a-z][a-z0-9]*(?:_[a-z0-9]+)+){_PARAMS}")
# a method shown to the model as a Python `def` ("def request(self, api_path, method, params=None):"),
# judged against the method of that name of a project class the same prompt names
_DEF_SIGNATURE = re.compile(rf"^[ \t]*def[ \t]+([a-z_][a-z0-9_]*){_PARAMS}[ \t]*(?:->[^:\n]*)?:", re.MULTILINE)
_XML_PARAM = re.compile(r"<([a-z_][a-z0-9_]*)>.*?</\1>", re.DOTALL)
_RECEIVERS = frozenset({"self", "cls"})
_MIN_PROMPT = 80  # shorter literals are not prompts that list functions


@dataclass(frozen=True)
class SignatureMismatch:
    path: str
    line: int
    name: str
    documented: tuple[str, ...]
    func: FunctionInfo
    missing: tuple[str, ...]  # documented names the implementation has no parameter for
    receiver: bool = False  # the prompt documents the method's `self`/`cls` as a parameter to pass
    shifted: str = ""  # a shown `def`'s parameter whose position holds another of the method's parameters
    tool: bool = False  # an inline signature of a tool the model calls with structured arguments


@dataclass(frozen=True)
class _Doc:
    at: int  # offset of the callable's name in the text
    name: str
    params: tuple[str, ...]
    kind: str  # "item" (a listed signature with a description), "bare" (a signature alone), "xml", "inline"
    annotated: bool = False


def _documented(text: str) -> list[_Doc]:
    out = [_Doc(m.start(1), m.group(1), _params(m.group(2)), "item", ":" in m.group(2))
           for m in _SIGNATURE.finditer(text)]
    items = {d.at for d in out}
    out += [_Doc(m.start(1), m.group(1), _params(m.group(2)), "bare", ":" in m.group(2))
            for m in _BARE_SIGNATURE.finditer(text) if m.start(1) not in items]
    out += [_Doc(m.start(1), m.group(1), _params(m.group(2)), "def", ":" in m.group(2))
            for m in _DEF_SIGNATURE.finditer(text)]
    listed = {d.at for d in out}
    out += [_Doc(m.start(1), m.group(1), _params(m.group(2)), "inline", ":" in m.group(2))
            for m in _INLINE_SIGNATURE.finditer(text) if m.start(1) not in listed]
    for m in _XML_CALL.finditer(text):
        body = m.group(2)
        params, pos = [], 0
        for p in _XML_PARAM.finditer(body):
            if body[pos:p.start()].strip():
                break  # text between the tags: prose, not a call's parameters
            params.append(p.group(1))
            pos = p.end()
        if params and not body[pos:].strip():
            out.append(_Doc(m.start(1), m.group(1), tuple(params), "xml"))
    return out


def _params(text: str) -> tuple[str, ...]:
    return tuple(p.split("=")[0].split(":")[0].strip() for p in _top_level(text))


def _top_level(text: str) -> list[str]:
    """`text` split at the commas outside brackets (`a: Dict[str, int], b` -> two parameters)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch == "[") - (ch == "]")
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [*parts, cur]


def _texts(g: ProjectGraph) -> Iterator[tuple[str, int, str]]:
    """(path, first line, text) of the prompts: long string literals of the code (outside tests)
    and the prompt and settings files the project keeps beside it."""
    own: dict[int, list[FunctionInfo]] = {}  # module -> its functions, in `functions` order (one pass)
    for x in g.functions.values():
        own.setdefault(id(x.module), []).append(x)
    for mod in g.modules.values():
        if g.is_test_code(mod.path):
            continue
        for f in [mod.toplevel, *own.get(id(mod), ())]:
            for e, _ in f.walk(ir.Constant, ir.FString):
                text = e.value if isinstance(e, ir.Constant) else cast(ir.FString, e).literal_text()
                if isinstance(text, str) and len(text) >= _MIN_PROMPT and ("(" in text or "<" in text):
                    yield mod.path, e.pos[0], text
    arts = g.artifacts  # None: the scan found no prompt, settings or spec files
    if arts is None:
        return
    for rel in sorted(arts.paths):
        text = arts.text(rel)
        if text and ("(" in text or "<" in text) and not g.is_test_code(rel):
            yield rel, 1, text


@per_graph
def signature_mismatches(g: ProjectGraph) -> list[SignatureMismatch]:
    by_name: dict[str, list[FunctionInfo]] = {}
    for f in g.functions.values():
        if f.node is not None and not f.name.startswith("__") and not g.is_test_code(f.path):
            by_name.setdefault(f.name, []).append(f)
    tools: dict[str, list[FunctionInfo]] = {}  # the tools the model calls with structured arguments
    for t in g.agent.tools:
        if t.name and t.func is not None and t.func.node is not None:
            tools.setdefault(t.name, []).append(t.func)
    out: list[SignatureMismatch] = []
    seen: set[tuple[str, int, str]] = set()
    for path, first, text in _texts(g):
        docs = _documented(text)
        plain = _slip_possible(docs, by_name)
        for d in docs:
            if d.kind == "def":
                _add_def(g, out, seen, path, first + text.count("\n", 0, d.at), d, text)
                continue
            if d.kind == "inline":
                if d.name in tools and not d.annotated and len(set(d.params)) == len(d.params):
                    _add_inline(out, seen, path, first + text.count("\n", 0, d.at), d, tools[d.name])
                continue
            impls = by_name.get(d.name, []) + by_name.get("_" + d.name, [])
            if not impls or len(set(d.params)) != len(d.params):
                continue
            if _RECEIVERS & set(d.params):
                # a signature that keeps `self` among more methods listed without it: a slip, not a
                # document of methods (API documentation lists self in every item)
                method = _receiver_documented(impls, d.params) if plain and d.kind != "xml" else None
                if method is not None:
                    _add(out, seen, SignatureMismatch(path, first + text.count("\n", 0, d.at), d.name, d.params,
                                                      method, (), receiver=True))
                continue
            if d.kind == "bare" or d.annotated:
                continue  # a name mismatch is judged only where a call by keyword is taught plainly
            judged = [_missing(f, d.params) for f in impls]
            if any(j is None or not j for j in judged):
                continue  # one implementation takes the documented names (or any keyword)
            own = [f for f in impls if f.path == path] or impls  # the prompt's own module's first
            missing = _missing(own[0], d.params) or judged[0] or ()
            at = d.at
            if d.kind == "xml" and missing:  # reported at the first parameter tag the function lacks
                found = text.find(f"<{missing[0]}>", d.at)
                at = found if found >= 0 else at
            _add(out, seen, SignatureMismatch(path, first + text.count("\n", 0, at), d.name, d.params, own[0],
                                              missing))
    return out


def _add_def(g: ProjectGraph, out: list[SignatureMismatch], seen: set[tuple[str, int, str]], path: str, line: int,
             d: _Doc, text: str) -> None:
    """A method shown as a `def` in a prompt that also names its class: reported when the method
    lacks a shown parameter, or when a shown parameter sits at another position than in the method
    (a parameter the prompt leaves out comes before it), so a positional call fills the wrong one."""
    shown = tuple(p for p in d.params if p not in _RECEIVERS)
    methods = [c.methods[d.name] for c in g.classes.values()
               if d.name in c.methods and c.name in text and re.search(rf"\b{re.escape(c.name)}\b", text)]
    if len(methods) != 1 or not shown or len(set(shown)) != len(shown) or not _imported_elsewhere(g, path):
        return  # (not imported: a copy of a prompt no module of the agent loads)
    f = methods[0]
    params = [p for p in f.params if p.name not in _RECEIVERS]
    if any(p.kind in ("vararg", "kwarg") for p in params):
        return
    real = [p.name for p in params]
    missing = tuple(n for n in shown if n not in real)
    if missing:
        if len(missing) < len(shown):
            _add(out, seen, SignatureMismatch(path, line, d.name, d.params, f, missing))
        return
    moved = next((n for i, n in enumerate(shown) if real[i] != n), "")
    if moved:
        _add(out, seen, SignatureMismatch(path, line, d.name, d.params, f, (), shifted=moved))


def _imported_elsewhere(g: ProjectGraph, path: str) -> bool:
    """Is the module at `path` imported by another module of the project outside tests?"""
    mod = g.by_path.get(path)
    if mod is None:
        return True  # a prompt file: loaded by path, not imported
    return any(other is not mod and not g.is_test_code(other.path) and mod.name in g.imported_modules(other)
               for other in g.modules.values())


def _add_inline(out: list[SignatureMismatch], seen: set[tuple[str, int, str]], path: str, line: int, d: _Doc,
                impls: list[FunctionInfo]) -> None:
    """An inline signature of a tool: reported when every function of that tool name lacks a
    documented name (and takes no **kwargs), while the two share at least one name (it is the
    tool's signature, written with a parameter renamed, not a call of something else)."""
    judged = [_missing(f, d.params) for f in impls]
    if any(j is None or not j for j in judged):
        return
    f = impls[0]
    missing = judged[0] or ()
    if len(missing) == len(d.params):
        return
    _add(out, seen, SignatureMismatch(path, line, d.name, d.params, f, missing, tool=True))


def _slip_possible(docs: list[_Doc], by_name: dict[str, list[FunctionInfo]]) -> bool:
    """Does the text list more methods without their receiver (at least two) than with it? Then
    the convention it teaches is to leave `self` out, and an item that keeps it is a slip."""
    with_receiver = without = 0
    for d in docs:
        if d.kind == "xml":
            continue
        if _RECEIVERS & set(d.params):
            with_receiver += 1
            continue
        impls = by_name.get(d.name, [])
        if impls and all(f.params and f.params[0].name in _RECEIVERS for f in impls):
            without += 1
    return without >= 2 and without > with_receiver


def _add(out: list[SignatureMismatch], seen: set[tuple[str, int, str]], m: SignatureMismatch) -> None:
    key = (m.path, m.line, m.name)
    if key not in seen:
        seen.add(key)
        out.append(m)


def _receiver_documented(impls: list[FunctionInfo], documented: tuple[str, ...]) -> FunctionInfo | None:
    """The method whose parameters the item documents with Python's receiver: `documented` starts
    with `self`/`cls`, every implementation is a method taking it first, and one takes exactly the
    other documented names."""
    if documented[0] not in _RECEIVERS or _RECEIVERS & set(documented[1:]):
        return None
    if not all(f.params and f.params[0].name == documented[0] for f in impls):
        return None
    for f in impls:
        rest = f.params[1:]
        if [p.name for p in rest] == list(documented[1:]) and not any(p.kind in ("vararg", "kwarg") for p in rest):
            return f
    return None


def _missing(f: FunctionInfo, documented: tuple[str, ...]) -> tuple[str, ...] | None:
    """The documented parameter names `f` lacks; None when `f` is another function (it shares no
    documented name and takes a different number of parameters) or takes **kwargs."""
    params = [p for p in f.params if p.name not in ("self", "cls")]
    if any(p.kind in ("vararg", "kwarg") for p in params):
        return None
    names = [p.name for p in params]
    missing = tuple(d for d in documented if d not in names)
    if len(missing) == len(documented) and len(names) != len(documented):
        return None
    return missing
