"""A hand-built ScanResult shared by the report tests.

Two files: `src/agent.py` (plain ASCII) and `my dir/tool ü.py` (a space and non-ASCII in the
path, accented and CJK text in the source). Four findings: one with a flow and a checker
reason, two warnings, and one suppressed. Two notifications.
"""

from __future__ import annotations

from pathlib import Path

from agentable.findings import Finding, FlowStep, Notification, Severity, Span
from agentable.rules.base import RuleMeta
from agentable.scan_result import ScanResult

AGENT = "src/agent.py"
TOOL = "my dir/tool ü.py"

SOURCES: dict[str, list[str]] = {
    AGENT: [
        "import json",
        "",
        "def run(client):",
        '    reply = client.chat("hi")',
        "    data = json.loads(reply)",
        "    return data",
    ],
    TOOL: [
        "def tool(q):",
        '    résumé = llm("résumé: 你好")',
        "    return json.loads(résumé)  # agentable: ignore[LOPE001]",
    ],
}

JSON_RULE = RuleMeta(
    id="LOPE001",
    name="unguarded-json-parse-of-llm-output",
    category="LOPE",
    severity=Severity.ERROR,
    short="Model output is parsed as JSON without a guard.",
    full="json.loads on raw model output raises on the first malformed reply and aborts the agent.",
    bad_example="data = json.loads(reply)\n",
    good_example="try:\n    data = json.loads(reply)\nexcept json.JSONDecodeError:\n    data = None\n",
    fix="Wrap the parse in try/except and re-ask the model on failure.",
    tags=("json", "parsing"),
)
RETRY_RULE = RuleMeta(
    id="MNFT002",
    name="llm-call-without-retry",
    category="MNFT",
    severity=Severity.WARNING,
    short="An LLM call has no retry.",
    full="A transient API error ends the whole agent run when the call is not retried.",
    bad_example='client.chat("hi")',
    good_example='with_retry(client.chat, "hi")',
    fix="Retry with backoff.",
    precision="medium",
)
# Listed first and never reported, so that ruleIndex 0 is wrong for every result.
UNUSED_RULE = RuleMeta(
    id="ALS001",
    name="stop-sequence-missing",
    category="ALS",
    severity=Severity.NOTE,
    short="No stop sequence.",
    full="The agent relies on a protocol marker but never sets it as a stop sequence.",
    bad_example="",
    good_example="",
    fix="Pass stop=[...].",
)


def span_of(path: str, line: int, needle: str, lines: dict[str, list[str]] = SOURCES) -> Span:
    """The span of the first `needle` on `line`, in 1-based character columns."""
    col = lines[path][line - 1].index(needle) + 1
    return Span(path, line, col, line, col + len(needle))


def make_findings() -> list[Finding]:
    parse = Finding(
        rule_id="LOPE001",
        message="Model output parsed with json.loads without a guard",
        span=span_of(AGENT, 5, "json.loads(reply)"),
        severity=Severity.ERROR,
        category="LOPE",
        flow=(
            FlowStep(span_of(AGENT, 4, "reply"), "reply comes from the model"),
            FlowStep(span_of(AGENT, 5, "reply"), "reply is parsed here"),
        ),
        snippet=SOURCES[AGENT][4],
        checker_reason="the prompt asks for free text",
    )
    retry = Finding(
        rule_id="MNFT002",
        message="LLM call without retry",
        span=span_of(AGENT, 4, 'client.chat("hi")'),
        severity=Severity.WARNING,
        category="MNFT",
        snippet=SOURCES[AGENT][3],
    )
    retry_tool = Finding(
        rule_id="MNFT002",
        message="LLM call without retry",
        span=span_of(TOOL, 2, 'llm("résumé: 你好")'),
        severity=Severity.WARNING,
        category="MNFT",
        snippet=SOURCES[TOOL][1],
    )
    suppressed = Finding(
        rule_id="LOPE001",
        message="Model output parsed with json.loads without a guard",
        span=span_of(TOOL, 3, "json.loads(résumé)"),
        severity=Severity.ERROR,
        category="LOPE",
        snippet=SOURCES[TOOL][2],
        suppressed=True,
    )
    return sorted([parse, retry, retry_tool, suppressed], key=Finding.sort_key)


def make_result(findings: list[Finding] | None = None, **changes: object) -> ScanResult:
    result = ScanResult(
        root=Path("/srv/proj"),
        findings=make_findings() if findings is None else findings,
        notifications=[
            Notification("could not parse file", path="broken.py", level="warning", kind="parse"),
            Notification("LLM endpoint unreachable", level="note", kind="llm"),
        ],
        rules=[UNUSED_RULE, JSON_RULE, RETRY_RULE],
        files_scanned=2,
        lines_scanned=9,
        duration_s=0.25,
        sources={path: list(lines) for path, lines in SOURCES.items()},
    )
    for key, value in changes.items():
        setattr(result, key, value)
    return result
