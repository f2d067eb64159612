"""Bad input never ends a scan: files with syntax errors, binary, empty, huge and undecodable
sources, broken manifests, a missing path and an unreachable LLM endpoint, through
`agentable.scan.scan` and through the command line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from agentable.cli import main
from agentable.config import Config
from agentable.scan import ScanOptions, scan

# A clear LOPE001 (model output parsed with no handler) in the valid part of a file that ends
# in a syntax error.
AGENT = '''\
import json

from openai import OpenAI

client = OpenAI()


def extract(text: str) -> dict:
    return json.loads(client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}]).choices[0].message.content)


def broken(:
    return 1 +
'''  # noqa: E501 - a program whose lines are asserted
DEFECT_LINE = 9

# relative path -> kind of the notification it must produce
BAD_FILES = {
    "agent.py": "parse",
    "blob.py": "read",
    "huge.py": "read",
    "latin.py": "read",
    "pyproject.toml": "manifest",
    "requirements.txt": "manifest",
}


@pytest.fixture
def bad_project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "agent.py").write_text(AGENT, encoding="utf-8")
    (proj / "blob.py").write_bytes(b"x = 1\n\x00\x01\x02\x03\xff" * 20)
    (proj / "empty.py").write_bytes(b"")
    (proj / "huge.py").write_bytes(b"x = 1\n" * 350_000)  # 2.1 MB
    (proj / "latin.py").write_bytes("name = 'café'\n".encode("latin-1"))
    (proj / "requirements.txt").write_text("openai>=1.30\nthis is not === a requirement\n", encoding="utf-8")
    (proj / "pyproject.toml").write_text('[project\nname = "broken"\n', encoding="utf-8")
    return proj


def paths_by_kind(notes) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for n in notes:
        out.setdefault(n.path, set()).add(n.kind)
    return out


def assert_clean(res: Result) -> None:
    """The command ended by its own exit, not by an exception, and printed no traceback."""
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output
    assert "Traceback" not in res.stderr


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


# ----------------------------------------------------------------------------- the API


def test_scan_api_completes_and_reports_every_bad_file(bad_project: Path) -> None:
    result = scan([bad_project], Config())
    lope = [f for f in result.active if f.rule_id == "LOPE001"]
    assert [(f.span.path, f.span.line) for f in lope] == [("agent.py", DEFECT_LINE)]
    kinds = paths_by_kind(result.notifications)
    for path, kind in BAD_FILES.items():
        assert kind in kinds.get(path, set()), (path, result.notifications)
    assert "empty.py" not in kinds  # an empty module is valid Python
    parse_note = next(n for n in result.notifications if n.path == "agent.py" and n.kind == "parse")
    assert "syntax error" in parse_note.message
    assert "12" in parse_note.message  # the line of the broken def
    read_notes = {n.path: n.message for n in result.notifications if n.kind == "read"}
    assert read_notes == {
        "blob.py": "skipped: binary file",
        "huge.py": "skipped: 2050 KB is larger than the 1953 KB limit",
        "latin.py": "skipped: not valid UTF-8 and no coding declaration",
    }
    assert result.files_scanned == 2  # agent.py (recovered) and empty.py
    assert not any(n.kind == "rule" for n in result.notifications)  # no rule crashed


def test_scan_api_with_worker_processes(bad_project: Path) -> None:
    for i in range(8):  # enough files for the parsing pool (4 workers: see scan._PARSE_POOL_MIN_JOBS)
        (bad_project / f"ok{i}.py").write_text(f"VALUE_{i} = {i}\n", encoding="utf-8")
    result = scan([bad_project], Config(), ScanOptions(jobs=4))
    assert [(f.rule_id, f.span.path, f.span.line) for f in result.active if f.rule_id == "LOPE001"] == [
        ("LOPE001", "agent.py", DEFECT_LINE)]
    kinds = paths_by_kind(result.notifications)
    for path, kind in BAD_FILES.items():
        assert kind in kinds.get(path, set()), path
    assert result.files_scanned == 10


def test_setup_py_with_a_syntax_error_is_both_source_and_manifest(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text('from setuptools import setup\nsetup(install_requires=["openai"\n')
    (tmp_path / "agent.py").write_text(AGENT.split("\n\ndef broken")[0] + "\n", encoding="utf-8")
    result = scan([tmp_path], Config())
    assert [(f.rule_id, f.span.line) for f in result.active if f.rule_id == "LOPE001"] == [("LOPE001", DEFECT_LINE)]
    assert paths_by_kind(result.notifications)["setup.py"] == {"parse", "manifest"}


ODD_SOURCES: dict[str, bytes] = {
    "late_nul.py": b"# padding\n" * 1000 + b"x = 1\x00\n",  # NUL past the binary sniffing window
    "deep.py": b"x = " + b"(" * 3000 + b"1" + b")" * 3000 + b"\n",
    "minus.py": b"y = " + b"-" * 5000 + b"1\n",
    "bom.py": b"\xef\xbb\xbfimport os\nprint(os.sep)\n",
    "crlf.py": b"import os\r\nx = 1\r\n",
    "cr_only.py": b"import os\rx = 1\r",
    "utf16.py": "x = 'é'\n".encode("utf-16"),
    "bad_cookie.py": b"# -*- coding: no-such-codec -*-\nx = '\xff'\n",
    "unterminated.py": b'x = """never closed\n',
    "indent.py": b"def f():\nreturn 1\n",
    "tabs.py": b"if True:\n\tx = 1\n        y = 2\n",
    "nested_defs.py": b"".join(b"    " * i + b"def f%d():\n" % i for i in range(120)) + b"    " * 120 + b"pass\n",
    "only_comment.py": b"# nothing here\n",
    "whitespace.py": b"\n\n   \n\t\n",
    "match.py": b"match y:\n    case {'a': [1, *rest]}: pass\n    case _:\n",
    "unicode_names.py": "ñ = 1\n\U0001d518 = 2\nprint(ñ)\n".encode("utf-8"),
}


