"""IETI001: a tool offered to the model has no description (or an empty one)."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.query.tool_specs import file_tool_specs
from agentable.query.tools import tool_anchor
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.ieti.file_specs import loaded_at, spec_label
from agentable.rules.ieti.helpers import tool_description_problem


class ToolWithoutDescription(Rule):
    meta = RuleMeta(
        id="IETI001",
        name="tool-without-description",
        category="IETI",
        severity=Severity.WARNING,
        short="A tool offered to the model has no description, or an empty one.",
        full=("The model chooses a tool and fills its arguments only from the tool's name, description and "
              "parameter schema. A tool without a description (a decorated function without a docstring, a "
              "constructor or class without `description`, a JSON tool schema (in code, or in a YAML/JSON file "
              "the code loads) without a `description` key, "
              "`description=\"\"`, or a function a hand-written agent lists in its prompt by its `__doc__`) is "
              "called blindly or never; several frameworks (LangChain `@tool`, CrewAI `@tool`, smolagents, "
              "AutoGen) refuse such a tool outright and the agent fails at start-up. "
              "A property of the tool alone: judged whether or not the scanned code builds the agent that "
              "runs it (a tool library is checked too)."),
        bad_example='@tool\ndef lookup_order(order_id: str) -> str:\n    return db.get(order_id)',
        good_example=('@tool\ndef lookup_order(order_id: str) -> str:\n'
                      '    """Look up an order by its id and return its status and items."""\n'
                      '    return db.get(order_id)'),
        fix="Give the tool a description that says what it does, when to use it and what it returns "
            "(a docstring, or the framework's `description` argument).",
        tags=("tools", "description"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for tool in graph.agent.tools:
            problem = tool_description_problem(graph, tool)
            if problem is None:
                continue
            name = f"Tool `{tool.name}`" if tool.name else ("This tool schema" if tool.kind == "schema" else "This tool")
            own = getattr(tool.spec, "own_agent", None)  # a function listed in the project's own agent class
            if tool.framework:
                name += f" ({tool.framework})"
            elif own:
                whose = ("whose description for the model is built from its docstring"
                         if getattr(tool.spec, "described_only", False) else "whose tool schema takes its docstring")
                name += f" (listed in `{own}({getattr(tool.spec, 'field', '')}=[...])`, {whose})"
            elif tool.kind == "class" and _docstring_described(tool):
                base = (getattr(tool.spec, "classes", ()) or ("",))[0].rsplit(".", 1)[-1]
                name += f" (a subclass of `{base}`, whose tool schema takes the class docstring as the description)"
            elif tool.kind == "function":
                name += " (listed in the prompt by its docstring)"
            where = _how_to_describe(tool)
            if problem == "empty":
                msg = (f"{name} has an empty description, so the model cannot tell "
                       f"when to call it or what it does; {where}.")
                pos = tool.description_pos or tool_anchor(tool)
            else:
                msg = f"{name} has no description the model can read; {where}."
                pos = tool_anchor(tool)
            required = bool(getattr(tool.spec, "requires_description", False))
            if required:
                msg += f" {tool.framework} rejects a tool without a description when it is built."
            yield self.finding(ctx, tool.path, pos, msg, severity=Severity.ERROR if required else None)
        yield from self._file_specs(ctx)

    def _file_specs(self, ctx: RuleContext) -> Iterable[Finding]:
        """Tool schemas kept in a YAML/JSON file the code loads."""
        for loaded in file_tool_specs(ctx.graph):
            spec = loaded.spec
            if spec.description == "<dynamic>" or (spec.description or "").strip():
                continue
            what = "an empty description" if spec.description is not None else "no description"
            yield self.finding(
                ctx, spec.path, (spec.description_pos if spec.description is not None else None) or spec.pos,
                f"{spec_label(loaded)} in `{spec.path}` ({loaded_at(loaded)}) has {what}, so the model cannot tell "
                f"when to call it or what it does; add a `{spec.description_key}` saying what it does, when to use "
                f"it and what it returns.")


def _docstring_described(tool) -> bool:
    """A class tool described only by its class docstring (no description attribute)."""
    return not getattr(tool.spec, "description_attr", None) and getattr(tool.spec, "description_fallback_docstring", False)


def _how_to_describe(tool) -> str:
    if tool.kind in ("decorator", "function"):
        return ("add a docstring (the first statement of the function) saying what it does, when to use it "
                "and what it returns")
    if tool.kind == "constructor":
        return "pass a `description=` that says what it does, when to use it and what it returns"
    if tool.kind == "class" and _docstring_described(tool):
        return "add a class docstring saying what it does, when to use it and what it returns"
    if tool.kind == "class":
        attr = getattr(tool.spec, "description_attr", None) or "description"
        return f"set the class attribute `{attr}` to what it does, when to use it and what it returns"
    key = getattr(tool.spec, "description_key", "description")
    return f"add a `\"{key}\"` entry to the schema saying what it does and when to use it"
