"""Recursion as a loop: what bounds a function that calls itself (MNFT006's retry from an except
handler), and the agent loop written as recursion (MNFT003): a function that asks the model, runs
what the reply asks for and calls itself again (`return self.chat(messages)`,
`yield from self.get_completion(...)`, `await self.step()`). A recursion decided by the reply's
size (`if len(reply) >= 4000: reply += ask(..., continuation=True)`) re-sends a request to continue
the answer: it is marked `continuation` and reported by MNFT006 as an unbounded re-request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import Const, LLMOutput, Typed
from agentable.query.guards import checked_before
from agentable.query.model_derived import model_derived


@dataclass(frozen=True, eq=False)
class RecursiveAgentLoop:
    func: FunctionInfo
    site: CallSite  # the call of the function to itself
    model_call: CallSite  # the model call (or the wrapper that makes it) before it
    decided_at: ir.Stmt  # the test on the model's reply that leads to (or away from) the recursion
    continuation: bool = False  # decided by a size of the reply (`len(reply) >= 4000`): MNFT006's


def recursion_bounded(g: ProjectGraph, func: FunctionInfo, site: CallSite) -> bool:
    """Does something limit the recursion: an argument that is not a parameter passed on unchanged
    (`attempt + 1`, `depth=depth - 1`, a shortened history), a constant flag the function tests on
    the way to the call (`retry=False` under `if retry:`), a test on a parameter around the call, or
    a counter the function increments and tests (`self.retries += 1`)? A keyword that names no
    parameter (`caching=False` for a caching decorator) is not read by the body, so it bounds
    nothing; nor does a constant flag the path to the call never tests (`continuation=True` that
    only changes the prompt), nor a size test of the model's own reply (`len(reply) >= 4000`)."""
    params = {p.name for p in func.params if p.name not in ("self", "cls")}
    takes_any = any(p.kind == "kwarg" for p in func.params)
    keywords = [k for k in site.call.keywords if k.name is None or k.name in params or takes_any]
    positional = [p.name for p in func.params if p.name not in ("self", "cls") and p.kind in ("normal", "posonly")]
    bound = [(positional[i] if i < len(positional) else None, a) for i, a in enumerate(site.call.args)]
    bound += [(k.name, k.value) for k in keywords]
    for name, a in bound:
        inner = a.value if isinstance(a, ir.Starred) else a
        if isinstance(inner, ir.Name) and (inner.id in params or inner.id not in set(func.defs)):
            continue
        if _constant(func, inner):
            if name is not None and checked_before(func, site.stmt, name):
                return True  # a flag that turns the recursion off
            continue
        return True
    # a counter or budget: `n += 1`, `self.tokens_used += usage` (not `text += more`, which grows the answer)
    counted = {ir.dotted(s.target) for s in func.stmts if isinstance(s, ir.AugAssign)
               and not _grows_text(g, func, s)} - {None}
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
        # `if self.attempts < MAX:` — an ordering test around the retry reads as a count, unless
        # what it compares is the model's reply (its length, its token usage)
        if any(isinstance(x, ir.Compare) and any(op in ("<", "<=", ">", ">=") for op in x.ops)
               and not reply_size_test(g, func, anc, x) for x in ir.walk_expr(anc.test)):
            return True
    return False


def _grows_text(g: ProjectGraph, func: FunctionInfo, s: ir.AugAssign) -> bool:
    """Does `s` add text (a string, the model's text) rather than count: its value or its target
    is text (the target, when the value is the function's own result, still being resolved)?"""
    for v in g.values(s.value, func, s) | g.values(s.target, func, s):
        if (isinstance(v, LLMOutput) and v.text) or (isinstance(v, Const) and isinstance(v.value, str)) \
                or v == Typed("str"):
            return True
    return False


def _constant(func: FunctionInfo, e: ir.Expr) -> bool:
    """A literal, or a local name bound only to literals (`continuation_prompt = "Continue."`)."""
    if isinstance(e, ir.Constant):
        return True
    if isinstance(e, ir.Name):
        sites = func.defs.get(e.id, [])
        return bool(sites) and all(d.how == "assign" and isinstance(d.value, ir.Constant) for d in sites)
    return False


def reply_size_test(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, cmp: ir.Expr) -> bool:
    """Is `cmp` an ordering comparison of a size of the model's reply (`len(text) >= 4000`,
    `response.usage.output_tokens >= 4000`) with something else?"""
    if not (isinstance(cmp, ir.Compare) and any(op in ("<", "<=", ">", ">=") for op in cmp.ops)):
        return False
    return any(model_derived(g, x, func, stmt) is not None
               for side in [cmp.left, *cmp.comparators]
               for x in ir.walk_expr(side) if isinstance(x, (ir.Name, ir.Attribute, ir.Subscript, ir.Call)))


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
            if model is None or recursion_bounded(g, func, site):
                continue
            decided = _reply_decides(g, func, site, model)
            if decided is not None:
                out.append(RecursiveAgentLoop(func, site, model, decided, _continuation(g, func, site)))
                break  # one per function: its first recursive call
    g.facts[recursive_agent_loops] = out
    return out


def _continuation(g: ProjectGraph, func: FunctionInfo, site: CallSite) -> bool:
    """Is the recursive call made under a size test of the reply (`if len(text) >= 4000:`,
    `if response.usage.output_tokens >= limit:`): a request to continue a long answer?"""
    return any(isinstance(anc, (ir.If, ir.While)) and any(reply_size_test(g, func, anc, x) for x in ir.walk_expr(anc.test))
               for anc in func.ancestors(site.stmt))


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
