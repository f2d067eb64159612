"""LOPE007: model text cut at the first occurrence of a single letter or digit, as if it were a marker."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.values import Parsed
from agentable.findings import Finding, Severity
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.model_derived import model_derived
from agentable.query.text_ops import position_call
from agentable.rules.base import Rule, RuleContext, RuleMeta

_FINDERS = frozenset({"find", "rfind", "index", "rindex"})


class CutAtOrdinaryCharacter(Rule):
    meta = RuleMeta(
        id="LOPE007",
        name="llm-output-cut-at-ordinary-character",
        category="LOPE",
        severity=Severity.WARNING,
        short="Model text is sliced at the first (or last) occurrence of a single letter or digit.",
        full=("`reply[reply.find(\"1\") - 1:]` assumes the reply starts its useful part (a numbered list, say) at "
              "the first `1`, but ordinary text contains that character anywhere: a year, a percentage, a "
              "word. The reply is then cut in the wrong place, silently, and the agent stores or acts on a "
              "fragment. A letter or digit is not a marker; parse the structure itself (a regex anchored at "
              "the start of a line, `^\\s*1[.)]`), or ask for structured output."),
        bad_example='pos = reply.find("1")\ntasks = reply[pos - 1:].split("\\n")',
        good_example='tasks = re.findall(r"^\\s*\\d+[.)]\\s*(.+)$", reply, re.MULTILINE)',
        fix="Find the structure with an anchored pattern (line start, a numbering format), not a single character.",
        tags=("parsing",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        seen: set[int] = set()
        for func in graph.agent.functions():
            for sub, stmt in func.walk(ir.Subscript):
                if not isinstance(sub.index, ir.Slice):
                    continue
                for bound in sub.index.parts:
                    hit = position_call(graph, bound, func, stmt, 2, _FINDERS)
                    finder = hit[0] if hit is not None else None
                    if finder is None or id(finder) in seen:
                        continue
                    char = _single_char(finder)
                    recv = finder.func.value if isinstance(finder.func, ir.Attribute) else None
                    at = func.call_statement(finder) or stmt
                    derived = model_derived(graph, recv, func, at)
                    if char is None or derived is None:
                        continue
                    out = derived.source if isinstance(derived, Parsed) else derived
                    seen.add(id(finder))
                    method = finder.func.attr if isinstance(finder.func, ir.Attribute) else "find"
                    where = "last" if method.startswith("r") else "first"
                    yield self.finding(
                        ctx, func.path, finder.pos,
                        f"Model output ({describe_llm_source(graph, out)}) is cut at the {where} `{char}` it "
                        f"contains (`{method}(\"{char}\")`), but ordinary text has that character anywhere (a "
                        f"year, a number, a word), so the reply is cut in the wrong place and the rest of the "
                        f"agent works on a fragment. Match the structure itself (an anchored regex such as "
                        f"`^\\s*1[.)]`) or ask for structured output.",
                        flow=flow_steps(graph, out, (func.path, finder.pos, f"{method}(\"{char}\")")))


def _single_char(call: ir.Call) -> Optional[str]:
    if len(call.args) != 1:
        return None
    arg = call.args[0]
    if isinstance(arg, ir.Constant) and isinstance(arg.value, str) and len(arg.value) == 1 and arg.value.isalnum():
        return arg.value
    return None
