"""`[tool.agentable]` / agentable.toml: reading every setting, rule selection with ruff-style
precedence, validation of every key with clear errors, the API-key guard, unknown keys,
command-line overrides and file lookup."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from agentable.config import Config, ConfigError, LLMSettings, env_llm, load_config, load_user_llm

from tests.conftest import user_config
from agentable.findings import Severity

PROJECT_TABLE = '[project]\nname = "demo"\nversion = "0.1"\n\n'


def pyproject(root: Path, body: str, name: str = "pyproject.toml", *, project: bool = False) -> Path:
    """Write the dedented `body` to root/name; `project=True` puts a [project] table in front of it."""
    p = root / name
    p.write_text((PROJECT_TABLE if project else "") + textwrap.dedent(body), encoding="utf-8")
    return p


def load(tmp_path: Path, body: str) -> Config:
    """load_config on a pyproject.toml with a [project] table and `body` under [tool.agentable]."""
    pyproject(tmp_path, "[tool.agentable]\n" + textwrap.dedent(body), project=True)
    return load_config(tmp_path)


# ----------------------------------------------------------------------------- selection


def test_defaults_enable_every_rule(tmp_path: Path) -> None:
    cfg = load_config(tmp_path)  # no configuration file at all
    assert cfg == Config()
    assert cfg.rule_enabled("LOPE001", "LOPE", "agent.py") is True
    assert cfg.rule_enabled("MNFT003", "MNFT", "") is True
    assert cfg.fail_on is None
    assert cfg.respect_gitignore is True
    assert cfg.min_severity_level() == Severity.NOTE
    assert cfg.notifications == ()


def test_select_a_category_and_ignore_one_of_its_rules(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'select = ["LOPE"]\nignore = ["LOPE002"]\n')
    assert (cfg.select, cfg.ignore) == (("LOPE",), ("LOPE002",))
    assert cfg.rule_enabled("LOPE001", "LOPE", "") is True
    assert cfg.rule_enabled("LOPE002", "LOPE", "") is False
    assert cfg.rule_enabled("LOPE003", "LOPE", "") is True
    assert cfg.rule_enabled("MNFT001", "MNFT", "") is False  # not selected


def test_more_specific_select_beats_a_category_ignore(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'select = ["LOPE001"]\nignore = ["LOPE"]\n')
    assert cfg.rule_enabled("LOPE001", "LOPE", "") is True
    assert cfg.rule_enabled("LOPE002", "LOPE", "") is False


def test_ignore_wins_a_tie(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'select = ["LOPE001", "MNFT"]\nignore = ["LOPE001"]\n')
    assert cfg.rule_enabled("LOPE001", "LOPE", "") is False
    assert cfg.rule_enabled("MNFT002", "MNFT", "") is True


def test_ignore_without_select(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'ignore = ["EPDD", "LARD006"]\n')
    assert cfg.rule_enabled("EPDD001", "EPDD", "") is False
    assert cfg.rule_enabled("LARD006", "LARD", "") is False
    assert cfg.rule_enabled("LARD005", "LARD", "") is True
    assert cfg.rule_enabled("LOPE001", "LOPE", "") is True


def test_selectors_are_case_insensitive(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'select = ["lope"]\nignore = ["Lope004"]\n')
    assert cfg.select == ("LOPE",)
    assert cfg.rule_enabled("lope001", "LOPE", "") is True
    assert cfg.rule_enabled("LOPE004", "LOPE", "") is False


def test_per_file_ignores(tmp_path: Path) -> None:
    cfg = load(tmp_path, """\
        [tool.agentable.per-file-ignores]
        "tests/*" = ["MNFT"]
        "scripts/legacy.py" = ["LOPE001", "LARD"]
        """)
    assert cfg.per_file_ignores == (("tests/*", ("MNFT",)), ("scripts/legacy.py", ("LOPE001", "LARD")))
    assert cfg.rule_enabled("MNFT001", "MNFT", "tests/test_agent.py") is False
    assert cfg.rule_enabled("MNFT003", "MNFT", "tests/unit/test_loop.py") is False
    assert cfg.rule_enabled("MNFT001", "MNFT", "src/agent.py") is True
    assert cfg.rule_enabled("LOPE001", "LOPE", "tests/test_agent.py") is True
    assert cfg.rule_enabled("LOPE001", "LOPE", "scripts/legacy.py") is False
    assert cfg.rule_enabled("LOPE002", "LOPE", "scripts/legacy.py") is True
    assert cfg.rule_enabled("LARD004", "LARD", "scripts/legacy.py") is False
    # without a path (the rule list for the whole scan) per-file-ignores do not apply
    assert cfg.rule_enabled("MNFT001", "MNFT", "") is True


def test_per_file_ignores_single_string_code(tmp_path: Path) -> None:
    cfg = load(tmp_path, '[tool.agentable.per-file-ignores]\n"gen/*.py" = "LOPE"\n')
    assert cfg.rule_enabled("LOPE002", "LOPE", "gen/x.py") is False
    assert cfg.rule_enabled("LOPE002", "LOPE", "src/x.py") is True


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


# ----------------------------------------------------------------------------- reading the settings


def test_all_settings_are_read(tmp_path: Path) -> None:
    cfg = load(tmp_path, """\
        fail-on = "error"
        format = "sarif"
        jobs = 4
        respect-gitignore = false
        min-severity = "warning"
        exclude = ["tests/fixtures/", "*_pb2.py"]

        [tool.agentable.llm]
        enabled = true
        model = "gpt-4o-mini"
        base-url = "http://localhost:11434/v1"
        api-key-env = "MY_LLM_KEY"
        timeout = 1
        max-retries = 0
        max-calls = 50
        max-tokens = 100000
        concurrency = 2
        cache-dir = ".cache/llm"
        """)
    assert (cfg.fail_on, cfg.format, cfg.jobs, cfg.respect_gitignore, cfg.min_severity) == (
        "error", "sarif", 4, False, "warning")
    assert cfg.min_severity_level() == Severity.WARNING
    assert cfg.exclude == ("tests/fixtures/", "*_pb2.py")
    # The project picks the model and the budgets; turning the network on, the endpoint, the key
    # variable and the cache folder are the user's alone (docs/security.md), and one notice says so.
    assert cfg.llm == LLMSettings(model="gpt-4o-mini", timeout=1, max_retries=0, max_calls=50,
                                  max_tokens_total=100000, concurrency=2)
    [note] = cfg.notifications
    assert "enabled, base-url, api-key-env, cache-dir ignored" in note.message and note.kind == "config"


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
    assert (llm.enabled, llm.model, llm.base_url, llm.api_key_env) == (False, "gpt-4o-mini", None, None)
    assert (llm.timeout, llm.max_retries, llm.max_calls, llm.max_tokens_total, llm.concurrency, llm.cache_dir) == (
        12.5, 1, 50, 1000, 2, None)
    assert [n.kind for n in c.notifications] == ["config"]


@pytest.mark.parametrize("level", ["error", "warning", "note", "never"])
def test_fail_on_accepts_the_levels(tmp_path: Path, level: str) -> None:
    assert load(tmp_path, f'fail-on = "{level}"\n').fail_on == level


@pytest.mark.parametrize("value", ['"critical"', '"ERROR "', '""'])
def test_fail_on_rejects_anything_else(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="fail-on"):
        load(tmp_path, f"fail-on = {value}\n")


@pytest.mark.parametrize("body, key", [
    ('min-severity = "fatal"\n', "min-severity"),
    ('format = "xml"\n', "format"),
])
def test_other_choices_are_validated(tmp_path: Path, body: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        load(tmp_path, body)


# ----------------------------------------------------------------------------- the API-key guard


@pytest.mark.parametrize("key", ["api-key", "api_key"])
def test_literal_api_key_is_rejected(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, f'[tool.agentable.llm]\nmodel = "gpt-4o-mini"\n{key} = "sk-proj-abc123"\n')
    message = str(err.value)
    assert "api-key-env" in message
    assert "sk-proj-abc123" not in message  # the secret is not echoed back


def test_api_key_env_is_refused_in_the_project_and_accepted_from_the_user(tmp_path: Path) -> None:
    cfg = load(tmp_path, '[tool.agentable.llm]\napi-key-env = "AWS_SECRET_ACCESS_KEY"\n')
    assert cfg.llm.api_key_env is None
    assert "api-key-env ignored" in cfg.notifications[0].message
    user_config('[llm]\napi-key-env = "OPENROUTER_API_KEY"\nbase-url = "http://127.0.0.1:9/v1"\nenabled = true\n')
    user, notes = load_user_llm()
    assert (user.api_key_env, user.base_url, user.enabled, notes) == (
        "OPENROUTER_API_KEY", "http://127.0.0.1:9/v1", True, [])


def test_max_seconds_reaches_the_checker(tmp_path: Path) -> None:
    from agentable.cli import _make_checker

    cfg = load(tmp_path, '[tool.agentable.llm]\nmax-seconds = 7.5\n')
    assert cfg.llm.max_seconds == 7.5
    user_config('[llm]\nenabled = true\nbase-url = "http://127.0.0.1:9/v1"\n')
    checker, _ = _make_checker(cfg, None, False, False, None, None)
    assert checker._client is not None and checker._client.config.max_seconds == 7.5


def test_user_config_errors_are_config_errors() -> None:
    path = user_config('[llm]\nenabled = "yes"\n')
    with pytest.raises(ConfigError, match="enabled must be a boolean"):
        load_user_llm()
    path.write_text("[llm\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=str(path)):
        load_user_llm()


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), ("0", False), ("no", False)])
def test_environment_turns_the_llm_on_or_off(value: str, expected: bool) -> None:
    got = env_llm({"AGENTABLE_LLM": value, "AGENTABLE_LLM_BASE_URL": "http://127.0.0.1:8/v1", "OTHER": "x"})
    assert got == {"enabled": expected, "base_url": "http://127.0.0.1:8/v1"}


@pytest.mark.parametrize("body", [
    "[tool.agentable.llm]\napi-key = 'sk-123'\n",
    "[tool.agentable]\napi_key = 'sk-123'\n",
])
def test_literal_api_key_is_rejected_in_either_table(tmp_path: Path, body: str) -> None:
    pyproject(tmp_path, body)
    with pytest.raises(ConfigError, match="api-key-env"):
        load_config(tmp_path)


# ----------------------------------------------------------------------------- unknown keys and wrong types


def test_unknown_keys_are_notifications(tmp_path: Path) -> None:
    path = pyproject(tmp_path, '[tool.agentable]\nselekt = ["LOPE"]\nignore = ["LOPE002"]\n'
                               '[tool.agentable.llm]\nmodle = "x"\n', project=True)
    cfg = load_config(tmp_path)
    assert cfg.ignore == ("LOPE002",)  # the rest still applies
    assert len(cfg.notifications) == 2
    first, second = cfg.notifications
    assert "'selekt'" in first.message and "unknown" in first.message
    assert "'modle'" in second.message and "llm" in second.message
    assert {n.kind for n in cfg.notifications} == {"config"}
    assert {n.path for n in cfg.notifications} == {str(path)}


def test_unknown_key_notifications_name_the_key_and_its_table(tmp_path: Path) -> None:
    pyproject(tmp_path, "[tool.agentable]\nselct = ['LOPE']\n[tool.agentable.llm]\nmodle = 'x'\n")
    notes = load_config(tmp_path).notifications
    assert [(n.kind, n.message) for n in notes] == [
        ("config", "unknown configuration key 'selct' in [tool.agentable]; ignored"),
        ("config", "unknown configuration key 'modle' in [tool.agentable.llm]; ignored"),
    ]


@pytest.mark.parametrize("body", [
    'select = "LOPE"\n',
    "select = [1, 2]\n",
    'ignore = {LOPE = true}\n',
    'exclude = "tests/"\n',
    "exclude = [1]\n",
    'jobs = "4"\n',
    "jobs = true\n",
    "jobs = 1.5\n",
    'respect-gitignore = "no"\n',
    "fail-on = 1\n",
    'per-file-ignores = ["tests/*"]\n',
    '[tool.agentable.per-file-ignores]\n"tests/*" = [1]\n',
    'llm = "gpt-4o"\n',
    '[tool.agentable.llm]\ntimeout = "1"\n',
    '[tool.agentable.llm]\nmax-retries = 0.5\n',
    '[tool.agentable.llm]\nmax-calls = "many"\n',
    '[tool.agentable.llm]\nmodel = 4\n',
])
def test_wrong_types_raise_config_error(tmp_path: Path, body: str) -> None:
    with pytest.raises(ConfigError):
        load(tmp_path, body)


@pytest.mark.parametrize("body, message", [
    ("select = 'LOPE'", "select must be a list, not a string"),
    ("jobs = true", "jobs must be an integer, not a boolean"),
    ("jobs = -1", "jobs must be from 0 to 64"),
    ("jobs = 1000", "jobs must be from 0 to 64"),
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


# ----------------------------------------------------------------------------- command line


def test_merge_cli_overrides_the_file(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'select = ["LOPE"]\nfail-on = "error"\nformat = "json"\nexclude = ["a/"]\n')
    merged = cfg.merge_cli(select=["mnft", "LOPE001"], ignore=["MNFT003"], fail_on="note", format=None,
                           exclude=["b/", "c/"], jobs=None, respect_gitignore=False)
    assert merged.select == ("MNFT", "LOPE001")
    assert merged.ignore == ("MNFT003",)
    assert merged.fail_on == "note"
    assert merged.format == "json"  # None: not given on the command line
    assert merged.exclude == ("b/", "c/")
    assert merged.respect_gitignore is False
    assert merged.rule_enabled("LOPE002", "LOPE", "") is False
    assert merged.rule_enabled("MNFT003", "MNFT", "") is False
    assert merged.rule_enabled("MNFT001", "MNFT", "") is True
    assert cfg.select == ("LOPE",)  # the original is left alone


def test_merge_cli_validates_fail_on() -> None:
    with pytest.raises(ConfigError, match="fail-on"):
        Config().merge_cli(fail_on="sometimes")


def test_merge_cli_with_nothing_given_is_unchanged(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'select = ["LOPE"]\n')
    assert cfg.merge_cli(select=None, ignore=None, fail_on=None, exclude=None) == cfg


def test_merge_cli_overrides_only_given_values(tmp_path: Path) -> None:
    base = Config(select=("LOPE",), fail_on="error", jobs=2)
    merged = base.merge_cli(select="ieti,ADAL001", ignore=None, fail_on=None, jobs=0, exclude=["x/"])
    assert (merged.select, merged.fail_on, merged.jobs, merged.exclude) == (("IETI", "ADAL001"), "error", 0, ("x/",))
    with pytest.raises(ConfigError, match="fail-on"):
        base.merge_cli(fail_on="loud")


# ----------------------------------------------------------------------------- which file


def test_agentable_toml_is_used_when_pyproject_has_no_table(tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool.ruff]\nline-length = 100\n', project=True)
    (tmp_path / "agentable.toml").write_text('select = ["MNFT"]\nfail-on = "error"\n', encoding="utf-8")
    cfg = load_config(tmp_path)
    assert cfg.select == ("MNFT",)
    assert cfg.fail_on == "error"


def test_agentable_toml_without_pyproject(tmp_path: Path) -> None:
    (tmp_path / "agentable.toml").write_text('ignore = ["LOPE"]\n[llm]\ntimeout = 2\n', encoding="utf-8")
    cfg = load_config(tmp_path)
    assert cfg.ignore == ("LOPE",)
    assert cfg.llm.timeout == 2


def test_pyproject_without_table_gives_defaults(tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool.ruff]\nline-length = 100\n', project=True)
    assert load_config(tmp_path) == Config()


def test_explicit_config_file(tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool.agentable]\nselect = ["LOPE"]\n', project=True)
    custom = tmp_path / "ci" / "agentable-ci.toml"
    custom.parent.mkdir()
    custom.write_text('select = ["EPDD"]\n', encoding="utf-8")
    assert load_config(tmp_path, custom).select == ("EPDD",)


def test_broken_pyproject_is_said_and_the_defaults_apply(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project\nname = "broken"\n[tool.agentable]\nselect = ["LOPE"]\n')
    cfg = load_config(tmp_path)
    assert cfg.select == () and cfg.llm == LLMSettings()
    [note] = cfg.notifications
    assert note.message.startswith("configuration not read: invalid TOML") and note.level == "error"


def test_broken_agentable_toml_raises(tmp_path: Path) -> None:
    (tmp_path / "agentable.toml").write_text('select = ["LOPE"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"agentable\.toml"):
        load_config(tmp_path)


def test_broken_explicit_pyproject_raises(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.agentable\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path, path)


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


def test_invalid_toml_in_a_dedicated_file_is_an_error(tmp_path: Path) -> None:
    pyproject(tmp_path, "select = [\n", "agentable.toml")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path)
