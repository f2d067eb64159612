"""Prompt text that became a tuple by accident: `prompt = template.format(...),` (a trailing comma
makes a one-element tuple), then sent as `str(prompt)`, in an f-string or as the content itself,
so the model gets "('...\\n...',)": the repr, with quotes and escaped newlines. Found on the way
back from a message's content or a prompt argument through `str()`, f-strings, local bindings and
the arguments callers pass for a parameter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.facts import EvalAt
from agentable.query.literals import literal_of
from agentable.query.model_forwarding import caller_arguments

_TEXT_METHODS = frozenset({"format", "join", "strip", "replace", "format_map"})


@dataclass(frozen=True)
class TextTuple:
    path: str
    pos: ir.Pos  # the tuple: its one text and the trailing comma


def accidental_text_tuple(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt,
                          depth: int = 3) -> Optional[TextTuple]:
    """The unparenthesized one-text tuple that `e` is or renders (see the module), or None."""
    if e is None or depth < 0:
        return None
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Name) and e.func.id == "str" and len(e.args) == 1:
        return accidental_text_tuple(g, e.args[0], func, stmt, depth)
    if isinstance(e, ir.FString):
        for part in e.parts:
            found = accidental_text_tuple(g, part, func, stmt, depth) if isinstance(part, ir.Name) else None
            if found is not None:
                return found
        return None
    lit = literal_of(g, e, func, stmt)
    if lit is not None:
        node, owner, _at = lit
        if isinstance(node, ir.Seq) and node.kind == "tuple" and len(node.elts) == 1 \
                and node.pos[:2] == node.elts[0].pos[:2] and _text(node.elts[0]):
            return TextTuple(owner.path, node.pos)
        return None
    for arg, site in caller_arguments(g, func, e):
        found = accidental_text_tuple(g, arg, site.func, site.stmt, depth - 1)
        if found is not None:
            return found
    return None


def _text(e: ir.Expr) -> bool:
    """Is `e` plainly text: a string literal, an f-string, a concatenation, `.format(...)`/`.join`?"""
    if isinstance(e, ir.Constant):
        return isinstance(e.value, str)
    if isinstance(e, (ir.FString, ir.Concat)):
        return True
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr in _TEXT_METHODS:
        return True
    return isinstance(e, ir.BinOp) and e.op in ("+", "%") and (_text(e.left) or _text(e.right))
