"""What every rule is: its documentation (metadata) beside a query over the project graph, and
the context a rule's `check` is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar, Iterable, Mapping, Optional

from agentable.findings import Finding, FlowStep, Severity
from agentable.paths import reported_in

if TYPE_CHECKING:  # the graph imports nothing from rules
    from agentable.catalog import Catalog
    from agentable.cpg.project import ProjectGraph
    from agentable.nl_check import Checker


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


_NO_OPTIONS: Mapping[str, object] = MappingProxyType({})


@dataclass(frozen=True)
class RuleContext:
    """Everything one run of one rule may use: the project graph (with the catalog), the
    natural-language checker (always there: the offline one unless an LLM is configured), the
    rule's own options (read-only; empty unless the caller sets some for the rule), whether
    findings in test code are reported (`--include-tests`): when not, the scan drops them, so a
    rule need not ask the checker about test code; and where findings are reported at all
    (`report_only`, the files a pre-commit run names; None: everywhere): a rule may skip work
    whose findings could only land elsewhere (`reports_in`)."""

    graph: "ProjectGraph"
    checker: "Checker"
    options: Mapping[str, object] = field(default_factory=lambda: _NO_OPTIONS)
    include_tests: bool = False
    report_only: Optional[frozenset[str]] = None

    def reports_in(self, path: str) -> bool:
        """Is a finding at `path` (relative to the root) reported by this run?"""
        return reported_in(path, self.report_only)

    @property
    def catalog(self) -> "Catalog":
        return self.graph.catalog

    @classmethod
    def of(cls, graph: "ProjectGraph", checker: Optional["Checker"] = None,
           options: Optional[Mapping[str, object]] = None, include_tests: bool = False,
           report_only: Optional[frozenset[str]] = None) -> "RuleContext":
        """The context for `graph`: the offline checker when none is given."""
        return cls(graph, checker if checker is not None else offline_checker(),
                   MappingProxyType(dict(options)) if options else _NO_OPTIONS, include_tests, report_only)


def offline_checker() -> "Checker":
    """The deterministic checker: answers from evidence in the code, never calls a model."""
    from agentable.nl_check import Checker

    return Checker()


class Rule:
    """Subclass, set `meta`, implement `check`. The registry finds it; nothing else to edit."""

    meta: ClassVar[RuleMeta]

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(
        self,
        ctx: RuleContext,
        module_path: str,
        pos: tuple[int, int, int, int],
        message: str,
        *,
        severity: Severity | None = None,
        flow: Iterable[FlowStep] = (),
        **extra: object,
    ) -> Finding:
        span = ctx.graph.span(module_path, pos)
        return Finding(
            rule_id=self.meta.id,
            message=message,
            span=span,
            severity=severity if severity is not None else self.meta.severity,
            category=self.meta.category,
            flow=tuple(flow),
            extra=dict(extra),
        )
