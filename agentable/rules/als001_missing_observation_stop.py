"""ALS001: a text-protocol (ReAct) loop calls the model with no stop sequence before the observation."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg.agent import LLMCall  # for annotations and narrowing
from agentable.cpg.values import Const
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.artifacts import settings_stops
from agentable.query.literals import literal_of
from agentable.query.protocol import protocol_calls, protocol_markers, stop_config
from agentable.rules.als.react_loops import wrapped_react_calls
from agentable.rules.base import Rule, RuleContext, RuleMeta


class MissingObservationStop(Rule):
    meta = RuleMeta(
        id="ALS001",
        name="react-loop-without-stop-sequence",
        category="ALS",
        severity=Severity.WARNING,
        short="A Thought/Action/Observation agent loop calls the model without a stop sequence before \"Observation:\".",
        full=("In a text-protocol agent the model writes \"Action: …\" and the program runs the tool and appends "
              "\"Observation: …\". Without a stop sequence at the observation marker the model keeps going and "
              "invents the observation (and often the final answer) itself, so the tool never runs or its real "
              "result is ignored. LangChain's ReAct agents bind stop=[\"\\nObservation\"] for this reason; a "
              "hand-written loop (a Python loop, or a cycle of LangGraph nodes that calls the model and runs "
              "the tool) or `stop_sequence=False` must do the same. When the call takes its settings from a "
              "YAML/JSON/TOML file the code loads (`**cfg[\"params\"]`), the missing stop is reported in that file. "
              "A loop whose own code reads the \"Action:\" from the reply and writes \"Observation:\" into the "
              "next turn is such a loop even when its prompt cannot be read; when it reaches the model through "
              "project wrappers none of which takes a stop parameter, no stop sequence can be given."),
        bad_example=('reply = client.chat.completions.create(model=m, messages=msgs).choices[0].message.content\n'
                     'action = re.search(r"Action: (.*)", reply)'),
        good_example=('reply = client.chat.completions.create(model=m, messages=msgs, stop=["\\nObservation:"])'
                      '.choices[0].message.content'),
        fix="Pass the observation marker as a stop sequence (e.g. stop=[\"\\nObservation:\"]) on the model call.",
        tags=("react", "stop-sequence"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        obs = protocol_markers(graph).get("observation_markers", ("Observation:",))
        for pc in protocol_calls(graph):
            c = pc.llm_call
            if not isinstance(c, LLMCall):  # (always one; ProtocolCall.llm_call is typed `object`)
                continue
            sc = stop_config(graph, c)
            read = ", ".join(f'"{m}"' for m in sorted(pc.markers_read))
            fs = settings_stops(graph, c) if sc.state != "set" else None
            if fs is not None and fs.state == "none":  # the settings file the call is given sets none
                flow = (FlowStep(graph.span(c.func.path, c.call.pos), f"this model call takes its settings from "
                                                                       f"{fs.where}"),)
                yield self.finding(
                    ctx, fs.path, fs.pos,
                    f"{fs.where} configures the model call at {c.func.path}:{c.call.pos[0]}, which drives a "
                    f"Thought/Action/Observation loop (the loop reads {read}), but it sets no stop sequence, so the "
                    f"model can write the \"{obs[0]}\" itself and the tool's real result is never used; add "
                    f"stop: [\"\\n{obs[0]}\"] there.", flow=flow)
                continue
            set_stops = fs.stops if fs is not None and fs.state == "set" else sc.stops if sc.state == "set" else ()
            if set_stops:
                at = (fs.path, fs.pos) if fs is not None and fs.state == "set" else (
                    (sc.func.path, sc.expr.pos) if sc.func is not None and sc.expr is not None else None)
                if at is not None and not _stops_before_observation(graph, set_stops):
                    yield self.finding(
                        ctx, *at,
                        f"These stop sequences ({list(set_stops)!r}) are for a model call that drives a "
                        f"Thought/Action/Observation loop (the loop reads {read}), but none of them occurs before the "
                        f"observation, so the model can write the \"{obs[0]}\" itself and the tool's real result is "
                        f"never used; add \"\\n{obs[0]}\" to them.")
                continue
            if sc.state != "none":
                continue
            stop_name = c._param_name("stop")
            in_config = (getattr(c.spec, "config_keys", None) or {}).get("stop")
            config_param = getattr(c.spec, "config_param", None)  # there when config_keys is
            where = f" in `{config_param}`" if stop_name is None and in_config else ""
            yield self.finding(
                ctx, c.func.path, c.call.pos,
                f"This model call drives a Thought/Action/Observation loop (the prompt asks for the protocol and the "
                f"loop reads {read}) but sets no stop sequence, so the model can write the \"{obs[0]}\" itself and "
                f"the tool's real result is never used; pass {stop_name or in_config or 'stop'}=[\"\\n{obs[0]}\"]{where}.",
            )
        # loops that show the protocol in their own code (read "Action:", write "Observation:") and
        # call the model through project wrappers none of which takes a stop sequence
        for w in wrapped_react_calls(graph):
            read = ", ".join(f'"{m}"' for m in sorted(w.markers_read))
            steps: tuple[FlowStep, ...] = () if w.site is w.reply_site else (
                FlowStep(graph.span(w.loop_func.path, w.reply_site.call.pos),
                         "the loop takes the model's reply from this call"),)
            yield self.finding(
                ctx, w.site.func.path, w.site.call.pos,
                f"This call reaches the model for a Thought/Action/Observation loop in `{w.loop_func.name}` "
                f"(the loop reads {read} from the reply and writes \"{w.observation}\" into the next turn itself), "
                f"but `{w.wrapper.name}` takes no stop parameter and sets no stop sequence, so the model can "
                f"write the \"{w.observation}\" itself and the tool's real result is never used; give "
                f"`{w.wrapper.name}` a stop parameter and pass [\"\\n{w.observation}\"] from the loop.",
                flow=steps)
        # framework agents whose default observation stop is switched off
        for ac in graph.agent.agent_constructs:
            spec = ac.spec
            param = (getattr(spec, "params", {}) or {}).get("stop")
            default = (getattr(spec, "defaults", {}) or {}).get("stop")
            if not getattr(spec, "text_protocol", False) or not param or not default:
                continue
            e = ac.site.call.kwarg(param)
            if e is None:
                continue
            lit = literal_of(graph, e, ac.site.func, ac.site.stmt)
            vals = graph.values(e, ac.site.func, ac.site.stmt)
            off = (lit is not None and hasattr(lit[0], "elts") and not lit[0].elts) or \
                (bool(vals) and all(isinstance(v, Const) and v.value in (False, None) for v in vals))
            if off:
                yield self.finding(
                    ctx, ac.site.func.path, e.pos,
                    f"`{param}` switches off the agent's default stop sequence {default!r}, so the model can write "
                    f"the observation itself instead of waiting for the tool; keep the default (remove `{param}`).",
                )


def _stops_before_observation(graph, stops: tuple[str, ...]) -> bool:
    """Does one of the stop sequences occur in a protocol turn up to its observation marker (so
    generation ends there, or earlier: cutting earlier is ALS002's finding)?"""
    m = protocol_markers(graph)
    head = "\n".join(f"{k} …" for k in m.get("thought_markers", ())[:1] + m.get("action_markers", ()))
    turns = [f"{head}\n{o}" for o in m.get("observation_markers", ("Observation:",))]
    return any(s and s in t for s in stops for t in turns)
