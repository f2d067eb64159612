"""primaryLocationLineHash (GitHub's algorithm) and the agentable/v1 baseline key."""

from __future__ import annotations

import dataclasses

import pytest
from report_data import AGENT, SOURCES, make_result

from agentable.findings import Finding, Severity, Span
from agentable.report.fingerprint import (
    assign_fingerprints,
    finding_fingerprint,
    line_hash,
    line_hashes,
    normalize_line,
    text_line_hashes,
)

MOD64 = 1 << 64


def poly_hash(units: list[int]) -> str:
    """The window hash written out: sum(c_k * 37^(99-k)) mod 2^64 over 100 units, zero-padded."""
    units = (units + [0] * 100)[:100]
    return format(sum(c * pow(37, 99 - k, MOD64) for k, c in enumerate(units)) % MOD64, "x")


def test_line_hash_matches_hand_computation() -> None:
    # File "x = 1\n": blanks are skipped, so line 1 hashes "x", "=", "1", LF, then EOF (0xFFFF).
    expected = poly_hash([ord("x"), ord("="), ord("1"), 10, 0xFFFF])
    assert line_hash(["x = 1"], 1) == f"{expected}:1"
    # The empty line after the final newline hashes EOF alone; codeql-action's value for it.
    assert poly_hash([0xFFFF]) == "c129715d7a2bc9a3"
    assert line_hashes(["x = 1"]) == [f"{expected}:1", "c129715d7a2bc9a3:1"]


def test_line_hash_covers_only_the_first_100_units() -> None:
    long_line = "".join(chr(ord("a") + i % 26) for i in range(150))
    expected = poly_hash([ord(ch) for ch in long_line[:100]])
    assert line_hash([long_line, "tail"], 1) == f"{expected}:1"
    # Short lines borrow from the following lines (newline included) up to 100 units.
    assert line_hash(["ab", long_line], 1) == f"{poly_hash([97, 98, 10] + [ord(c) for c in long_line[:97]])}:1"


def test_line_hash_counts_utf16_code_units() -> None:
    # JavaScript's charCodeAt: an emoji is a surrogate pair, "é" one unit.
    expected = poly_hash([0xD83D, 0xDE00, ord("é"), 10, 0xFFFF])
    assert line_hash(["😀 é"], 1) == f"{expected}:1"


# Expected values from codeql-action's own tests (src/fingerprints.test.ts).
CODEQL_VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1",
         "c6805c5e1288b612:1", "b86d3392aea1be30:1", "e6ceba753e1a442:1"],
    ),
    (
        " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
        ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
         "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"],
    ),
    (
        " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
        ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
         "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CODEQL_VECTORS)
def test_line_hashes_match_codeql_action(text: str, expected: list[str]) -> None:
    assert text_line_hashes(text) == expected


def test_repeated_lines_are_numbered() -> None:
    hashes = text_line_hashes("Lorem ipsum dolor sit amet.\n" * 10)
    assert hashes == [f"a7f2ff13bc495cf2:{n}" for n in range(1, 7)] + [
        "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1",
    ]


def test_lines_with_or_without_line_ends_agree() -> None:
    plain = ["a = 1", "b = 2"]
    assert line_hashes(plain) == line_hashes(["a = 1\n", "b = 2\n"])
    assert line_hashes(plain) == text_line_hashes("a = 1\nb = 2\n")
    with pytest.raises(IndexError):
        line_hash(plain, 4)


def _shift(result, lines_above: int) -> None:
    """Insert blank lines at the top of src/agent.py and move its findings down with them."""
    result.sources[AGENT] = [""] * lines_above + result.sources[AGENT]
    for finding in result.findings:
        if finding.span.path == AGENT:
            span = finding.span
            finding.span = dataclasses.replace(span, line=span.line + lines_above, end_line=span.end_line + lines_above)


def test_fingerprints_survive_blank_lines_above() -> None:
    before, after = make_result(), make_result()
    _shift(after, 3)
    assign_fingerprints(before)
    assign_fingerprints(after)
    assert [f.fingerprint for f in before.findings] == [f.fingerprint for f in after.findings]
    assert all(f.fingerprint.endswith(":1") and len(f.fingerprint) == 34 for f in before.findings)
    # GitHub's line hash looks forward only, so it survives the shift too.
    assert line_hash(before.sources[AGENT], 5) == line_hash(after.sources[AGENT], 8)


def test_fingerprint_depends_on_rule_path_and_text() -> None:
    finding = Finding("LOPE001", "m", Span("a.py", 1, 1, 1, 5), Severity.ERROR)
    line = "data = json.loads(reply)"
    base = finding_fingerprint(finding, line)
    assert base != finding_fingerprint(dataclasses.replace(finding, rule_id="MNFT002"), line)
    assert base != finding_fingerprint(dataclasses.replace(finding, span=Span("b.py", 1, 1, 1, 5)), line)
    assert base != finding_fingerprint(finding, "data = json.loads(other)")
    # Not the message, position, indentation or an added suppression comment.
    moved = dataclasses.replace(finding, message="other", span=Span("a.py", 40, 9, 40, 13))
    assert base == finding_fingerprint(moved, "        data = json.loads( reply )  # agentable: ignore[LOPE001]")
    assert base.endswith(":1") and finding_fingerprint(finding, line, 2).endswith(":2")


def test_normalize_line() -> None:
    assert normalize_line("  x = f(a, b)  # noqa: LOPE001") == "x=f(a,b)"
    assert normalize_line("x = '# not a comment'") == "x='#notacomment'"


def test_identical_findings_get_occurrence_numbers() -> None:
    lines = ["x = json.loads(r)", "", "x = json.loads(r)"]
    findings = [
        Finding("LOPE001", "m", Span("a.py", 3, 5, 3, 18), Severity.ERROR),
        Finding("LOPE001", "m", Span("a.py", 1, 5, 1, 18), Severity.ERROR),
    ]
    result = make_result(findings=findings, sources={"a.py": lines})
    assign_fingerprints(result)
    first, second = findings[1].fingerprint, findings[0].fingerprint
    assert first.endswith(":1") and second.endswith(":2")
    assert first.split(":")[0] == second.split(":")[0]


def test_fingerprint_falls_back_to_snippet_without_sources() -> None:
    with_sources = make_result()
    without = make_result(sources={})
    assign_fingerprints(with_sources)
    assign_fingerprints(without)
    assert [f.fingerprint for f in with_sources.findings] == [f.fingerprint for f in without.findings]
    assert SOURCES[AGENT][4] == "    data = json.loads(reply)"
