"""Model text reaching the [code] sinks of taint.toml (LOPE012): which pieces of a composed shell
command hold the reply between quotes, and which forms are barriers."""

from __future__ import annotations

from agentable.query.code_sinks import code_flows
from tests.conftest import graph_of

_HEAD = '''
import os, re, shlex, subprocess
from openai import OpenAI

client = OpenAI()


def ask(prompt):
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
    return reply.choices[0].message.content

'''


def _kinds(body: str) -> list[tuple[str, int]]:
    g = graph_of({"agent.py": _HEAD + body})
    return sorted((f.kind, f.expr.pos[0] - _HEAD.count("\n")) for f in code_flows(g))


def test_quoted_pieces_of_a_command_in_every_string_form() -> None:
    body = '''
def run(topic):
    text = ask(topic)
    os.system(f"say '{text}'")
    os.system("say '%s' now" % text)
    os.system('say "{}"'.format(text))
    os.system("say '" + text + "'")
    os.popen('echo "{t}"'.format(t=text))
'''
    assert _kinds(body) == [("shell", 4), ("shell", 5), ("shell", 6), ("shell", 7), ("shell", 8)]


def test_unquoted_or_quoted_or_no_shell_is_not_reported() -> None:
    body = '''
def run(topic):
    text = ask(topic)
    subprocess.run(f"say '{text}'", shell=False)
    subprocess.run(f"say '{text}'")
    subprocess.run(text, shell=True)
    subprocess.run(f"say {shlex.quote(text)}", shell=True)
    subprocess.run(f"say '{topic}'", shell=True)
'''
    assert _kinds(body) == []


def test_command_built_in_caller_and_run_in_helper() -> None:
    body = '''
def sh(cmd):
    return subprocess.check_output(cmd, shell=True, text=True)


def tag(version):
    note = ask("release note for " + version)
    cmd = f'git tag -a {version} -m "{note}"'
    return sh(cmd)
'''
    assert _kinds(body) == [("shell", 8)]


def test_replacement_template_and_its_barriers() -> None:
    body = '''
def fill(doc):
    text = ask("fill the blank")
    a = re.sub("BLANK", text, doc)
    b = re.sub("BLANK", lambda m: text, doc)
    c = re.sub("BLANK", text.replace("\\\\", "\\\\\\\\"), doc)
    d = re.sub("BLANK", "x", text)
    return a, b, c, d
'''
    assert _kinds(body) == [("template", 4)]


def test_module_write_needs_a_py_path_and_no_cleaning() -> None:
    body = '''
def save(name):
    code = ask("write a module")
    with open(name + ".py", "w") as fh:
        fh.write(code)
    with open(name + ".txt", "w") as fh:
        fh.write(code)
    clean = code.strip().removeprefix("```python").removesuffix("```")
    with open(name + "_clean.py", "w") as fh:
        fh.write(clean)
'''
    assert _kinds(body) == [("module", 5)]
