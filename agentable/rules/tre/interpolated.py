"""Objects whose repr a tool writes into the text it returns: an f-string hole holding an HTTP
response, a file, a generator, a cursor or a display object (a rich `Panel`), catalog tools.toml
[handle_returning]. A process result is left out: its repr carries the output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional, Union

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.rules.tre.helpers import handle_kind

_REPR_KINDS = frozenset({"file", "response", "generator", "connection", "iterator", "display"})


@dataclass(frozen=True)
class InterpolatedObject:
    hole: ir.Expr  # the f-string hole
    kind: str
    callee: str  # what made the object ("" when not known)


Where = Union[ir.Stmt, ir.Handler]


def _strings(func: FunctionInfo, e: Optional[ir.Expr], stmt: Where, hops: int = 2) -> Iterator[tuple[ir.FString, Where]]:
    """The f-strings that make up the text `e` (joined by `+`, implicit concatenation, or bound to
    a local name first), each with its statement."""
    if isinstance(e, ir.FString):
        yield e, stmt
    elif isinstance(e, ir.Concat):
        for p in e.parts:
            yield from _strings(func, p, stmt, hops)
    elif isinstance(e, ir.BinOp) and e.op == "+":
        yield from _strings(func, e.left, stmt, hops)
        yield from _strings(func, e.right, stmt, hops)
    elif isinstance(e, ir.Name) and hops > 0:
        for d in func.defs.get(e.id, []):
            if d.how in ("assign", "augassign") and d.value is not None:
                yield from _strings(func, d.value, d.stmt, hops - 1)


def interpolated_objects(g: ProjectGraph, func: FunctionInfo) -> list[InterpolatedObject]:
    """Holes of the f-strings a tool returns, directly or through a local name bound to one,
    whose value is an object with no text of its own."""
    out: list[InterpolatedObject] = []
    seen: set[int] = set()
    for r in func.returns:
        for fs, stmt in _strings(func, r.value, r):
            for hole in fs.parts:
                if isinstance(hole, str) or id(hole) in seen:
                    continue
                seen.add(id(hole))
                hit = handle_kind(g, hole, func, stmt)
                if hit is not None and hit[0] in _REPR_KINDS:
                    out.append(InterpolatedObject(hole, hit[0], hit[1]))
    return out
