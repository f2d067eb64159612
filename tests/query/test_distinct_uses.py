"""distinct_uses: the same answer whatever order the model uses arrive in (they come from value
sets, whose iteration order follows the hash seed; a report keeps one finding per rule and line,
so the order decided which retired model a call's finding named)."""

from __future__ import annotations

from dataclasses import dataclass

from agentable.query.models import distinct_uses


@dataclass
class _Use:
    model_id: str
    report_at: tuple[str, tuple[int, int, int, int]]


def test_order_of_the_uses_does_not_change_the_answer() -> None:
    at_call = ("core/llm/client.py", (93, 8, 93, 40))
    uses = [_Use("gpt-4-0613", at_call), _Use("claude-2.1", at_call), _Use("claude-2.1", at_call),
            _Use("gpt-4-0613", ("config.py", (12, 4, 12, 16)))]
    answers = {tuple((u.model_id, u.report_at) for u in distinct_uses(order))
               for order in (uses, uses[::-1], uses[1:] + uses[:1], uses[2:] + uses[:2])}
    assert answers == {(("gpt-4-0613", ("config.py", (12, 4, 12, 16))), ("claude-2.1", at_call),
                        ("gpt-4-0613", at_call))}


@dataclass
class _WrittenUse:
    model_id: str
    report_at: tuple[str, tuple[int, int, int, int]]
    literal: tuple[str, tuple[int, int, int, int]]


def test_one_id_written_twice_for_one_call_keeps_the_first_place_whatever_the_order() -> None:
    # a sync and an async registration of the same model both reach one request line
    at_call = ("plugins/chat.py", (140, 8, 140, 52))
    sync = _WrittenUse("gpt-4", at_call, ("plugins/models.py", (20, 13, 20, 20)))
    asynchronous = _WrittenUse("gpt-4", at_call, ("plugins/models.py", (21, 18, 21, 25)))
    for order in ([sync, asynchronous], [asynchronous, sync]):
        assert [u.literal for u in distinct_uses(order)] == [sync.literal]
