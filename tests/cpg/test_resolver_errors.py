"""An error raised while a function's returns or a parameter's values are resolved (a recursion
limit deep in a large project) must not leave the cycle guard behind as the answer: the next
question resolves again instead of reading an empty set or a bare parameter forever."""

from __future__ import annotations

import pytest

from agentable.cpg.values import Const, ParamRef
from tests.conftest import graph_of

FILES = {"app.py": '''
    def label(kind):
        return kind.upper()


    def route():
        return label("billing")
'''}


def test_failed_returns_are_resolved_again(monkeypatch: pytest.MonkeyPatch) -> None:
    g = graph_of(FILES)
    resolver = g.resolver
    real = type(resolver)._returned
    calls = {"n": 0}

    def failing_once(self, func):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise RecursionError("deep project")
        return real(self, func)

    monkeypatch.setattr(type(resolver), "_returned", failing_once)
    with pytest.raises(RecursionError):
        resolver.function_returns("app.route")
    assert not resolver.in_progress
    assert Const(None) not in resolver.function_returns("app.route")
    assert resolver.function_returns("app.route")


def test_failed_parameter_values_are_resolved_again(monkeypatch: pytest.MonkeyPatch) -> None:
    g = graph_of(FILES)
    resolver = g.resolver
    real = type(resolver)._param_values
    calls = {"n": 0}

    def failing_once(self, *args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise RecursionError("deep project")
        return real(self, *args)

    monkeypatch.setattr(type(resolver), "_param_values", failing_once)
    func = g.functions["app.label"]
    kind = func.node.params[0]
    with pytest.raises(RecursionError):
        resolver.param_values(func, kind.name)
    assert not resolver.in_progress
    assert resolver.param_values(func, kind.name) != frozenset({ParamRef("app.label", "kind")})
