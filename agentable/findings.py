"""Plain value classes shared by the graph, the rules and the reporters."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Ordered so that `severity >= Severity.WARNING` reads naturally."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.strip().upper()]


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a file. Lines and columns are 1-based; columns count characters; end_col is exclusive."""

    path: str  # relative to the scan root, with forward slashes
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True, slots=True)
class FlowStep:
    """One step of a data-flow path shown with a finding (SARIF codeFlows)."""

    span: Span
    message: str


@dataclass(slots=True)
class Finding:
    rule_id: str
    message: str
    span: Span
    severity: Severity
    category: str = ""
    flow: tuple[FlowStep, ...] = ()
    # Source text of the flagged line, filled by the scanner for reports and fingerprints.
    snippet: str = ""
    fingerprint: str = ""
    suppressed: bool = False
    # Reason given by the natural-language checker, when it contributed.
    checker_reason: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.path, self.span.line, self.span.col, self.rule_id)


@dataclass(frozen=True, slots=True)
class Notification:
    """A problem with the scan itself (unreadable file, rule crash, unreachable LLM)."""

    message: str
    path: str = ""
    level: str = "warning"  # SARIF notification level: error | warning | note
    kind: str = "scan"  # parse | read | rule | llm | config | manifest | artifact
