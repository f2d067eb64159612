"""A value resolved deep inside another query, where the depth limit cuts it short, is not kept:
asked on its own later, it resolves in full (a production call first reached from a test's mock
setup stayed unresolved, so it was no LLM call)."""

from agentable.cpg import ir
from agentable.cpg.values import LLMOutput
from tests.conftest import graph_of

_HOPS = 40


def _chain() -> str:
    lines = ["from openai import OpenAI", "", "client = OpenAI()", "",
             f"def step{_HOPS}(q):",
             "    return client.chat.completions.create(model='gpt-4.1-mini', messages=[{'role': 'user', 'content': q}])",
             ""]
    for i in range(_HOPS - 1, -1, -1):
        lines += [f"def step{i}(q):", f"    return step{i + 1}(q)", ""]
    return "\n".join(lines)


def _returned(g, name: str):
    f = g.functions[f"agent.{name}"]
    ret = f.returns[0]
    return g.values(ret.value, f, ret)


def _unresolved(g, hops) -> list[int]:
    return [i for i in hops if not any(isinstance(v, LLMOutput) for v in _returned(g, f"step{i}"))]


def test_a_hop_resolves_as_it_would_on_its_own_after_a_deep_query():
    g = graph_of({"agent.py": _chain()})
    deep_first = _unresolved(g, range(_HOPS + 1))  # step0 first: the limit cuts its query short far down
    own = [i for i in range(_HOPS + 1) if _unresolved(graph_of({"agent.py": _chain()}), [i])]
    # only the hops whose own chain is longer than the depth limit stay unresolved
    assert deep_first == own
    assert own and own[-1] < _HOPS // 2
    assert isinstance(g.functions["agent.step0"].returns[0].value, ir.Call)
