"""TRE003: a tool returns a generator, a file, an HTTP response or another handle instead of data."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.query.tool_results import tool_implementations, tool_label
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.tre.helpers import handle_kind

_WHAT = {
    "generator": ("a generator", "collect it first (`\"\\n\".join(...)` or `list(...)`)"),
    "file": ("a file object", "return the file's contents (`f.read()`) or a summary"),
    "response": ("an HTTP response object", "return `response.text` or the parsed `response.json()` data"),
    "process": ("a process object", "return its output (`result.stdout`)"),
    "connection": ("a database connection/cursor", "return the fetched rows (`cursor.fetchall()`) as text"),
    "iterator": ("an iterator", "collect it into a list or text first"),
}


class ToolReturnsHandle(Rule):
    meta = RuleMeta(
        id="TRE003",
        name="tool-returns-non-data-object",
        category="TRE",
        severity=Severity.WARNING,
        short="A tool returns a generator, file, HTTP response, process or connection object instead of the data in it.",
        full=("The model only sees a tool's result as text. A generator, an open file, a `requests` Response or "
              "a subprocess result is turned into its repr (\"<generator object ...>\", \"<Response [200]>\") or "
              "fails JSON serialisation, so the data the tool fetched never reaches the model (and a file or "
              "connection handle leaks)."),
        bad_example='def fetch_page(url: str) -> str:\n    return requests.get(url, timeout=10)',
        good_example='def fetch_page(url: str) -> str:\n    return requests.get(url, timeout=10).text',
        fix="Return the data (text, JSON-serialisable values), not the object that holds it.",
        tags=("tools",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for func, tool in tool_implementations(graph):
            if func.node is None:
                continue
            label = tool_label(func, tool, graph)
            if func.yields:
                y = func.yields[0]
                what, fix = _WHAT["generator"]
                yield self.finding(
                    ctx, func.path, func.name_pos,
                    f"Tool `{label}` is a generator function (`yield` at line {y.pos[0]}): calling it returns {what}, "
                    f"not its results, so the model never sees them; {fix} and return the text.")
                continue
            for r in func.returns:
                hit = handle_kind(graph, r.value, func, r)
                if hit is None:
                    continue
                kind, callee = hit
                what, fix = _WHAT.get(kind, (f"a {kind} object", "return the data it holds"))
                origin = f" (from `{callee}`)" if callee and not callee.startswith("a ") else ""
                yield self.finding(
                    ctx, func.path, r.pos,
                    f"Tool `{label}` returns {what}{origin} instead of data; the model receives its repr, not the "
                    f"content; {fix}.")
