"""The composite GitHub Action (action.yml): its structure, and its shell steps run for real.

The shell steps are extracted and run the way the runner does (`bash --noprofile --norc -eo
pipefail`), with `${{ ... }}` in `env:` evaluated from the inputs, so the scan step really
writes a SARIF file, which must validate against the OASIS 2.1.0 schema.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")
jsonschema = pytest.importorskip("jsonschema")

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

DEFECTIVE = '''\
import json

from openai import OpenAI

client = OpenAI()


def extract(text: str) -> dict:
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"Return JSON with the fields of: {text}"}],
    )
    return json.loads(response["choices"][0]["message"]["content"])
'''
CLEAN = '''\
def add(a: int, b: int) -> int:
    return a + b
'''


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def _steps(action: dict[str, Any]) -> list[dict[str, Any]]:
    return action["runs"]["steps"]


def _expressions(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [e for v in value.values() for e in _expressions(v)]
    if isinstance(value, list):
        return [e for v in value for e in _expressions(v)]
    return EXPR.findall(value) if isinstance(value, str) else []


# ----------------------------------------------------------------------------- structure


def test_composite_with_the_documented_inputs(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    assert {"name", "description", "inputs", "runs"} <= set(action)
    defaults = {k: v.get("default") for k, v in action["inputs"].items()}
    assert defaults == {"path": ".", "args": "", "sarif-file": "agentable.sarif", "upload-sarif": "true",
                        "fail-on": "error", "python-version": "3.12", "category": "agentable",
                        "llm": "false"}
    assert all("description" in v for v in action["inputs"].values())


def test_every_run_step_has_a_shell_and_no_inline_expressions(action: dict[str, Any]) -> None:
    for step in _steps(action):
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", step.get("name")
            # Expressions spliced into a script are a script-injection hole: inputs go via env.
            assert "${{" not in step["run"], step.get("name")


def test_referenced_inputs_and_steps_exist(action: dict[str, Any]) -> None:
    ids = {s["id"] for s in _steps(action) if "id" in s}
    exprs = _expressions(action)
    assert exprs
    for expr in exprs:
        for name in re.findall(r"\binputs\.([A-Za-z0-9_-]+)", expr):
            assert name in action["inputs"], expr
        for sid in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.", expr):
            assert sid in ids, expr
    for step in _steps(action):
        for name in re.findall(r"\binputs\.([A-Za-z0-9_-]+)", str(step.get("if", ""))):
            assert name in action["inputs"], step["if"]


def test_sarif_is_uploaded_before_the_job_fails(action: dict[str, Any]) -> None:
    steps = _steps(action)
    uses = [s.get("uses", "") for s in steps]
    assert uses[0].startswith("actions/setup-python@")
    upload = next(i for i, u in enumerate(uses) if u.startswith("github/codeql-action/upload-sarif@"))
    assert uses[upload].endswith("@v4")
    assert steps[upload]["if"].replace(" ", "") == "always()&&inputs.upload-sarif=='true'"
    assert set(steps[upload]["with"]) >= {"sarif_file", "category"}
    scan = next(i for i, s in enumerate(steps) if s.get("id") == "scan")
    assert scan < upload < len(steps) - 1
    assert "steps.scan.outputs" in json.dumps(steps[-1].get("env", {}))


# ----------------------------------------------------------------------------- running the steps


def _evaluate(value: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def one(m: re.Match[str]) -> str:
        expr = m.group(1)
        if expr == "github.action_path":
            return str(REPO)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        sid, _, name = expr.removeprefix("steps.").partition(".outputs.")
        return outputs.get(sid, {}).get(name, "")

    return EXPR.sub(one, value)


def _run_action(action: dict[str, Any], workspace: Path, **overrides: str) -> tuple[list[int], dict[str, str]]:
    """Run the action's shell steps in order (without pip install); return their exit codes."""
    inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()} | overrides
    bindir = workspace.parent / "bin"
    bindir.mkdir(exist_ok=True)
    shim = bindir / "agentable"  # the agentable of this interpreter (the package is installed)
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m agentable.cli "$@"\n')
    shim.chmod(0o755)
    outputs: dict[str, dict[str, str]] = {}
    codes = []
    for i, step in enumerate(_steps(action)):
        if "run" not in step or "pip install" in step["run"]:
            continue
        out_file = workspace.parent / f"output-{i}"
        out_file.write_text("")
        env = {k: _evaluate(str(v), inputs, outputs) for k, v in (step.get("env") or {}).items()}
        env |= {"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(out_file),
                "GITHUB_WORKSPACE": str(workspace), "HOME": os.environ.get("HOME", str(workspace))}
        script = workspace.parent / f"step-{i}.sh"
        script.write_text(step["run"])
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workspace, env=env, capture_output=True, text=True, timeout=120)
        codes.append(proc.returncode)
        lines = out_file.read_text().splitlines()
        outputs[step.get("id", str(i))] = dict(ln.split("=", 1) for ln in lines if "=" in ln)
        if proc.returncode != 0 and step.get("id") == "scan":
            return codes, {"stderr": proc.stderr, "stdout": proc.stdout}
    return codes, outputs.get("scan", {})


