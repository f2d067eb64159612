"""Deeply nested and very long constructs never end a scan, and the findings around them stay.

Before the deep stack (agentable/deep_stack.py), a 1,000-branch if/elif chain or 450 nested defs
ended the whole scan with a RecursionError, a 400-branch chain did with `--jobs 4`, and a
bracket nest of ~300 levels or a 1,000-term `+` chain lost its file ("could not parse"). Each
program here starts with an agent whose LOPE001 must still be reported (tests/fuzz/program_gen.py).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent / "fuzz"))

from program_gen import AGENT_HEAD, DEEP_SHAPES, DEFECT_LINE, DEFECT_RULE, deep_program

from agentable.cli import main
from agentable.config import Config
from agentable.cpg.lower import indent_levels
from agentable.findings import Finding, Severity
from agentable.rules import all_rules
from agentable.rules.base import Rule, RuleMeta
from agentable.scan import MAX_NESTING, ScanOptions, scan

# Above every depth that failed before (450 nested defs did); statement nests stay under the 500
# indentation levels that the lowering refuses (lower.MAX_INDENT_LEVELS; a match nest takes two a
# level), and the shapes that some rules handle in quadratic time are kept lower for speed.
DEPTH = 1_200
STATEMENT_DEPTH = 480
OTHER_DEPTHS = {"nested_matches": 240, "subscript_nest": 600, "subscript_chain": 800, "class_chain": 800,
                "comprehension_nest": 800}


def _depth(shape: str) -> int:
    return OTHER_DEPTHS.get(shape, STATEMENT_DEPTH if shape.startswith("nested_") else DEPTH)


def _defects(result) -> set[str]:
    return {f.span.path for f in result.active if f.rule_id == DEFECT_RULE and f.span.line == DEFECT_LINE}


def _failures(result) -> list[str]:
    """Notifications that mean the analysis failed: a rule crashed, a file was lost."""
    return [f"{n.path}: {n.message}" for n in result.notifications
            if n.kind == "rule" or n.message.startswith(("could not", "analysis"))]


def test_every_deep_shape_is_analysed_with_its_findings(tmp_path: Path) -> None:
    for shape in DEEP_SHAPES:
        (tmp_path / f"{shape}.py").write_text(deep_program(shape, _depth(shape)), encoding="utf-8")
    result = scan([tmp_path], Config())
    assert not _failures(result)
    assert result.files_scanned == len(DEEP_SHAPES)
    assert _defects(result) == {f"{shape}.py" for shape in DEEP_SHAPES}


def _elif_defect_line(branches: int) -> int:
    """The line of the parse in the else arm of `elif_chain(branches)`."""
    head_lines = AGENT_HEAD.count("\n")
    return head_lines + 3 + 2 * (branches - 1) + 2


def test_a_2000_branch_elif_chain_through_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "chain.py").write_text(deep_program("elif_chain", 2_000), encoding="utf-8")
    res = CliRunner().invoke(main, ["scan", str(tmp_path), "--no-cache", "--format", "json"])
    assert res.exit_code == 1, res.output  # findings, not an internal error (2) or a traceback
    assert "Traceback" not in res.output
    report = json.loads(res.stdout)
    lines = {f["span"]["line"] for f in report["findings"] if f["rule"] == DEFECT_RULE}
    assert lines == {DEFECT_LINE, _elif_defect_line(2_000)}  # the one at the end of the chain too


def test_deep_modules_come_back_from_parse_workers(tmp_path: Path) -> None:
    """With --jobs 4 the files are lowered in worker processes and their modules pickled back;
    pickling a module recurses as deep as it is nested."""
    for i in range(10):
        (tmp_path / f"small{i}.py").write_text(f"x{i} = {i}\n", encoding="utf-8")
    (tmp_path / "chain.py").write_text(deep_program("elif_chain", 15_000), encoding="utf-8")
    result = scan([tmp_path], Config(), ScanOptions(jobs=4))
    assert not _failures(result)
    assert result.files_scanned == 11
    lines = {f.span.line for f in result.active if f.rule_id == DEFECT_RULE}
    assert lines == {DEFECT_LINE, _elif_defect_line(15_000)}


def test_a_file_too_deep_to_lower_is_a_notification(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text(AGENT_HEAD, encoding="utf-8")
    (tmp_path / "deep.py").write_text(AGENT_HEAD + "x = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    result = scan([tmp_path], Config())
    notes = [n for n in result.notifications if n.path == "deep.py"]
    assert [(n.kind, n.message.split(";")[0]) for n in notes] == [("parse", "could not analyse: nesting too deep")]
    assert _defects(result) == {"agent.py"}
    assert result.files_scanned == 1


class _RecursiveRule(Rule):
    """A rule that walks expressions recursively, several frames a level (as a rule might),
    and reports the first line of every module it walked."""

    meta = RuleMeta("TEST901", "recursive-walk", "TEST", Severity.NOTE, "Walks every expression recursively.",
                    "", "", "", "")

    def check(self, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
        for info in ctx.graph.modules.values():
            for s in info.ir.body:
                for e in _stmt_exprs(s):
                    _height(e)
            yield self.finding(ctx, info.ir.path, (1, 0, 1, 1), "walked")


def _stmt_exprs(s):  # type: ignore[no-untyped-def]
    from agentable.cpg import ir

    return ir.stmt_exprs(s)


def _height(e) -> int:  # type: ignore[no-untyped-def]
    return 1 + _below(e)  # three frames a level with the generator of _below


def _below(e) -> int:  # type: ignore[no-untyped-def]
    from agentable.cpg import ir

    return max((_height(c) for c in ir.iter_child_exprs(e)), default=0)


def test_a_rule_out_of_stack_costs_the_deep_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 20,000-term sum lowers, but a rule recursing 3 frames a level runs out of stack on it:
    the deep module is left out with a notification, and every rule, that one included, is run
    again on the others."""
    import agentable.scan as scan_module

    monkeypatch.setattr(scan_module, "all_rules", lambda: [*all_rules(), _RecursiveRule])
    (tmp_path / "agent.py").write_text(AGENT_HEAD, encoding="utf-8")
    terms = 20_000
    assert terms > MAX_NESTING
    (tmp_path / "sum.py").write_text(deep_program("binop_chain", terms), encoding="utf-8")
    result = scan([tmp_path], Config())
    assert not any(n.kind == "rule" for n in result.notifications)
    notes = [n.message for n in result.notifications if n.path == "sum.py"]
    assert len(notes) == 1 and notes[0].startswith("could not analyse: nesting too deep (20,0")
    assert _defects(result) == {"agent.py"}
    assert {f.span.path for f in result.findings if f.rule_id == "TEST901"} == {"agent.py"}
    assert result.files_scanned == 1


