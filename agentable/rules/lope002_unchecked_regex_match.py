"""LOPE002: a regex match on model text is read (.group, [i]) without a None check."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.query.dataflow import flows as text_uses
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.rules.base import Rule, RuleContext, RuleMeta


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
              "of re-prompting."),
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
