"""Report writers: text for people, JSON for scripts, SARIF for GitHub code scanning.

Writers are imported when used: the SARIF object model (sarif-om/attrs) costs a noticeable part of
a pre-commit run that only prints text.
"""

from __future__ import annotations

import importlib
import re
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
    return _encodable(writer(result, **opts) if fmt == "text" else writer(result), fmt)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(report: str, fmt: str) -> str:
    """A file name that is not UTF-8 reaches the report as lone surrogates (os.fsdecode), which
    no UTF-8 output can hold: JSON and SARIF get them as \\u escapes (a JSON reader gets the
    same string back), text as the escapes of the name's bytes (`bad\\xffname.py`)."""
    if not _SURROGATE.search(report):
        return report
    return _SURROGATE.sub(_text_escape if fmt == "text" else _json_escape, report)


def _json_escape(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"


def _text_escape(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


__all__ = ["FORMATS", "assign_fingerprints", "render"]
