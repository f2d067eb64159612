"""Text cut to start at an opening brace before it is parsed (taint.toml `object_text_openers` and
`object_text_finders`): such a parse reads an object, not whatever value the reply starts with."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.facts import EvalAt
from agentable.query.taint import config
from agentable.query.text_ops import regex_piece_opens


def starts_with_opener(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt, depth: int) -> bool:
    """Is `e`, the text a parse reads, cut to start at an opening brace (`reply[reply.find("{"):]`,
    `"{" + rest`, a regex piece opening at a brace), following plain assignments `depth` deep?"""
    cfg = config()
    openers = cfg.names.get("object_text_openers", frozenset())
    finders = cfg.names.get("object_text_finders", frozenset())

    def finds_opener(x: Optional[ir.Expr], d: int) -> bool:
        if isinstance(x, ir.Call) and isinstance(x.func, ir.Attribute) and x.func.attr in finders and x.args:
            return isinstance(x.args[0], ir.Constant) and x.args[0].value in openers
        if isinstance(x, ir.Name) and d > 0:
            return any(finds_opener(v, d - 1) for v in _bound_values(g, x, func, stmt))
        return False

    if regex_piece_opens(g, e, func, stmt, openers):
        return True  # `re.search(r"\{.*\}", reply).group()`: the pattern starts the text at a brace
    if isinstance(e, ir.Subscript) and isinstance(e.index, ir.Slice) and e.index.parts:
        return finds_opener(e.index.parts[0], 1)
    if isinstance(e, ir.BinOp) and e.op == "+" and isinstance(e.left, ir.Constant):
        return isinstance(e.left.value, str) and e.left.value[:1] in openers
    if isinstance(e, ir.Name) and depth > 0:
        vals = _bound_values(g, e, func, stmt)
        return bool(vals) and all(starts_with_opener(g, v, func, stmt, depth - 1) for v in vals)
    return False


def _bound_values(g: ProjectGraph, name: ir.Name, func: FunctionInfo, stmt: EvalAt) -> list[ir.Expr]:
    """The expressions assigned to `name` that reach `stmt` (plain assignments only; [] otherwise)."""
    defs = g.reaching(func).at(stmt, name.id) or []
    if not defs or any(d.how != "assign" or d.value is None for d in defs):
        return []
    return [d.value for d in defs]  # type: ignore[misc]
