"""Non-Python files of the agent (issue #13): parsing with positions, hostile input, linking to
the loading code, and how findings in them are reported and suppressed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml as pyyaml

from agentable.config import Config
from agentable.cpg.artifacts import ArtifactSet, format_fields, parse_artifact, template_of
from agentable.files import discover, is_artifact
from agentable.report.sarif import build_sarif
from agentable.report.text import render_text
from agentable.scan import ScanOptions, scan

REPO = Path(__file__).resolve().parents[2]


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def _scan(root: Path, **opts):
    return scan([root], Config().merge_cli(respect_gitignore=False), ScanOptions(**opts))


# ----------------------------------------------------------------------------- parsing


def test_yaml_model_ids_keep_line_and_column() -> None:
    art, notes = parse_artifact("cfg/llm.yaml", "# x\nllm:\n  model: 'gpt-4-32k'  # c\n  max_tokens: 9\n  stop: [a]\n")
    assert not notes
    (ms,) = art.models
    assert (ms.model_id, ms.pos, ms.keys, ms.role) == ("gpt-4-32k", (3, 9, 3, 20), ("llm", "model"), "setting")
    assert dict(ms.settings) == {"max_tokens": 9, "stop": ["a"]}


def test_json_toml_env_and_prompty_positions() -> None:
    art, _ = parse_artifact("a/config.json",
                            '{\n  "execution_settings": {"default": {"model_id": "gpt-4o",\n "temperature": 0}}}')
    assert [(m.model_id, m.pos) for m in art.models] == [("gpt-4o", (2, 49, 2, 57))]
    art, _ = parse_artifact("s.toml", '[a]\nname = "x"\n[b]\nmodel = "claude-2.1"\n')
    assert [(m.model_id, m.pos) for m in art.models] == [("claude-2.1", (4, 8, 4, 20))]
    art, _ = parse_artifact(".env.example", "OPENAI_MODEL=gpt-4o\nEMBED_MODEL=text-embedding-3-small\n")
    assert [(m.model_id, m.pos) for m in art.models] == [("gpt-4o", (1, 13, 1, 19))]
    art, _ = parse_artifact("p.prompty", "---\nname: x\nmodel:\n  api: completion\n  configuration:\n"
                                          "    type: openai\n    name: davinci-002\n---\nsystem:\nHi {{name}}\n")
    assert [(m.model_id, m.pos, m.role) for m in art.models] == [("davinci-002", (7, 10, 7, 21), "completion")]
    tpl = template_of(art, "jinja")
    assert [(v.name, v.pos) for v in tpl.variables] == [("name", (10, 5, 10, 9))]


def test_ini_positions_sections_and_settings_beside_one_model() -> None:
    text = ("; comment\n[OpenAI]\nMODEL = 'gpt-4o'  # main\nMAX_TOKENS=900\n  continued: not-a-key\n"
            "[two]\nmodel: o4-mini\nsummary_model = gpt-4o-mini\nmax_tokens = 50000\n")
    art, notes = parse_artifact("conf/config.ini", text)
    assert not notes and art.kind == "ini"
    assert [(m.model_id, m.pos, m.keys) for m in art.models] == [
        ("gpt-4o", (3, 8, 3, 16), ("OpenAI", "MODEL")), ("o4-mini", (7, 7, 7, 14), ("two", "model")),
        ("gpt-4o-mini", (8, 16, 8, 27), ("two", "summary_model"))]
    # a limit goes with a section's model only when the section has one model
    assert [dict(m.settings) for m in art.models] == [{"max_tokens": 900}, {}, {}]
    flat, notes = parse_artifact("summarizer.cfg", "model = gpt-4o\nchunk = 9\n")
    assert not notes and [(m.model_id, m.keys) for m in flat.models] == [("gpt-4o", ("", "model"))]
    _, notes = parse_artifact("broken.cfg", "[openai\nmodel = gpt-4o\n")
    assert [n.message for n in notes] == ["could not parse INI: line 1: '[openai' is neither a [section] nor a key = value"]
    # `%(x)s` is read as written: no interpolation
    art, notes = parse_artifact("i.ini", "[a]\nmodel = %(base)s-mini\nbase = gpt-4o\n")
    assert not notes and art.models == [] and art.data == {"a": {"model": "%(base)s-mini", "base": "gpt-4o"}}


def test_crewai_agents_yaml_llm_is_an_agent_model() -> None:
    text = "researcher:\n  role: R\n  goal: G\n  llm: openai/gpt-4o\n"
    art, _ = parse_artifact("src/crew/config/agents.yaml", text)
    assert [(m.model_id, m.role) for m in art.models] == [("openai/gpt-4o", "agent")]
    art, _ = parse_artifact("src/crew/config/other.yaml", text)
    assert [m.role for m in art.models] == ["setting"]


def test_templates_variables_and_near_misses() -> None:
    art, _ = parse_artifact("p.j2", "{{ a }}\n{% if b is defined %}{{ b }}{% endif %}{{ c | default(1) }}\n"
                                   "{% for x in items %}{{ x }}{{ loop.index }}{% endfor %}{% set y = 1 %}{{ y }}")
    tpl = template_of(art, "jinja")
    assert [v.name for v in tpl.needed()] == ["a", "items"]
    assert format_fields("Q: {q} {{literal}} {ctx!r}") == [("q", 4), ("ctx", 20)]
    assert format_fields('JSON: {"a": 1}') is None and format_fields("{0} and {}") is None
    broken, _ = parse_artifact("b.j2", "{% for %}")
    assert template_of(broken, "jinja") is None


def test_malformed_and_hostile_files_give_notes_not_crashes(tmp_path: Path) -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    cases = {
        "bad.yaml": "model: [unclosed\n",
        "tagged.yaml": "model: !!python/object/apply:os.system ['touch pwned']\nllm: gpt-4o\n",
        "laughs.yaml": "model: gpt-4o\n" + laughs,
        "llm_bad.json": '{"model": ',
        "deep_config.json": '{"model": "x", "a": ' + "[" * 5000 + "]" * 5000 + "}",
        "bad.toml": "model = \n",
        "bad.ini": "[llm\nmodel = gpt-4o\n",
    }
    for rel, text in cases.items():
        art, _notes = parse_artifact(rel, text)
        assert art.path == rel
    assert parse_artifact("bad.yaml", cases["bad.yaml"])[1][0].kind == "artifact"
    root = _write(tmp_path, {**cases, "agent.py": "import yaml\n"})
    result = _scan(root)
    assert not (root / "pwned").exists()
    assert {n.path for n in result.notifications if n.kind == "artifact"} >= {"bad.yaml", "llm_bad.json", "bad.toml", "bad.ini"}


def test_discovery_lists_artifacts_without_reading_and_skips_large(tmp_path: Path) -> None:
    root = _write(tmp_path, {"a.py": "x = 1\n", "prompts/p.j2": "{{ a }}", "README.md": "# r\n",
                             "requirements.txt": "openai\n", ".venv/x.yaml": "model: a\n",
                             "big.json": '{"model": "gpt-4-32k", "pad": "' + "x" * 600_000 + '"}'})
    disc = discover([root], root=root)
    assert disc.artifacts == ["README.md", "prompts/p.j2"]
    assert is_artifact("config/agents.yaml") and is_artifact(".env.example") and not is_artifact("pyproject.toml")


def test_symlink_out_of_root_is_not_read(tmp_path: Path) -> None:
    outside = _write(tmp_path / "outside", {"secret.yaml": "model: gpt-4-32k\n"})
    root = _write(tmp_path / "proj", {"a.py": "x = 1\n"})
    (root / "link.yaml").symlink_to(outside / "secret.yaml")
    arts = ArtifactSet(root, ["link.yaml"])
    assert arts.model_settings() == []
    assert _scan(root).active == []


# ----------------------------------------------------------------------------- linking and reports

CODE = '''\
import os
from jinja2 import Environment, FileSystemLoader

HERE = os.path.dirname(__file__)
env = Environment(loader=FileSystemLoader(os.path.join(HERE, "prompts")))


def ask(goal):
    return env.get_template("task.j2").render(goal=goal)
'''
OTHER = "def helper(x):\n    return x + 1\n"


def _prompt_project(root: Path, template: str = "Goal: {{ goal }}\nContext: {{ context }}\n") -> Path:
    return _write(root, {"app/agent.py": CODE, "app/prompts/task.j2": template, "app/other.py": OTHER,
                         "config/llm.yaml": "llm:\n  model: gpt-4-32k\n"})


def test_findings_in_a_template_and_a_yaml_file_in_text_and_sarif(tmp_path: Path) -> None:
    root = _prompt_project(tmp_path)
    result = _scan(root)
    got = {(f.rule_id, f.span.path, f.span.line, f.span.col, f.snippet) for f in result.active}
    assert got == {("LARD007", "app/prompts/task.j2", 2, 13, "Context: {{ context }}"),
                   ("LARD005", "config/llm.yaml", 2, 10, "  model: gpt-4-32k")}
    text = render_text(result, color=False)
    assert "app/prompts/task.j2:2:13: LARD007" in text and "2 | Context: {{ context }}" in text
    sarif = json.loads(json.dumps(build_sarif(result)))
    locs = {r["ruleId"]: r["locations"][0]["physicalLocation"] for r in sarif["runs"][0]["results"]}
    assert locs["LARD005"]["artifactLocation"]["uri"] == "config/llm.yaml"
    assert locs["LARD005"]["region"]["startLine"] == 2 and locs["LARD005"]["region"]["snippet"]["text"] == "gpt-4-32k"
    assert locs["LARD007"]["region"]["snippet"]["text"] == "context"


def test_inline_suppression_in_jinja_and_yaml(tmp_path: Path) -> None:
    root = _prompt_project(tmp_path, "Goal: {{ goal }}\nContext: {{ context }} {# agentable: ignore[LARD007] #}\n")
    (root / "config/llm.yaml").write_text("llm:\n  model: gpt-4-32k  # agentable: ignore[LARD005]\n")
    result = _scan(root)
    assert result.active == [] and {f.rule_id for f in result.findings if f.suppressed} == {"LARD005", "LARD007"}


def test_named_prompt_file_rechecks_its_loader(tmp_path: Path) -> None:
    root = _prompt_project(tmp_path)
    result = _scan(root, only_files={"app/prompts/task.j2"})
    assert {(f.rule_id, f.span.path) for f in result.active} == {("LARD007", "app/prompts/task.j2")}
    # the code that fills the template in changed: the finding in the template is reported too
    result = _scan(root, only_files={"app/agent.py"})
    assert {(f.rule_id, f.span.path) for f in result.active} == {("LARD007", "app/prompts/task.j2")}
    assert _scan(root, only_files={"app/other.py"}).active == []


def test_precommit_hook_passes_prompt_and_settings_files() -> None:
    hook = pyyaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())[0]
    assert {"yaml", "json", "jinja", "text"} <= set(hook["types_or"])
    files = re.compile(hook["files"])
    for rel in ("config/agents.yaml", "plugins/Sum/config.json", "prompts/task.j2", "prompts/a.jinja", "p/skprompt.txt",
                "chat.prompty", "prompts/qa.md", ".env.example", "agent.py", "requirements.txt", "config.ini",
                "conf/settings.cfg"):
        assert files.search(rel), rel


def test_cli_reports_into_the_yaml_file(tmp_path: Path) -> None:
    root = _prompt_project(tmp_path)
    out = subprocess.run([sys.executable, "-m", "agentable", "scan", "--no-llm", "--format", "json", str(root)],
                         capture_output=True, text=True, cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    data = json.loads(out.stdout)
    assert {(f["rule"], f["file"]) for f in data["findings"]} >= {("LARD005", "config/llm.yaml")}
