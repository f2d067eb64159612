"""yaml_fast: libyaml's events through ruamel's composer and constructor give what ruamel's own
round-trip load gives (data, types, positions), and what it cannot read goes to ruamel alone."""

from __future__ import annotations

import pytest

from agentable.cpg.artifacts import yaml_fast

pytest.importorskip("yaml")

_TEXT = """\
# settings
llm:
  model: gpt-4o-mini   # the agent's model
  max_tokens: 512
  temperature: 0.2
  enabled: yes
  mode: 0o10
  stop: ["END", 'STOP']
agents:
  - &base
    role: writer
    prompt: |
      Write the answer.
  - *base
created: 2024-01-02
"""


def _dump(node, out: list) -> list:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        out.append(("map", node.lc.line, node.lc.col))
        for k, v in node.items():
            out.append((repr(k), node.lc.key(k), node.lc.value(k)))
            _dump(v, out)
    elif isinstance(node, CommentedSeq):
        out.append(("seq", node.lc.line, node.lc.col))
        for i, v in enumerate(node):
            out.append((i, node.lc.item(i)))
            _dump(v, out)
    else:
        out.append((repr(node), type(node).__name__))
    return out


def test_fast_load_equals_ruamel_load() -> None:
    fast = yaml_fast._load_fast(_TEXT)  # raises if the fast path is not taken
    slow = yaml_fast._new_loader().load(_TEXT)
    assert _dump(fast, []) == _dump(slow, [])
    assert fast["llm"]["enabled"] == "yes"  # YAML 1.2, as ruamel reads it
    assert fast["llm"].lc.value("model") == (2, 9)


@pytest.mark.parametrize("text", ["a: !!str 1\n", "%YAML 1.1\n---\na: yes\n", "a: [1,\n", "a:\nb: 1\n", "l:\n- \n- 2\n"])
def test_tags_directives_and_errors_are_ruamels(text: str) -> None:
    try:
        expected = _dump(yaml_fast._new_loader().load(text), [])
    except Exception as exc:  # the same error must come out of load_yaml
        with pytest.raises(type(exc)):
            yaml_fast.load_yaml(text)
        return
    assert _dump(yaml_fast.load_yaml(text), []) == expected
