"""Asserts that test the format of a model reply: `assert "verdict" in reply`,
`assert reply.startswith("{")`, `assert "plan" in parts` on the dict a helper fills with the parts
it found. Each fails on a reply off the format, and AssertionError ends the run unless a handler
catches it (`dataflow` makes a parse flow of each, judged by `failure_guard`)."""

from __future__ import annotations

from typing import Callable, Iterator, Optional, Union

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import LLMOutput, Parsed
from agentable.query.found_entries import found_entries

# model text an expression holds at a statement (dataflow.model_text)
TextOf = Callable[[ProjectGraph, Optional[ir.Expr], FunctionInfo, ir.Stmt], Optional[LLMOutput]]

# str methods an assert tests the reply's format with
_FORMAT_TESTS = frozenset({"startswith", "endswith", "isdigit", "isdecimal", "isnumeric"})


def asserted_replies(g: ProjectGraph, func: FunctionInfo,
                     text_of: TextOf) -> Iterator[tuple[ir.Stmt, ir.Expr, Union[LLMOutput, Parsed]]]:
    """Each assert of `func` that tests a reply's format: (statement, test, the reply it tests)."""
    for s in func.stmts:
        if isinstance(s, ir.Simple) and s.kind == "assert" and s.exprs:
            src = _asserted_reply(g, s.exprs[0], func, s, text_of)
            if src is not None:
                yield s, s.exprs[0], src


def _asserted_reply(g: ProjectGraph, test: ir.Expr, func: FunctionInfo, s: ir.Stmt,
                    text_of: TextOf) -> Optional[Union[LLMOutput, Parsed]]:
    """The model text, or found-parts dict, an assert tests for a piece of the format (None when
    it tests neither). Other asserts (a type, None, a field the code itself set, a length) are not
    about the reply's format, and are left out."""
    if isinstance(test, ir.BoolOp):
        for part in test.values:
            hit = _asserted_reply(g, part, func, s, text_of)
            if hit is not None:
                return hit
        return None
    if isinstance(test, ir.UnaryOp) and test.op == "not":
        return _asserted_reply(g, test.operand, func, s, text_of)
    if isinstance(test, ir.Compare) and len(test.comparators) == 1 and test.ops[0] in ("in", "not in") \
            and isinstance(test.left, ir.Constant) and isinstance(test.left.value, str):
        right = test.comparators[0]
        if isinstance(right, ir.Call) and isinstance(right.func, ir.Attribute) and right.func.attr == "keys":
            return found_entries(g, right.func.value, func, s, test.left.value)  # `"k" in parts.keys()`
        found = found_entries(g, right, func, s, test.left.value)
        return found if found is not None else _reply_text(g, right, func, s, text_of)
    if isinstance(test, ir.Call) and isinstance(test.func, ir.Attribute) and test.func.attr in _FORMAT_TESTS:
        return _reply_text(g, test.func.value, func, s, text_of)  # `reply.startswith("{")`
    return None


def _reply_text(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, s: ir.Stmt, text_of: TextOf) -> Optional[LLMOutput]:
    src = text_of(g, e, func, s)
    return src if src is not None and not _embedding(g, src) else None


def _embedding(g: ProjectGraph, src: LLMOutput) -> bool:
    """Is the source an embeddings call (vectors, not a reply whose format a prompt asks for)?"""
    call = g.agent.llm_call_at(src.site[1])
    return call is not None and getattr(call.spec, "api", "") == "embedding"
