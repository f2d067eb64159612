"""LOPE006: a framework agent that parses a text protocol runs without its parse-error option."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.values import Const, ExtRef
from agentable.findings import Finding, Severity
from agentable.query.agent_runs import agent_run_sites
from agentable.query.guards import is_protected
from agentable.query.protocol import protocol_markers
from agentable.rules.base import Rule, RuleContext, RuleMeta


# What a framework's output parser raises (a ValueError: python.toml's exception table).
PARSE_ERROR = "OutputParserException"


class AgentParseErrorsUnhandled(Rule):
    meta = RuleMeta(
        id="LOPE006",
        name="text-agent-without-parse-error-handling",
        category="LOPE",
        severity=Severity.WARNING,
        short="A text-protocol agent executor runs without its parse-error option (e.g. handle_parsing_errors).",
        full=("Agents that read the tool call from the model's text (ReAct, structured-chat, JSON and XML agents) "
              "raise an output-parser exception as soon as one reply misses the format (\"Could not parse LLM "
              "output\"). The executor only feeds the error back to the model and continues when its parse-error "
              "option is enabled; by default the whole run fails on the first malformed step. An executor every "
              "run of which catches the parser's error (a ValueError) around the run is not reported."),
        bad_example='executor = AgentExecutor(agent=create_react_agent(llm, tools, prompt), tools=tools)',
        good_example=('executor = AgentExecutor(agent=create_react_agent(llm, tools, prompt), tools=tools, '
                      'handle_parsing_errors=True)'),
        fix="Enable the executor's parse-error handling (handle_parsing_errors=True or a message/callable).",
        tags=("parsing", "framework"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        constructs = graph.agent.agent_constructs
        by_call = {id(ac.site.call): ac for ac in constructs}
        tool_types = set(protocol_markers(ctx.graph).get("tool_calling_agent_types", ()))
        for ac in constructs:
            spec = ac.spec
            guard = getattr(spec, "parse_error_guard", None)
            call, func, stmt = ac.site.call, ac.site.func, ac.site.stmt
            if not guard or call.has_kwargs_splat():
                continue
            picked = _text_agent(graph, ac, by_call, tool_types)
            if picked is None:
                continue
            kind, chooser = picked
            e = call.kwarg(guard)
            if e is not None:
                vals = graph.values(e, func, stmt)
                if not vals or not all(isinstance(v, Const) and v.value in (False, None) for v in vals):
                    continue
            runs = agent_run_sites(graph, ac)
            if runs and all(is_protected(graph, r.func, r.stmt, (PARSE_ERROR,)) for r in runs):
                continue  # every run catches the parser's error itself (and keeps going)
            setting = f"`{guard}` is off" if e is not None else f"`{guard}` is not set"
            # the line to edit: the option turned off, else the argument that picks the text-parsing agent
            at = e if e is not None else chooser if chooser is not None else call.func
            yield self.finding(
                ctx, func.path, at.pos,
                f"This agent executor runs a {kind} agent, which parses each tool call from the model's text, but "
                f"{setting}: the first reply that misses the format raises an output-parser error and ends the run. "
                f"Pass {guard}=True (or an error message) so the error is fed back to the model.",
            )


def _text_agent(graph, ac, by_call: dict, tool_types: set) -> Optional[tuple[str, Optional[ir.Expr]]]:
    """(what kind of agent, the argument that picks it or None for the default) when the
    executor's agent parses tool calls from text, else None."""
    spec, call, func, stmt = ac.spec, ac.site.call, ac.site.func, ac.site.stmt
    if getattr(spec, "text_protocol", False):
        type_param = (getattr(spec, "params", {}) or {}).get("agent_type")
        e = call.kwarg(type_param) if type_param else None
        if e is None:
            return "ReAct (the default agent type)", None
        name = ir.dotted(e)
        if name is not None and "." in name:
            return None if name.rsplit(".", 1)[-1] in tool_types else (f"`{name.rsplit('.', 1)[-1]}`", e)
        strs = [v.value for v in graph.values(e, func, stmt) if isinstance(v, Const) and isinstance(v.value, str)]
        if strs and not any(s in tool_types for s in strs):
            return f"`{strs[0]}`", e
        return None
    e = call.kwarg("agent")
    if e is None:
        return None
    markers = protocol_markers(graph)
    classes = frozenset(markers.get("text_agent_classes", ()))
    builders = tuple(f".{b}" for b in markers.get("text_agent_builders", ()))
    for v in graph.values(e, func, stmt):
        if isinstance(v, ExtRef) and v.site is not None:
            inner = by_call.get(id(v.site[1]))
            if inner is not None and getattr(inner.spec, "text_protocol", False):
                return "text-protocol", None  # the agent object is built elsewhere; the executor's line
        if isinstance(v, ExtRef) and v.path.endswith("()"):
            cls = v.path[:-2]
            cls = next((cls[:-len(b)] for b in builders if cls.endswith(b)), cls)
            if cls in classes:  # `ZeroShotAgent(llm_chain=..., allowed_tools=...)`: the executor's line
                return f"`{cls.rpartition('.')[2]}`", None
    return None
