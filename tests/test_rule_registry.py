"""Adding a rule is adding its file and its fixtures: nothing else is edited. A throwaway rule
module is written outside the package, its folder added to the rules package's search path (as
if the file had been dropped into agentable/rules/), and the registry, `agentable rules`,
`agentable explain`, `--select`, SARIF rule metadata, the forked runner and the fixture runner
all pick it up."""

from __future__ import annotations

import importlib
import importlib.util
import json
import multiprocessing
import sys
from pathlib import Path
from types import ModuleType
from typing import Iterator

import pytest
from click.testing import CliRunner

import agentable.rules as rules_package
from agentable.cli import main
from agentable.rules import all_rules, get_rule, rule_metas

RULE_ID = "IETI901"
MODULE = "ieti901_one_word_tool_description"

# A rule over facts the graph already has (the tools, their descriptions, where to report them).
RULE_SOURCE = '''"""IETI901: a tool described in one word (a throwaway rule for tests/test_rule_registry.py)."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.query.tools import tool_anchor
from agentable.rules.base import Rule, RuleContext, RuleMeta


class OneWordToolDescription(Rule):
    meta = RuleMeta(
        id="IETI901",
        name="one-word-tool-description",
        category="IETI",
        severity=Severity.NOTE,
        short="A tool's description is a single word.",
        full="A one-word description does not tell the model when to call the tool.",
        bad_example='@tool\\ndef greet() -> str:\\n    """Greet."""',
        good_example='@tool\\ndef greet() -> str:\\n    """Say hello to the user, once, at the start."""',
        fix="Say what the tool does and when to call it.",
        tags=("tools", "description"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for tool in ctx.graph.agent.tools:
            words = (tool.description or "").split()
            if len(words) == 1 and tool.description != "<dynamic>":  # (<dynamic>: not known statically)
                yield self.finding(ctx, tool.path, tool_anchor(tool),
                                   f"Tool `{tool.name}` is described in one word; say what it does.")
'''

AGENT_HEAD = "from langchain_core.tools import tool\n\n\n@tool\n"
POSITIVE = AGENT_HEAD + 'def greet() -> str:  # expect: IETI901\n    """Greet."""\n    return "hello"\n'
NEAR_MISS = AGENT_HEAD + 'def greet() -> str:\n    """Say hello to the user, once, at the start."""\n    return "hello"\n'


@pytest.fixture
def throwaway_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The rule's file, in a folder the rules package searches; the fixtures root beside it."""
    folder = tmp_path / "more_rules"
    folder.mkdir()
    (folder / f"{MODULE}.py").write_text(RULE_SOURCE, encoding="utf-8")
    monkeypatch.setattr(rules_package, "__path__", [*rules_package.__path__, str(folder)])
    importlib.invalidate_caches()
    all_rules.cache_clear()
    fixtures = tmp_path / "fixtures" / "ieti901"
    for case, source in (("one_word_description", POSITIVE), ("ok_described", NEAR_MISS)):
        (fixtures / case).mkdir(parents=True)
        (fixtures / case / "agent.py").write_text(source, encoding="utf-8")
    yield fixtures.parent
    all_rules.cache_clear()
    sys.modules.pop(f"{rules_package.__name__}.{MODULE}", None)


def _fixture_runner() -> ModuleType:
    path = Path(__file__).parent / "rules" / "test_fixtures.py"
    spec = importlib.util.spec_from_file_location("fixture_runner", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_registry_finds_a_rule_by_its_file_alone(throwaway_rule: Path) -> None:
    rule = get_rule(RULE_ID)
    assert rule is not None and rule.__module__ == f"agentable.rules.{MODULE}"
    assert get_rule("one-word-tool-description") is rule
    ids = [m.id for m in rule_metas()]
    assert RULE_ID in ids and ids == sorted(ids)


def test_the_command_line_lists_explains_and_selects_it(throwaway_rule: Path) -> None:
    runner = CliRunner()
    listed = json.loads(runner.invoke(main, ["rules", "--format", "json"]).stdout)
    assert {"id": RULE_ID, "name": "one-word-tool-description", "category": "IETI", "severity": "note",
            "short": "A tool's description is a single word."} in listed
    assert RULE_ID in runner.invoke(main, ["rules"]).stdout
    explained = runner.invoke(main, ["explain", RULE_ID])
    assert explained.exit_code == 0 and "Say what the tool does" in explained.stdout
    case = throwaway_rule / "ieti901" / "one_word_description"
    scanned = runner.invoke(main, ["scan", str(case), "--select", RULE_ID, "--no-cache", "--no-llm", "--format",
                                   "json", "--include-tests"])
    assert scanned.exit_code == 0, scanned.output  # a note: below the default --fail-on
    assert [f["rule"] for f in json.loads(scanned.stdout)["findings"]] == [RULE_ID]


def test_sarif_describes_it(throwaway_rule: Path) -> None:
    case = throwaway_rule / "ieti901" / "one_word_description"
    res = CliRunner().invoke(main, ["scan", str(case), "--format", "sarif", "--no-cache", "--no-llm", "--exit-zero"])
    run = json.loads(res.stdout)["runs"][0]
    described = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert described[RULE_ID]["name"] == "one-word-tool-description"
    assert described[RULE_ID]["shortDescription"]["text"] == "A tool's description is a single word."
    assert described[RULE_ID]["defaultConfiguration"]["level"] == "note"
    assert [r["ruleIndex"] for r in run["results"] if r["ruleId"] == RULE_ID] == [list(described).index(RULE_ID)]


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_the_forked_runner_runs_it(throwaway_rule: Path) -> None:
    from agentable.config import Config
    from agentable.scan import ScanOptions, scan

    case = throwaway_rule / "ieti901" / "one_word_description"
    result = scan([case], Config(), ScanOptions(jobs=3))
    assert RULE_ID in {f.rule_id for f in result.findings}
    assert not [n for n in result.notifications if n.kind == "rule"]


def test_the_fixture_runner_checks_its_fixtures(throwaway_rule: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = _fixture_runner()
    monkeypatch.setattr(runner, "FIXTURES", throwaway_rule)
    cases = runner._cases()
    assert [c.name for c in cases] == ["ok_described", "one_word_description"]
    assert runner.expected_findings(cases[1]) == {(RULE_ID, "agent.py", 5)}
    for case in cases:  # what the parametrized test_fixture does for every case folder
        runner.test_fixture(case)


def test_without_its_file_the_rule_is_gone() -> None:
    assert get_rule(RULE_ID) is None
    assert f"agentable.rules.{MODULE}" not in sys.modules
