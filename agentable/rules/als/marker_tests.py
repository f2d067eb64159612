r"""Markers the code waits for in a model reply (`if "TERMINATE" in reply:`, `while not
reply.startswith("FINAL ANSWER")`, `if re.search(r"ANSWER:\s*\w", reply):`), for ALS005: the
branch a test decides, the marker, and whether the reply is case-folded on its way to the test."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import LLMOutput
from agentable.query.literals import const_strs
from agentable.query.llm_output import llm_outputs
from agentable.query.structured_output import structured_output
from agentable.query.taint import config
from agentable.query.text_ops import regex_patterns
from agentable.rules.als.exact_reply import reply_methods

_POSITION_TESTS = frozenset({"startswith", "endswith"})
_REGEX_TESTS = frozenset({"search", "match", "fullmatch"})  # a Match or None: a test of its own
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


def _ends(s: ir.Stmt) -> bool:
    return isinstance(s, (ir.Return, ir.Raise)) or (isinstance(s, ir.Simple) and s.kind == "break")


def _negated(test: ir.Expr, e: ir.Expr) -> bool:
    if isinstance(e, ir.Compare) and e.ops == ["not in"]:
        return True
    return any(isinstance(x, ir.UnaryOp) and x.op == "not" and any(y is e for y in ir.walk_expr(x.operand))
               for x in ir.walk_expr(test))


def _sets_flag(s: ir.Stmt) -> bool:
    return isinstance(s, ir.Assign) and isinstance(s.value, ir.Constant) and isinstance(s.value.value, bool)


def _waits(stmt: ir.Stmt, e: ir.Expr) -> bool:
    """Is `e` a wait for the marker: an `if` whose branch ends the loop or the function (break,
    return, raise) or sets a flag (`done = True`), a flag assigned the test itself (`done = MARK in
    reply`, `done = done or MARK in reply`), or a `while` that runs until the marker appears? (`while "<think>" in text:` that
    cuts tokens out, or an `if` that only rewrites the text, is text processing.)"""
    if isinstance(stmt, ir.Assign):
        v = stmt.value
        return v is e or (isinstance(v, ir.BoolOp) and any(x is e for x in v.values))
    if not any(x is e for x in ir.walk_expr(getattr(stmt, "test", None))):
        return False
    if isinstance(stmt, ir.If):
        return any(_ends(s) or _sets_flag(s) for s in (*stmt.body, *stmt.orelse))
    return isinstance(stmt, ir.While) and _negated(stmt.test, e)


def _marker(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: ir.Stmt) -> Optional[str]:
    """The literal marker, written in the test or held by a name with one constant string value
    (`EXIT_PHRASE = "ALL_DONE"` at module level)."""
    if isinstance(e, ir.Constant):
        return ir.string_value(e)
    if not isinstance(e, (ir.Name, ir.Attribute)):
        return None
    values = set(const_strs(g, e, func, stmt))
    return values.pop() if len(values) == 1 else None


def marker_tests(g: ProjectGraph, func: FunctionInfo) -> Iterator[MarkerTest]:
    """Waits (see `_waits`) in `func` for a literal marker in the whole generated text (not a
    parsed field, not structured output)."""
    case_m = frozenset(config().kinds.get("exact_word", {}).get("case", ()))
    fields = config().structured_fields
    for e, stmt in func.walk(ir.Compare, ir.Call):
        if not isinstance(stmt, (ir.If, ir.While, ir.Assign)) or not _waits(stmt, e):
            continue
        if isinstance(e, ir.Compare):
            if len(e.ops) != 1 or e.ops[0] not in ("in", "not in"):
                continue
            marker, reply = _marker(g, e.left, func, stmt), e.comparators[0]
        elif isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr in _POSITION_TESTS \
                and len(e.args) == 1:
            marker, reply = _marker(g, e.args[0], func, stmt), e.func.value
        elif isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr in _REGEX_TESTS \
                and e.args:
            pats = regex_patterns(g, e, func, stmt)
            marker = pats[0] if len(pats) == 1 else None
            reply = e.args[1] if len(e.args) > 1 and ir.dotted(e.func.value) == "re" else e.args[0]
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
