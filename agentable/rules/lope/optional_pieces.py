"""Project helpers that take a piece of the model's reply with a regex and return None when the
reply lacks the pattern (`extract_tag(reply, "answer")`), and the callers that use what they
return as text with no test for None (LOPE002's second form: the unchecked match, one call away)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.frameworks import MATCH_PIECE
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import Const, LLMOutput, ordered
from agentable.query.none_uses import first_unguarded_use


@dataclass(frozen=True, eq=False)
class OptionalPiece:
    helper: FunctionInfo
    gives_none: ir.Return  # the helper's `return None`
    site: CallSite  # the caller's call of the helper
    piece: LLMOutput  # the piece of model text it returns otherwise
    use: ir.Expr
    stmt: ir.Stmt


def _none_return(func: FunctionInfo) -> Optional[ir.Return]:
    return next((r for r in func.returns if r.value is None or (isinstance(r.value, ir.Constant)
                                                                 and r.value.value is None)), None)


def _matched_piece(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Does another return of `func` read a regex match (`m.group(1)`)? (Cheap, before values.)"""
    return any(r.value is not None and any(isinstance(x, ir.Call) and isinstance(x.func, ir.Attribute)
                                           and x.func.attr in ("group", "groups") for x in ir.walk_expr(r.value))
               for r in func.returns)


def optional_pieces(g: ProjectGraph) -> Iterator[OptionalPiece]:
    for func in sorted(g.functions.values(), key=lambda f: f.qualname):
        ret = _none_return(func)
        if ret is None or func.node is None or not _matched_piece(g, func):
            continue
        for site in g.callers(func):
            if site.func is func:
                continue
            values = g.values(site.call, site.func, site.stmt)
            if Const(None) not in values:
                continue
            piece = next((v for v in ordered([v for v in values if isinstance(v, LLMOutput)])
                          if v.text and any(st[2] == MATCH_PIECE and st[0] == func.path for st in v.steps)), None)
            if piece is None:
                continue
            use = first_unguarded_use(g, site)
            if use is not None:
                yield OptionalPiece(func, ret, site, piece, *use)
