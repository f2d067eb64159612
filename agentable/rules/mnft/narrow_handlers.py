"""Tries around a model step whose handlers catch only errors a rate limit, a dropped connection
or a timeout is not (MNFT018): a narrow class of the model SDK (`except openai.BadRequestError`), or
builtin classes (`except ValueError`) around a try that holds nothing but the model call or agent
run, with no caller up to the entry point that catches the transient errors either."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.query.model_call_faults import Unguarded, handler_class_kinds, misses_rate_limit, transient_unguarded
from agentable.query.tool_failures import handler_reraises


@dataclass(frozen=True)
class NarrowHandler:
    """A try of `func` whose handlers let a model SDK's transient errors through: `handler` is the
    one to widen (the first naming a narrow SDK class, else the first), `sdk_class` whether it names
    one, `step` the model call or agent run the try holds (None when only the SDK class shows that
    a model request is made in it), `path` the way up to the entry point with no handler."""

    func: FunctionInfo
    stmt: ir.Try
    handler: ir.Handler
    sdk_class: bool
    step: Optional[CallSite]
    path: Unguarded
    rate_limit_only: bool = False  # the handlers catch connection errors or timeouts, never a rate limit


def narrow_handlers(g: ProjectGraph) -> Iterator[NarrowHandler]:
    for func in g.functions.values():
        if g.is_test_code(func.path):
            continue
        for stmt in func.stmts:
            if isinstance(stmt, ir.Try) and stmt.handlers:
                hit = _narrow(g, func, stmt)
                if hit is not None:
                    yield hit


def _narrow(g: ProjectGraph, func: FunctionInfo, stmt: ir.Try) -> Optional[NarrowHandler]:
    kinds = [handler_class_kinds(g, func, stmt, h) for h in stmt.handlers]
    rate_limit_only = False
    if any(k not in ("narrow", "builtin") for ks in kinds for k in ks):
        if not misses_rate_limit(g, func, stmt, stmt.handlers):
            return None  # a handler that catches (or may catch) the transient errors
        rate_limit_only = True  # `except APIConnectionError` alone: a 429 goes through
    if any(handler_reraises(h) for h in stmt.handlers):
        return None  # the handled errors go on as well: not a handled step
    step = _model_step(g, func, stmt)
    sdk = [h for h, ks in zip(stmt.handlers, kinds, strict=True)
           if "narrow" in ks or (rate_limit_only and "transient" in ks)]
    if not sdk and step is None:
        return None  # builtin classes around more than a model step: they are for the other statements
    path = transient_unguarded(g, func, stmt)
    if path is None or not path.root.is_module:
        return None  # caught on the way, or up to a function the project never calls (a library's
        # API, a framework's callback), whose caller may catch it
    handler = sdk[0] if sdk else stmt.handlers[0]
    return NarrowHandler(func, stmt, handler, bool(sdk), step, path, rate_limit_only)


def _model_step(g: ProjectGraph, func: FunctionInfo, stmt: ir.Try) -> Optional[CallSite]:
    """The model call or agent run that is the whole of the try's body (`return executor.run(q)`,
    `reply = await llm.ainvoke(msgs)`, `return executor.invoke(q)["output"]`), or None."""
    body = [s for s in stmt.body if not (isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Constant))]
    if len(body) != 1 or not isinstance(body[0], (ir.Return, ir.Assign, ir.ExprStmt)):
        return None
    value = body[0].value
    while isinstance(value, (ir.Await, ir.Subscript, ir.Attribute)):  # `(await run(q)).output`, `run(q)["output"]`
        value = value.value
    if not isinstance(value, ir.Call):
        return None
    for site in func.calls:
        if site.call is value and (g.agent.llm_call_at(value) is not None or site in g.agent.agent_runs):
            return site
    return None

