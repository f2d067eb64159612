"""Inline suppressions in the non-Python files findings are reported in: on the reported line, or
on a comment line of its own just above it (YAML, TOML, `.env`, requirements, Jinja). JSON has no
comments: a baseline or `per-file-ignores` is the way there (README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentable.config import Config
from agentable.scan import ScanOptions, scan

LOADER = ("from pathlib import Path\nimport jinja2\n\n"
          "env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / 'prompts'))\n\n\n"
          "def prompt(goal: str) -> str:\n    return env.get_template('task.j2').render(goal=goal)\n")
REQS_SVC = "from langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI(model='gpt-4o-mini')\n"


def _scan(root: Path, files: dict[str, str]):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return scan([root], Config().merge_cli(respect_gitignore=False), ScanOptions(jobs=1))


def _states(result, rule: str) -> list[bool]:
    """Whether each finding of `rule` is suppressed, in report order."""
    return [f.suppressed for f in result.findings if f.rule_id == rule]


# (file, text with {IGNORE} where the directive goes, the rule it reports); one finding each
CASES = {
    "yaml_same_line": ("config/llm.yaml", "llm:\n  model: gpt-4-32k  {IGNORE}\n", "LARD005"),
    "yaml_line_above": ("config/llm.yaml", "llm:\n  {IGNORE}\n  model: gpt-4-32k\n", "LARD005"),
    "toml_same_line": ("config/models.toml", "[reply]\nmodel = \"gpt-4o\"\nmax_tokens = 40000  {IGNORE}\n", "ADAL004"),
    "toml_line_above": ("config/models.toml", "[reply]\nmodel = \"gpt-4o\"\n{IGNORE}\nmax_tokens = 40000\n", "ADAL004"),
    "env_line_above": (".env.example", "OPENAI_API_KEY=\n{IGNORE}\nOPENAI_MODEL=gpt-4-32k\n", "LARD005"),
    "requirements_same_line": ("requirements.txt",
                               "langchain-openai>=1.0,<1.2  {IGNORE}\nlangchain-core>=0.3.20,<0.4\n", "EPDD003"),
}


def _files(rel: str, text: str) -> dict[str, str]:
    files = {rel: text}
    if rel == "requirements.txt":
        files["service.py"] = REQS_SVC
    else:
        files["app.py"] = "import os\nMODEL = os.getenv('OPENAI_MODEL')\n"
    return files


@pytest.mark.parametrize("case", sorted(CASES))
def test_directive_suppresses_in_each_format(tmp_path: Path, case: str) -> None:
    rel, text, rule = CASES[case]
    plain = _scan(tmp_path / "plain", _files(rel, text.replace("{IGNORE}", "")))
    assert _states(plain, rule) == [False], "the case must report its finding without the directive"
    hidden = _scan(tmp_path / "hidden", _files(rel, text.replace("{IGNORE}", f"# agentable: ignore[{rule}]")))
    assert _states(hidden, rule) == [True]
    other = _scan(tmp_path / "other", _files(rel, text.replace("{IGNORE}", "# agentable: ignore[ZZZZ999]")))
    assert _states(other, rule) == [False]


def test_jinja_comment_on_the_line_above(tmp_path: Path) -> None:
    template = "Goal: {{ goal }}\n{# agentable: ignore[LARD007] #}\nContext: {{ context }}\n"
    result = _scan(tmp_path, {"app/agent.py": LOADER, "app/prompts/task.j2": template})
    assert _states(result, "LARD007") == [True]


def test_a_directive_after_a_value_covers_only_its_own_line(tmp_path: Path) -> None:
    # the comment ends the line above's own value: it is not a comment line of its own
    text = "a:\n  model: gpt-4-32k  # agentable: ignore[LARD005]\nb:\n  model: gpt-4-0314\n"
    result = _scan(tmp_path, {"config/llm.yaml": text, "app.py": "x = 1\n"})
    assert sorted((f.span.line, f.suppressed) for f in result.findings if f.rule_id == "LARD005") == [
        (2, True), (4, False)]


UNIT_FILES = {
    "pyproject.toml": '[project]\nname = "desk"\nversion = "1.0"\ndependencies = ["openai>=1.40", "tiktoken>=0.7"]\n',
    "langgraph.json": '{"dependencies": ["./bot"], "graphs": {"bot": "./bot/graph.py:graph"}}\n',
    "bot/graph.py": ("import tiktoken\nfrom openai import OpenAI\n\ngraph = None\nclient = OpenAI()\n"
                     "ENC = tiktoken.get_encoding(\"o200k_base\")\n"),
}


@pytest.mark.parametrize("where", ["same_line", "line_above"])
def test_directive_suppresses_a_deployment_unit_finding(tmp_path: Path, where: str) -> None:
    """EPDD001's one finding for a folder langgraph.json builds on its own is at the unit's
    requirements file (its last declaration), where the directive goes."""
    line = "openai>=1.40"
    plain = _scan(tmp_path / "plain", {**UNIT_FILES, "bot/requirements.txt": f"langgraph>=0.2\n{line}\n"})
    found = [f for f in plain.findings if f.rule_id == "EPDD001"]
    assert [(f.span.path, f.span.line, f.suppressed) for f in found] == [("bot/requirements.txt", 2, False)]
    assert [s.span.path for s in found[0].flow] == ["bot/graph.py"]
    directive = "# agentable: ignore[EPDD001]"
    text = f"langgraph>=0.2\n{line}  {directive}\n" if where == "same_line" else \
        f"langgraph>=0.2\n{directive}\n{line}\n"
    hidden = _scan(tmp_path / "hidden", {**UNIT_FILES, "bot/requirements.txt": text})
    assert _states(hidden, "EPDD001") == [True]
