"""A timeout on a future of an executor used as a context manager (MNFT016): leaving the `with`
block calls `shutdown(wait=True)`, which waits for the task, so the timeout bounds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef


@dataclass(frozen=True)
class UndoneTimeout:
    func: FunctionInfo
    block: ir.With  # `with ThreadPoolExecutor() as pool:`
    executor: str  # the executor class's last name
    submit: ir.Call  # `pool.submit(task, ...)`
    wait: ir.Call  # `future.result(timeout=5)`
    timeout: ir.Expr


def _executor_item(g: ProjectGraph, func: FunctionInfo, w: ir.With) -> Optional[tuple[str, str]]:
    """(the `as` name, the executor class) of the with item that builds a catalog executor."""
    classes = g.catalog.python.executor_classes
    for item in w.items:
        if not isinstance(item.target, ir.Name):
            continue
        for v in g.values(item.context, func, w):
            if isinstance(v, ExtRef) and v.path.removesuffix("()") in classes:
                return item.target.id, v.path.removesuffix("()").rsplit(".", 1)[-1]
    return None


def _timeout(call: ir.Call) -> Optional[ir.Expr]:
    t = call.kwarg("timeout")
    if t is None and call.args:
        t = call.args[0]
    if t is None or (isinstance(t, ir.Constant) and t.value is None):
        return None
    return t


def _submit_of(func: FunctionInfo, e: ir.Expr, pool: str, submitters: frozenset[str]) -> Optional[ir.Call]:
    """The `pool.submit(...)` call `e` is, or the one a local name `e` is bound to (its only binding)."""
    if isinstance(e, ir.Name):
        defs = func.defs.get(e.id, [])
        if len(defs) != 1 or defs[0].how != "assign" or defs[0].value is None:
            return None
        e = defs[0].value
    if (isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr in submitters
            and isinstance(e.func.value, ir.Name) and e.func.value.id == pool):
        return e
    return None


def undone_timeouts(g: ProjectGraph) -> Iterator[UndoneTimeout]:
    facts = g.catalog.python
    for func in g.functions.values():
        for w in func.stmts:
            if not isinstance(w, ir.With):
                continue
            item = _executor_item(g, func, w)
            if item is None:
                continue
            pool, cls = item
            for s in ir.walk_stmts(w.body):
                for root in ir.stmt_exprs(s):
                    for e in ir.walk_expr(root):
                        if not (isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute)
                                and e.func.attr in facts.future_results):
                            continue
                        timeout = _timeout(e)
                        submit = _submit_of(func, e.func.value, pool, facts.future_submitters)
                        if timeout is not None and submit is not None:
                            yield UndoneTimeout(func, w, cls, submit, e, timeout)


def enclosing_executor(g: ProjectGraph, func: FunctionInfo, node: ir.Stmt) -> Optional[tuple[ir.With, str]]:
    """The `with <catalog executor>(...) as pool:` block around `node` in `func`, with the executor
    class's last name: leaving that block waits for every task submitted to it."""
    for anc in func.ancestors(node):
        if isinstance(anc, ir.With):
            item = _executor_item(g, func, anc)
            if item is not None:
                return anc, item[1]
    return None
