"""Retry loops that never stop on success (MNFT020): `for attempt in range(n):` around a try that
makes a model or web call, with no `break` or `return` anywhere in the loop, so the call is made
again after it succeeded, n times in all. The loop is a retry loop by its names (catalog retry.toml
`[retry_loops] bound_words` in the loop variable or the range's bound); a loop over `range(n)`
named otherwise may be sampling n replies on purpose."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional

from agentable.catalog import read_toml
from agentable.cpg import ir
from agentable.cpg.flow import holds_loop_exit
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.rules.mnft.retry_counters import retried_call


@dataclass(frozen=True)
class RepeatOnSuccess:
    func: FunctionInfo
    loop: ir.For
    tried: ir.Try
    retried: str  # the text of the call made again
    bound: str  # the text of the range's bound


@lru_cache(maxsize=1)
def _bound_words() -> tuple[str, ...]:
    return tuple(read_toml("retry.toml").get("retry_loops", {}).get("bound_words", ()))


def _retry_named(loop: ir.For) -> Optional[str]:
    """The range's bound when the loop is named a retry loop (`for attempt in range(3)`, `for _ in
    range(max_retries)`), else None."""
    it = loop.iter
    if not (isinstance(it, ir.Call) and ir.dotted(it.func) == "range" and it.args and not it.keywords):
        return None
    bound = it.args[-1]
    bound_text = ir.dotted(bound) or (str(bound.value) if isinstance(bound, ir.Constant) else "")
    names = [(ir.dotted(loop.target) or "").lower(), bound_text.rpartition(".")[2].lower()]
    if not any(w in n for n in names for w in _bound_words()):
        return None
    return bound_text or "n"


def _jumps(body: list[ir.Stmt]) -> bool:
    """Does the block hold a `break`, `continue` or `return` of this loop? A `continue` counts too:
    it may skip the call on a flag set by the attempt that succeeded (precision first)."""
    return holds_loop_exit(body, frozenset({"break", "continue"}), raises=False)


def repeated_on_success(g: ProjectGraph) -> Iterator[RepeatOnSuccess]:
    for func in g.agent.functions():
        for s in func.stmts:
            if not isinstance(s, ir.For) or s.orelse:
                continue
            bound = _retry_named(s)
            if bound is None:
                continue
            tries = [t for t in s.body if isinstance(t, ir.Try) and t.handlers]
            if len(tries) != 1:
                continue
            tried = tries[0]
            rest = [x for x in s.body if x is not tried]
            if _jumps(tried.body + tried.orelse + tried.finalbody) or _jumps(rest):
                continue
            retried = retried_call(g, func, s, only=tried.body)
            if retried:
                yield RepeatOnSuccess(func, s, tried, retried, bound)
