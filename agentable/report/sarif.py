"""SARIF 2.1.0 report, shaped for GitHub code scanning (ecosystem notes §3.3)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import sarif_om as om

from agentable import __version__
from agentable.findings import Finding, FlowStep, Notification, Severity, Span
from agentable.report.common import full_message, ordered, span_lines
from agentable.report.fingerprint import assign_fingerprints, line_hashes
from agentable.report.sarif_json import to_json_obj
from agentable.rules.base import RuleMeta
from agentable.scan_result import ScanResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/agentable/agentable"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "agentable/v1"
AUTOMATION_ID = "agentable/"

# GitHub limits (docs: sarif-limits).
MAX_RESULTS = 25_000
MAX_FLOW_LOCATIONS = 1_000
MAX_TAGS = 20
MAX_DESCRIPTION = 1_024
MAX_NAME = 255

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "recommendation"}
_NOTIFICATION_LEVELS = frozenset({"none", "note", "warning", "error"})


def render_sarif(result: ScanResult) -> str:
    # Compact: json's C encoder is only used without indent (3x faster on 10k results), and
    # the upload limit is on size.
    return json.dumps(build_sarif(result), ensure_ascii=False, separators=(",", ":")) + "\n"


def build_sarif(result: ScanResult) -> dict:
    """The SARIF log as a JSON-ready dict. Fills missing `finding.fingerprint`s in place."""
    if not all(f.fingerprint for f in result.findings):
        assign_fingerprints(result)
    rules = _rules_for(result)
    index = {meta.id: i for i, meta in enumerate(rules)}
    kept, notifications = _apply_result_limit(ordered(result.findings), list(result.notifications))
    hashes = {path: line_hashes(lines) for path, lines in result.sources.items()}
    run = om.Run(
        tool=om.Tool(driver=_driver(rules)),
        results=[_result(f, index, result.sources, hashes) for f in kept],
        invocations=[_invocation(notifications)],
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=_dir_uri(_repository_root(result.root)))},
        column_kind="unicodeCodePoints",
        automation_details=om.RunAutomationDetails(id=AUTOMATION_ID),
    )
    log = to_json_obj(om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run]))
    prefix = _relative_dir(result.root, _repository_root(result.root))
    if prefix:
        _rebase(log["runs"][0], quote(prefix, safe="/"))
    return {"$schema": log.pop("$schema"), "version": log.pop("version"), **log}


# --- rules -------------------------------------------------------------------------------


def _rules_for(result: ScanResult) -> list[RuleMeta]:
    """The rules that ran, plus a stub for any finding whose rule is missing (GitHub needs one)."""
    rules = list(result.rules)
    known = {meta.id for meta in rules}
    for finding in ordered(result.findings):
        if finding.rule_id not in known:
            known.add(finding.rule_id)
            rules.append(_stub_rule(finding))
    return rules


def _stub_rule(finding: Finding) -> RuleMeta:
    text = f"Finding reported under rule {finding.rule_id}."
    return RuleMeta(
        id=finding.rule_id, name=f"rule-{finding.rule_id.lower()}", category=finding.category,
        severity=finding.severity, short=text, full=text, bad_example="", good_example="", fix="",
    )


def _driver(rules: list[RuleMeta]) -> om.ToolComponent:
    return om.ToolComponent(
        name="agentable",
        semantic_version=__version__,
        version=__version__,
        information_uri=INFORMATION_URI,
        rules=[_descriptor(meta) for meta in rules],
    )


def _descriptor(meta: RuleMeta) -> om.ReportingDescriptor:
    tags = list(dict.fromkeys(t for t in (meta.category, "agent", *meta.tags) if t))[:MAX_TAGS]
    return om.ReportingDescriptor(
        id=meta.id,
        name=meta.name[:MAX_NAME],
        short_description=om.MultiformatMessageString(text=_clip(meta.short)),
        full_description=om.MultiformatMessageString(text=_clip(meta.full or meta.short)),
        help=om.MultiformatMessageString(text=_help_text(meta), markdown=_help_markdown(meta)),
        default_configuration=om.ReportingConfiguration(level=LEVELS[meta.severity]),
        properties={
            "tags": tags,
            "precision": meta.precision,
            "problem.severity": PROBLEM_SEVERITY[meta.severity],
        },
    )


def _clip(text: str, limit: int = MAX_DESCRIPTION) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _help_text(meta: RuleMeta) -> str:
    parts = [meta.full or meta.short]
    if meta.fix:
        parts.append(f"Fix: {meta.fix}")
    for title, code in (("Bad", meta.bad_example), ("Good", meta.good_example)):
        if code.strip():
            parts.append(f"{title}:\n" + "\n".join("    " + line for line in code.strip("\n").splitlines()))
    return "\n\n".join(parts)


def _help_markdown(meta: RuleMeta) -> str:
    parts = [meta.full or meta.short]
    if meta.fix:
        parts.append(f"**Fix:** {meta.fix}")
    for title, code in (("Bad", meta.bad_example), ("Good", meta.good_example)):
        if code.strip():
            parts.append(f"**{title}:**\n\n{_fenced(code.strip(chr(10)))}")
    return "\n\n".join(parts)


def _fenced(code: str) -> str:
    # The fence must be longer than any backtick run inside the example.
    longest, run = 0, 0
    for ch in code:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}python\n{code}\n{fence}"


# --- results -----------------------------------------------------------------------------


def _apply_result_limit(
    findings: list[Finding], notifications: list[Notification]
) -> tuple[list[Finding], list[Notification]]:
    """Keep at most MAX_RESULTS, dropping suppressed, then lowest-severity findings first."""
    if len(findings) <= MAX_RESULTS:
        return findings, notifications
    rank = sorted(range(len(findings)), key=lambda i: (findings[i].suppressed, -findings[i].severity))
    keep = sorted(rank[:MAX_RESULTS])
    dropped = len(findings) - MAX_RESULTS
    note = Notification(
        message=f"{dropped} results were left out: GitHub accepts at most {MAX_RESULTS} per run "
        "(suppressed and lowest-severity results went first).",
        level="warning",
        kind="report",
    )
    return [findings[i] for i in keep], [*notifications, note]


def _result(
    finding: Finding,
    index: dict[str, int],
    sources: dict[str, list[str]],
    hashes: dict[str, list[str]],
) -> om.Result:
    fingerprints = {FINGERPRINT_KEY: finding.fingerprint}
    file_hashes = hashes.get(finding.span.path, [])
    if 1 <= finding.span.line <= len(file_hashes):
        fingerprints["primaryLocationLineHash"] = file_hashes[finding.span.line - 1]
    flow = finding.flow[:MAX_FLOW_LOCATIONS]
    return om.Result(
        rule_id=finding.rule_id,
        rule_index=index[finding.rule_id],
        level=LEVELS[finding.severity],
        message=om.Message(text=full_message(finding)),
        locations=[om.Location(physical_location=_physical(finding.span, _region_text(finding, sources)))],
        partial_fingerprints=fingerprints,
        code_flows=[_code_flow(finding, flow)] if flow else None,
        suppressions=[om.Suppression(kind="inSource")] if finding.suppressed else None,
    )


def _code_flow(finding: Finding, flow: tuple[FlowStep, ...]) -> om.CodeFlow:
    steps = [
        om.ThreadFlowLocation(
            location=om.Location(physical_location=_physical(step.span), message=om.Message(text=step.message))
        )
        for step in flow
    ]
    return om.CodeFlow(
        message=om.Message(text=finding.message),
        thread_flows=[om.ThreadFlow(locations=steps)],
    )


def _physical(span: Span, snippet: str = "") -> om.PhysicalLocation:
    return om.PhysicalLocation(artifact_location=_artifact(span.path), region=_region(span, snippet))


def _artifact(path: str) -> om.ArtifactLocation:
    """A URI relative to %SRCROOT%: forward slashes, percent-encoded (spaces, non-ASCII)."""
    # surrogateescape: a file name that is not UTF-8 gets its own bytes percent-encoded
    return om.ArtifactLocation(uri=quote(path.replace("\\", "/"), safe="/", errors="surrogateescape"), uri_base_id=SRCROOT)


def _region(span: Span, snippet: str) -> om.Region:
    start_line = max(span.line, 1)
    start_col = max(span.col, 1)
    end_line = max(span.end_line, start_line)
    end_col = max(span.end_col, 1)
    if end_line == start_line:
        end_col = max(end_col, start_col)  # SARIF regions cannot end before they start
    return om.Region(
        start_line=start_line,
        start_column=start_col,
        end_line=end_line,
        end_column=end_col,
        snippet=om.ArtifactContent(text=snippet) if snippet else None,
    )


def _region_text(finding: Finding, sources: dict[str, list[str]]) -> str:
    """The exact text of the region, from the sources or else from the flagged line's snippet."""
    span = finding.span
    lines = span_lines(span, sources)
    if not lines and finding.snippet and span.end_line == span.line:
        lines = finding.snippet.splitlines()[:1]
    if not lines:
        return ""
    if len(lines) == 1:
        return lines[0][span.col - 1 : span.end_col - 1]
    return "\n".join([lines[0][span.col - 1 :], *lines[1:-1], lines[-1][: span.end_col - 1]])


