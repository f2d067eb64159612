"""TRE003: a tool returns a generator, a file, an HTTP response or another handle instead of data."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.findings import Finding, Severity
from agentable.query.tool_classes import home_made_tool_methods
from agentable.query.tool_results import tool_bodies
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.tre.helpers import ResponsePart, handle_kind, sdk_response_part
from agentable.rules.tre.interpolated import interpolated_objects

_WHAT = {
    "generator": ("a generator", "collect it first (`\"\\n\".join(...)` or `list(...)`)"),
    "file": ("a file object", "return the file's contents (`f.read()`) or a summary"),
    "response": ("an HTTP response object", "return `response.text` or the parsed `response.json()` data"),
    "process": ("a process object", "return its output (`result.stdout`)"),
    "connection": ("a database connection/cursor", "return the fetched rows (`cursor.fetchall()`) as text"),
    "iterator": ("an iterator", "collect it into a list or text first"),
    "display": ("a display object (a `rich` renderable, whose repr is not its text)", "return the text it shows"),
}


class ToolReturnsHandle(Rule):
    meta = RuleMeta(
        id="TRE003",
        name="tool-returns-non-data-object",
        category="TRE",
        severity=Severity.WARNING,
        short=("A tool returns a generator, file, HTTP response, process or connection object, or a model SDK's response "
               "object, instead of the data in it, or writes such an object (or a rich `Panel`) into its result text."),
        full=("The model only sees a tool's result as text. A generator, an open file, a `requests` Response or "
              "a subprocess result is turned into its repr (\"<generator object ...>\", \"<Response [200]>\") or "
              "fails JSON serialisation, so the data the tool fetched never reaches the model (and a file or "
              "connection handle leaks). The same holds for a model call's response or a part of it short of the text "
              "(`response.choices[0]`, a `ChatCompletionMessage`, a LangChain `AIMessage`; catalog tools.toml "
              "[sdk_response_types]): the answer reaches the model wrapped in the object's repr. An object of these "
              "kinds, or a display object such as a rich `Panel`, written into the f-string the tool returns gives "
              "the same repr in the middle of the text. Judged on the tool alone, whether or not the scanned code "
              "builds the agent that runs it."),
        bad_example='def fetch_page(url: str) -> str:\n    return requests.get(url, timeout=10)',
        good_example='def fetch_page(url: str) -> str:\n    return requests.get(url, timeout=10).text',
        fix="Return the data (text, JSON-serialisable values), not the object that holds it.",
        tags=("tools",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for func, _tool, label in tool_bodies(graph):
            reported: set[tuple[str, tuple[int, int, int, int]]] = set()
            if func.yields and _runs_drain_it(graph, func):
                continue  # the project's own runner iterates the generator and hands on what it collected
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
                    part = sdk_response_part(graph, r.value, func, r)
                    if part is not None and (anchor := _response_anchor(func, r, part)) not in reported:
                        reported.add(anchor)
                        yield self._response_finding(ctx, func, anchor, r, label, part)
                    continue
                kind, callee = hit
                what, fix = _WHAT.get(kind, (f"a {kind} object", "return the data it holds"))
                origin = f" (from `{callee}`)" if callee and not callee.startswith("a ") else ""
                yield self.finding(
                    ctx, func.path, r.pos,
                    f"Tool `{label}` returns {what}{origin} instead of data; the model receives its repr, not the "
                    f"content; {fix}.")
            for obj in interpolated_objects(graph, func):
                what, fix = _WHAT.get(obj.kind, (f"a {obj.kind} object", "write the data it holds"))
                origin = f" (from `{obj.callee}`)" if obj.callee and not obj.callee.startswith("a ") else ""
                yield self.finding(
                    ctx, func.path, obj.hole.pos,
                    f"Tool `{label}` writes {what}{origin} into the text it returns: the f-string puts the object's "
                    f"repr (\"<Response [200]>\", \"<... object at 0x...>\") there, not its content, so the model never sees it; "
                    f"{fix} instead.")

    def _response_finding(self, ctx: RuleContext, func, anchor, r, label: str, part: ResponsePart) -> Finding:
        what = f"the model SDK's `{part.type_name}` object" if part.type_name else "the model SDK's response object"
        where = f" (`response{part.read}`)" if part.read else ""
        returned = f", returned at line {r.pos[0]}," if anchor[1][0] != r.pos[0] else ","
        return self.finding(
            ctx, anchor[0], anchor[1],
            f"Tool `{label}` returns {what}{where}{returned} not the text in it; the agent's model receives the object's repr "
            f"(its fields, ids and token counts around the answer) or a serialisation error. Return its text, "
            f"`{part.rest}`.")


def _response_anchor(func, r, part: ResponsePart) -> tuple[str, tuple[int, int, int, int]]:
    """Where the tool takes the response part it returns (`output = response.choices[0]`), when
    that is in the tool's own file; else the return."""
    if part.where is not None and part.where[0] == func.path:
        return part.where
    return func.path, r.pos


def _runs_drain_it(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Is `func` a home-made tool method whose interface streams: somewhere the project iterates
    the result of a call of that method (`for line in lang.step(code): ...`, `list(x.step(code))`),
    so the runner collects what the generator yields before the model reads it?"""
    if func.qualname not in home_made_tool_methods(g):
        return False
    return any(isinstance(site.call.func, ir.Attribute) and site.call.func.attr == func.name and _drains(g, caller, site)
               for caller in g.functions.values() for site in caller.calls)


def _drains(g: ProjectGraph, caller: FunctionInfo, site: CallSite) -> bool:
    call = site.call
    if isinstance(site.stmt, ir.For) and site.stmt.iter is call:
        return True
    if any(call in c.iters for c, _ in caller.walk(ir.Comp)):
        return True
    facts = g.catalog.python
    for outer, _ in caller.walk(ir.Call):
        if call in outer.args and (ir.dotted(outer.func) in facts.draining_calls
                                   or (isinstance(outer.func, ir.Attribute) and outer.func.attr in facts.draining_methods)):
            return True
    return False

