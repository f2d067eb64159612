"""Calls that run a function they are handed (python.toml `function_runners`):
`asyncio.to_thread(fn, x)`, `loop.run_in_executor(None, fn, x)`. A coroutine made by one of these
runs `fn`, so what `fn` does (call a model, raise its errors) is what the awaited call does."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef, ordered


def ran_function(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: Optional[ir.Stmt]) -> Optional[ir.Expr]:
    """The function argument of `call` when `call` is a catalogued function runner, else None."""
    runners = g.catalog.python.function_runners
    for v in ordered(g.values(call.func, func, stmt)):
        if not isinstance(v, ExtRef):
            continue
        inst, _, method = v.path.rpartition("().")
        index = runners.get(v.path, runners.get(f"().{method}") if inst else None)
        if index is not None and index < len(call.args) and not isinstance(call.args[index], ir.Starred):
            return call.args[index]
    return None
