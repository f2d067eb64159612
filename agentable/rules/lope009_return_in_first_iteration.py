"""LOPE009: a loop over the items of a model's reply returns what it collects from its first iteration."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.values import Parsed
from agentable.findings import Finding, Severity
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.model_derived import model_derived
from agentable.query.taint import config
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ReturnInFirstIteration(Rule):
    meta = RuleMeta(
        id="LOPE009",
        name="loop-over-llm-output-returns-first-item",
        category="LOPE",
        severity=Severity.WARNING,
        short="A loop over the items of a model's reply returns its collected result from inside the loop body.",
        full=("`for step in plan: results.append(handle(step)); return results` (the `return` indented one level "
              "too deep) returns after the first item: the rest of the model's list (a multi-step plan, several "
              "tool calls, several tasks) is silently dropped, while the code reads as if it handled them all. "
              "A return of the collection the loop fills, at the top level of the loop's body with no "
              "`continue` or `break` in it, always ends the loop in its first iteration."),
        bad_example='for op in ops:\n    done.append(run(op))\n    return done',
        good_example='for op in ops:\n    done.append(run(op))\nreturn done',
        fix="Move the `return` out of the loop body (dedent it) so every item the model listed is handled.",
        tags=("parsing", "control-flow"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        adders = frozenset(config().kinds.get("first_item", {}).get("accumulators", ()))
        for func in graph.agent.functions():
            for loop in ir.walk_stmts(func.body):
                if not isinstance(loop, ir.For) or loop.is_async:
                    continue
                ret = _early_return(loop, adders)
                if ret is None:
                    continue
                derived = model_derived(graph, loop.iter, func, loop)
                if derived is None:
                    continue
                out = derived.source if isinstance(derived, Parsed) else derived
                target = ir.dotted(loop.target) or "item"
                items = ir.dotted(loop.iter) or "the reply"
                yield self.finding(
                    ctx, func.path, ret.pos,
                    f"This `return` is inside the body of `for {target} in {items}`, which iterates over model "
                    f"output ({describe_llm_source(graph, out)}): it returns after the first item, and every other "
                    f"item the model listed is silently dropped. Dedent the `return` so it runs after the loop.",
                    flow=flow_steps(graph, out, (func.path, loop.iter.pos, "iterated, but only its first item is used")),
                )


def _early_return(loop: ir.For, adders: frozenset[str]) -> Optional[ir.Return]:
    """The `return <collection>` at the top level of the loop's body (directly, or in a `with`/`try`
    body there) that the loop fills (`collection.append(...)`), when nothing in the body skips an
    item (`continue`) or leaves the loop otherwise (`break`)."""
    if any(isinstance(s, ir.Simple) and s.kind in ("continue", "break") for s in _own_stmts(loop.body)):
        return None
    filled: set[str] = set()
    for s in _own_stmts(loop.body):
        for root in ir.stmt_exprs(s):
            for x in ir.walk_expr(root):
                if isinstance(x, ir.Call) and isinstance(x.func, ir.Attribute) and x.func.attr in adders:
                    name = ir.dotted(x.func.value)
                    if name:
                        filled.add(name)
        if isinstance(s, ir.AugAssign) and (name := ir.dotted(s.target)):
            filled.add(name)
    for s in _top_level(loop.body):
        if isinstance(s, ir.Return) and s.value is not None and \
                any(ir.dotted(x) in filled for x in ir.walk_expr(s.value)):
            return s
    return None


def _own_stmts(body: list[ir.Stmt]) -> Iterable[ir.Stmt]:
    """The statements of a loop body, not those of loops nested in it (their `continue` is theirs)."""
    stack = list(reversed(body))
    while stack:
        s = stack.pop()
        yield s
        if isinstance(s, (ir.For, ir.While)):
            continue
        for block in reversed(ir.child_blocks(s)):
            stack.extend(reversed(block))


def _top_level(body: list[ir.Stmt]) -> Iterable[ir.Stmt]:
    for s in body:
        yield s
        if isinstance(s, ir.With):
            yield from _top_level(s.body)
        elif isinstance(s, ir.Try):
            yield from _top_level(s.body)
