"""A module-level name bound inside a function (`global`) is resolved in that function's scope."""

from __future__ import annotations

from agentable.cpg.values import ExtRef
from tests.conftest import graph_of


def test_a_global_bound_in_a_function_reads_that_function_s_names() -> None:
    """`global _engine; from tts import Engine; _engine = Engine()` in a function: the module-level
    binding's value is read in the function that makes it, whichever question reaches it first (it
    was read in the module's scope when reached through a module-level read, where `Engine` is
    not bound, and memoised so)."""
    src = {"speech.py": '''
        _engine = None


        def load():
            global _engine
            from kokoro_like import Engine
            _engine = Engine(lang="en")


        def speak(text):
            load()
            return _engine(text)
    '''}
    for first in ("speech.speak", "speech.load"):
        g = graph_of(src)
        g.resolver.function_returns(first)
        engine = g.functions["speech.load"]
        stmt = next(s for s in engine.node.body  # `_engine = Engine(lang="en")`
                    if getattr(s, "value", None) is not None and getattr(s.value, "func", None) is not None)
        assert any(isinstance(v, ExtRef) and v.path == "kokoro_like.Engine()" for v in g.values(stmt.value, engine, stmt)), first
