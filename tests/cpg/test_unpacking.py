"""Tuple unpacking binds each name to the item at its place (`cpg/unpacking.py`)."""

from agentable.cpg import ir
from agentable.cpg.values import Const, LLMOutput, Typed

from tests.conftest import graph_of


def returned_name_values(g, func_name: str, name: str) -> list:
    """What `name` holds in the last `return` of `agent.<func_name>`."""
    func = g.functions[f"agent.{func_name}"]
    ret = func.returns[-1]
    return next(list(g.values(e, func, ret)) for e in ir.walk_expr(ret.value) if isinstance(e, ir.Name) and e.id == name)

TIMED = """
    import time
    from openai import OpenAI

    client = OpenAI(timeout=30)

    def timed(prompt):
        started = time.time()
        raw = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])
        return raw, time.time() - started

    def forwarded(prompt):
        return timed(prompt)

    def summary(prompt):
        raw, seconds = timed(prompt)
        return {"text": raw.choices[0].message.content}, seconds
"""


def _responses(vs: list) -> list:
    return [v for v in vs if isinstance(v, LLMOutput)]


def test_each_name_takes_its_own_item() -> None:
    g = graph_of({"agent.py": TIMED + """
    def first(prompt):
        raw, seconds = timed(prompt)
        return raw

    def second(prompt):
        raw, seconds = timed(prompt)
        return seconds
    """})
    assert _responses(returned_name_values(g, "first", "raw"))
    assert not _responses(returned_name_values(g, "second", "seconds"))


def test_the_item_is_followed_through_a_returned_call() -> None:
    g = graph_of({"agent.py": TIMED + """
    def first(prompt):
        raw, seconds = forwarded(prompt)
        return raw
    """})
    assert _responses(returned_name_values(g, "first", "raw"))


def test_a_summary_built_from_the_response_is_not_the_response() -> None:
    g = graph_of({"agent.py": TIMED + """
    def reader(prompt):
        record, seconds = summary(prompt)
        return record
    """})
    assert not _responses(returned_name_values(g, "reader", "record"))
    assert Typed("dict") in returned_name_values(g, "reader", "record")


def test_a_literal_pair_and_a_none_return() -> None:
    g = graph_of({"agent.py": """
    def pair(flag):
        if not flag:
            return None
        return "left", 2

    def swap():
        a, b = 1, "x"
        a, b = b, a
        return a

    def left(flag):
        x, y = pair(flag)
        return x
    """})
    assert returned_name_values(g, "swap", "a") == [Const("x")]
    assert returned_name_values(g, "left", "x") == [Const("left")]


def test_unknown_shapes_keep_every_item() -> None:
    # a starred target: each name may be any item, as before
    g = graph_of({"agent.py": TIMED + """
    def starred(prompt):
        first, *rest = timed(prompt)
        return rest
    """})
    assert _responses(returned_name_values(g, "starred", "rest"))
