"""Which files are test code, whose findings a scan does not report without --include-tests: files
under a tests/ folder, conftest.py, and files named like tests that hold tests. A script merely
named like a test (a command-line chat with the agent in `agent_test.py`) is application code."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentable.config import Config
from agentable.paths import is_test_path
from agentable.scan import ScanOptions, scan

SCRIPT = '''import argparse
from openai import OpenAI


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="gpt-3.5-turbo-0301")
    args = parser.parse_args()
    reply = OpenAI().chat.completions.create(model=args.model, messages=[{"role": "user", "content": input("> ")}])
    print(reply.choices[0].message.content)


if __name__ == "__main__":
    main()
'''


@pytest.mark.parametrize(("path", "source", "expected"), [
    ("tests/helpers.py", "x = 1\n", True),
    ("pkg/conftest.py", "", True),
    ("test_agent.py", "def test_reply():\n    assert True\n", True),
    ("agent_test.py", "class TestReply:\n    pass\n", True),
    ("agent_test.py", "import unittest\n", True),
    ("agent_test.py", "from pytest import fixture\n", True),
    ("agent_test.py", "async def test_stream():\n    pass\n", True),
    ("agent_test.py", SCRIPT, False),
    ("test_connection.py", "print('ok')\n", False),
    ("agent_test.py", None, True),  # the name alone, when the source is not known
    ("contest.py", "def test_x():\n    pass\n", False),
])
def test_a_file_is_test_code_by_place_or_by_name_and_content(path: str, source: str | None, expected: bool) -> None:
    assert is_test_path(path, source) is expected


def test_a_script_named_like_a_test_is_reported_and_a_real_test_is_not(tmp_path: Path) -> None:
    (tmp_path / "agent_test.py").write_text(SCRIPT, encoding="utf-8")
    (tmp_path / "test_agent.py").write_text(SCRIPT + "\n\ndef test_main():\n    main()\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("openai\n", encoding="utf-8")
    findings = scan([tmp_path], Config(select=["LARD005"]), ScanOptions(jobs=1)).findings
    assert [(f.rule_id, f.span.path, f.span.line) for f in findings] == [("LARD005", "agent_test.py", 7)]
    findings = scan([tmp_path], Config(select=["LARD005"], include_tests=True), ScanOptions(jobs=1)).findings
    assert sorted(f.span.path for f in findings) == ["agent_test.py", "test_agent.py"]
