"""Prompts that document the functions the model may call as signatures (`- say(content,
target=None): say something`) whose parameter names differ from the project function that runs
them (`def _say(self, description, target=None)`): a call the model writes with the documented
keyword fails with "unexpected keyword argument"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.facts import per_graph

# a list item that documents a callable: "- act(description, target=None): do something",
# "* search(query, limit=5) - find ..."; only plain parameter names, each with an optional default
_PARAM = r"[a-z_][a-z0-9_]*(?:\s*=\s*[^,()\n]{1,40})?"
_SIGNATURE = re.compile(
    rf"^[ \t]*(?:[-*•]|\d+[.)])[ \t]*`?([a-z_][a-z0-9_]*)\(\s*({_PARAM}(?:\s*,\s*{_PARAM})*)\s*\)`?[ \t]*(?::|-|–)",
    re.MULTILINE)
_MIN_PROMPT = 80  # shorter literals are not prompts that list functions


@dataclass(frozen=True)
class SignatureMismatch:
    path: str
    line: int
    name: str
    documented: tuple[str, ...]
    func: FunctionInfo
    missing: tuple[str, ...]  # documented names the implementation has no parameter for


def _params(text: str) -> tuple[str, ...]:
    return tuple(p.split("=")[0].strip() for p in text.split(","))


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
            for e, _ in f.walk(ir.Constant):
                if isinstance(e.value, str) and len(e.value) >= _MIN_PROMPT and "(" in e.value:
                    yield mod.path, e.pos[0], e.value
    arts = g.artifacts  # None: the scan found no prompt, settings or spec files
    if arts is None:
        return
    for rel in sorted(arts.paths):
        text = arts.text(rel)
        if text and "(" in text and not g.is_test_code(rel):
            yield rel, 1, text


@per_graph
def signature_mismatches(g: ProjectGraph) -> list[SignatureMismatch]:
    by_name: dict[str, list[FunctionInfo]] = {}
    for f in g.functions.values():
        if f.node is not None and not f.name.startswith("__") and not g.is_test_code(f.path):
            by_name.setdefault(f.name, []).append(f)
    out: list[SignatureMismatch] = []
    seen: set[tuple[str, int, str]] = set()
    for path, first, text in _texts(g):
        for m in _SIGNATURE.finditer(text):
            name, documented = m.group(1), _params(m.group(2))
            impls = by_name.get(name, []) + by_name.get("_" + name, [])
            if not impls or len(set(documented)) != len(documented) or {"self", "cls"} & set(documented):
                continue  # (a method documented with self/cls is API documentation, not a prompt)
            judged = [_missing(f, documented) for f in impls]
            if any(j is None or not j for j in judged):
                continue  # one implementation takes the documented names (or any keyword)
            line = first + text.count("\n", 0, m.start(1))
            key = (path, line, name)
            if key in seen:
                continue
            seen.add(key)
            out.append(SignatureMismatch(path, line, name, documented, impls[0], judged[0] or ()))
    return out


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
