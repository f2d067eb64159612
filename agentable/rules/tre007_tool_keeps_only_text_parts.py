"""TRE007: a tool keeps only the text parts of a typed-content result (MCP) and ignores its error flag."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.query.literals import source_text
from agentable.query.tool_results import tool_bodies
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.tre.content_parts import text_only_results


class ToolKeepsOnlyTextParts(Rule):
    meta = RuleMeta(
        id="TRE007",
        name="tool-keeps-only-text-parts",
        category="TRE",
        severity=Severity.WARNING,
        short=("A tool forwards only the text parts of a result made of typed parts (an MCP CallToolResult) and "
               "never reads its error flag, so images become \"no output\" and failures read as results."),
        full=("An MCP tool call returns a `CallToolResult` whose `content` is a list of parts: text, images, "
              "audio, embedded resources, resource links; and `isError` says whether the call failed. A proxy tool "
              "that keeps only the `TextContent` parts (`isinstance(part, TextContent)`, `part.type == \"text\"`) "
              "and never reads `isError` hands the model an empty result (or a fixed \"no output\" text) for a "
              "screenshot or a file, and an error message as if it were the tool's answer. Catalog tools.toml "
              "[content_results]."),
        bad_example=('result = await session.call_tool(name, args)\n'
                     'return "\\n".join(p.text for p in result.content if isinstance(p, TextContent)) or "No output."'),
        good_example=('result = await session.call_tool(name, args)\nif result.isError:\n'
                      '    return "Tool failed: " + text_of(result)\nparts = [describe(p) for p in result.content]  '
                      '# text, and a note or data for each image/resource'),
        fix=("Read the error flag and report a failure as one; turn the other part kinds into something the model "
             "can use (the image itself where the API takes images, else a note with its type and size or URI)."),
        tags=("tools", "mcp"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        reported: set[int] = set()
        for func, _tool, label in tool_bodies(graph):
            funcs = [func] + [graph.functions[q] for site in func.calls for q in sorted(graph.callees(site))
                              if q in graph.functions and graph.functions[q].node is not None]
            for f in funcs:
                for hit in text_only_results(graph, f):
                    if id(hit.at) in reported:
                        continue
                    reported.add(id(hit.at))
                    kind = hit.result_type.rsplit(".", 1)[-1]
                    others = ", ".join(t.rsplit(".", 1)[-1] for t in hit.spec.get("other_types", ()))
                    yield self.finding(
                        ctx, f.path, hit.at.pos,
                        f"Tool `{label}` keeps only the text parts of the {kind} (`{source_text(graph, f.path, hit.at, 50)}`) "
                        f"and never reads `{hit.spec.get('error_flag')}`: {others} parts are dropped (the model gets no "
                        f"output for them) and a failed call reads as an ordinary result. Check the error flag and pass "
                        f"the other parts on, or say what they were.")
