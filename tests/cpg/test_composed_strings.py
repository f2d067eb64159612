"""String concatenation of known strings resolves to Composed values (values.compose)."""

from __future__ import annotations

from agentable.cpg.values import MAX_COMPOSED, Composed, Const, ParamRef, Typed, compose

AT = ("m.py", (1, 0, 1, 5))


def test_suffix_on_each_base():
    got = compose([frozenset({Const("gpt-4o"), Const("gpt-4.1")}), frozenset({Const("-mini")})], 0, AT)
    assert got == {Composed("gpt-4o-mini", "gpt-4o", AT), Composed("gpt-4.1-mini", "gpt-4.1", AT)}


def test_base_of_a_composed_part_is_kept():
    first = Composed("gpt-4o-x", "gpt-4o", AT)
    got = compose([frozenset({first}), frozenset({Const("-y")})], 0, AT)
    assert got == {Composed("gpt-4o-x-y", "gpt-4o", AT)}


def test_base_in_the_middle():
    got = compose([frozenset({Const("openai/")}), frozenset({Const("gpt-4o")}), frozenset({Const("-mini")})], 1, AT)
    assert got == {Composed("openai/gpt-4o-mini", "gpt-4o", AT)}


def test_unknown_part_composes_nothing():
    assert compose([frozenset({Const("gpt-4o")}), frozenset({Typed("str")})], 0, AT) == frozenset()
    assert compose([frozenset({Const("gpt-4o")}), frozenset()], 0, AT) == frozenset()


def test_parameter_marker_does_not_hide_known_values():
    got = compose([frozenset({Const("gpt-4o"), ParamRef("f", "m")}), frozenset({Const("-mini")})], 0, AT)
    assert got == {Composed("gpt-4o-mini", "gpt-4o", AT)}


def test_bounded():
    many = frozenset(Const(f"m{i}") for i in range(MAX_COMPOSED + 1))
    assert compose([many, frozenset({Const("-x")})], 0, AT) == frozenset()
