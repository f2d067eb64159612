"""The fallbacks of a parsing helper: the `return`s it takes when the model's reply did not parse
(the handler of a `try` whose body parses it) or did not match (the branch of `if m:` / `if
matches:` taken when the regex found nothing). LOPE013 (a fallback of another tuple length) and
LOPE014 (a fallback that returns an error text) judge what these returns give the callers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.dataflow import sink_of
from agentable.query.taint import Sink


@dataclass(frozen=True)
class Fallback:
    ret: ir.Return
    why: str  # "handler" (the parse raised) | "nomatch" (the regex found nothing)


def parse_fallbacks(g: ProjectGraph, func: FunctionInfo) -> list[Fallback]:
    """Returns in a branch taken when a parse failed (the handler of a try whose body parses) or a
    regex found nothing (the negative branch of a test of a match, or of a `findall` list)."""
    found = {s.targets[0].id for s in ir.walk_stmts(func.body) if isinstance(s, ir.Assign)
             and len(s.targets) == 1 and isinstance(s.targets[0], ir.Name) and isinstance(s.value, ir.Call)
             and _finds(sink_of_call(g, func, s, s.value))}
    out: list[Fallback] = []

    def visit(block: list[ir.Stmt], why: str) -> None:
        for s in block:
            if isinstance(s, ir.Return):
                if why:
                    out.append(Fallback(s, why))
            elif isinstance(s, ir.Try):
                parses = any(_kind(sink_of_call(g, func, t, c)) == "parse" for t in ir.walk_stmts(s.body)
                             for root in ir.stmt_exprs(t) for c in ir.walk_expr(root) if isinstance(c, ir.Call))
                visit(s.body, why)
                for h in s.handlers:
                    visit(h.body, "handler" if parses else why)
                visit(s.orelse, why)
                visit(s.finalbody, why)
            elif isinstance(s, ir.If):
                matched = _match_polarity(s.test, found)
                visit(s.body, "nomatch" if matched is False else why)
                visit(s.orelse, "nomatch" if matched is True else why)
            elif not isinstance(s, (ir.FunctionDef, ir.ClassDef)):
                for b in ir.child_blocks(s):
                    visit(b, why)

    visit(func.body, "")
    return out


def sink_of_call(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, call: ir.Call) -> Optional[Sink]:
    """The taint sink a call with arguments is, when it is a call (not a str method) of one."""
    if not call.args and not call.keywords:
        return None
    sink = sink_of(g, call, func, stmt)
    return sink if sink is not None and not sink.method else None


def _kind(sink: Optional[Sink]) -> str:
    return sink.kind if sink is not None else ""


def _finds(sink: Optional[Sink]) -> bool:
    """A regex search whose result is falsy when the pattern is absent: a match (None) or a list of
    pieces that is empty for text without the pattern (`re.findall`)."""
    return sink is not None and (sink.kind == "match" or (sink.kind == "pieces" and sink.empty))


def _match_polarity(test: ir.Expr, names: set[str]) -> Optional[bool]:
    """True when the test holds if the regex found something (`if m:`, `if m is not None:`), False
    when it holds if it found nothing (`if not m:`, `if m is None:`), None for any other test."""
    if isinstance(test, ir.Name) and test.id in names:
        return True
    if isinstance(test, ir.UnaryOp) and test.op == "not" and isinstance(test.operand, ir.Name) \
            and test.operand.id in names:
        return False
    if isinstance(test, ir.Compare) and isinstance(test.left, ir.Name) and test.left.id in names \
            and len(test.ops) == 1 and isinstance(test.comparators[0], ir.Constant) \
            and test.comparators[0].value is None:
        return {"is": False, "is not": True, "==": False, "!=": True}.get(test.ops[0])
    return None
