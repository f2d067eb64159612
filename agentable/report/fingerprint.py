"""Fingerprints that let GitHub and the baseline recognise a finding across runs.

Two keys:
- `primaryLocationLineHash`: GitHub's own key, reproduced from codeql-action
  (`src/fingerprints.ts`) so uploads through the API match what upload-sarif would compute.
- `agentable/v1`: our key for baselines. It hashes the rule, the flagged line's text and the
  path, never the line number, so findings survive unrelated edits above them.
"""

from __future__ import annotations

import hashlib
import re
import sys
from array import array
from collections import Counter
from typing import TYPE_CHECKING, Sequence

from agentable.findings import Finding
from agentable.report.common import ordered

if TYPE_CHECKING:
    from agentable.scan_result import ScanResult

_BLOCK_SIZE = 100
_MOD = 37
_MASK = (1 << 64) - 1  # codeql uses a wrapping signed 64-bit Long, printed unsigned
_FIRST_MOD = pow(_MOD, _BLOCK_SIZE, 1 << 64)
_EOF = 0xFFFF  # JavaScript's EOF marker in the original
_LF = 10


def _utf16_units(text: str) -> array:
    # JavaScript's charCodeAt yields UTF-16 code units; non-BMP characters count twice.
    units = array("H", text.encode("utf-16-le"))
    if sys.byteorder == "big":
        units.byteswap()
    return units


def text_line_hashes(text: str) -> list[str]:
    """codeql-action's hash of every line of `text`: element i belongs to line i + 1.

    Each hash is a base-37 polynomial, mod 2^64, over the 100 UTF-16 units from the start of
    its line in a stream where spaces and tabs are dropped, CR and CRLF become LF, and an EOF
    unit (0xFFFF) then zeros follow the text; `:n` numbers repeated hashes in line order.
    Computed from prefix hashes instead of codeql's rolling window: same values, far fewer
    Python steps.
    """
    normalized = text.replace("\r\n", "\n").replace("\r", "\n").replace(" ", "").replace("\t", "")
    units = _utf16_units(normalized)
    # A line starts at 0 and after every LF; a text ending in LF has a last line holding only EOF.
    starts = [0] + [i + 1 for i, unit in enumerate(units) if unit == _LF]
    units.append(_EOF)
    units.extend([0] * _BLOCK_SIZE)
    prefix = [0] * (len(units) + 1)
    acc = 0
    for i, unit in enumerate(units):
        acc = (acc * _MOD + unit) & _MASK
        prefix[i + 1] = acc
    counts: Counter[str] = Counter()
    out = []
    for start in starts:
        value = format((prefix[start + _BLOCK_SIZE] - prefix[start] * _FIRST_MOD) & _MASK, "x")
        counts[value] += 1
        out.append(f"{value}:{counts[value]}")
    return out


def join_lines(lines: Sequence[str]) -> str:
    """Rebuild file text from `ScanResult.sources` lines, with or without their line ends.

    Without line ends we assume the file ended with a newline (the common case); that only
    matters for lines within 100 characters of the end of the file.
    """
    if any(line.endswith(("\n", "\r")) for line in lines):
        return "".join(lines)
    return "\n".join(lines) + "\n" if lines else ""


def line_hashes(lines: Sequence[str]) -> list[str]:
    """primaryLocationLineHash of every line; element i belongs to line i + 1."""
    return text_line_hashes(join_lines(lines))


def line_hash(lines: Sequence[str], line_no: int) -> str:
    """GitHub's primaryLocationLineHash for 1-based `line_no` (the whole file is needed for `:n`)."""
    hashes = line_hashes(lines)
    if not 1 <= line_no <= len(hashes):
        raise IndexError(f"line {line_no} outside 1..{len(hashes)}")
    return hashes[line_no - 1]


# A trailing suppression comment must not change the key, or suppressing a baselined
# finding would make it look new.
_SUPPRESSION_COMMENT = re.compile(r"#\s*(?:agentable\s*:|noqa\b).*$", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def normalize_line(line_text: str) -> str:
    """The flagged line as the key sees it: no suppression comment, no whitespace."""
    return _WHITESPACE.sub("", _SUPPRESSION_COMMENT.sub("", line_text))


def fingerprint_key(finding: Finding, line_text: str) -> str:
    """hash(rule, normalized line, path): what identical findings share."""
    digest = hashlib.sha256()
    for part in (finding.rule_id, normalize_line(line_text), finding.span.path):
        # surrogatepass: a file name that is not UTF-8 reaches us with surrogates (os.fsdecode)
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")  # separator, so ("ab", "c") and ("a", "bc") differ
    return digest.hexdigest()[:32]


def finding_fingerprint(finding: Finding, line_text: str, occurrence: int = 1) -> str:
    """The stable `agentable/v1` key: `fingerprint_key` plus `:occurrence`.

    `occurrence` tells apart identical keys (the n-th such finding in file order, 1-based).
    """
    return f"{fingerprint_key(finding, line_text)}:{occurrence}"


def flagged_line(finding: Finding, sources: dict[str, list[str]]) -> str:
    """Text of the finding's first line: from the sources, else from its snippet."""
    lines = sources.get(finding.span.path)
    if lines and 1 <= finding.span.line <= len(lines):
        return lines[finding.span.line - 1].rstrip("\r\n")
    return finding.snippet.splitlines()[0] if finding.snippet else ""


def assign_fingerprints(result: "ScanResult") -> None:
    """Fill `finding.fingerprint` for every finding, numbering repeats in file order."""
    seen: Counter[str] = Counter()
    for finding in ordered(result.findings):
        key = fingerprint_key(finding, flagged_line(finding, result.sources))
        seen[key] += 1
        finding.fingerprint = f"{key}:{seen[key]}"
