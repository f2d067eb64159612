"""LOPE004: a key of a structure parsed from model text is read without a KeyError guard."""

from __future__ import annotations

from typing import Iterable

from agentable import query
from agentable.findings import Finding, Severity
from agentable.rules.base import Rule, RuleMeta


class UncheckedParsedKey(Rule):
    meta = RuleMeta(
        id="LOPE004",
        name="unchecked-key-of-parsed-llm-output",
        category="LOPE",
        severity=Severity.WARNING,
        short="A key of JSON parsed from model text is read with `[...]` and no guard, although the parse itself is guarded.",
        full=("Guarding `json.loads` only covers text that is not JSON. A model that returns valid JSON with a "
              "missing or renamed field (\"tool\" instead of \"action\"), or a list instead of an object, makes "
              "`data[\"action\"]` raise KeyError/TypeError outside the handler. Without a schema (pydantic, "
              "structured outputs) every field the code reads needs a check."),
        bad_example=('try:\n    step = json.loads(reply)\nexcept json.JSONDecodeError:\n    return retry()\n'
                     'tool = step["action"]'),
        good_example=('try:\n    step = Step.model_validate_json(reply)\nexcept ValidationError:\n    return retry()\n'
                      'tool = step.action'),
        fix="Validate the parsed object with a schema (pydantic) or use `.get()` / catch KeyError and TypeError.",
        tags=("parsing", "json"),
    )

    def check(self, graph) -> Iterable[Finding]:
        for use in query.text_uses(graph):
            if use.kind != "key" or use.guard:
                continue
            var = f"`{use.name}`" if use.name else "the parsed value"
            how = getattr(use.source, "how", "a parser")
            yield self.finding(
                graph, use.path, use.expr.pos,
                f"{var} is parsed from model output with `{how}` ({query.describe_llm_source(graph, use.llm)}) and "
                f"its key {use.op} is read with no check: a reply without that field raises KeyError (TypeError if "
                f"the JSON is not an object) outside the parse handler. Use `.get({use.op})`, check the key, or "
                f"validate with a schema.",
                flow=query.flow_steps(graph, use.source, (use.path, use.expr.pos, f"key {use.op} read")),
            )
