"""The whole model reply compared with one word (`if reply == "yes":`), for ALS004: which str
methods the reply went through on its way to the test, and whether the prompt asks for the word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import LLMOutput
from agentable.query.llm_output import llm_outputs
from agentable.query.structured_output import structured_output
from agentable.query.taint import config

# the resolver's step for a str method of the model's text (agentable/cpg/resolve.py `_call`), and
# for an index or slice of it: the methods applied after the text is reached are read from these
_METHOD_STEP = re.compile(r"^`\.(\w+)\(\)` of the model's text$")
_SLICE_STEP = "slice of the model's text"
_MAX_STEPS = 12  # LLMOutput keeps at most this many steps: a longer path may hide a method
# a marker word: letters first, no line break, short (a sentence compared with the reply is a
# different test: a canned answer, not a marker the model is told to write)
_WORD = re.compile(r"^[A-Za-z][\w\- ]{0,29}$")


@dataclass(frozen=True)
class ExactTest:
    compare: ir.Compare
    stmt: ir.Stmt
    reply: ir.Expr
    word: str
    outputs: tuple[LLMOutput, ...]
    space: bool  # every path strips the reply before the test
    case: bool  # every path folds its case before the test


def exact_tests(g: ProjectGraph, func: FunctionInfo) -> Iterator[ExactTest]:
    """`reply == "word"` / `reply != "word"` in `func` where `reply` is the whole generated text
    (possibly stripped or case-folded, no other str method, no slice), on every path it has."""
    kind = config().kinds.get("exact_word", {})
    space_m, case_m = frozenset(kind.get("space", ())), frozenset(kind.get("case", ()))
    fields = config().structured_fields  # a parsed field (`output_parsed.intent`) is not the reply text
    for e, stmt in func.exprs.get(ir.Compare, ()):
        assert isinstance(e, ir.Compare)
        if len(e.ops) != 1 or e.ops[0] not in ("==", "!="):
            continue
        for reply, lit in ((e.left, e.comparators[0]), (e.comparators[0], e.left)):
            word = lit.value if isinstance(lit, ir.Constant) and isinstance(lit.value, str) else None
            if word is None or not _WORD.match(word) or isinstance(reply, ir.Constant):
                continue
            outs = [v for v in llm_outputs(g, reply, func, stmt)
                    if not fields.intersection(v.read) and structured_output(g, v) is None]
            methods = [reply_methods(v) for v in outs]
            if not outs or any(m is None or not m <= space_m | case_m for m in methods):
                continue
            yield ExactTest(e, stmt, reply, word, tuple(outs),
                            all(bool(m and m & space_m) for m in methods),
                            all(bool(m and m & case_m) for m in methods))


def reply_methods(v: LLMOutput) -> Optional[set[str]]:
    """The str methods applied to the model's text on this path; None when it was sliced or
    indexed (a piece of the reply), or the path is too long to know."""
    if len(v.steps) >= _MAX_STEPS:
        return None
    out: set[str] = set()
    for _path, _pos, msg in v.steps:
        if msg == _SLICE_STEP:
            return None
        m = _METHOD_STEP.match(msg)
        if m:
            out.add(m.group(1))
    return out


def prompt_has_word(prompt: str, word: str, fold: bool) -> bool:
    """Does the prompt write `word` as a word of its own (ignoring case when the reply is folded)?"""
    return re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", prompt, re.IGNORECASE if fold else 0) is not None
