"""Report writers: text for people, JSON for scripts, SARIF for GitHub code scanning.

Writers are imported when used: the SARIF object model (sarif-om/attrs) costs a noticeable part of
a pre-commit run that only prints text.
"""

from __future__ import annotations

import importlib
from typing import Any

from agentable.report.fingerprint import assign_fingerprints
from agentable.scan_result import ScanResult

# format -> (module, function)
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("agentable.report.text", "render_text"),
    "json": ("agentable.report.json_report", "render_json"),
    "sarif": ("agentable.report.sarif", "render_sarif"),
}


def render(result: ScanResult, fmt: str, **opts: Any) -> str:
    """Render `result` as "text", "json" or "sarif"; `opts` go to the text writer only."""
    try:
        module, name = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
    writer = getattr(importlib.import_module(module), name)
    return writer(result, **opts) if fmt == "text" else writer(result)


__all__ = ["FORMATS", "assign_fingerprints", "render"]
