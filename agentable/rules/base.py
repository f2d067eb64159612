"""What every rule is: its documentation (metadata) beside a query over the project graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Iterable

from agentable.findings import Finding, FlowStep, Severity

if TYPE_CHECKING:  # the graph imports nothing from rules
    from agentable.cpg.project import ProjectGraph


@dataclass(frozen=True)
class RuleMeta:
    id: str  # category code + three digits, e.g. "LOPE001"
    name: str  # kebab-case, distinct from the id, e.g. "unguarded-json-parse-of-llm-output"
    category: str  # one of agentable.rules.categories.CATEGORIES
    severity: Severity
    short: str  # one sentence: what is wrong
    full: str  # a paragraph: what, and why it breaks agents
    bad_example: str  # defective code
    good_example: str  # the fixed code
    fix: str  # how to fix, one or two sentences
    tags: tuple[str, ...] = ()
    precision: str = "high"  # SARIF precision: very-high | high | medium | low


class Rule:
    """Subclass, set `meta`, implement `check`. The registry finds it; nothing else to edit."""

    meta: ClassVar[RuleMeta]

    def check(self, graph: "ProjectGraph") -> Iterable[Finding]:
        raise NotImplementedError

    def finding(
        self,
        graph: "ProjectGraph",
        module_path: str,
        pos: tuple[int, int, int, int],
        message: str,
        *,
        severity: Severity | None = None,
        flow: Iterable[FlowStep] = (),
        **extra: object,
    ) -> Finding:
        span = graph.span(module_path, pos)
        return Finding(
            rule_id=self.meta.id,
            message=message,
            span=span,
            severity=severity if severity is not None else self.meta.severity,
            category=self.meta.category,
            flow=tuple(flow),
            extra=dict(extra),
        )
