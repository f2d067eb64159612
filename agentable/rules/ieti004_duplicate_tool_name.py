"""IETI004: two different tools with the same name offered to one model."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg.agent import ToolDef  # for annotations and narrowing
from agentable.findings import Finding, Severity
from agentable.query.tool_specs import file_tool_specs
from agentable.query.tools import tool_anchor
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.ieti.helpers import tools_offered_together

# a tool offered in a group, with where to report it (path, position)
_Offered = tuple[ToolDef, str, tuple[int, int, int, int]]


class DuplicateToolName(Rule):
    meta = RuleMeta(
        id="IETI004",
        name="duplicate-tool-name",
        category="IETI",
        severity=Severity.ERROR,
        short="Two different tools with the same name are offered to one model.",
        full=("A model calls a tool by its name. When two tools in the same tools list (or registered on the "
              "same server or agent) share a name, the provider rejects the request (OpenAI and Anthropic "
              "require unique names), the framework raises or one registration silently replaces the other, "
              "and the model cannot address the tool it wants."),
        bad_example=('@mcp.tool(name="search")\ndef search_docs(q: str) -> str: ...\n\n'
                     '@mcp.tool(name="search")\ndef search_web(q: str) -> str: ...'),
        good_example=('@mcp.tool(name="search_docs")\ndef search_docs(q: str) -> str: ...\n\n'
                      '@mcp.tool(name="search_web")\ndef search_web(q: str) -> str: ...'),
        fix="Give every tool offered together a distinct name that says what it does.",
        tags=("tools", "name"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for group in tools_offered_together(graph):
            by_name: dict[str, list[_Offered]] = {}
            for tool, path, pos in group:
                if isinstance(tool, ToolDef) and tool.name:  # (always a ToolDef; typed `object`)
                    by_name.setdefault(tool.name, []).append((tool, path, pos))
            for name, items in by_name.items():
                distinct: list[_Offered] = []
                for item in items:
                    if all(item[0] is not d[0] for d in distinct):
                        distinct.append(item)
                if len(distinct) < 2:
                    continue
                first = distinct[0][0]
                first_line = (first.name_pos or tool_anchor(first))[0]
                for tool, path, pos in distinct[1:]:
                    if tool.name_pos is not None:  # point at the duplicated name itself
                        path, pos = tool.path, tool.name_pos
                    yield self.finding(
                        ctx, path, pos,
                        f"Tool name `{name}` is used twice in one tool set: here and at {first.path}:{first_line}; "
                        f"the model cannot tell them apart and the request or registration fails (or one replaces "
                        f"the other). Rename one of them.")
        yield from self._file_specs(ctx)

    def _file_specs(self, ctx: RuleContext) -> Iterable[Finding]:
        """Two schemas of one name in one list of a YAML/JSON tool file the code loads."""
        first: dict[tuple[str, tuple, str], int] = {}
        for loaded in file_tool_specs(ctx.graph):
            spec = loaded.spec
            if not spec.name:
                continue
            key = (spec.path, spec.group, spec.name)
            if key not in first:
                first[key] = spec.pos[0]
                continue
            yield self.finding(
                ctx, spec.path, spec.pos,
                f"Tool name `{spec.name}` is used twice in one tool list of `{spec.path}`: here and at line "
                f"{first[key]}; the model cannot tell them apart and the request fails (or one replaces the "
                f"other). Rename one of them.")