def test_indentation_past_what_tree_sitter_survives_is_a_notification(tmp_path: Path) -> None:
    """tree-sitter-python crashes the process (memory corruption) on 511 nested indentation
    levels: such a file is not parsed, and says so."""
    (tmp_path / "agent.py").write_text(AGENT_HEAD, encoding="utf-8")
    (tmp_path / "indented.py").write_text(deep_program("nested_defs", 520), encoding="utf-8")
    (tmp_path / "almost.py").write_text(deep_program("nested_ifs", 490), encoding="utf-8")
    result = scan([tmp_path], Config())
    notes = [(n.path, n.message.split(";")[0]) for n in result.notifications]
    assert notes == [("indented.py", "could not analyse: nesting too deep (520 indentation levels)")]
    assert _defects(result) == {"agent.py", "almost.py"}


@pytest.mark.parametrize("source, levels", [
    (b"x = 1\n", 0),
    (b"if a:\n    if b:\n        x = 1\n    y = 2\nz = 3\n", 2),
    (b"if a:\n\tif b:\n\t\tx = 1\n", 2),
    (b"if a:\n  x = 1\n\n  # comment\n          \n  y = 2\n", 1),
    (b"".join(b" " * i + b"if x:\n" for i in range(600)), 599),
])
def test_indent_levels(source: bytes, levels: int) -> None:
    assert indent_levels(source) == levels


# ----------------------------------------------------------------------------- odd files

NON_UTF8_NAME = os.fsdecode(b"bad\xffname.py")


@pytest.fixture
def odd_files(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "agent.py").write_text(AGENT_HEAD, encoding="utf-8")
    (proj / "nul.py").write_bytes(b"x = 1\x00\ny = 2\n")
    (proj / "one_line.py").write_bytes(b"x = '" + b"a" * (10 * 1024 * 1024) + b"'\n")  # 10 MB
    (proj / "latin1.py").write_bytes("name = 'café'\n".encode("latin-1"))
    (proj / "bom_only.py").write_bytes(b"\xef\xbb\xbf")
    (proj / "empty.py").write_bytes(b"")
    with open(os.fsencode(proj) + b"/bad\xffname.py", "wb") as fh:  # a name that is not UTF-8
        fh.write(AGENT_HEAD.encode())
    return proj


@pytest.mark.skipif(sys.platform != "linux", reason="file names of arbitrary bytes")
def test_odd_files_are_scanned_or_noted(odd_files: Path) -> None:
    result = scan([odd_files], Config())
    noted = {n.path: n.kind for n in result.notifications}
    assert noted == {"nul.py": "read", "one_line.py": "read", "latin1.py": "read"}
    assert _defects(result) == {"agent.py", NON_UTF8_NAME}
    assert result.files_scanned == 4  # agent, the odd name, the BOM and the empty file


@pytest.mark.skipif(sys.platform != "linux", reason="file names of arbitrary bytes")
@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_odd_files_through_the_command_line(odd_files: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    res = CliRunner().invoke(main, ["scan", str(odd_files), "--no-cache", "--format", fmt, "-o", str(out)])
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    report = out.read_text(encoding="utf-8")  # UTF-8 all through
    if fmt == "text":
        assert "bad\\xffname.py:9:" in report
    else:
        paths = json.dumps(json.loads(report))
        assert ("bad%FFname.py" if fmt == "sarif" else "bad\\udcffname.py") in paths
