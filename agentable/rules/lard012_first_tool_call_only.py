"""LARD012: only the first of a model turn's tool calls is answered."""

from __future__ import annotations

from typing import Any, Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.binding import argument_for
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import LLMOutput
from agentable.findings import Finding, Severity
from agentable.query.literals import source_text
from agentable.query.model_derived import model_derived
from agentable.rules.base import Rule, RuleContext, RuleMeta


class FirstToolCallOnly(Rule):
    meta = RuleMeta(
        id="LARD012",
        name="first-tool-call-only",
        category="LARD",
        severity=Severity.WARNING,
        short="The code answers only the first tool call of a model turn that may hold several.",
        full=("With parallel tool calls (on by default in the OpenAI APIs) one model turn can ask for several "
              "tools at once. Code that takes `tool_calls[0]` and sends back a single result leaves the other "
              "calls unanswered: the next Chat Completions request fails with 400 (every `tool_call_id` of the "
              "assistant message needs a `role: tool` reply), and an Assistants run stays in `requires_action` "
              "until it expires. It works in testing, where the model happens to ask for one tool, and fails when "
              "a question needs two."),
        bad_example=('call = msg.tool_calls[0]\nmessages += [msg, {"role": "tool", "tool_call_id": call.id, '
                     '"content": run(call)}]'),
        good_example=('messages.append(msg)\nfor call in msg.tool_calls:\n    messages.append({"role": "tool", '
                      '"tool_call_id": call.id, "content": run(call)})'),
        fix="Answer every tool call of the turn (loop over `tool_calls`), or turn parallel calls off with "
            "`parallel_tool_calls=False`.",
        tags=("tools", "api"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        facts = graph.catalog.parallel_tool_calls
        field = facts.get("field")
        if not field:
            return
        for func in graph.agent.functions():
            for e, stmt in func.walk(ir.Subscript):
                if not (isinstance(e.value, ir.Attribute) and e.value.attr == field and _is_zero(e.index)):
                    continue
                src = model_derived(graph, e.value, func, stmt)
                if not isinstance(src, LLMOutput) or _all_calls_handled(func, field) \
                        or _hands_all_calls_on(graph, func, field):
                    continue
                if _parallel_off(graph, func, src, facts):
                    continue
                sent = _single_result(graph, func, facts)
                if sent is None:
                    continue
                read = source_text(graph, func.path, e, 60)
                yield self.finding(
                    ctx, func.path, e.pos,
                    f"`{read}` answers only the first tool call of this model turn, and one tool result is sent back "
                    f"(line {sent}); with parallel tool calls on (the default) the turn can hold several, and the "
                    f"others stay unanswered, so the next request fails (400 for Chat Completions) or the run waits "
                    f"in requires_action. Answer every call in `{field}`, or pass `parallel_tool_calls=False`.")
                break  # one per function


def _is_zero(e: ir.Expr) -> bool:
    return isinstance(e, ir.Constant) and e.value == 0 and not isinstance(e.value, bool)


def _names_field(x: Optional[ir.Expr], field: str) -> bool:
    return any(isinstance(y, ir.Attribute) and y.attr == field for y in ir.walk_expr(x))


def _all_calls_handled(func: FunctionInfo, field: str) -> bool:
    """Does the function go over the calls (`for call in msg.tool_calls`, a comprehension) or
    check how many there are (`len(msg.tool_calls)`)?"""
    def names_field(x: Optional[ir.Expr]) -> bool:
        return _names_field(x, field)

    for s in func.stmts:
        if isinstance(s, ir.For) and names_field(s.iter):
            return True
    for c, _ in func.walk(ir.Comp):
        if any(names_field(i) for i in c.iters):
            return True
    for call, _ in func.walk(ir.Call):
        if isinstance(call.func, ir.Name) and call.func.id == "len" and any(names_field(a) for a in call.args):
            return True
    return False


def _hands_all_calls_on(g: ProjectGraph, func: FunctionInfo, field: str) -> bool:
    """Does the function pass the whole list (`handle_tool_calls(msg.tool_calls, ...)`) to a
    project function that loops over the parameter it binds? Then `tool_calls[0]` here only
    looks at the first call (to test for a finishing tool), and every call is answered there."""
    for site in func.calls:
        for q in g.callees(site):
            callee = g.functions.get(q)
            if callee is None or callee.node is None:
                continue
            for index, param in enumerate(p for p in callee.node.params if p.name not in ("self", "cls")):
                arg = argument_for(site.call, param, index)
                if isinstance(arg, ir.Attribute) and arg.attr == field and _loops_over(callee, param.name):
                    return True
    return False


def _loops_over(func: FunctionInfo, name: str) -> bool:
    return any(isinstance(s, ir.For) and isinstance(s.iter, ir.Name) and s.iter.id == name for s in func.stmts) \
        or any(isinstance(i, ir.Name) and i.id == name for c, _ in func.walk(ir.Comp) for i in c.iters)


def _parallel_off(g: ProjectGraph, func: FunctionInfo, src: LLMOutput, facts: dict[str, Any]) -> bool:
    """Is `parallel_tool_calls=False` given to the call the turn came from or to a model call of
    this function (an Assistants run is created in one call and read in another)?"""
    role = facts.get("disable_role", "")
    calls = [c for c in g.agent.llm_calls if c.call is src.site[1] or c.func is func]
    for c in calls:
        s = c.setting(role)
        if s is not None and isinstance(s.expr, ir.Constant) and s.expr.value is False:
            return True
    return False


def _single_result(g: ProjectGraph, func: FunctionInfo, facts: dict[str, Any]) -> Optional[int]:
    """The line where one tool result is sent back, in the function or a project function it
    calls: a submit of a one-element list of outputs, or a single `role: tool` message, built
    outside a loop over the turn's calls."""
    funcs = [func, *(f for site in func.calls for q in g.callees(site) if (f := g.functions.get(q)) is not None)]
    methods = set(facts.get("submit_methods", ()))
    outputs, role, field = facts.get("outputs_param", ""), facts.get("result_role", ""), facts.get("field", "")
    for f in funcs:
        if f is not func and _all_calls_handled(f, field):
            continue
        for call, stmt in f.walk(ir.Call):
            if isinstance(call.func, ir.Attribute) and call.func.attr in methods and not _in_loop(f, stmt, field):
                arg = call.kwarg(outputs)
                if isinstance(arg, ir.Seq) and arg.kind == "list" and len(arg.elts) == 1:
                    return call.pos[0]
        for d, stmt in f.walk(ir.Dict):
            r = d.get("role")
            if isinstance(r, ir.Constant) and r.value == role and not _in_loop(f, stmt, field):
                return d.pos[0]
    return None


def _in_loop(func: FunctionInfo, stmt: ir.Stmt, field: str) -> bool:
    """Is `stmt` inside a loop over the turn's calls (`for call in msg.tool_calls`)?"""
    return any(isinstance(a, ir.For) and _names_field(a.iter, field) for a in func.ancestors(stmt))
