"""EPDD006 reports a wrong range once, at its declaration, with every use it breaks as a step."""

from __future__ import annotations

from pathlib import Path

from agentable.config import Config
from agentable.scan import ScanOptions, scan


def _epdd006(folder: Path) -> list:
    result = scan([folder], Config().merge_cli(select=["EPDD006"], respect_gitignore=False))
    return list(result.active)


def test_names_removed_at_different_releases_are_one_finding_at_the_requirement(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests\nlangchain\n")
    (tmp_path / "chain.py").write_text(
        "from langchain import OpenAI\n"
        "from langchain.schema import HumanMessage\n"
        "from langchain.memory import ConversationBufferMemory\n\n"
        "def ask(q: str) -> str:\n"
        "    memory = ConversationBufferMemory()\n"
        "    return OpenAI()([HumanMessage(content=q)])\n")
    (finding,) = _epdd006(tmp_path)
    assert (finding.span.path, finding.span.line) == ("requirements.txt", 2)
    assert [(s.span.path, s.span.line) for s in finding.flow] == [("chain.py", 1), ("chain.py", 2), ("chain.py", 3)]
    # three imports and the three names called in `ask`
    assert "it lacks 3 names the code uses (6 uses)" in finding.message
    # `langchain.OpenAI` left in 0.1, the others in 1.0: only the lower bound keeps them all
    assert "from 0.1.0;" in finding.message and "add the upper bound `<0.1.0` here to keep them all" in finding.message


def test_a_bounded_requirement_next_to_an_unbounded_one_is_not_reported(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("langchain<1.0\n")
    (tmp_path / "chain.py").write_text("from langchain.memory import ConversationBufferMemory\n")
    assert _epdd006(tmp_path) == []


def _project(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text("requests\nlangchain\n")
    (tmp_path / "chain.py").write_text(
        "from langchain.memory import ConversationBufferMemory\n\nMEMORY = ConversationBufferMemory()\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_chain.py").write_text(
        "from langchain.schema import HumanMessage\n\n\ndef test_message():\n    assert HumanMessage(content='hi')\n")
    return tmp_path


def test_uses_in_test_code_are_left_out_unless_tests_are_included(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (finding,) = _epdd006(root)
    assert [s.span.path for s in finding.flow] == ["chain.py"]
    with_tests = scan([root], Config().merge_cli(select=["EPDD006"], respect_gitignore=False, include_tests=True))
    (finding,) = with_tests.active
    assert [s.span.path for s in finding.flow] == ["chain.py", "tests/test_chain.py"]


def test_a_pre_commit_run_naming_the_code_shows_the_declaration_it_breaks(tmp_path: Path) -> None:
    root = _project(tmp_path)
    config = Config().merge_cli(select=["EPDD006"], respect_gitignore=False)
    named_code = scan([root], config, ScanOptions(only_files={"chain.py"}))
    assert [(f.span.path, f.span.line) for f in named_code.active] == [("requirements.txt", 2)]
    named_other = scan([root], config, ScanOptions(only_files={"tests/test_chain.py"}))
    assert list(named_other.active) == []
