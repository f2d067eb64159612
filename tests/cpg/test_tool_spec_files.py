"""Tool schemas kept in YAML/JSON files (issue #13): positions from the JSON reader and ruamel,
the shapes recognised, and what is not a tool schema."""

from __future__ import annotations

import json

from agentable.catalog import load_catalog
from agentable.cpg.artifacts import parse_artifact
from agentable.cpg.artifacts.json_pos import json_locations
from agentable.cpg.artifacts.tool_specs import tool_specs_of

SHAPES = load_catalog().tool_schemas


def _specs(rel: str, text: str):
    art, notes = parse_artifact(rel, text)
    assert not notes
    return tool_specs_of(art, SHAPES)


def test_json_locations_match_the_text() -> None:
    text = '{"a": [1, {"b\\u00e9": "x\\"y"}],\n  "c": {"d": [true, null, -2.5e3]}}'
    where = json_locations(text)
    lines = text.split("\n")
    for keys, (line, col) in where.items():
        if isinstance(keys[-1], str):
            assert json.loads(lines[line][col:].split(":")[0]) == keys[-1]
    assert where[("c", "d", 2)] == (1, 26)
    assert where[("a", 1, "bé")] == (0, 11)


def test_json_locations_of_broken_text_keep_what_was_read() -> None:
    where = json_locations('{"a": 1, "b": [2, ')
    assert ("a",) in where and ("b", 0) in where
    deep = json_locations("[" * 5000)  # nested past the depth bound: stops there, no RecursionError
    assert 0 < len(deep) <= 202


def test_wrapped_json_schema_with_positions() -> None:
    text = json.dumps({"tools": [{"type": "function", "function": {
        "name": "get_weather", "description": "Weather now.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]},
        indent=2)
    [spec] = _specs("tools.json", text)
    lines = text.split("\n")
    assert spec.name == "get_weather" and spec.shape == "openai-chat-tools" and spec.group == ("tools",)
    assert lines[spec.pos[0] - 1][spec.pos[1]:].startswith('"name"')
    [p] = spec.params
    assert p.name == "city" and p.required and not p.described
    assert lines[p.pos[0] - 1][p.pos[1]:].startswith('"city"')


def test_yaml_shapes_and_required_beside_parameters() -> None:
    text = ("- name: search\n  description: Find pages.\n  input_schema:\n    type: object\n"
            "    properties:\n      q: {type: string, enum: [a, b]}\n"
            "- name: fetch\n  inputSchema:\n    type: object\n    properties:\n      url: {type: string}\n"
            "  required: [url]\n")
    first, second = _specs("tools.yaml", text)
    assert (first.shape, first.provider, first.pos[:2]) == ("anthropic-tools", "anthropic", (1, 2))
    assert first.params[0].described  # an enum says what to pass
    assert second.shape == "mcp-tools" and second.description is None
    assert second.misplaced_required == (12, 2, 12, 10) and second.misplaced_names == ("url",)


def test_not_tool_schemas() -> None:
    openapi = {"paths": {"/x": {"get": {"name": "list", "parameters": [{"name": "q", "in": "query"}]}}}}
    settings = {"name": "bot", "parameters": {"temperature": 0.2, "max_tokens": 300}}
    assert _specs("openapi.json", json.dumps(openapi)) == []
    assert _specs("settings.json", json.dumps(settings)) == []
    assert _specs("notes.yaml", "- a\n- b\n") == []