# --- invocation --------------------------------------------------------------------------


def _invocation(notifications: list[Notification]) -> om.Invocation:
    # A ScanResult exists only for a scan that ran to its end; per-file trouble is a notification.
    return om.Invocation(
        execution_successful=True,
        tool_execution_notifications=[_notification(n) for n in notifications] or None,
        working_directory=om.ArtifactLocation(uri=_dir_uri(Path.cwd())),
    )


def _notification(note: Notification) -> om.Notification:
    location = om.Location(physical_location=om.PhysicalLocation(artifact_location=_artifact(note.path)))
    return om.Notification(
        message=om.Message(text=note.message),
        level=note.level if note.level in _NOTIFICATION_LEVELS else "warning",
        descriptor=om.ReportingDescriptorReference(id=note.kind),
        locations=[location] if note.path else None,
    )


def _dir_uri(path: Path) -> str:
    # Base URIs must end with a slash, or relative URIs resolve against the parent.
    return Path(path).resolve().as_uri().rstrip("/") + "/"


def _repository_root(root: Path) -> Path:
    """The folder GitHub resolves relative URIs against: the nearest one at or above the scan
    root holding `.git` (a folder, or a file in a worktree); the scan root outside git."""
    root = Path(root).resolve()
    return next((folder for folder in (root, *root.parents) if (folder / ".git").exists()), root)


def _relative_dir(root: Path, top: Path) -> str:
    rel = Path(root).resolve().relative_to(top).as_posix()
    return "" if rel == "." else rel + "/"


def _rebase(node: object, prefix: str) -> None:
    """Make every %SRCROOT%-relative URI relative to the repository root instead of the scan root."""
    if isinstance(node, dict):
        if node.get("uriBaseId") == SRCROOT and isinstance(node.get("uri"), str):
            node["uri"] = prefix + node["uri"]
        for value in node.values():
            _rebase(value, prefix)
    elif isinstance(node, list):
        for item in node:
            _rebase(item, prefix)
