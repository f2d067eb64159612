"""query.tool_calls: which tools' own results an expression is."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cpg"))

from graph_helpers import graph_of  # noqa: E402

from agentable import query  # noqa: E402
from agentable.cpg import ir  # noqa: E402

SRC = {"bot.py": """
    import json
    from openai import OpenAI

    client = OpenAI()

    def lookup(key: str):
        return {"key": key}

    def echo(text: str) -> str:
        return text

    TOOLS = {"lookup": lookup, "echo": echo}

    def run_tool(name, args):
        fn = TOOLS.get(name)
        if fn is None:
            return "unknown tool"
        return fn(**args)

    def run_tool_safe(name, args):
        out = TOOLS[name](**args)
        return out if isinstance(out, str) else json.dumps(out)

    def loop(msgs):
        while True:
            msg = client.chat.completions.create(model="gpt-4o", messages=msgs).choices[0].message
            for tc in msg.tool_calls:
                args = json.loads(tc.function.arguments)
                direct = run_tool(tc.function.name, args)
                safe = run_tool_safe(tc.function.name, args)
                msgs.append({"role": "tool", "content": direct})
                msgs.append({"role": "tool", "content": safe})
"""}


def test_tool_results_follow_wrappers_but_not_normalised_values() -> None:
    g = graph_of(SRC)
    loop = g.functions["bot.loop"]
    found = {}
    for e, s in loop.walk(ir.Dict):
        content = e.get("content")
        found[ir.dotted(content)] = sorted(f.name for f, _ in query.tool_results_in(g, content, loop, s))
    assert found == {"direct": ["echo", "lookup"], "safe": []}