def test_odd_sources_never_crash_the_scan(tmp_path: Path) -> None:
    for name, data in ODD_SOURCES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "agent.py").write_text(AGENT, encoding="utf-8")
    result = scan([tmp_path], Config())
    assert [(f.span.path, f.span.line) for f in result.active if f.rule_id == "LOPE001"] == [("agent.py", DEFECT_LINE)]
    assert not any(n.kind == "rule" for n in result.notifications), result.notifications
    noted = {n.path for n in result.notifications}
    assert {"utf16.py", "bad_cookie.py", "unterminated.py"} <= noted
    assert not {"deep.py", "minus.py", "nested_defs.py"} & noted  # deep nesting is analysed (deep_stack)
    # every file was either analysed or skipped with a notification that says so
    skipped = {n.path for n in result.notifications
               if n.kind == "read" or n.message.startswith(("could not parse", "could not analyse"))}
    assert {"utf16.py", "bad_cookie.py"} <= skipped
    assert result.files_scanned + len(skipped) == len(ODD_SOURCES) + 1


# ----------------------------------------------------------------------------- the command line


def test_cli_text_report(bad_project: Path) -> None:
    res = invoke("scan", bad_project, "--no-cache")
    assert_clean(res)
    assert res.exit_code == 1, res.output  # findings, not a failure of agentable itself
    out = res.stdout
    assert f"agent.py:{DEFECT_LINE}:" in out and "LOPE001" in out
    section = out[out.index("notifications:"):]
    for path in BAD_FILES:
        assert f"{path}:" in section, path
    assert "empty.py" not in section


