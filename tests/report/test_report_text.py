"""The ruff-like text report."""

from __future__ import annotations

from report_data import make_result

from agentable.report.text import render_text


def test_finding_header_source_and_flow(result) -> None:
    out = render_text(result)
    lines = out.splitlines()
    i = lines.index(
        "src/agent.py:5:12: LOPE001 [error] Model output parsed with json.loads without a guard"
        " (checker: the prompt asks for free text)"
    )
    assert lines[i + 1 : i + 6] == [
        "  |",
        "5 |     data = json.loads(reply)",
        "  |            ^^^^^^^^^^^^^^^^^",
        "  ↳ src/agent.py:4: reply comes from the model",
        "  ↳ src/agent.py:5: reply is parsed here",
    ]
    assert "src/agent.py:4:13: MNFT002 [warning] LLM call without retry" in lines


def test_carets_under_wide_characters(result) -> None:
    lines = render_text(result).splitlines()
    i = lines.index("my dir/tool ü.py:2:14: MNFT002 [warning] LLM call without retry")
    assert lines[i + 2] == '2 |     résumé = llm("résumé: 你好")'
    # 17 characters, two of them double-width CJK: 19 terminal cells.
    assert lines[i + 3] == "  |              " + "^" * 19


def test_suppressed_findings_are_not_listed(result) -> None:
    out = render_text(result)
    assert "tool ü.py:3:" not in out
    assert out.count("[error]") == 1 and out.count("[warning]") == 2


def test_findings_are_ordered_by_path_and_line(result) -> None:
    headers = [line.split(": ")[0] for line in render_text(result).splitlines() if "] " in line]
    assert headers == ["my dir/tool ü.py:2:14", "src/agent.py:4:13", "src/agent.py:5:12"]


def test_summary_and_notifications(result) -> None:
    out = render_text(result)
    tail = out.split("reply is parsed here\n\n", 1)[1]
    assert tail == (
        "  2  MNFT002  llm-call-without-retry\n"
        "  1  LOPE001  unguarded-json-parse-of-llm-output\n"
        "Found 3 findings (1 suppressed) in 2 files, 9 lines, 0.25 s.\n"
        "\n"
        "2 notifications:\n"
        "  warning  broken.py: could not parse file (parse)\n"
        "  note     LLM endpoint unreachable (llm)\n"
    )


def test_statistics_prints_only_the_table(result) -> None:
    assert render_text(result, statistics=True) == (
        "  2  MNFT002  llm-call-without-retry\n"
        "  1  LOPE001  unguarded-json-parse-of-llm-output\n"
    )


def test_no_findings_is_one_line() -> None:
    empty = make_result(findings=[], notifications=[], files_scanned=1, lines_scanned=1, duration_s=0.014)
    assert render_text(empty) == "No findings in 1 file, 1 line, 0.01 s.\n"
    assert render_text(empty, statistics=True) == "No findings.\n"


def test_only_suppressed_findings() -> None:
    result = make_result(notifications=[])
    result.findings = [f for f in result.findings if f.suppressed]
    assert render_text(result) == "No findings (1 suppressed) in 2 files, 9 lines, 0.25 s.\n"


def test_without_source(result) -> None:
    out = render_text(result, show_source=False)
    assert " | " not in out and "^" not in out
    assert "  ↳ src/agent.py:4: reply comes from the model" in out


def test_source_from_snippet_when_file_not_loaded() -> None:
    out = render_text(make_result(sources={}))
    assert "5 |     data = json.loads(reply)\n  |            ^^^^^^^^^^^^^^^^^" in out


def test_multi_line_span_underlines_each_line() -> None:
    result = make_result(notifications=[])
    parse = next(f for f in result.findings if f.rule_id == "LOPE001" and not f.suppressed)
    parse.span = type(parse.span)(parse.span.path, 4, 13, 5, 29)
    parse.flow = ()
    out = render_text(result)
    assert (
        "4 |     reply = client.chat(\"hi\")\n"
        "  |             ^^^^^^^^^^^^^^^^^\n"
        "5 |     data = json.loads(reply)\n"
        "  |     ^^^^^^^^^^^^^^^^^^^^^^^^\n"
    ) in out


def test_color_only_when_asked(result) -> None:
    assert "\x1b[" not in render_text(result)
    colored = render_text(result, color=True)
    assert "\x1b[31m\x1b[1mLOPE001\x1b[0m" in colored
    assert "\x1b[" in colored.split("Found", 1)[0]
