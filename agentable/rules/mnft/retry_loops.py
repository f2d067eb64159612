"""Hand-written retry loops that never stop (MNFT013's second form): `while True:` around a try
whose body leaves the loop once the call succeeds and whose handler for a transient error (catalog
retry.toml `[retry_loops]`) only waits and goes round again. Nothing counts the attempts or checks a
deadline, so a service that is down for good, or a URL that is gone, holds the agent in the loop."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional

from agentable.catalog import read_toml
from agentable.cpg import ir
from agentable.cpg.flow import handler_type_names, holds_loop_exit
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo


@dataclass(frozen=True)
class ForeverRetry:
    func: FunctionInfo
    loop: ir.While
    handler: ir.Handler
    caught: str  # the transient error the handler retries


@lru_cache(maxsize=1)
def _transient() -> frozenset[str]:
    return frozenset(read_toml("retry.toml").get("retry_loops", {}).get("transient_errors", ()))


def _always_true(test: ir.Expr) -> bool:
    return isinstance(test, ir.Constant) and (test.value is True or (test.value == 1 and not isinstance(test.value, bool)))


def _leaves(body: list[ir.Stmt]) -> bool:
    """Does the block hold a statement that ends the loop (break, return, raise)?"""
    return holds_loop_exit(body, frozenset({"break"}), raises=True)


def _counts(body: list[ir.Stmt]) -> bool:
    """An augmented assignment (`attempts += 1`, `delay *= 2` with a test) in the loop: a count the
    code may stop on. Any one counts (precision first)."""
    return any(isinstance(s, ir.AugAssign) for s in ir.walk_stmts(body))


def _retried(loop: ir.While) -> Optional[tuple[ir.Handler, str]]:
    tries = [s for s in loop.body if isinstance(s, ir.Try)]
    if len(tries) != 1 or loop.orelse:
        return None
    tried = tries[0]
    rest = [s for s in loop.body if s is not tried]
    if not _leaves(tried.body + tried.orelse) or _leaves(rest) or _counts(loop.body) or tried.finalbody:
        return None
    for h in tried.handlers:
        caught = next((n for n in handler_type_names(h) if n.rpartition(".")[2] in _transient()), None)
        if caught is None:
            continue
        if _leaves(h.body):
            return None  # a handler that gives up on this error (or counts, then raises)
        return h, caught
    return None


def forever_retry_loops(g: ProjectGraph) -> Iterator[ForeverRetry]:
    """The loops, less agent loops (a `while True` that calls the model is MNFT003's)."""
    agent_loops = {id(lp.loop) for lp in g.agent.loops}
    for func in g.agent.functions():
        for s in func.stmts:
            if isinstance(s, ir.While) and _always_true(s.test) and id(s) not in agent_loops:
                hit = _retried(s)
                if hit is not None:
                    yield ForeverRetry(func, s, *hit)
