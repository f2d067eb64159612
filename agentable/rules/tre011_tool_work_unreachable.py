"""TRE011: a tool returns before its real work: an `if True:` (or another constant test) or a bare
`return` at the top of its body leaves the rest of the body unreachable."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.query.tool_results import tool_bodies
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ToolWorkUnreachable(Rule):
    meta = RuleMeta(
        id="TRE011",
        name="tool-work-unreachable",
        category="TRE",
        severity=Severity.WARNING,
        short=("A tool always returns early (`if True: return ...`, or a `return` at the top level of its body) and "
               "the code after it, the tool's real work, never runs: every call gets the same answer."),
        full=("A stub left in place of a tool's implementation (`if True: return \"No documents found\"` above the "
              "commented-out search, a `return` put in while debugging) makes the tool answer the same thing to "
              "every call, whatever the model asks: a search that never finds anything, an action that never "
              "happens. The model believes the answer and plans on it. Judged on the tool's own body: a "
              "`return` that is reached on every path, at the top level or in the branch of an `if` whose test "
              "is a constant, followed by statements that do work (calls, returns)."),
        bad_example=('@tool\ndef search_notes(query: str) -> str:\n    """Search saved notes."""\n'
                     '    if True:\n        return f"No notes found for {query}"\n'
                     '    hits = index.search(query)\n    return "\\n".join(hits)'),
        good_example=('@tool\ndef search_notes(query: str) -> str:\n    """Search saved notes."""\n'
                      '    hits = index.search(query)\n    return "\\n".join(hits) or f"No notes found for {query}"'),
        fix="Remove the early return (or the constant test) so the tool does its work, or stop offering the tool.",
        tags=("tools",),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for func, _tool, label in tool_bodies(graph):
            found = _early_exit(func.body)
            if found is None:
                continue
            at, ret, dead = found
            value = source_text(graph, func.path, ret.value, 50) if ret.value is not None else "None"
            test = (f"`if {source_text(graph, func.path, at.test, 20)}:` is always taken and "
                    if isinstance(at, ir.If) else "")
            yield self.finding(
                ctx, func.path, at.pos if isinstance(at, ir.If) else ret.pos,
                f"Tool `{label}` always returns `{value}` at line {ret.pos[0]}: {test}the code from line "
                f"{dead.pos[0]} on never runs, so every call gets the same answer whatever the model asks. Remove "
                f"the early return, or stop offering the tool.",
                flow=(FlowStep(graph.span(func.path, dead.pos), "never reached"),))


def _constant_truth(e: ir.Expr) -> Optional[bool]:
    if isinstance(e, ir.Constant) and isinstance(e.value, (bool, int, str)) and not isinstance(e.value, float):
        return bool(e.value)
    return None


def _always_returns(block: list[ir.Stmt]) -> Optional[ir.Return]:
    """The `return` a block always reaches at its own level, if any."""
    for s in block:
        if isinstance(s, ir.Return):
            return s
        if _exits(s):
            return None
    return None


def _exits(s: ir.Stmt) -> bool:
    """Does the statement hold a return or raise (some calls then get another answer)?"""
    return any(isinstance(x, (ir.Return, ir.Raise)) for x in ir.walk_stmts([s]))


def _does_work(stmts: list[ir.Stmt]) -> Optional[ir.Stmt]:
    """The first statement among `stmts` that calls something or returns a value."""
    for s in stmts:
        for x in ir.walk_stmts([s]):
            if isinstance(x, ir.Return) and x.value is not None:
                return s
            if any(isinstance(e, ir.Call) for root in ir.stmt_exprs(x) for e in ir.walk_expr(root)):
                return s
    return None


def _early_exit(body: list[ir.Stmt]) -> Optional[tuple[ir.Stmt, ir.Return, ir.Stmt]]:
    """(the statement that always exits, its return, the first dead statement that does work)."""
    for i, s in enumerate(body):
        ret: Optional[ir.Return] = None
        dead_branch: list[ir.Stmt] = []
        if isinstance(s, ir.Return):
            ret = s
        elif isinstance(s, ir.If) and _constant_truth(s.test) is True:
            ret, dead_branch = _always_returns(s.body), s.orelse
        if ret is None:
            if _exits(s):
                return None
            continue
        dead = _does_work(dead_branch + body[i + 1:])
        return (s, ret, dead) if dead is not None else None
    return None
