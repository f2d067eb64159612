"""ALS003: a tool's output, name or description carries the text protocol's control markers."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg.agent import ToolDef  # for narrowing
from agentable.findings import Finding, Severity
from agentable.query.literals import strings_in
from agentable.query.protocol import protocol_markers
from agentable.rules.als.helpers import control_markers, tool_functions, uses_text_protocol
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ToolEmitsControlMarker(Rule):
    meta = RuleMeta(
        id="ALS003",
        name="tool-output-contains-protocol-marker",
        category="ALS",
        severity=Severity.WARNING,
        short=("A tool returns (or is named/described with) a control marker of the agent's text protocol, such as "
               "\"Final Answer:\"."),
        full=("In a Thought/Action/Observation agent the tool's result is pasted into the transcript as the "
              "observation. Text like \"Final Answer: …\" or \"Action: …\" in a tool result (or in a tool's name or "
              "description, which go into the prompt) looks like the model's own control output: the parser or the "
              "model takes it as the end of the run or as a new action, so the agent stops early or loops."),
        bad_example='def search(q: str) -> str:\n    return "Final Answer: " + top_hit(q)',
        good_example='def search(q: str) -> str:\n    return top_hit(q)',
        fix="Return plain data from tools; keep protocol markers out of tool results, names and descriptions.",
        tags=("react", "tools"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        if not uses_text_protocol(graph):
            return
        markers = control_markers(graph)
        proto = protocol_markers(graph)
        # the environment writes the observation marker itself; a tool repeating it is harmless
        returned = tuple(m for m in markers if m not in proto.get("observation_markers", ()))
        stems = {m.rstrip(":").strip().lower(): m for m in markers}
        for func, tool in tool_functions(graph):
            if not uses_text_protocol(graph, func.module):
                continue
            label = getattr(tool, "name", None) or func.name
            hits = []
            for r in sorted(func.returns, key=lambda x: x.pos):
                if r.value is None:
                    continue
                text = "\n".join(strings_in(graph, r.value, func, r))
                hit = next((m for m in returned if m in text), None)
                if hit:
                    hits.append((r, hit))
            if hits:
                r, hit = hits[0]
                more = f" (also on line{'s' if len(hits) > 2 else ''} {', '.join(str(x.pos[0]) for x, _ in hits[1:])})" \
                    if len(hits) > 1 else ""
                yield self.finding(
                    ctx, func.path, r.pos,
                    f"Tool `{label}` returns text containing \"{hit}\"{more}, a control marker of the agent's text "
                    f"protocol; the observation will be read as the model's own {hit.rstrip(':')} and end or "
                    f"derail the run. Return the data without the marker.")
            if not isinstance(tool, ToolDef):  # None: a function dispatched by name (typed `object`)
                continue
            name = (getattr(tool, "name", None) or "").strip()
            if name and (name.lower().rstrip(":") in stems or any(m in name for m in markers)):
                yield self.finding(
                    ctx, tool.path, tool.pos,
                    f"Tool name `{name}` is a control marker of the agent's text protocol; the parser cannot tell "
                    f"a call of this tool from the protocol step. Rename the tool.")
            desc = getattr(tool, "description", None) or ""
            hit = next((m for m in markers if m in desc), None)
            if hit:
                yield self.finding(
                    ctx, tool.path, tool.description_pos or tool.pos,
                    f"The description of tool `{label}` contains \"{hit}\", a control marker of the agent's text "
                    f"protocol; descriptions are pasted into the prompt, where the marker confuses the model and the "
                    f"parser. Reword it.")
