"""ALS007: a marker parser is built with a prompt that spells the parser's begin marker otherwise."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite
from agentable.cpg.values import ExtRef, const_strs_of
from agentable.catalog.specs import MarkerParserSpec
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import construction_arg, strings_in
from agentable.query.protocol import strings_reaching
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ParserMarkerSpelledOtherwise(Rule):
    meta = RuleMeta(
        id="ALS007",
        name="parser-marker-spelled-otherwise-in-prompt",
        category="ALS",
        severity=Severity.WARNING,
        short="A parser that finds tool calls by a begin marker is built with a prompt that writes the marker "
              "without the line break (or other trailing whitespace) the parser looks for.",
        full=("Text-protocol parsers such as lagent's `PluginParser` find a tool call with `begin in reply`, where "
              "`begin` is a chat-template marker followed by a newline (`<|action_start|><|plugin|>` and `\\n`). "
              "The prompt the parser is built with teaches the model how to write the call. When every example "
              "in that prompt writes the marker with the call right after it on the same line, a model that "
              "follows the prompt writes no newline: the parser does not see a tool call, no tool runs and the "
              "reply is taken as the final answer. Decided from the code: the texts reaching the parser's "
              "template contain the marker without its trailing whitespace and never with it."),
        bad_example=('PROMPT = "Call a tool as <|action_start|><|plugin|>{\\"name\\": ...}<|action_end|>"\n'
                     'parser = PluginParser(template=PROMPT)'),
        good_example=('PROMPT = "Call a tool as <|action_start|><|plugin|>\\n{\\"name\\": ...}<|action_end|>"\n'
                      'parser = PluginParser(template=PROMPT)'),
        fix="Write the marker in the prompt exactly as the parser's `begin` (with its line break), or pass a "
            "`begin` that matches the prompt.",
        tags=("markers", "prompt", "parser"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        seen: set[tuple[str, int]] = set()
        for func in g.functions.values():
            if g.is_test_code(func.path):
                continue
            for site in func.calls:
                spec = _parser_spec(g, site)
                if spec is None:
                    continue
                begin = _begin(g, site, spec)
                template = construction_arg(site.call, (spec.template_param,), spec.template_positional)
                if begin is None or template is None or begin == begin.rstrip():
                    continue
                bare = begin.rstrip()
                texts = [t for t in dict.fromkeys(_template_texts(g, template, site)) if bare in t]
                if not texts or any(begin in t for t in texts):
                    continue
                for path, line in _literal_lines(g, texts, bare):
                    if (path, line) in seen:
                        continue
                    seen.add((path, line))
                    yield self._finding(ctx, g, spec, begin, path, line, site)

    def _finding(self, ctx: RuleContext, g: ProjectGraph, spec: MarkerParserSpec, begin: str, path: str, line: int,
                 site: CallSite) -> Finding:
        func, bare = site.func, begin.rstrip()
        shown = begin.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
        return self.finding(
            ctx, path, (line, 0, line, 0),
            f"The prompt given to {spec.framework}'s parser at {func.path}:{site.call.pos[0]} writes "
            f"`{bare}` with the call right after it, but the parser finds a call only by `{shown}` (with "
            f"the line break): a model that follows the prompt writes calls the parser does not see, so no "
            f"tool runs and the reply is taken as the final answer. Put the line break after the marker in "
            f"the prompt, or pass a matching `{spec.begin_param}`.",
            flow=(FlowStep(g.span(func.path, site.call.pos), "the parser is built here"),))


def _parser_spec(g: ProjectGraph, site: CallSite) -> Optional[MarkerParserSpec]:
    for v in g.values(site.call.func, site.func, site.stmt):
        if isinstance(v, ExtRef):
            spec = g.catalog.lookup("marker_parser", v.path)
            if spec is not None:
                return spec
    return None


def _begin(g: ProjectGraph, site: CallSite, spec: MarkerParserSpec) -> Optional[str]:
    """The parser's begin marker: its default, or the literal the call passes (None when the call
    passes one that is not a known literal)."""
    given = construction_arg(site.call, (spec.begin_param,), spec.begin_positional)
    if given is None:
        return spec.begin
    found = strings_in(g, given, site.func, site.stmt)
    return found[0] if len(found) == 1 else None


def _template_texts(g: ProjectGraph, e: ir.Expr, site: CallSite) -> list[str]:
    """The texts the template argument may be: each branch of a conditional (one per language or
    mode), each the constants it resolves to and the literal text that flows into it."""
    if isinstance(e, ir.IfExp):
        return _template_texts(g, e.body, site) + _template_texts(g, e.orelse, site)
    return [*const_strs_of(g.values(e, site.func, site.stmt)), *strings_reaching(g, e, site.func, site.stmt)]


def _literal_lines(g: ProjectGraph, texts: list[str], bare: str) -> list[tuple[str, int]]:
    """Where each string literal among `texts` first writes the bare marker: (path, line)."""
    wanted = set(texts)
    out: list[tuple[str, int]] = []
    for f in g.functions.values():
        for e, _stmt in f.walk(ir.Constant):
            if isinstance(e.value, str) and e.value in wanted:
                wanted.discard(e.value)
                out.append((f.path, e.pos[0] + e.value.count("\n", 0, e.value.index(bare))))
    return out
