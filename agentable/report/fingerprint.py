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
_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13


def _utf16_units(text: str) -> array:
    # JavaScript's charCodeAt yields UTF-16 code units; non-BMP characters count twice.
    units = array("H", text.encode("utf-16-le"))
    if sys.byteorder == "big":
        units.byteswap()
    return units


class _LineHasher:
    """A direct port of codeql-action's `hash()`, kept close to it so it can be checked."""

    def __init__(self) -> None:
        self.window = [0] * _BLOCK_SIZE
        # Line number starting at each window slot, or -1.
        self.line_numbers = [-1] * _BLOCK_SIZE
        self.hash = 0
        self.index = 0
        self.line = 0
        self.line_start = True
        self.prev_cr = False
        self.counts: Counter[str] = Counter()
        self.out: list[str] = []

    def _output(self) -> None:
        value = format(self.hash, "x")
        self.counts[value] += 1
        self.out.append(f"{value}:{self.counts[value]}")
        self.line_numbers[self.index] = -1

    def _update(self, current: int) -> None:
        begin = self.window[self.index]
        self.window[self.index] = current
        self.hash = (_MOD * self.hash + current - _FIRST_MOD * begin) & _MASK
        self.index = (self.index + 1) % _BLOCK_SIZE

    def process(self, current: int) -> None:
        if current in (_SPACE, _TAB) or (self.prev_cr and current == _LF):
            self.prev_cr = False
            return
        self.prev_cr = current == _CR
        if current == _CR:
            current = _LF
        if self.line_numbers[self.index] != -1:
            self._output()
        if self.line_start:
            self.line_start = False
            self.line += 1
            self.line_numbers[self.index] = self.line
        if current == _LF:
            self.line_start = True
        self._update(current)

    def finish(self) -> list[str]:
        self.process(_EOF)
        for _ in range(_BLOCK_SIZE):  # flush the lines still inside the window
            if self.line_numbers[self.index] != -1:
                self._output()
            self._update(0)
        return self.out


def text_line_hashes(text: str) -> list[str]:
    """codeql-action's hash of every line of `text`: element i belongs to line i + 1.

    Each hash covers the next 100 non-blank characters from the start of its line (crossing
    line ends), with spaces/tabs skipped and CR/CRLF read as LF; `:n` numbers repeats.
    """
    hasher = _LineHasher()
    for unit in _utf16_units(text):
        hasher.process(unit)
    return hasher.finish()


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
        digest.update(part.encode("utf-8"))
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
