"""Baselines: accept today's findings so that only new ones are reported.

A baseline is a set of `agentable/v1` fingerprints (see `report/fingerprint.py`), which hash
the rule, the flagged line's text and the path but not the line number, so a baselined finding
stays hidden when unrelated edits move it. Accepted files:

- our own format, written by `agentable baseline create`:
  `{"version": 1, "tool": "agentable", "fingerprints": {"<fp>": {"rule", "file", "line", "message"}}}`;
- a SARIF report written by agentable (`results[].partialFingerprints["agentable/v1"]`);
- a JSON report written by agentable (`findings[].fingerprint`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from agentable.report.sarif import FINGERPRINT_KEY
from agentable.scan_result import ScanResult

BASELINE_VERSION = 1
DEFAULT_BASELINE = Path("agentable-baseline.json")


def load_fingerprints(path: Path) -> set[str]:
    """The fingerprints a baseline file lists; ValueError when it is missing or not a baseline."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"baseline file {path} does not exist (create it with `agentable baseline create`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read baseline file {path}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"baseline file {path} is not valid JSON: {exc}") from None
    fingerprints = _fingerprints_of(data)
    if fingerprints is None:
        raise ValueError(
            f"{path} is not an agentable baseline: expected a file from `agentable baseline create`, "
            "or a SARIF or JSON report written by agentable")
    return fingerprints


def _fingerprints_of(data: Any) -> set[str] | None:
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("fingerprints"), dict):
        if data.get("version") != BASELINE_VERSION:
            raise ValueError(f"unsupported baseline version {data.get('version')!r} (expected {BASELINE_VERSION})")
        return {str(fp) for fp in data["fingerprints"]}
    if isinstance(data.get("runs"), list):  # SARIF
        out: set[str] = set()
        for run in data["runs"]:
            for res in (run or {}).get("results") or []:
                fp = ((res or {}).get("partialFingerprints") or {}).get(FINGERPRINT_KEY)
                if fp:
                    out.add(str(fp))
        return out
    if isinstance(data.get("findings"), list):  # our JSON report
        return {str(f["fingerprint"]) for f in data["findings"] if isinstance(f, dict) and f.get("fingerprint")}
    return None


def apply_baseline(result: ScanResult, path: Path) -> None:
    """Drop the findings the baseline lists from `result` and count them in `baseline_hidden`."""
    known = load_fingerprints(path)
    kept = [f for f in result.findings if f.fingerprint not in known]
    result.baseline_hidden += sum(1 for f in result.findings if f.fingerprint in known and not f.suppressed)
    result.findings = kept


def baseline_document(result: ScanResult) -> dict[str, Any]:
    """The baseline of `result`'s active findings (suppressed ones need no baseline)."""
    entries = {
        f.fingerprint: {"rule": f.rule_id, "file": f.span.path, "line": f.span.line, "message": f.message}
        for f in sorted(result.active, key=lambda f: f.sort_key())
    }
    return {"version": BASELINE_VERSION, "tool": "agentable", "fingerprints": entries}


def write_baseline(result: ScanResult, path: Path) -> dict[str, Any]:
    doc = baseline_document(result)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # open(), not mkstemp: normal file mode
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # a crash never leaves half a baseline
    return doc


def diff_counts(old: set[str], new: set[str]) -> tuple[int, int]:
    """(added, removed) between two fingerprint sets."""
    return len(new - old), len(old - new)
