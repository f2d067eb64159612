"""ADAL003: tool calling requested from a model without tool support."""

from __future__ import annotations

import datetime
from typing import Iterable

from agentable.cpg import ir
from agentable.cpg.agent import LLMCall  # for narrowing
from agentable.cpg.structure import FunctionInfo  # for annotations
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.model_choices import model_candidates
from agentable.query.models import GENERATIVE_APIS, ModelUse, distinct_uses, model_uses, retired_by, tools_requested
from agentable.rules.adal.helpers import set_for_other_models
from agentable.rules.base import Rule, RuleContext, RuleMeta


def _tools_for_other_models(graph, use: ModelUse, model_id: str) -> bool:
    """Are the call's tools given (`tools=...` set, or `.bind_tools(...)` called) only inside
    `if "gpt" in model:` (or `model.startswith(...)`), a test `model_id` fails? Then they are
    never sent with it."""
    c = use.llm_call
    if not isinstance(c, LLMCall):
        return False
    m = c.setting("model")
    places: list[tuple[FunctionInfo, object]] = []
    s = c.setting("tools")
    if s is not None:
        places.append((s.func, s.stmt))
    for path, bind in c.binds:
        func = graph.function_of(path, bind.pos)
        site = next((x for x in func.calls if x.call is bind), None) if func is not None else None
        if site is not None:
            places.append((func, site.stmt))
    if not places:
        return False
    for func, stmt in places:
        name = ir.dotted(m.expr) if m is not None and m.func is func else None
        if not (isinstance(stmt, ir.Stmt)
                and set_for_other_models(graph, func, stmt, model_id, frozenset({name}) if name else frozenset())):
            return False
    return True


def _where_path(use: ModelUse, where: ir.Expr) -> str:
    """The file of `where` (a `tools=` setting, a `.bind_tools(...)` call or an agent's tools)."""
    c = use.llm_call
    if isinstance(c, LLMCall):
        s = c.setting("tools")
        if s is not None and s.expr is where:
            return s.path
        for path, bind in c.binds:
            if bind is where:
                return path
    return use.func.path


class ToolsOnModelWithoutTools(Rule):
    meta = RuleMeta(
        id="ADAL003",
        name="tool-calling-model-lacks-tool-support",
        category="ADAL",
        severity=Severity.ERROR,
        short="Tools are offered to a model that does not support tool (function) calling.",
        full=("Native tool calling needs a model trained and served with function-calling support. Models "
              "without it reject requests that carry `tools`/`functions` (\"does not support tools\"), or ignore "
              "them so the agent never acts; a tool-calling agent built on such a model cannot work. Every "
              "model the project lists for the call's model field is checked, not only the default: a "
              "`Literal[...]` or string-Enum annotation of the parameter or field the model comes from, the "
              "`choices=` of the option it is read from, an allow-list guarding it, or a table it is looked up in."),
        bad_example='ChatOllama(model="llama2").bind_tools([search])',
        good_example='ChatOllama(model="llama3.1").bind_tools([search])',
        fix="Pick a model with tool-calling support, or use a text-protocol (ReAct) agent that parses actions from text.",
        tags=("model", "tools", "adaptation"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for use in distinct_uses(model_uses(graph)):
            if use.api not in GENERATIVE_APIS:
                continue
            info = graph.catalog.model(use.model_id)
            if info is None or info.tools is not False:
                continue
            where = tools_requested(graph, use)
            if where is None:
                continue
            path, pos = use.report_at  # (distinct_uses returns an untyped list)
            yield self.finding(
                ctx, path, pos,
                f"Tools are requested from `{use.model_id}` (line {where.pos[0]}), which does not support tool "
                f"calling; switch to a tool-capable model or to a text-protocol agent.",
                model=use.model_id, flow=use.flow(graph))
        yield from self._listed(ctx)

    def _listed(self, ctx: RuleContext) -> Iterable[Finding]:
        """An id the project lists as accepted for a model field (`Literal[...]`, `choices=`, an
        allow-list, a lookup table) that lacks tool calling, where the call sends tools: picking it
        is enough to make every request fail. Reported once at the listed entry."""
        graph = ctx.graph
        seen: set[tuple[str, int]] = set()
        today = datetime.date.today().isoformat()
        for use, listed in model_candidates(graph):
            if listed is None or use.api not in GENERATIVE_APIS or (listed.path, listed.pos[0]) in seen:
                continue
            info = graph.catalog.model(listed.model_id)
            if info is None or info.tools is not False or retired_by(info, today):
                continue  # (a retired one fails whatever it is asked: LARD005 reports it)
            where = tools_requested(graph, use)
            if where is None or _tools_for_other_models(graph, use, listed.model_id):
                continue
            seen.add((listed.path, listed.pos[0]))
            flow = (FlowStep(graph.span(_where_path(use, where), where.pos), "tools are sent to the model here"),)
            yield self.finding(
                ctx, listed.path, listed.pos,
                f"`{listed.model_id}` is listed as a model this call accepts, but it does not support tool "
                f"calling, and the call sends tools (line {where.pos[0]}): choosing it makes every request fail "
                f"or the agent never act. Drop it from the list, or use a text-protocol agent for it.",
                model=listed.model_id, flow=flow)
