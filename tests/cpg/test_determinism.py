"""Findings must not depend on hash order: the same project scanned under different PYTHONHASHSEED
values (which reorder every frozenset of values) gives the same findings and facts.

The project has the shapes where a choice among several values used to follow set order: a
factory returning one of several chat-model constructions (which one is "the" client of a call,
and so which model id and JSON mode a call has), and a parse fed by a recursive helper whose
argument reaches it along several data-flow paths (which path, and which parser, a message names).
Each seed runs in a child process, since the seed is fixed when the interpreter starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FILES = {
    "desk/__init__.py": "",
    "desk/models.py": '''
        from dataclasses import dataclass

        from langchain_anthropic import ChatAnthropic


        @dataclass
        class Profile:
            tier: str = "standard"
            model_name: str = "claude-2.1"


        def chat_model(profile: Profile):
            if profile.tier == "cheap":
                return ChatAnthropic(model=profile.model_name, max_tokens=400)
            if profile.tier == "long":
                return ChatAnthropic(model=profile.model_name, max_tokens=4000, temperature=0.2)
            return ChatAnthropic(model=profile.model_name, max_tokens=1200)
    ''',
    "desk/triage.py": '''
        import ast
        import json

        from desk.models import chat_model


        def decode_ticket(text, second_try=True):
            if "TICKET:" in text:
                text = text.split("TICKET:", 1)[1]
            try:
                return json.loads(text)
            except ValueError:
                text = text[text.find("{"): text.rfind("}") + 1]
                try:
                    return json.loads(text)
                except ValueError:
                    try:
                        text = text.replace("'", '"')
                        return ast.literal_eval(text)
                    except (ValueError, SyntaxError):
                        if second_try:
                            return decode_ticket(text.strip(), second_try=False)
                        raise


        def triage(profile, ticket_body):
            model = chat_model(profile)
            reply = model.invoke(f"Classify this support ticket as JSON: {ticket_body}")
            fields = decode_ticket(reply.content)
            return fields["queue"], fields["priority"]
    ''',
}

CHILD = """
import json, sys
from agentable.rule_runner import run_rules
from agentable.rules import all_rules
from tests.conftest import graph_of

g = graph_of(json.loads(sys.argv[1]))
for c in g.agent.llm_calls:
    s = c.setting("model")
    print("call", c.path, c.call.pos, c.client_site and c.client_site[1].pos, s and s.expr.pos)
findings, notes = run_rules(g, all_rules())
for f in sorted(findings, key=lambda f: (f.rule_id, f.span.path, f.span.line, f.message)):
    print(f.rule_id, f.span.path, f.span.line, f.message)
for n in notes:
    print("note", n.message)
"""


def _run(seed: int) -> str:
    import json

    env = dict(os.environ, PYTHONHASHSEED=str(seed), PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", CHILD, json.dumps(FILES)], env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


def test_findings_do_not_depend_on_hash_seed() -> None:
    outputs = {seed: _run(seed) for seed in range(6)}
    first = outputs[0]
    assert "LOPE004" in first and "LARD005" in first  # the shapes are reached at all
    for seed, out in outputs.items():
        assert out == first, f"PYTHONHASHSEED={seed} differs from 0:\n{out}\n---\n{first}"


# Rule fixtures whose findings once followed the hash seed (scanned whole, as a user would).
FIXTURE_CASES = ["lard007/ok_subclass_fills_its_own_template"]  # seeds 4 and 5 reported a LARD007


def _scan(project: Path, seed: int) -> list[tuple[str, str, int, str]]:
    import json

    env = dict(os.environ, PYTHONHASHSEED=str(seed), PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "agentable", "scan", str(project), "--no-cache", "--format", "json"],
                       capture_output=True, text=True, env=env, cwd=project, timeout=120)
    assert r.returncode in (0, 1), r.stderr[-2000:]
    return sorted((f["rule"], f["file"], f["span"]["line"], f["message"]) for f in json.loads(r.stdout)["findings"])


def test_fixture_findings_do_not_depend_on_hash_seed(tmp_path: Path) -> None:
    import shutil

    for case in FIXTURE_CASES:
        project = tmp_path / case.replace("/", "__")
        shutil.copytree(ROOT / "tests" / "rules" / "fixtures" / case, project)
        runs = {seed: _scan(project, seed) for seed in range(1, 7)}
        assert all(r == runs[1] for r in runs.values()), {s: len(r) for s, r in runs.items()}
