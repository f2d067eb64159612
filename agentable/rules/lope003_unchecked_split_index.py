"""LOPE003: a fixed position of split/findall results of model text is read without a length check."""

from __future__ import annotations

from typing import Iterable

from agentable import query
from agentable.findings import Finding, Severity
from agentable.rules.base import Rule, RuleMeta


class UncheckedSplitIndex(Rule):
    meta = RuleMeta(
        id="LOPE003",
        name="unchecked-index-into-split-llm-output",
        category="LOPE",
        severity=Severity.ERROR,
        short="A fixed index (or fixed-size unpacking) of `split()`/`findall()` results of model text, with no length check.",
        full=("`reply.split(\"Action:\")[1]`, `re.findall(pattern, reply)[0]` and `name, arg = reply.split(\":\")` "
              "assume the model wrote the separator or pattern exactly as many times as the code expects. When it "
              "does not, the index raises IndexError or the unpacking raises ValueError, and the agent crashes on "
              "one off-format reply."),
        bad_example='tool, arg = reply.split("Action Input:")',
        good_example=('parts = reply.split("Action Input:", 1)\nif len(parts) != 2:\n'
                      '    return ask_again()\ntool, arg = parts'),
        fix="Check the number of parts (or that the separator is in the text) before indexing, or catch IndexError/ValueError.",
        tags=("parsing",),
    )

    def check(self, graph) -> Iterable[Finding]:
        for use in query.text_uses(graph):
            if use.kind not in ("index", "unpack") or use.guard:
                continue
            src = query.describe_llm_source(graph, use.llm)
            if use.kind == "index":
                err = "IndexError"
                what = f"indexes the result of `{use.op}` over model output ({src}) at a position that may not exist"
            else:
                err = "ValueError"
                what = (f"unpacks the result of `{use.op}` over model output ({src}) into "
                        f"{len(use.expr.elts)} names")  # type: ignore[attr-defined]
            yield self.finding(
                graph, use.path, use.expr.pos,
                f"This {what}; when the reply lacks the expected separator or pattern it raises {err}. Check "
                f"the length (or that the separator is present) first and re-prompt or fall back.",
                flow=query.flow_steps(graph, use.llm, (use.path, use.expr.pos, f"fixed position of {use.op}()")),
            )
