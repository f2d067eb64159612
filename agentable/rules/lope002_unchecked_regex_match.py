"""LOPE002: a regex match on model text is read (.group, [i]) without a None check."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.query.dataflow import flows as text_uses
from agentable.query.literals import source_text
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.lope.optional_pieces import optional_pieces


class UncheckedRegexMatch(Rule):
    meta = RuleMeta(
        id="LOPE002",
        name="unchecked-regex-match-on-llm-output",
        category="LOPE",
        severity=Severity.ERROR,
        short="A regex search/match over model text is read without checking that it matched.",
        full=("`re.search`, `re.match` and `re.fullmatch` return None when the text does not contain the "
              "pattern. A model that skips a marker (\"Action:\"), changes its case or answers in prose makes "
              "the match None, and `.group(...)` on it raises AttributeError, crashing the agent loop instead "
              "of re-prompting. The same holds one call away: a helper that takes a piece of the reply with a "
              "regex and returns None when the reply lacks the pattern (`extract_tag(reply, \"answer\")`), whose "
              "caller uses the result as text (`.split()`, `[...]`) with no None check."),
        bad_example=('m = re.search(r"Action: (.*)", reply)\ntool = m.group(1)'),
        good_example=('m = re.search(r"Action: (.*)", reply)\nif m is None:\n'
                      '    return ask_again("Use the format Action: <tool>")\ntool = m.group(1)'),
        fix="Check the match for None (or use `if m := re.search(...)`) and handle the off-format reply.",
        tags=("parsing", "regex"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for use in text_uses(graph):
            if use.kind != "match" or use.guard:
                continue
            read = f".{use.expr.attr}()" if isinstance(use.expr, ir.Attribute) else "[...]"
            subject = f"`{use.name}`" if use.name else "the match object"
            yield self.finding(
                ctx, use.path, use.expr.pos,
                f"{subject} comes from `{use.op}` over model output ({describe_llm_source(graph, use.llm)}) "
                f"and is read with `{read}` without a None check; when the reply does not match, this raises "
                f"AttributeError. Check the match (`if m is None: ...`) and re-prompt or fall back.",
                flow=flow_steps(graph, use.llm, (use.path, use.expr.pos, f"match read with {read}")),
            )
        yield from self._helpers(ctx)

    def _helpers(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for hit in optional_pieces(graph):
            caller = hit.site.func
            call = source_text(graph, caller.path, hit.site.call) or f"{hit.helper.name}(...)"
            read = f".{hit.use.attr}" if isinstance(hit.use, ir.Attribute) else "[...]"
            line = hit.gives_none.pos[0]
            yield self.finding(
                ctx, caller.path, hit.use.pos,
                f"`{call}` takes a piece of model output ({describe_llm_source(graph, hit.piece)}) with a regex and "
                f"returns None when the reply does not match ({hit.helper.path}:{line}), and its result is read "
                f"with `{read}` without a None check; a reply without the expected pattern raises AttributeError "
                f"(TypeError) here. Check the result for None and re-prompt or fall back.",
                flow=flow_steps(graph, hit.piece, (caller.path, hit.use.pos, f"result read with {read}")),
            )
