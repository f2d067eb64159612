"""MNFT007: model calls run concurrently, and one failed call re-raises and throws away all the others."""

from __future__ import annotations

from typing import Iterable, Mapping, Optional

from agentable.cpg import ir
from agentable.cpg.flow import enclosing_handlers, handler_reraises_only
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ExtRef, FuncRef
from agentable.findings import Finding, Severity
from agentable.query.function_runners import ran_function
from agentable.query.literals import source_text
from agentable.query.tools import tool_defs_by_function
from agentable.rules.base import Rule, RuleContext, RuleMeta


class FanoutFailureAbortsAll(Rule):
    meta = RuleMeta(
        id="MNFT007",
        name="concurrent-model-calls-one-failure-aborts-all",
        category="MNFT",
        severity=Severity.WARNING,
        short=("Model calls are fanned out concurrently (executor.map, futures' .result(), asyncio.gather) and "
               "nothing handles one of them failing, so a single error discards every result."),
        full=("Agents run several model calls or agent runs at once: branches of a search, one research query per "
              "topic, one critique per draft. `executor.map(...)` re-raises the first failed call while its results "
              "are read, `future.result()` re-raises the worker's exception, and `asyncio.gather(...)` re-raises the "
              "first failure unless given `return_exceptions=True`. A rate limit, a timeout or one unparsable reply "
              "then aborts the whole step and the results of every call that succeeded are lost. Catch errors in "
              "the worker (return None or an error marker and filter it out), read each future in a try, or gather "
              "with `return_exceptions=True` and handle the exceptions."),
        bad_example=('with ThreadPoolExecutor() as pool:\n    drafts = list(pool.map(write_draft, topics))'),
        good_example=('def safe_draft(topic):\n    try:\n        return write_draft(topic)\n    except Exception as exc:\n'
                      '        log.warning("draft for %s failed: %s", topic, exc)\n        return None\n\n'
                      'with ThreadPoolExecutor() as pool:\n'
                      '    drafts = [d for d in pool.map(safe_draft, topics) if d is not None]'),
        fix=("Handle failures per call: catch in the worker, wrap each `.result()` in try/except, or gather with "
             "`return_exceptions=True`, and go on with the calls that succeeded."),
        tags=("concurrency", "robustness"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        facts = ctx.catalog.python
        tools = tool_defs_by_function(graph)
        for func in graph.agent.functions():
            tool = tools.get(func.qualname)
            if tool is not None and getattr(tool.spec, "handles_errors", False):
                continue  # the framework hands the tool's error to the model, which can call it again
            if _entry_point(graph, func):
                continue  # a script's main(): the traceback ending the run is how it reports a failure
            by_call = {id(s.call): s for s in func.calls}
            submits = [s for s in func.calls if _executor_call(graph, s, "submit", facts.executor_classes)]
            model_submits = [s for s in submits if s.call.args and _model_target(graph, func, s.stmt, s.call.args[0])]
            for site in func.calls:
                if _handled_here(func, site.stmt):
                    continue
                hit = None
                if _executor_call(graph, site, "map", facts.executor_classes) and site.call.args:
                    target = _model_target(graph, func, site.stmt, site.call.args[0])
                    if target:
                        hit = (f"`executor.map` runs `{target}` concurrently and re-raises the first failed call "
                               f"while its results are read")
                elif _is_gather(graph, site, facts.gather_calls):
                    target = _gathered_model_call(graph, func, site, by_call)
                    if target:
                        hit = (f"`asyncio.gather` awaits `{target}` calls without `return_exceptions=True` and "
                               f"re-raises the first failure")
                elif model_submits and _reads_future(graph, func, site, facts.executor_classes, facts.future_iterators):
                    target = source_text(graph, func.path, model_submits[0].call.args[0], 40)
                    hit = (f"`.result()` re-raises the exception of a worker running `{target}` (submitted at line "
                           f"{model_submits[0].call.pos[0]})")
                if hit is None:
                    continue
                yield self.finding(
                    ctx, func.path, site.call.pos,
                    f"{hit}, and neither the worker nor this code catches it: one rate limit, timeout or unusable "
                    f"reply aborts the whole fan-out and the results of the calls that succeeded are lost. Catch "
                    f"errors per call (in the worker, around each result, or with `return_exceptions=True`).",
                )


def _entry_point(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Module code, or a function only module code calls (`asyncio.run(main())` under
    `if __name__ == "__main__":`): the program itself, not a step of a longer agent run."""
    if func.is_module:
        return True
    callers = g.callers(func)
    return bool(callers) and all(site.func.is_module for site in callers)


def _handled_here(func: FunctionInfo, stmt: ir.Stmt) -> bool:
    return any(not handler_reraises_only(h) for h in enclosing_handlers(func, stmt))


def _executor_call(g: ProjectGraph, site: CallSite, method: str, executors: frozenset[str]) -> bool:
    f = site.call.func
    if not (isinstance(f, ir.Attribute) and f.attr == method):
        return False
    return any(isinstance(v, ExtRef) and v.path.removesuffix("()") in executors
               for v in g.values(f.value, site.func, site.stmt))


def _is_gather(g: ProjectGraph, site: CallSite, gathers: frozenset[str]) -> bool:
    if not any(isinstance(v, ExtRef) and v.path in gathers for v in g.values(site.call.func, site.func, site.stmt)):
        return False
    flag = site.call.kwarg("return_exceptions")
    return flag is None or (isinstance(flag, ir.Constant) and flag.value is False)


def _worker_handles(g: ProjectGraph, q: str, depth: int = 3) -> bool:
    """Does the project function catch errors around each of its model calls (a worker that returns
    None or an error marker instead of raising)? A call of a project wrapper counts as handled when
    the wrapper handles its own model calls (`depth` levels down)."""
    f = g.functions.get(q)
    if f is None:
        return False
    sites = [s for s in f.calls if g.agent.calls_llm(s)]
    return bool(sites) and all(_handled_here(f, s.stmt) or _wrapper_handles(g, s, depth) for s in sites)


def _wrapper_handles(g: ProjectGraph, site: CallSite, depth: int) -> bool:
    """A call of project functions that call the model (not a model call itself), each of which
    handles the failures of its own model calls."""
    if depth <= 0:
        return False
    wrappers = [q for q in g.callees(site) if q in g.agent.llm_functions]
    return bool(wrappers) and all(_worker_handles(g, q, depth - 1) for q in wrappers)


def _graph_handles(g: ProjectGraph, v: ExtRef) -> bool:
    """`chain.ainvoke(...)` on a graph compiled from a state graph of the project whose model-calling
    nodes each handle their own model calls: a failed call does not leave the graph run."""
    if v.site is None:
        return False
    path, compiled = v.site
    receiver = compiled.func
    if not isinstance(receiver, ir.Attribute):
        return False
    owner = next((s for f in g.functions.values() if f.path == path for s in f.calls if s.call is compiled), None)
    if owner is None:
        return False
    builders = {(b.site[0], id(b.site[1])) for b in g.values(receiver.value, owner.func, owner.stmt)
                if isinstance(b, ExtRef) and b.site is not None}
    for sg in g.agent.state_graphs:
        if (sg.path, id(sg.ctor)) in builders:
            callers = [f for f in sg.node_functions if f.qualname in g.agent.llm_functions]
            return bool(callers) and all(_worker_handles(g, f.qualname) for f in callers)
    return False


def _model_target(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr) -> Optional[str]:
    """What `e` names when it is a callable that calls the model and raises its errors: a project
    function (or method) that calls it unguarded, a framework agent's run method or a model call."""
    for v in g.values(e, func, stmt):
        if isinstance(v, FuncRef) and v.qualname in g.agent.llm_functions and not _worker_handles(g, v.qualname):
            return ir.dotted(e) or v.qualname
        if isinstance(v, ExtRef) and (g.catalog.agent_runner(v.path) is not None or g.catalog.llm_call(v.path)):
            return ir.dotted(e) or v.path
    return None


def _gathered_model_call(g: ProjectGraph, func: FunctionInfo, site: CallSite,
                         by_call: dict[int, CallSite]) -> Optional[str]:
    """The model-calling coroutine among the gathered ones: `gather(ask(a), ask(b))`,
    `gather(*[ask(q) for q in qs])`, `gather(*tasks)` with `tasks` built by such a comprehension,
    each optionally wrapped in `asyncio.create_task(...)`, or appended to a list one by one
    (`tasks.append(ask(q))`); a coroutine of a function runner (`asyncio.to_thread(ask, q)`) stands
    for the function it runs."""
    adders = g.catalog.python.item_adders
    for a in site.call.args:
        for call in _gathered_calls(func, a.value if isinstance(a, ir.Starred) else a, adders):
            inner = by_call.get(id(call))
            if inner is None:
                continue
            if not g.agent.calls_llm(inner):
                handed = ran_function(g, call, func, inner.stmt)
                target = _model_target(g, func, inner.stmt, handed) if handed is not None else None
                if target:
                    return target
                continue
            callees = g.callees(inner)
            if callees and all(_worker_handles(g, q) for q in callees):
                continue
            if any(isinstance(v, ExtRef) and _graph_handles(g, v) for v in g.values(call.func, func, inner.stmt)):
                continue
            return ir.dotted(call.func) or "a model call"
    return None


def _gathered_calls(func: FunctionInfo, e: ir.Expr, adders: Mapping[str, int], depth: int = 2) -> list[ir.Call]:
    if isinstance(e, ir.Comp):
        e = e.elt
    elif isinstance(e, ir.Seq):
        return [c for x in e.elts for c in _gathered_calls(func, x, adders, depth)]
    elif isinstance(e, ir.Name) and depth > 0:
        out = [c for d in func.defs.get(e.id, []) if d.value is not None
               for c in _gathered_calls(func, d.value, adders, depth - 1)]
        return out + [c for item in _added_items(func, e.id, adders)
                      for c in _gathered_calls(func, item, adders, depth - 1)]
    if isinstance(e, ir.Call):
        # `asyncio.create_task(ask(q))`: the coroutine is the argument
        if e.args and isinstance(e.args[0], ir.Call) and (ir.dotted(e.func) or "").rsplit(".", 1)[-1] in (
                "create_task", "ensure_future"):
            return [e.args[0]]
        return [e]
    return []


def _added_items(func: FunctionInfo, name: str, adders: Mapping[str, int]) -> list[ir.Expr]:
    """The items added one by one to the list `name` (`tasks.append(x)`, python.toml `item_adders`)."""
    out: list[ir.Expr] = []
    for site in func.calls:
        f = site.call.func
        if isinstance(f, ir.Attribute) and isinstance(f.value, ir.Name) and f.value.id == name:
            index = adders.get(f.attr)
            if index is not None and index < len(site.call.args):
                out.append(site.call.args[index])
    return out


def _reads_future(g: ProjectGraph, func: FunctionInfo, site: CallSite, executors: frozenset[str],
                  iterators: frozenset[str]) -> bool:
    """`fut.result()`, its value used, on a future an executor's submit() returned, or on the loop
    variable of a `for`/comprehension over such futures (or over `as_completed(...)`)."""
    f = site.call.func
    if not (isinstance(f, ir.Attribute) and f.attr == "result" and isinstance(f.value, ir.Name)):
        return False
    if isinstance(site.stmt, ir.ExprStmt) and site.stmt.value is site.call:
        return False  # a bare `fut.result()` only surfaces the worker's error: fail fast, no results to lose
    for v in g.values(f.value, func, site.stmt):
        if isinstance(v, ExtRef) and v.path.endswith(".submit()") and v.path.removesuffix(".submit()").removesuffix(
                "()") in executors:
            return True
    name = f.value.id
    bound = func.comp_names.get(id(f.value))
    if bound is not None:
        return True
    for anc in func.ancestors(site.stmt):
        if isinstance(anc, ir.For) and name in {ir.dotted(x) for x in ir.walk_expr(anc.target)}:
            it = anc.iter
            if isinstance(it, ir.Call):
                return any(isinstance(v, ExtRef) and v.path in iterators for v in g.values(it.func, func, anc))
            return isinstance(it, (ir.Name, ir.Attribute))
    return False
