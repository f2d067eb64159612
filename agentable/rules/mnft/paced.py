"""A loop in a generator that hands each pass to its consumer: the consumer decides how many passes run."""

from __future__ import annotations

from agentable.cpg import ir
from agentable.cpg.flow import build_cfg
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo


def consumer_paces(g: ProjectGraph, func: FunctionInfo, loop: ir.Stmt) -> bool:
    """Does every pass of `loop` yield to the consumer of its generator, and does no consumer in the
    project drain the generator (iterate it in a `for`, a comprehension, `yield from` of a drained
    generator, `list(...)`)? Then each pass runs only when a consumer asks for it (`gen.send(...)`
    in `for _ in range(retries)`), and the consumer's loop is the one to bound."""
    if not isinstance(loop, (ir.While, ir.For)):
        return False
    yields = {id(s) for s in ir.walk_stmts(loop.body)
              if any(isinstance(e, ir.Yield) for x in ir.stmt_exprs(s) for e in ir.walk_expr(x))}
    if not yields or not _every_pass_yields(func, loop, yields):
        return False
    return not _drained(g, func, 0)


def _every_pass_yields(func: FunctionInfo, loop: ir.While | ir.For, yields: set[int]) -> bool:
    """No path of the CFG goes from the start of the body back to the loop head around the yields."""
    import networkx as nx  # deferred, as in cpg.flow

    cfg = build_cfg(func)
    cfg.remove_nodes_from([n for n in list(cfg) if id(n) in yields])
    first = loop.body[0] if loop.body else None
    return first is not None and (first not in cfg or not nx.has_path(cfg, first, loop))


def _drained(g: ProjectGraph, func: FunctionInfo, depth: int) -> bool:
    if depth > 3:
        return True  # (a chain of delegating generators too long to follow: assume the worst)
    return any(_drains(g, site, depth) for site in g.callers(func))


def _drains(g: ProjectGraph, site: CallSite, depth: int) -> bool:
    """Does the caller iterate the generator `site` makes to its end (directly or through the
    name it is bound to), or delegate to it from a generator that is drained?"""
    stmt, call = site.stmt, site.call
    names: set[str] = set()
    if isinstance(stmt, ir.Assign) and stmt.value is call:
        names = {t.id for t in stmt.targets if isinstance(t, ir.Name)}
    for s in ir.walk_stmts(site.func.body):
        for x in ir.stmt_exprs(s):
            for e in ir.walk_expr(x):
                if _iterates(g, s, e, call, names):
                    return True
                if isinstance(e, ir.Yield) and e.is_from and _is(e.value, call, names):
                    if _drained(g, site.func, depth + 1):
                        return True
    return False


def _iterates(g: ProjectGraph, s: ir.Stmt, e: ir.Expr, call: ir.Call, names: set[str]) -> bool:
    if isinstance(s, ir.For) and e is s.iter and _is(e, call, names):
        return True
    if isinstance(e, ir.Comp) and any(_is(it, call, names) for it in e.iters):
        return True
    if isinstance(e, ir.Call) and any(_is(a, call, names) for a in e.args):
        facts, f = g.catalog.python, e.func
        if isinstance(f, ir.Attribute):
            return f.attr in facts.draining_methods
        return ir.dotted(f) in facts.draining_calls | facts.short_circuit_drains
    return False


def _is(e: ir.Expr | None, call: ir.Call, names: set[str]) -> bool:
    return e is call or (isinstance(e, ir.Name) and e.id in names)
