"""Markers the code waits for in a model reply (`if "TERMINATE" in reply:`, `while not
reply.startswith("FINAL ANSWER")`), for ALS005: the branch a test decides, the marker, and whether
the reply is case-folded on its way to the test."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import LLMOutput
from agentable.query.llm_output import llm_outputs
from agentable.query.structured_output import structured_output
from agentable.query.taint import config
from agentable.rules.als.exact_reply import reply_methods

_POSITION_TESTS = frozenset({"startswith", "endswith"})
# a marker: a word of three letters or more in at most 60 characters on one line (a sentence
# tested with `in` is a canned answer, a brace or fence says nothing about the prompt's wording)
_MARKER = re.compile(r"^(?=.*[A-Za-z]{3})[^\n]{3,60}$")


@dataclass(frozen=True)
class MarkerTest:
    expr: ir.Expr  # the test: the Compare or the startswith/endswith call
    stmt: ir.Stmt
    marker: str
    outputs: tuple[LLMOutput, ...]
    case_folded: bool


def _in_test(stmt: ir.Stmt, e: ir.Expr) -> bool:
    return isinstance(stmt, (ir.If, ir.While)) and any(x is e for x in ir.walk_expr(stmt.test))


def marker_tests(g: ProjectGraph, func: FunctionInfo) -> Iterator[MarkerTest]:
    """Tests in an `if`/`while` condition of `func` that look for a literal marker in the whole
    generated text (not a parsed field, not structured output)."""
    case_m = frozenset(config().kinds.get("exact_word", {}).get("case", ()))
    fields = config().structured_fields
    for e, stmt in func.walk(ir.Compare, ir.Call):
        if not _in_test(stmt, e):
            continue
        if isinstance(e, ir.Compare):
            if len(e.ops) != 1 or e.ops[0] not in ("in", "not in"):
                continue
            marker, reply = ir.string_value(e.left), e.comparators[0]
        elif isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr in _POSITION_TESTS \
                and len(e.args) == 1:
            marker, reply = ir.string_value(e.args[0]), e.func.value
        else:
            continue
        if marker is None or "{}" in marker or not _MARKER.match(marker.strip()):
            continue
        outs = [v for v in llm_outputs(g, reply, func, stmt)
                if not fields.intersection(v.read) and structured_output(g, v) is None]
        if not outs:
            continue
        methods = [reply_methods(v) or set() for v in outs]
        yield MarkerTest(e, stmt, marker, tuple(outs), all(m & case_m for m in methods))
