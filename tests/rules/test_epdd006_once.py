"""EPDD006 reports a wrong range once, at its declaration, with every use it breaks as a step."""

from __future__ import annotations

from pathlib import Path

from agentable.config import Config
from agentable.scan import scan


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