def test_cli_sarif_report(bad_project: Path) -> None:
    res = invoke("scan", bad_project, "--no-cache", "--format", "sarif")
    assert_clean(res)
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    run = doc["runs"][0]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in run["results"] if r["ruleId"] == "LOPE001"] == [("LOPE001", DEFECT_LINE)]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    uris: dict[str, set[str]] = {}
    for n in notes:
        uri = n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        uris.setdefault(uri, set()).add(n["descriptor"]["id"])
    for path, kind in BAD_FILES.items():
        assert kind in uris.get(path, set()), (path, uris)


def test_cli_json_report(bad_project: Path) -> None:
    res = invoke("scan", bad_project, "--no-cache", "--format", "json", "--quiet")
    assert_clean(res)
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert {(n["path"], n["kind"]) for n in doc["notifications"]} >= set(BAD_FILES.items())


def test_cli_exit_zero_still_works_with_bad_input(bad_project: Path) -> None:
    res = invoke("scan", bad_project, "--no-cache", "--exit-zero", "--quiet")
    assert_clean(res)
    assert res.exit_code == 0


def test_cli_named_bad_files(bad_project: Path) -> None:
    """Pre-commit passes changed files by name, broken ones included."""
    res = invoke("scan", bad_project / "blob.py", bad_project / "latin.py", bad_project / "agent.py", "--no-cache",
                 "--format", "json", "--quiet")
    assert_clean(res)
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert {(f["rule"], f["file"]) for f in doc["findings"] if f["rule"] == "LOPE001"} == {("LOPE001", "agent.py")}
    noted = {n["path"] for n in doc["notifications"]}
    assert {"blob.py", "latin.py", "agent.py"} <= noted


def test_cli_nonexistent_path(tmp_path: Path) -> None:
    missing = tmp_path / "does-not-exist"
    res = invoke("scan", missing, "--no-cache")
    assert_clean(res)
    assert res.exit_code == 2
    assert "no such file or directory" in res.stderr
    assert str(missing) in res.stderr
    assert res.stdout == ""


def test_cli_unreachable_llm_endpoint(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "pyproject.toml").write_text(textwrap.dedent("""\
        [project]
        name = "llmproj"
        version = "0.1"
        dependencies = ["openai>=1.30", "langchain-ollama", "langgraph"]

        [tool.agentable.llm]
        timeout = 1
        max-retries = 0
        """), encoding="utf-8")
    (proj / "agent.py").write_text(AGENT.split("\n\ndef broken")[0] + "\n", encoding="utf-8")
    # A model missing from the table: the LLM checker is asked about it.
    (proj / "graph.py").write_text(textwrap.dedent("""\
        from langchain_ollama import ChatOllama
        from langgraph.prebuilt import create_react_agent

        llm = ChatOllama(model="acme-pixelgen-2b")
        agent = create_react_agent(llm, [])
        """), encoding="utf-8")
    env = {"OPENAI_API_KEY": "dummy", "OPENAI_BASE_URL": None}
    offline = invoke("scan", proj, "--no-cache", "--format", "json", "--quiet", env=env)
    assert_clean(offline)
    res = invoke("scan", proj, "--llm", "--llm-base-url", "http://127.0.0.1:9/v1", "--no-cache", "--format", "json",
                 "--quiet", env=env)
    assert_clean(res)
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    findings = [(f["rule"], f["file"], f["span"]["line"]) for f in doc["findings"]]
    assert ("LOPE001", "agent.py", DEFECT_LINE) in findings
    assert findings == [(f["rule"], f["file"], f["span"]["line"]) for f in json.loads(offline.stdout)["findings"]]
    llm_notes = [n for n in doc["notifications"] if n["kind"] == "llm"]
    assert len(llm_notes) == 1, doc["notifications"]
    assert "127.0.0.1:9" in llm_notes[0]["message"]
    assert "unreachable" in llm_notes[0]["message"]
    assert [n for n in json.loads(offline.stdout)["notifications"] if n["kind"] == "llm"] == []