def _project(tmp_path: Path, source: str) -> Path:
    ws = tmp_path / "workspace"
    ws.mkdir()
    (ws / "agent.py").write_text(textwrap.dedent(source), encoding="utf-8")
    (ws / "requirements.txt").write_text("openai>=1.40\n")
    return ws


def _validate(sarif_path: Path) -> dict[str, Any]:
    doc = json.loads(sarif_path.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=str)
    assert not errors, [e.message for e in errors[:5]]
    return doc


def test_findings_write_valid_sarif_then_fail_the_job(action: dict[str, Any], tmp_path: Path) -> None:
    ws = _project(tmp_path, DEFECTIVE)
    codes, scan_out = _run_action(action, ws)
    # scan step passes (so the upload runs), the last step fails the job
    assert codes == [0, 1], scan_out
    assert scan_out["exit-code"] == "1"
    doc = _validate(ws / "agentable.sarif")
    results = doc["runs"][0]["results"]
    assert any(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "agent.py" for r in results)


def test_clean_project_passes(action: dict[str, Any], tmp_path: Path) -> None:
    ws = _project(tmp_path, CLEAN)
    codes, scan_out = _run_action(action, ws, **{"sarif-file": "out/report.sarif", "args": "--jobs 1"})
    assert codes == [0, 0], scan_out
    assert scan_out["exit-code"] == "0"
    assert _validate(ws / "out" / "report.sarif")["runs"][0]["results"] == []


def test_fail_on_never_keeps_the_job_green(action: dict[str, Any], tmp_path: Path) -> None:
    ws = _project(tmp_path, DEFECTIVE)
    codes, scan_out = _run_action(action, ws, **{"fail-on": "never"})
    assert codes == [0, 0] and scan_out["exit-code"] == "0"
    assert _validate(ws / "agentable.sarif")["runs"][0]["results"]


def test_agentable_error_fails_the_scan_step(action: dict[str, Any], tmp_path: Path) -> None:
    ws = _project(tmp_path, CLEAN)
    codes, out = _run_action(action, ws, args="--no-such-option")
    assert codes == [2], out


def test_inputs_cannot_inject_shell(action: dict[str, Any], tmp_path: Path) -> None:
    ws = _project(tmp_path, CLEAN)
    marker = tmp_path / "pwned"
    codes, _ = _run_action(action, ws, path=f'. ; touch "{marker}"', args=f"$(touch {marker})")
    assert not marker.exists()
    assert codes and codes[0] == 2  # a path that does not exist, and an unknown argument


def test_the_llm_checker_is_off_unless_the_workflow_opts_in(action: dict[str, Any]) -> None:
    [scan] = [step for step in _steps(action) if step.get("id") == "scan"]
    assert scan["env"]["USE_LLM"] == "${{ inputs.llm }}"
    assert 'llm_flag=--no-llm' in scan["run"] and '"$llm_flag"' in scan["run"]
