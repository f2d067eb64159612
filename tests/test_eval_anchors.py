"""How `agentable eval` places a label: an anchor covers its own lines, and an anchor on a
decorated definition's header (a decorator or the `def`/`class` line) covers the whole header, so
a finding reported at the decorator matches a label written at the `def` and the other way round."""

from __future__ import annotations

import textwrap

from agentable.eval import anchor_lines, definition_header, header_spans

SOURCE = textwrap.dedent('''\
    import tenacity


    @tenacity.retry(
        stop=tenacity.stop_after_attempt(3),
    )
    async def stream_reply(client, messages):
        async for chunk in await client.chat.completions.create(model="gpt-4o", messages=messages, stream=True):
            yield chunk


    class Planner:
        @staticmethod
        def parse(text):
            return text.split("PLAN:")[1]
    ''')


def _span(anchor: str) -> tuple[int, int]:
    found = anchor_lines(SOURCE, anchor)
    assert found is not None
    return definition_header(*found, header_spans(SOURCE))


def test_an_anchor_on_the_def_line_covers_the_decorators_above_it() -> None:
    assert _span("async def stream_reply") == (4, 7)


def test_an_anchor_on_a_decorator_covers_the_def_line_below_it() -> None:
    assert _span("stop=tenacity.stop_after_attempt(3)") == (4, 7)
    assert _span("@staticmethod") == (13, 14)


def test_an_anchor_in_a_body_or_on_an_undecorated_header_keeps_its_lines() -> None:
    assert _span('return text.split("PLAN:")[1]') == (15, 15)
    assert _span("class Planner:") == (12, 12)


def test_source_that_does_not_parse_has_no_headers() -> None:
    assert header_spans("@retry\ndef broken(:\n    pass\n") == []
    assert header_spans('@retry\ndef ok():\n    return "\\d"\n') == [(1, 2)]
