"""Human-readable report in the manner of ruff: one block per finding, then a summary."""

from __future__ import annotations

import unicodedata
from typing import Callable

import click

from agentable.findings import Finding, Severity
from agentable.report.common import (
    count_by_rule,
    full_message,
    ordered,
    plural,
    rules_by_id,
    span_lines,
)
from agentable.rules.base import RuleMeta
from agentable.scan_result import ScanResult

_MAX_SOURCE_LINES = 5  # longer spans show their first lines and an ellipsis
_TAB_SIZE = 4
_SEVERITY_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "blue"}

Style = Callable[..., str]


def _styler(color: bool) -> Style:
    if color:
        return click.style
    return lambda text, **_: text


def render_text(
    result: ScanResult,
    *,
    color: bool = False,
    show_source: bool = True,
    statistics: bool = False,
) -> str:
    style = _styler(color)
    rules = rules_by_id(result)
    active = ordered(result.active)
    if statistics:
        table = _rule_table(active, rules, style)
        return "\n".join(table) + "\n" if table else "No findings.\n"
    blocks = [_finding_block(f, result, style, show_source) for f in active]
    blocks.append(_summary(result, active, rules, style))
    return "\n\n".join(block for block in blocks if block) + "\n"


def _finding_block(finding: Finding, result: ScanResult, style: Style, show_source: bool) -> str:
    span = finding.span
    sev = finding.severity
    lines = [
        f"{style(span.path, bold=True)}:{span.line}:{span.col}: "
        f"{style(finding.rule_id, fg='red', bold=True)} "
        f"[{style(sev.label, fg=_SEVERITY_COLORS.get(sev))}] {full_message(finding)}"
    ]
    if show_source:
        lines += _source_excerpt(finding, result.sources, style)
    for step in finding.flow:
        arrow = style("↳", fg="cyan")
        lines.append(f"  {arrow} {step.span.path}:{step.span.line}: {step.message}")
    return "\n".join(lines)


def _source_excerpt(finding: Finding, sources: dict[str, list[str]], style: Style) -> list[str]:
    """Numbered source lines with carets under the flagged characters."""
    span = finding.span
    covered = span_lines(span, sources)
    if not covered:
        covered = finding.snippet.splitlines()
    if not covered:
        return []
    shown = covered[:_MAX_SOURCE_LINES]
    gutter = len(str(span.line + len(shown) - 1))
    out = [f"{'':>{gutter}} |"]
    for offset, text in enumerate(shown):
        line_no = span.line + offset
        start = span.col if offset == 0 else _first_non_blank(text)
        end = span.end_col if line_no == span.end_line else len(text) + 1
        pad, width = _caret_position(text, start, end)
        out.append(f"{line_no:>{gutter}} | {text.expandtabs(_TAB_SIZE)}")
        out.append(f"{'':>{gutter}} | {' ' * pad}{style('^' * width, fg='red', bold=True)}")
    if len(covered) > len(shown):
        out.append(f"{'':>{gutter}} | ...")
    return out


def _first_non_blank(text: str) -> int:
    return len(text) - len(text.lstrip()) + 1


def _caret_position(text: str, start_col: int, end_col: int) -> tuple[int, int]:
    """Terminal cells before the span and under it; wide (CJK) characters take two cells."""
    start = max(start_col - 1, 0)
    end = max(end_col - 1, start)
    before = _cells(text[:start].expandtabs(_TAB_SIZE))
    upto = _cells(text[:end].expandtabs(_TAB_SIZE))
    return before, max(upto - before, 1)


def _cells(text: str) -> int:
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _rule_table(active: list[Finding], rules: dict[str, RuleMeta], style: Style) -> list[str]:
    counts = count_by_rule(active)
    if not counts:
        return []
    num_w = max(len(str(n)) for _, n in counts)
    id_w = max(len(rule_id) for rule_id, _ in counts)
    rows = []
    for rule_id, n in counts:
        name = rules[rule_id].name if rule_id in rules else ""
        rule = style(f"{rule_id:<{id_w}}", fg="red", bold=True)
        rows.append(f"  {n:>{num_w}}  {rule}  {name}".rstrip())
    return rows


def _summary(result: ScanResult, active: list[Finding], rules: dict[str, RuleMeta], style: Style) -> str:
    suppressed = len(result.findings) - len(active)
    where = (
        f"in {plural(result.files_scanned, 'file')}, {plural(result.lines_scanned, 'line')}, "
        f"{result.duration_s:.2f} s."
    )
    extra = f" ({suppressed} suppressed)" if suppressed else ""
    if active:
        total = style(f"Found {plural(len(active), 'finding')}", bold=True)
        lines = [*_rule_table(active, rules, style), f"{total}{extra} {where}"]
    else:
        lines = [f"{style('No findings', fg='green', bold=True)}{extra} {where}"]
    if result.llm_summary:
        lines.append(result.llm_summary)
    if result.notifications:
        lines.append("")
        lines += _notifications(result, style)
    return "\n".join(lines)


def _notifications(result: ScanResult, style: Style) -> list[str]:
    colors = {"error": "red", "warning": "yellow", "note": "blue"}
    width = max(len(n.level) for n in result.notifications)
    lines = [style(f"{plural(len(result.notifications), 'notification')}:", bold=True)]
    for note in result.notifications:
        level = style(f"{note.level:<{width}}", fg=colors.get(note.level))
        where = f"{note.path}: " if note.path else ""
        lines.append(f"  {level}  {where}{note.message} ({note.kind})")
    return lines
