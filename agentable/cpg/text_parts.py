"""What a text-building call is made of: shared by the walkers that follow text back to its pieces
(prompt strings in `query.literals`, docstrings listed in prompts in `cpg.prompt_tools`)."""

from __future__ import annotations

from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import FuncRef

# str methods whose result is built from the receiver's text
TEXT_METHODS = frozenset({"format", "join", "format_map", "strip", "replace"})

Scoped = tuple[ir.Expr, FunctionInfo, object]
# a part of a text with its scope; None for a helper's bare `return` (the walkers skip it)
TextPart = tuple[Optional[ir.Expr], FunctionInfo, object]


def call_text_parts(g: CodeGraph, call: ir.Call, func: FunctionInfo, stmt: object,
                    follow_helpers: bool) -> Iterator[TextPart]:
    """The expressions a call's text result may be made of, each with its scope: the receiver of a
    str method that builds text from it (`TEMPLATE.format(...)`, `sep.join(parts)`), every
    argument, and, with `follow_helpers`, what a project function called here returns."""
    if isinstance(call.func, ir.Attribute) and call.func.attr in TEXT_METHODS:
        yield call.func.value, func, stmt
    for a in call.args:
        yield a, func, stmt
    for kw in call.keywords:
        yield kw.value, func, stmt
    if follow_helpers:
        for v in g.shallow.values(call.func, func, stmt):
            target = g.functions.get(v.qualname) if isinstance(v, FuncRef) else None
            if target is None:
                continue
            for r in target.returns:
                yield r.value, target, r
