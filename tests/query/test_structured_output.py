"""query.structured_output: which LLM calls ask for JSON or a schema."""

from __future__ import annotations

from agentable.cpg.values import LLMOutput
from agentable.query.structured_output import structured_output
from tests.conftest import graph_of


def test_google_genai_config_asks_for_json_only_through_its_settings() -> None:
    g = graph_of({"m.py": """
        from google import genai
        from google.genai import types

        client = genai.Client()
        PLAIN = types.GenerateContentConfig(temperature=0.2, system_instruction="Be brief.")
        JSON = types.GenerateContentConfig(response_mime_type="application/json")
        SCHEMA = {"response_json_schema": {"type": "object"}}
        ENUM = {"response_mime_type": "text/x.enum", "temperature": 0}

        def plain(t):
            return client.models.generate_content(model="gemini-2.5-flash", contents=t, config=PLAIN)

        def json_mode(t):
            return client.models.generate_content(model="gemini-2.5-flash", contents=t, config=JSON)

        def schema(t):
            return client.models.generate_content(model="gemini-2.5-flash", contents=t, config=SCHEMA)

        def enum(t):
            return client.models.generate_content(model="gemini-2.5-flash", contents=t, config=ENUM)

        def inline(t):
            return client.models.generate_content(
                model="gemini-2.5-flash", contents=t, config=types.GenerateContentConfig(response_schema=list[str]))

        def opaque(t, cfg):
            return client.models.generate_content(model="gemini-2.5-flash", contents=t, config=cfg)

        def splat(t, **kw):
            return client.models.generate_content(model="gemini-2.5-flash", contents=t,
                                                  config=types.GenerateContentConfig(**kw))
    """})

    def asked(name: str):
        f = g.functions[f"m.{name}"]
        r = f.returns[0]
        (out,) = [v for v in g.values(r.value, f, r) if isinstance(v, LLMOutput)]
        return structured_output(g, out)

    assert asked("plain") is None and asked("enum") is None
    for name in ("json_mode", "schema", "inline", "opaque", "splat"):
        assert asked(name) == "config", name  # asked for, or not readable (then not claimed free text)
