"""A tool that reads the file its argument names as text (MNFT002): a binary or non-UTF-8 file the
model picks raises UnicodeDecodeError, a ValueError that handlers for OSError or URLError let out."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.binding import param_index, self_param
from agentable.cpg.flow import enclosing_handlers, exception_catches, handler_type_names
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.query.tool_failures import handler_reraises

_FACTS = python_facts()
# a constant that ends in a file extension (`f"{name}.md"`): the code picks the kind of file, which
# it reads (and usually wrote) as text
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,5}$")
_WRITE_MODES = frozenset("wax")
TEXT_READ_ERROR = _FACTS.text_read_error


def decoding_caught(func: FunctionInfo, stmt: object) -> bool:
    """Does a handler around `stmt` in `func` catch a failed decode (UnicodeDecodeError, ValueError,
    Exception, a bare except) without re-raising?"""
    for h in enclosing_handlers(func, stmt):  # type: ignore[arg-type]
        if handler_reraises(h):
            continue
        names = handler_type_names(h)
        if not names or any(exception_catches(n, _FACTS.text_read_error) for n in names):
            return True
    return False


def undecodable_read(g: ProjectGraph, func: FunctionInfo, depth: int = 2,
                     chosen: Optional[frozenset[str]] = None) -> Optional[str]:
    """Why the tool `func` fails on a file the model names, or None: it reads the path one of its
    parameters (`chosen`; every one but self for the tool itself) gives, as text with strict
    decoding, and no handler there or around the project calls that lead to it catches the decode
    error. A file the same function writes is the code's own text, not the model's pick."""
    if chosen is None:
        me = self_param(func)
        chosen = frozenset(p.name for p in func.params if p.name != me)
    if not chosen:
        return None
    for site in func.calls:
        if decoding_caught(func, site.stmt):
            continue
        path = _text_read_path(g, func, site)
        if path is not None:
            if _derives(g, func, site.stmt, path, chosen, 4) and not _written_here(g, func, path):
                name = ir.dotted(path) or "the path"
                return (f"it reads the file `{name}` names as text at line {site.call.pos[0]}, and a binary or "
                        f"non-UTF-8 file raises {_FACTS.text_read_error} (a ValueError, not an OSError)")
            continue
        if depth <= 0:
            continue
        for q in sorted(g.callees(site)):
            callee = g.functions.get(q)
            if callee is None or callee is func:
                continue
            passed = frozenset(_chosen_params(g, func, site, callee, chosen))
            why = undecodable_read(g, callee, depth - 1, passed) if passed else None
            if why:
                return f"{why} in `{callee.name}`"
    return None


def _text_read_path(g: ProjectGraph, func: FunctionInfo, site: CallSite) -> Optional[ir.Expr]:
    """The path a call reads as text with strict decoding (`open(p)`, `open(p, "r")`,
    `Path(p).read_text()`), or None."""
    call = site.call
    for v in g.values(call.func, func, site.stmt):
        if not isinstance(v, ExtRef):
            continue
        if v.path in _FACTS.text_open_calls and call.args:
            mode = call.argument("mode", 1)
            if mode is not None:
                if not (isinstance(mode, ir.Constant) and isinstance(mode.value, str)):
                    return None  # a mode the code computes: not known to be text
                if "b" in mode.value or _WRITE_MODES & set(mode.value):
                    return None
            return call.args[0] if strict_decoding(call, 3) else None  # open(file, mode, buffering, encoding, errors)
        if v.path in _FACTS.text_read_methods and v.site is not None and v.site[1].args:
            return v.site[1].args[0] if strict_decoding(call, 0) else None  # read_text(encoding, errors)
    return None


def strict_decoding(call: ir.Call, enc_at: int = 3) -> bool:
    """Does the call decode strictly: no `errors=` other than "strict", no encoding that decodes
    any byte? (`enc_at`: the position of the encoding argument, errors comes next; 3 for open().)"""
    errors, enc = call.argument("errors", enc_at + 1), call.argument("encoding", enc_at)
    if errors is not None and not (isinstance(errors, ir.Constant) and errors.value == "strict"):
        return False
    return not (isinstance(enc, ir.Constant) and isinstance(enc.value, str)
                and enc.value.lower() in _FACTS.byte_transparent_encodings)


def _derives(g: ProjectGraph, func: FunctionInfo, stmt: object, e: ir.Expr, chosen: frozenset[str],
             depth: int) -> bool:
    """Is the path `e` built from one of the parameters `chosen` (through assignments, unpacking,
    `split`, `os.path.join`), with no constant naming the file's extension on the way?"""
    if _names_extension(e):
        return False
    for x in ir.walk_expr(e):
        if not isinstance(x, ir.Name):
            continue
        if x.id in chosen:
            defs = g.reaching(func).at(stmt, x.id)
            if not defs or all(d.how == "param" for d in defs):
                return True
        if depth <= 0:
            continue
        for d in g.reaching(func).at(stmt, x.id) or []:
            if d.how in ("assign", "element", "with", "iter") and d.value is not None and \
                    _derives(g, func, d.stmt, d.value, chosen, depth - 1):
                return True
    return False


def _names_extension(e: ir.Expr) -> bool:
    for x in ir.walk_expr(e):
        if isinstance(x, ir.Constant) and isinstance(x.value, str) and _EXTENSION.search(x.value):
            return True
        if isinstance(x, ir.FString) and any(isinstance(p, str) and _EXTENSION.search(p) for p in x.parts):
            return True
    return False


def _written_here(g: ProjectGraph, func: FunctionInfo, path: ir.Expr) -> bool:
    """Does the function also open the same path for writing (the file is the code's own output)?"""
    name = ir.dotted(path)
    if name is None:
        return False
    for site in func.calls:
        call = site.call
        if not call.args or ir.dotted(call.args[0]) != name:
            continue
        mode = call.argument("mode", 1)
        if isinstance(mode, ir.Constant) and isinstance(mode.value, str) and _WRITE_MODES & set(mode.value):
            if any(isinstance(v, ExtRef) and v.path in _FACTS.text_open_calls
                   for v in g.values(call.func, func, site.stmt)):
                return True
    return False


def _chosen_params(g: ProjectGraph, func: FunctionInfo, site: CallSite, callee: FunctionInfo,
                   chosen: frozenset[str]) -> Iterable[str]:
    """The callee's parameters that get a value built from the caller's `chosen` parameters."""
    call = site.call
    shift = 1 if self_param(callee) is not None and isinstance(call.func, ir.Attribute) else 0
    for i, a in enumerate(call.args):
        if i + shift < len(callee.params) and _derives(g, func, site.stmt, a, chosen, 4):
            yield callee.params[i + shift].name
    for kw in call.keywords:
        if kw.name is not None and param_index(callee, kw.name) is not None and \
                _derives(g, func, site.stmt, kw.value, chosen, 4):
            yield kw.name
