"""[tool.agentable] settings: reading, validation, CLI overrides and ruff-style rule selection."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from agentable.config import Config, ConfigError, load_config


def pyproject(root: Path, body: str, name: str = "pyproject.toml") -> Path:
    p = root / name
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


def test_all_keys_are_read(tmp_path: Path) -> None:
    pyproject(tmp_path, """
        [project]
        name = "x"

        [tool.agentable]
        select = ["lope", "IETI001"]
        ignore = ["LOPE002"]
        exclude = ["gen/"]
        per-file-ignores = { "tests/**" = ["MNFT"] }
        fail-on = "warning"
        format = "sarif"
        jobs = 4
        respect-gitignore = false
        min-severity = "warning"

        [tool.agentable.llm]
        enabled = true
        model = "gpt-4o-mini"
        base-url = "http://localhost:8000/v1"
        api-key-env = "MY_KEY"
        timeout = 12.5
        max-retries = 1
        max-calls = 50
        max-tokens = 1000
        concurrency = 2
        cache-dir = ".cache/llm"
    """)
    c = load_config(tmp_path)
    assert (c.select, c.ignore, c.exclude) == (("LOPE", "IETI001"), ("LOPE002",), ("gen/",))
    assert c.per_file_ignores == (("tests/**", ("MNFT",)),)
    assert (c.fail_on, c.format, c.jobs, c.respect_gitignore, c.min_severity) == ("warning", "sarif", 4, False, "warning")
    llm = c.llm
    assert (llm.enabled, llm.model, llm.base_url, llm.api_key_env) == (True, "gpt-4o-mini", "http://localhost:8000/v1", "MY_KEY")
    assert (llm.timeout, llm.max_retries, llm.max_calls, llm.max_tokens_total, llm.concurrency, llm.cache_dir) == (
        12.5, 1, 50, 1000, 2, ".cache/llm")
    assert c.notifications == ()


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    pyproject(tmp_path, "[project]\nname = 'x'\n")
    assert load_config(tmp_path) == Config()


def test_dedicated_file_with_top_level_keys_wins_over_pyproject(tmp_path: Path) -> None:
    pyproject(tmp_path, "[tool.agentable]\nselect = ['LOPE']\n")
    pyproject(tmp_path, "select = ['ADAL']\n[llm]\nmodel = 'm'\n", "agentable.toml")
    c = load_config(tmp_path)
    assert (c.select, c.llm.model) == (("ADAL",), "m")
    explicit = pyproject(tmp_path, "[tool.agentable]\nignore = ['TRE']\n", "other.toml")
    assert load_config(tmp_path, explicit).ignore == ("TRE",)


def test_unknown_keys_are_notifications(tmp_path: Path) -> None:
    pyproject(tmp_path, "[tool.agentable]\nselct = ['LOPE']\n[tool.agentable.llm]\nmodle = 'x'\n")
    notes = load_config(tmp_path).notifications
    assert [(n.kind, n.message) for n in notes] == [
        ("config", "unknown configuration key 'selct' in [tool.agentable]; ignored"),
        ("config", "unknown configuration key 'modle' in [tool.agentable.llm]; ignored"),
    ]


@pytest.mark.parametrize("body", [
    "[tool.agentable.llm]\napi-key = 'sk-123'\n",
    "[tool.agentable]\napi_key = 'sk-123'\n",
])
def test_a_literal_api_key_is_rejected(tmp_path: Path, body: str) -> None:
    pyproject(tmp_path, body)
    with pytest.raises(ConfigError, match="api-key-env"):
        load_config(tmp_path)


@pytest.mark.parametrize("body, message", [
    ("select = 'LOPE'", "select must be a list, not a string"),
    ("jobs = true", "jobs must be an integer, not a boolean"),
    ("jobs = -1", "jobs must be >= 0"),
    ("fail-on = 'sometimes'", "fail-on must be one of error, warning, note, never, not 'sometimes'"),
    ("select = ['lope-1']", "'lope-1' is not a rule id or prefix"),
    ("per-file-ignores = { 'a.py' = 3 }", "must be a list of rule ids or prefixes, not an integer"),
    ("[tool.agentable.llm]\ntimeout = 'soon'", "timeout must be a number, not a string"),
    ("[tool.agentable.llm]\nconcurrency = 0", "concurrency must be at least 1, not 0"),
])
def test_wrong_types_are_clear_errors(tmp_path: Path, body: str, message: str) -> None:
    pyproject(tmp_path, "[tool.agentable]\n" + body + "\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert message in str(err.value)
    assert str(tmp_path / "pyproject.toml") in str(err.value)


def test_invalid_toml_in_a_dedicated_file_is_an_error(tmp_path: Path) -> None:
    pyproject(tmp_path, "select = [\n", "agentable.toml")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path)


def test_merge_cli_overrides_only_given_values(tmp_path: Path) -> None:
    base = Config(select=("LOPE",), fail_on="error", jobs=2)
    merged = base.merge_cli(select="ieti,ADAL001", ignore=None, fail_on=None, jobs=0, exclude=["x/"])
    assert (merged.select, merged.fail_on, merged.jobs, merged.exclude) == (("IETI", "ADAL001"), "error", 0, ("x/",))
    with pytest.raises(ConfigError, match="fail-on"):
        base.merge_cli(fail_on="loud")


@pytest.mark.parametrize("select, ignore, rule, enabled", [
    ((), (), "LOPE001", True),
    (("LOPE",), (), "LOPE001", True),
    (("LOPE",), (), "IETI001", False),
    (("LOPE0",), (), "LOPE001", True),
    (("LOPE",), ("LOPE001",), "LOPE001", False),  # ignore more specific
    (("LOPE",), ("LOPE001",), "LOPE002", True),
    (("LOPE001",), ("LOPE",), "LOPE001", True),  # select more specific
    (("LOPE001",), ("LOPE001",), "LOPE001", False),  # a tie: ignore wins
    (("ALL",), ("MNFT",), "MNFT003", False),
    (("ALL",), ("MNFT",), "TRE001", True),
    ((), ("TRE",), "TRE002", False),
])
def test_select_and_ignore_precedence(select, ignore, rule, enabled) -> None:
    assert Config(select=select, ignore=ignore).rule_enabled(rule, rule.rstrip("0123456789"), "a.py") is enabled


def test_per_file_ignores_use_gitignore_globs(tmp_path: Path) -> None:
    pyproject(tmp_path, """
        [tool.agentable]
        select = ["LOPE001"]
        per-file-ignores = { "tests/" = ["LOPE"], "*_gen.py" = ["LOPE001"] }
    """)
    c = load_config(tmp_path)
    assert c.rule_enabled("LOPE001", "LOPE", "pkg/agent.py") is True
    assert c.rule_enabled("LOPE001", "LOPE", "tests/unit/test_agent.py") is False
    assert c.rule_enabled("LOPE001", "LOPE", "pkg/deep/tools_gen.py") is False
    assert c.rule_enabled("LOPE001", "LOPE", "") is True  # no path: per-file ignores do not apply
