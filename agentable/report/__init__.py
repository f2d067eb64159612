"""Report writers: text for people, JSON for scripts, SARIF for GitHub code scanning."""

from __future__ import annotations

from typing import Any, Callable

from agentable.report.fingerprint import assign_fingerprints
from agentable.report.json_report import render_json
from agentable.report.sarif import build_sarif, render_sarif
from agentable.report.text import render_text
from agentable.scan_result import ScanResult

FORMATS: dict[str, Callable[..., str]] = {"text": render_text, "json": render_json, "sarif": render_sarif}


def render(result: ScanResult, fmt: str, **opts: Any) -> str:
    """Render `result` as "text", "json" or "sarif"; `opts` go to the text writer only."""
    try:
        writer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
    return writer(result, **opts) if fmt == "text" else writer(result)


__all__ = ["FORMATS", "assign_fingerprints", "build_sarif", "render", "render_json", "render_sarif", "render_text"]
