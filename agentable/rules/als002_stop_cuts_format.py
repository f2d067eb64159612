"""ALS002: a stop sequence cuts off part of the output format the parser needs."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from agentable.catalog.specs import AgentSpec  # for narrowing
from agentable.cpg import ir
from agentable.cpg.agent import LLMCall
from agentable.cpg.values import ExtRef
from agentable.findings import Finding, FlowStep, Severity
from agentable.nl_check.prompt_format import PromptFormat
from agentable.nl_check.questions import StopFormatQuestion
from agentable.query.artifacts import prompt_file_stops, settings_stops
from agentable.query.dataflow import flows as text_uses
from agentable.query.literals import const_strs, construction_arg, literal_of, literal_site
from agentable.query.protocol import (StopConfig, prompt_text, protocol_calls, protocol_markers, repeated_text,
                                      stop_config)
from agentable.rules.base import Rule, RuleContext, RuleMeta


class StopCutsFormat(Rule):
    meta = RuleMeta(
        id="ALS002",
        name="stop-sequence-cuts-output-format",
        category="ALS",
        severity=Severity.ERROR,
        short="A stop sequence fires inside text the model must write for the parser (a marker, the JSON, the next line).",
        full=("Generation ends at the first occurrence of any stop sequence, and the stop text itself is dropped. "
              "A stop such as \"Action:\" or \"Final Answer\" in a ReAct loop, \"}\" when the reply must be a JSON "
              "object, or \"\\n\" when the format spans several lines truncates every well-formed reply, so the "
              "parser never sees the action or the answer and the agent fails or loops. Stop sequences the call "
              "takes from a YAML/JSON/TOML settings file the code loads, and those a `.prompty` or a Semantic Kernel "
              "`config.json` sends with its own prompt, are judged too, at their line there."),
        bad_example='client.chat.completions.create(model=m, messages=msgs, stop=["Final Answer:"])',
        good_example='client.chat.completions.create(model=m, messages=msgs, stop=["\\nObservation:"])',
        fix=("Stop only at text the model must not write (the observation marker); never at a marker, brace or line "
             "break the format needs."),
        tags=("react", "stop-sequence"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        uses = text_uses(graph)
        # replies parsed as JSON (tool-call arguments are not the reply text)
        json_parsers = ctx.catalog.python.json_parsers
        json_sites = {id(u.llm.site[1]) for u in uses if u.kind == "parse" and u.op in json_parsers
                      and not u.tool_arguments}
        protocol = {id(pc.llm_call): pc for pc in protocol_calls(graph)}
        for c in graph.agent.llm_calls:
            sc = stop_config(graph, c)
            fs = settings_stops(graph, c) if sc.state != "set" else None
            if fs is not None and fs.state == "set":
                where: tuple[str, tuple[int, int, int, int]] = (fs.path, fs.pos)
                stops = fs.stops
            elif sc.state == "set" and sc.stops and sc.expr is not None and sc.func is not None:
                where, stops = (sc.func.path, sc.expr.pos), sc.stops
            else:
                continue
            prompt = prompt_text(graph, c)
            pc = protocol.get(id(c))
            markers = _format_markers(prompt, sorted(pc.markers_read) if pc is not None else [],
                                      id(c.call) in json_sites)
            if not markers:
                continue
            flow = () if fs is None else (
                FlowStep(graph.span(fs.path, fs.pos), f"the stop sequences are written at {fs.where}"),
                FlowStep(graph.span(c.func.path, c.call.pos), "and used by this model call"))
            yield from self._judge(ctx, where, stops, prompt, tuple(markers), "the prompt's format", flow)
        yield from self._ordinary_text_stops(ctx)
        # a prompt file whose framework sends it with its own stop sequences (.prompty, Semantic Kernel)
        for pf in prompt_file_stops(graph):
            markers = _format_markers(pf.prompt, [], False)
            if markers:
                sent = (FlowStep(graph.span(pf.prompt_path, (1, 0, 1, 0)), f"the prompt they are sent with is "
                                                                          f"`{pf.prompt_path}`"),)
                yield from self._judge(ctx, (pf.path, pf.pos), pf.stops, pf.prompt, tuple(markers),
                                       "the prompt's format", sent)
        # framework text-protocol agents given a chat model with its own stop sequences
        m = protocol_markers(graph)
        model_markers = m.get("thought_markers", ()) + m.get("action_markers", ()) + m.get("final_markers", ())
        for ac in graph.agent.agent_constructs:
            spec = ac.spec
            if not isinstance(spec, AgentSpec) or not spec.text_protocol:  # (the spec is always an AgentSpec)
                continue
            e = construction_arg(ac.site.call, [spec.llm_param] if spec.llm_param else [], spec.llm_positional)
            if e is None:
                continue
            for v in graph.values(e, ac.site.func, ac.site.stmt):
                if not isinstance(v, ExtRef) or v.site is None:
                    continue
                model_sc = _model_stops(graph, v)
                if model_sc is not None and model_sc.func is not None and model_sc.expr is not None:
                    yield from self._judge(ctx, (model_sc.func.path, model_sc.expr.pos), model_sc.stops, "",
                                           model_markers, "the agent's ReAct format")

    def _ordinary_text_stops(self, ctx: RuleContext) -> Iterable[Finding]:
        """Stop sequences any reply may hold, whatever its format: a bare lowercase word (`assistant`),
        a run of spaces (indentation). Reported where the stop text is written, once."""
        graph = ctx.graph
        # one finding per function and stop text, where the text is written when that is found
        found: dict[tuple[str, str], tuple[tuple[str, ir.Pos], LLMCall, str, bool]] = {}
        for c in graph.agent.llm_calls:
            sc = stop_config(graph, c)
            if sc.expr is None or sc.func is None or graph.is_test_code(c.func.path):
                continue
            for stop in sc.stops:
                what = _ordinary_text(stop)
                if what is None:
                    continue
                site = literal_site(graph, sc.expr, sc.func, sc.stmt, stop)
                if site is None:  # an item appended to the list in the function that sets it
                    site = next(((sc.func.path, x.pos) for x, _ in sc.func.walk(ir.Constant, ir.BinOp)
                                 if (x.value if isinstance(x, ir.Constant) else repeated_text(x)) == stop), None)
                key = (sc.func.qualname, stop)
                if key not in found or (site is not None and not found[key][3]):
                    found[key] = (site or (sc.func.path, sc.expr.pos), c, what, site is not None)
        for (_q, stop), (at, c, what, _exact) in found.items():
            yield self.finding(
                ctx, *at,
                f"The stop sequence {_shown(stop)} is {what}, so generation ends at its first occurrence in an "
                f"ordinary reply (for the model call at {c.func.path}:{c.call.pos[0]}) and the rest of the "
                f"answer is lost; stop only at a marker the model must not write (a role tag with its "
                f"newline, the observation marker).",
                flow=(FlowStep(graph.span(c.func.path, c.call.pos), "the model call given this stop sequence"),))

    def _judge(self, ctx: RuleContext, where: tuple[str, tuple[int, int, int, int]], stops: tuple[str, ...],
               prompt: str, markers: tuple[str, ...], fmt: str, flow: tuple[FlowStep, ...] = ()) -> Iterable[Finding]:
        verdict = ctx.checker.ask(StopFormatQuestion(tuple(stops), prompt, markers))
        if not verdict.reportable:
            return
        sev = Severity.ERROR if verdict.confidence >= 0.8 else Severity.WARNING
        f = self.finding(
            ctx, *where,
            f"{verdict.reason.rstrip('.')} (stop sequences {list(stops)!r} against {fmt}); stop only at the "
            f"observation marker or other text the model must not write.",
            severity=sev, flow=flow)
        f.checker_reason = verdict.reason if verdict.source != "deterministic" else ""
        yield f


_WORD = re.compile(r"^[a-z]{3,}$")
_SPACES = re.compile(r"^[ \t]+$")


def _ordinary_text(stop: str) -> Optional[str]:
    """What makes a stop sequence text any reply may hold, or None."""
    if _WORD.match(stop):
        return "a bare lowercase word that ordinary prose contains"
    if _SPACES.match(stop):
        return "a run of spaces that indented text (code, nested JSON) contains"
    return None


def _shown(stop: str) -> str:
    return f"' ' * {len(stop)}" if len(stop) > 3 and set(stop) == {" "} else repr(stop)


def _format_markers(prompt: str, read: list[str], parsed_as_json: bool) -> list[str]:
    """The text the reply must hold: the prompt's format markers, those the parser reads, and
    braces when the reply must be JSON."""
    fmt = PromptFormat(prompt)
    # one-letter markers ("Q:", "A:") belong to few-shot transcripts, where the next "Q:" is
    # exactly where generation should stop; they say nothing about the reply's own format
    markers = [m for m in fmt.markers if len(m.rstrip(":").strip()) >= 3]
    markers += [m for m in read if m not in markers]
    if parsed_as_json or fmt.asks_json:
        markers += ["{", "}"]
    return markers


def _model_stops(graph, v: ExtRef) -> StopConfig | None:
    """Stop sequences set on a framework chat model construction (or its `.bind(stop=…)`)."""
    if v.site is None:  # (the caller passes constructions only)
        return None
    path, call = v.site
    func = graph.function_of(path, call.pos)
    spec = graph.catalog.chat_model(v.path.removesuffix("()"))
    if func is None or spec is None:
        return None
    name = (spec.param_names or {}).get("stop", "stop")
    for where, c in ((path, call), *v.binds):
        f = graph.function_of(where, c.pos) or func
        e = c.kwarg(name)
        if e is None:
            continue
        lit = literal_of(graph, e, f, None)
        elems = lit[0].elts if lit is not None and hasattr(lit[0], "elts") else [e]
        stops = [s for x in elems for s in const_strs(graph, x, lit[1] if lit else f, lit[2] if lit else None)]
        if stops:
            return StopConfig("set", tuple(stops), e, f, None)
    return None
