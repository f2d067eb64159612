"""Recursion as a loop: what bounds a function that calls itself (MNFT006's retry from an except
handler), and the agent loop written as recursion (MNFT003): a function that asks the model, runs
what the reply asks for and calls itself again (`return self.chat(messages)`,
`yield from self.get_completion(...)`, `await self.step()`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.query.model_derived import model_derived


@dataclass(frozen=True, eq=False)
class RecursiveAgentLoop:
    func: FunctionInfo
    site: CallSite  # the call of the function to itself
    model_call: CallSite  # the model call (or the wrapper that makes it) before it
    decided_at: ir.Stmt  # the test on the model's reply that leads to (or away from) the recursion


def recursion_bounded(func: FunctionInfo, site: CallSite) -> bool:
    """Does something limit the recursion: an argument that is not a parameter passed on unchanged
    (`attempt + 1`, `depth=depth - 1`, `retry=False`, a shortened history), a test on a parameter
    around the call, or a counter the function increments and tests (`self.retries += 1`)? A keyword
    that names no parameter (`caching=False` for a caching decorator) is not read by the body, so it
    bounds nothing."""
    params = {p.name for p in func.params if p.name not in ("self", "cls")}
    takes_any = any(p.kind == "kwarg" for p in func.params)
    keywords = [k.value for k in site.call.keywords if k.name is None or k.name in params or takes_any]
    for a in [*site.call.args, *keywords]:
        inner = a.value if isinstance(a, ir.Starred) else a
        if isinstance(inner, ir.Name) and (inner.id in params or inner.id not in set(func.defs)):
            continue
        return True
    counted = {ir.dotted(s.target) for s in func.stmts if isinstance(s, ir.AugAssign)} - {None}
    tested: set[str] = set()
    for s in func.stmts:
        if isinstance(s, (ir.If, ir.While)):
            tested |= {d for x in ir.walk_expr(s.test) if (d := ir.dotted(x))}
    if counted & tested:
        return True
    for anc in func.ancestors(site.stmt):
        if not isinstance(anc, ir.If):
            continue
        if params & {d for x in ir.walk_expr(anc.test) if (d := ir.dotted(x))}:
            return True
        # `if self.attempts < MAX:` — an ordering test around the retry reads as a count
        if any(isinstance(x, ir.Compare) and any(op in ("<", "<=", ">", ">=") for op in x.ops)
               for x in ir.walk_expr(anc.test)):
            return True
    return False


def in_except_handler(func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """Is `stmt` inside an except handler of `func` (not of a nested def)?"""
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.Handler):
            return True
        if isinstance(anc, ir.FunctionDef):
            return False
    return False


def recursive_agent_loops(g: ProjectGraph) -> list[RecursiveAgentLoop]:
    """Functions that call the model and then call themselves again, where the model's reply
    decides whether they do (the call sits under a test on the reply, or a test on the reply
    returns before it), outside an except handler (a retry there is MNFT006's) and with nothing
    that bounds the recursion (`recursion_bounded`)."""
    cached: Optional[list[RecursiveAgentLoop]] = g.facts.get(recursive_agent_loops)  # type: ignore[assignment]
    if cached is not None:
        return cached
    out: list[RecursiveAgentLoop] = []
    for q in sorted(g.agent.llm_functions):
        func = g.functions.get(q)
        if func is None or func.node is None:
            continue
        for site in func.calls:
            if q not in g.callees(site) or in_except_handler(func, site.stmt):
                continue
            model = _model_call_before(g, func, site)
            if model is None or recursion_bounded(func, site):
                continue
            decided = _reply_decides(g, func, site, model)
            if decided is not None:
                out.append(RecursiveAgentLoop(func, site, model, decided))
                break  # one per function: its first recursive call
    g.facts[recursive_agent_loops] = out
    return out


def _model_call_before(g: ProjectGraph, func: FunctionInfo, site: CallSite) -> Optional[CallSite]:
    """The first call of `func` before `site` that asks the model (not another recursive call)."""
    for other in func.calls:
        if other is site or other.call.pos >= site.call.pos or func.qualname in g.callees(other):
            continue
        if g.agent.calls_llm(other):
            return other
    return None


def _reply_decides(g: ProjectGraph, func: FunctionInfo, site: CallSite, model: CallSite) -> Optional[ir.Stmt]:
    """The `if`/`while` whose test reads the model's reply and that either holds the recursive
    call or, before it, leaves the function (`if not msg.tool_calls: return msg.content`)."""
    for anc in func.ancestors(site.stmt):
        if isinstance(anc, (ir.If, ir.While)) and _reads_reply(g, func, anc):
            return anc
    for s in func.stmts:
        if not isinstance(s, ir.If) or not (model.call.pos < s.pos < site.call.pos):
            continue
        if any(isinstance(x, (ir.Return, ir.Raise)) for x in ir.walk_stmts(s.body)) and _reads_reply(g, func, s):
            return s
    return None


def _reads_reply(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt) -> bool:
    test = getattr(stmt, "test", None)
    if test is None:
        return False
    return any(model_derived(g, x, func, stmt) is not None
               for x in ir.walk_expr(test) if isinstance(x, (ir.Name, ir.Attribute, ir.Subscript, ir.Call)))
