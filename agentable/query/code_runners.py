"""The agent's own code-running tool: a project function that hands one of its parameters to a
call that runs code (catalog tools.toml [code_runs], e2b's `Sandbox().run_code(code)`), and that
the agent calls with code the model wrote (`for block in fenced_blocks(reply): run(sbx, block)`).
No tool framework describes it, but what it returns is what becomes of the model's code: its result
is a tool result."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.query.facts import per_graph
from agentable.query.model_derived import model_derived


@per_graph
def model_code_runners(g: ProjectGraph) -> dict[str, FunctionInfo]:
    """Qualname -> function, for each project function that runs one of its parameters as code
    (see the module doc) and that some call in the project gives model output for it."""
    runs = g.catalog.code_runs
    out: dict[str, FunctionInfo] = {}
    if not runs:
        return out
    for func in g.functions.values():
        if func.node is None or func.qualname in g.agent.llm_functions:
            continue
        param = _code_param(g, func, runs)
        if param is not None and any(_model_code(g, site, func, param) for site in g.callers(func)):
            out[func.qualname] = func
    return out


def _code_param(g: ProjectGraph, func: FunctionInfo, runs: dict[str, tuple[str, int]]) -> Optional[str]:
    """The parameter of `func` it passes, as it is, as the code of a code run."""
    params = {p.name for p in func.params}
    for site in func.calls:
        for v in g.values(site.call.func, func, site.stmt):
            if not isinstance(v, ExtRef) or v.path not in runs:
                continue
            kw, pos = runs[v.path]
            arg = site.call.kwarg(kw) if kw else None
            if arg is None and 0 <= pos < len(site.call.args):
                arg = site.call.args[pos]
            if isinstance(arg, ir.Name) and arg.id in params and all(
                    isinstance(d.stmt, ir.FunctionDef) for d in func.defs.get(arg.id, ())):  # not bound again
                return arg.id
    return None


def _model_code(g: ProjectGraph, site: CallSite, func: FunctionInfo, param: str) -> bool:
    """Does this call of `func` pass model output (or a piece of it) as `param`?"""
    params = func.params
    idx = next((i for i, p in enumerate(params) if p.name == param), None)
    if idx is None:
        return False
    first = idx - 1 if func.cls is not None and params and params[0].name in ("self", "cls") else idx
    arg = site.call.kwarg(param)
    if arg is None and 0 <= first < len(site.call.args) and not any(
            isinstance(a, ir.Starred) for a in site.call.args[: first + 1]):
        arg = site.call.args[first]
    return arg is not None and model_derived(g, arg, site.func, site.stmt) is not None
