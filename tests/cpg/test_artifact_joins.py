"""Joins between the code and the settings files it names: a CrewAI crew's config entries and
method names (LARD010), and stop sequences a model call takes from a loaded settings file
(ALS001/ALS002)."""

from __future__ import annotations

from pathlib import Path

from agentable.config import Config
from agentable.scan import ScanOptions, scan

_REACT = '''PROMPT = """Thought: think
Action: the tool
Action Input: its input
Observation: the result
Final Answer: the answer"""
'''

_LOOP = '''
def run(q):
    msgs = [{"role": "system", "content": PROMPT}, {"role": "user", "content": q}]
    for _ in range(4):
        text = CALL
        if "Final Answer:" in text:
            return text.split("Final Answer:")[1]
        act = text.split("Action:")[1]
        msgs.append({"role": "user", "content": "Observation: " + act})
'''


def _findings(root: Path, files: dict[str, str], rules: str) -> list[tuple[str, str, int]]:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    res = scan([root], Config().merge_cli(respect_gitignore=False), ScanOptions())
    return sorted((f.rule_id, f.span.path, f.span.line) for f in res.findings
                  if f.rule_id.startswith(rules))


def _react(call: str, head: str) -> str:
    return head + _REACT + _LOOP.replace("CALL", call)


def test_crew_key_spelled_differently_is_missing_and_get_is_not(tmp_path: Path) -> None:
    crew = '''from crewai import Agent, Task
from crewai.project import CrewBase, agent, task


@CrewBase
class C:
    @agent
    def writer(self) -> Agent:
        extra = self.agents_config.get("Writer")
        return Agent(config=self.agents_config["Writer"])

    @task
    def draft(self) -> Task:
        return Task(config=self.tasks_config["draft"])
'''
    found = _findings(tmp_path, {
        "app/crew.py": crew,
        "app/config/agents.yaml": "writer:\n  role: W\n  goal: G\n  backstory: B\n",
        "app/config/tasks.yaml": "draft:\n  description: D\n  expected_output: O\n  agent: writer\n"
                                 "  context: [draft, outline]\n",
    }, "LARD010")
    # CrewAI does no renaming: `Writer` is not `writer`; `.get` never raises; `outline` is no @task method
    assert found == [("LARD010", "app/config/tasks.yaml", 5), ("LARD010", "app/crew.py", 10)]


def test_stop_list_from_a_json_file_read_with_get(tmp_path: Path) -> None:
    head = 'import json\nfrom openai import OpenAI\nCFG = json.load(open("llm.json"))\n'
    call = 'OpenAI().chat.completions.create(model="gpt-4o", messages=msgs, ' \
           'stop=CFG.get("llm", {}).get("stop")).choices[0].message.content'
    found = _findings(tmp_path, {
        "agent.py": _react(call, head),
        "llm.json": '{\n  "name": "x",\n  "llm": {\n    "stop": ["Action:"]\n  }\n}\n',
    }, "ALS")
    assert found == [("ALS002", "llm.json", 4)]


def test_splat_of_a_toml_table_without_stop_and_an_unlinked_path(tmp_path: Path) -> None:
    head = ('import os\nimport tomllib\nfrom openai import OpenAI\n'
            'P = tomllib.load(open("agent.toml", "rb"))["model"]["params"]\n'
            'Q = tomllib.load(open(os.environ["AGENT_TOML"], "rb"))\n')
    found = _findings(tmp_path, {
        "a.py": _react('OpenAI().chat.completions.create(model="gpt-4o", messages=msgs, **P)'
                       '.choices[0].message.content', head),
        "b.py": _react('OpenAI().chat.completions.create(model="gpt-4o", messages=msgs, **Q)'
                       '.choices[0].message.content', head.replace("a.py", "b.py")),
        "agent.toml": '[model]\nname = "gpt-4o"\n\n[model.params]\ntemperature = 0\n',
    }, "ALS001")
    # a.py's table is in agent.toml (reported at its header line); b.py's file is chosen at run time
    assert found == [("ALS001", "agent.toml", 4)]
