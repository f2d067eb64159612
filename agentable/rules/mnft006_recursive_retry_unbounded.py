"""MNFT006: a function that calls the model retries by calling itself from its except handler, with no limit."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.flow import handler_type_names
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.findings import Finding, Severity
from agentable.query.literals import source_text
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.recursion import recursion_bounded, recursive_agent_loops
from agentable.rules.mnft.switch_once import fallback_list_exhausts, switched_once

_USER_INTERRUPTS = python_facts().user_interrupts


class RecursiveRetryUnbounded(Rule):
    meta = RuleMeta(
        id="MNFT006",
        name="recursive-retry-without-limit",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A function that calls the model calls itself again, from its except handler or to continue a long "
               "answer, with no attempt or depth limit."),
        full=("`except Exception: return self.ask(prompt)` re-sends the model request whenever anything in the try "
              "fails: a reply that does not parse, a rate limit, a missing key. Nothing counts the attempts, so a "
              "model that keeps answering in the wrong format, or an error that never goes away (an invalid key, a "
              "context that is too long), repeats the paid request until the process hits RecursionError, each level "
              "holding its own copy of the request. A retry needs a bound: an attempt counter passed down and "
              "checked, a retry library with a stop condition, or a loop over a fixed number of attempts. The same holds "
              "for a function that asks the model to continue a long answer by calling itself when the reply is "
              "long (`if len(text) >= 4000: text += ask(prompt, continuation=True)`): a flag that only changes "
              "the prompt stops nothing, and a continuation that is long again asks again, without end."),
        bad_example=('def ask(messages):\n    try:\n        reply = client.chat.completions.create(model=M, messages=messages)\n'
                     '        return json.loads(reply.choices[0].message.content)\n    except Exception:\n'
                     '        return ask(messages)'),
        good_example=('def ask(messages, attempt=0):\n    try:\n        reply = client.chat.completions.create(model=M, '
                      'messages=messages)\n        return json.loads(reply.choices[0].message.content)\n'
                      '    except Exception:\n        if attempt >= 3:\n            raise\n'
                      '        return ask(messages, attempt + 1)'),
        fix=("Count the attempts (a parameter incremented on each retry and checked, or a loop over a fixed number "
             "of attempts) and raise or return an error once they are used up."),
        tags=("loop", "robustness", "retry"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for q in sorted(graph.agent.llm_functions):
            func = graph.functions.get(q)
            if func is None or func.node is None:
                continue
            for site in func.calls:
                if q not in graph.callees(site):
                    continue
                model_call = _retried_model_call(graph, func, site)
                if model_call is None or recursion_bounded(graph, func, site):
                    continue
                held = _handler_of(func, site.stmt)
                if switched_once(graph, func, site, held[1] if held else None):
                    continue  # a one-way switch (to a fallback model) allows one retry
                if fallback_list_exhausts(graph, func, site):
                    continue  # one retry per entry of a fallback list, then it gives up
                if held and _retries_tested_failure(func, site.stmt, held[1]):
                    continue  # only a failure it tests for (a missing model it first pulls), not every one
                caught = handler_type_names(held[1]) if held else []
                if caught and set(caught) <= _USER_INTERRUPTS:
                    continue  # Ctrl-C to give feedback and go on: no failure is retried
                names = ", ".join(caught)
                handler = f"except {names}" if names else "except:"
                call = source_text(graph, func.path, site.call, 60)
                what = source_text(graph, func.path, model_call.call.func, 50)
                yield self.finding(
                    ctx, func.path, site.call.pos,
                    f"`{call}` retries `{func.name}` by calling it again from its `{handler}` handler "
                    f"with no attempt limit: every failure it catches (an unparsable reply, a rate limit, an error "
                    f"that never goes away) re-sends the model request (`{what}` at line {model_call.call.pos[0]}) "
                    f"until RecursionError. Pass an attempt counter and give up after a few tries.",
                )
        for rec in recursive_agent_loops(graph):
            if not rec.continuation:
                continue
            call = source_text(graph, rec.func.path, rec.site.call, 60)
            what = source_text(graph, rec.func.path, rec.model_call.call.func, 50)
            yield self.finding(
                ctx, rec.func.path, rec.site.call.pos,
                f"`{call}` asks `{rec.func.name}` to continue a long answer by calling itself when the reply is "
                f"long (tested at line {rec.decided_at.pos[0]}), with no depth limit: nothing on the way to this call "
                f"stops a continuation that is long again, so each one re-sends the model request (`{what}` at line "
                f"{rec.model_call.call.pos[0]}) until RecursionError. Pass a depth counter (or test the flag "
                f"before recursing) and stop after a few continuations.",
            )


def _handler_of(func: FunctionInfo, stmt: ir.Stmt) -> Optional[tuple[ir.Try, ir.Handler]]:
    """The innermost except handler that holds `stmt`, with its try statement (none when a nested
    function or loop lies between them: a loop retry is MNFT003's)."""
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.Handler):
            parent = func.parents.get(id(anc))
            return (parent, anc) if isinstance(parent, ir.Try) else None
        if isinstance(anc, (ir.While, ir.For, ir.FunctionDef)):
            return None
    return None


def _retries_tested_failure(func: FunctionInfo, stmt: ir.Stmt, handler: ir.Handler) -> bool:
    """Is the recursive call under an `if` of the handler that tests the caught exception
    (`if e.status_code == 404:`, `if "overloaded" in str(e):`)? Then the handler retries one kind
    of failure it recognises and lets the others go on."""
    if handler.name is None:
        return False
    for anc in func.ancestors(stmt):
        if anc is handler:
            return False
        if isinstance(anc, ir.If) and any(isinstance(e, ir.Name) and e.id == handler.name
                                          for e in ir.walk_expr(anc.test)):
            return True
    return False


def _retried_model_call(g: ProjectGraph, func: FunctionInfo, site: CallSite) -> Optional[CallSite]:
    """The model call in the try body whose handler holds the recursive call `site`."""
    held = _handler_of(func, site.stmt)
    if held is None:
        return None
    try_stmt, _ = held
    for other in func.calls:
        if other is site or func.qualname in g.callees(other):
            continue
        if try_stmt in enclosing_try_bodies(func, other.stmt) and g.agent.calls_llm(other):
            return other
    return None


def enclosing_try_bodies(func: FunctionInfo, stmt: ir.Stmt) -> list[ir.Try]:
    """The try statements whose body (not handlers) holds `stmt`."""
    out: list[ir.Try] = []
    child: object = stmt
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.Try) and any(c is child for c in anc.body):
            out.append(anc)
        child = anc
    return out
