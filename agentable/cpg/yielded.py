"""What a generator's call stands for: the model text and parsed structures it yields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import LLMOutput, Parsed, Value, VSet

if TYPE_CHECKING:
    from agentable.cpg.graph_api import ValueResolver


def yielded_outputs(r: ValueResolver, func: FunctionInfo) -> VSet:
    """The model text and parsed structures `func` yields (`yield reply`, `yield from replies()`):
    its call stands for them, so `for r in gen()`, `*_, last = gen()` and `"".join(gen())` reach
    them. (A raw response yielded stays unread: iterating it would read an item of the response
    instead.)"""
    out: set[Value] = set()
    for y in func.yields:
        for v in r.values(y.value, func, None):
            if (isinstance(v, LLMOutput) and v.text) or isinstance(v, Parsed):
                out.add(v)
    return frozenset(out)
