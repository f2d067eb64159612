"""MNFT001: a tool is looked up by a model-chosen name with no handling of unknown names."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg.values import Parsed  # for narrowing
from agentable.findings import Finding, Severity
from agentable.query.literals import source_text
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.tool_dispatch import tool_dispatches
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.helpers import dispatch_guard

_WHAT = {
    "subscript": ("KeyError", "check `{key} in {container}` first (or use `.get()`) and send the model an "
                  "\"unknown tool\" observation listing the valid names"),
    "getattr": ("AttributeError", "check `hasattr(...)` (or give getattr a default) and send the model an "
                "\"unknown tool\" observation listing the valid names"),
    "get": ("TypeError ('NoneType' object is not callable)", "test the looked-up value for None and send the "
            "model an \"unknown tool\" observation listing the valid names"),
}


class UnknownToolName(Rule):
    meta = RuleMeta(
        id="MNFT001",
        name="model-chosen-tool-name-not-validated",
        category="MNFT",
        severity=Severity.WARNING,
        short="A tool is looked up by a name the model produced, with no handling of names that are not tools.",
        full=("Models misspell tool names, invent tools, or answer with a name plus punctuation. A hand-written "
              "agent loop that looks the tool up with `TOOLS[name]`, `getattr(obj, name)` or `registry.get(name)(...)` "
              "raises KeyError / AttributeError / TypeError on such a name (the same holds for a custom tool node of "
              "a LangGraph graph reading the model's tool calls from the state, and for a name parsed out of the "
              "model's text as JSON), and when nothing checks the name or "
              "catches the error (here or in any caller) the whole run aborts instead of telling the model that "
              "the tool does not exist and letting it retry."),
        bad_example=('name = tool_call.function.name\nresult = TOOLS[name](**json.loads(tool_call.function.arguments))'),
        good_example=('name = tool_call.function.name\nif name not in TOOLS:\n'
                      '    result = f"Unknown tool {name!r}; available: {\', \'.join(TOOLS)}"\nelse:\n'
                      '    result = TOOLS[name](**json.loads(tool_call.function.arguments))'),
        fix=("Validate the name before the lookup (`if name not in TOOLS`) or catch the lookup error, and return "
             "an \"unknown tool\" observation to the model."),
        tags=("tools", "robustness"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for d in tool_dispatches(graph):
            if dispatch_guard(graph, d):
                continue
            error, fix = _WHAT[d.kind]
            key = source_text(graph, d.path, d.key, 40)
            container = source_text(graph, d.path, _container(d), 40)
            lookup = source_text(graph, d.path, d.lookup, 60)
            src = d.source.source if isinstance(d.source, Parsed) else d.source
            yield self.finding(
                ctx, d.path, d.lookup.pos,
                f"`{lookup}` looks up a tool by `{key}`, which the model chose "
                f"({describe_llm_source(graph, src)}); a name that is not a tool raises {error} and nothing "
                f"here or in any caller handles it; {fix.format(key=key, container=container)}.",
                flow=flow_steps(graph, d.source, (d.path, d.lookup.pos, "tool looked up by this name")),
            )


def _container(d):
    from agentable.cpg import ir

    e = d.lookup
    if isinstance(e, ir.Subscript):
        return e.value
    if isinstance(e, ir.Call):
        if d.kind == "getattr" and e.args:
            return e.args[0]
        if isinstance(e.func, ir.Attribute):
            return e.func.value
    return e
