"""A rescan of an unchanged project reuses the previous result; any change is rescanned."""

from __future__ import annotations

from pathlib import Path

from agentable.config import Config
from agentable.scan import ScanOptions, scan

AGENT = '''
import json
from openai import OpenAI

client = OpenAI()


def plan(goal: str) -> dict:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": goal}])
    return json.loads(reply.choices[0].message.content)
'''


def _findings(project: Path, cache: Path) -> list[tuple[str, str, int, str]]:
    result = scan([project], Config(), ScanOptions(cache_dir=cache))
    return [(f.rule_id, f.span.path, f.span.line, f.fingerprint) for f in result.active]


def test_unchanged_project_reuses_the_result_and_changes_are_rescanned(tmp_path: Path, monkeypatch) -> None:
    project, cache = tmp_path / "proj", tmp_path / "cache"
    project.mkdir()
    (project / "agent.py").write_text(AGENT, encoding="utf-8")
    first = _findings(project, cache)
    assert [f[:3] for f in first] == [("LOPE001", "agent.py", 10)]
    assert len(list((cache / "results").glob("*.entry"))) == 1
    import agentable.scan as scan_module

    def no_graph(*args, **kwargs):
        raise AssertionError("an unchanged project must not be analysed again")

    with monkeypatch.context() as m:
        m.setattr(scan_module, "ProjectGraph", no_graph)
        assert _findings(project, cache) == first  # served from the result cache, identical

    guarded = AGENT.replace("    return json.loads(reply.choices[0].message.content)",
                            "    try:\n        return json.loads(reply.choices[0].message.content)\n"
                            "    except json.JSONDecodeError:\n        return {}")
    (project / "agent.py").write_text(guarded, encoding="utf-8")
    assert _findings(project, cache) == []  # the edit is seen: the old result is not reused
    (project / "requirements.txt").write_text("openai>=1.40\n", encoding="utf-8")
    assert _findings(project, cache) == []  # a new manifest is part of the key too
    assert len(list((cache / "results").glob("*.entry"))) == 1  # only the latest state is kept
