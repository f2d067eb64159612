"""The outcome of one scan, as the reporters and the CLI see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from agentable.findings import Finding, Notification
from agentable.rules.base import RuleMeta


@dataclass
class ScanResult:
    root: Path  # the scanned root; finding paths are relative to it
    findings: list[Finding]  # sorted, suppressed ones included (finding.suppressed)
    notifications: list[Notification]
    rules: list[RuleMeta]  # the rules that ran, in catalog order
    files_scanned: int = 0
    lines_scanned: int = 0
    duration_s: float = 0.0
    # path -> source lines, for the files that have findings (snippets, fingerprints)
    sources: dict[str, list[str]] = field(default_factory=dict)
    llm_summary: str = ""  # one line from the NL checker, when it ran
    baseline_hidden: int = 0  # findings removed because the --baseline file lists them

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]
