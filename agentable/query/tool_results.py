"""Tool results: the functions whose return value the model gets as a tool result, and what they
declare or hand back (TRE)."""

from __future__ import annotations

from typing import Iterator, Optional, Union

from agentable.catalog.specs import ToolConstructorSpec
from agentable.cpg import ir
from agentable.cpg.agent import ToolDef
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ClassRef, ExtRef, FuncRef
from agentable.query.code_runners import model_code_runners
from agentable.query.facts import per_graph
from agentable.query.tool_classes import home_made_tool_methods, tool_base_runners
from agentable.query.tool_dispatch import dispatch_targets, narrowed_to_branch, tool_dispatches
from agentable.query.tools import tool_defs_by_function


@per_graph
def tool_implementations(g: ProjectGraph) -> list[tuple[FunctionInfo, Optional[ToolDef]]]:
    """Functions whose return value is a tool's result for the model: implementations of framework
    and schema tools (with their ToolDef), project functions a loop dispatches by a model-chosen
    name, and the agent's own code runners (`query.code_runners`) (ToolDef None)."""
    out: dict[str, tuple[FunctionInfo, Optional[ToolDef]]] = {}
    for q, t in tool_defs_by_function(g).items():
        f = g.functions.get(q)
        if f is not None:
            out.setdefault(q, (f, t))
    for d in tool_dispatches(g):
        for site in d.calls:
            funcs = [g.functions[q] for q in g.callees(site) if q in g.functions]
            if not funcs and d.kind != "getattr":
                funcs = dispatch_targets(g, d, site)
            funcs = narrowed_to_branch(g, d, site, funcs)
            for f in funcs:
                if f.name != "__init__" and f.qualname not in g.agent.llm_functions:
                    out.setdefault(f.qualname, (f, None))
    for q in home_made_tool_methods(g):
        f = g.functions.get(q)
        if f is not None and q not in g.agent.llm_functions:
            out.setdefault(q, (f, None))
    for f in constructed_tool_functions(g):
        out.setdefault(f.qualname, (f, None))
    for q, f in tool_base_runners(g).items():
        out.setdefault(q, (f, None))  # (it calls a model when one tool does: still the runner)
    for q, f in model_code_runners(g).items():
        out.setdefault(q, (f, None))  # the agent's own code-running tool
    result = list(out.values())
    return result


def tool_bodies(g: ProjectGraph) -> Iterator[tuple[FunctionInfo, Optional[ToolDef], str]]:
    """The tool implementations whose body is in the project, each with the name the model knows it by."""
    for func, tool in tool_implementations(g):
        if func.node is not None:
            yield func, tool, tool_label(func, tool, g)


def tool_label(func: FunctionInfo, tool: Optional[Union[ToolDef, ToolConstructorSpec]],
               g: Optional[ProjectGraph] = None) -> str:
    """The name the model knows a tool by: its ToolDef's name, else its class's, else the function's."""
    name = getattr(tool, "name", None) if tool is not None else None
    cls = getattr(tool, "cls", None) if tool is not None else None
    if not name and cls is not None:
        name = cls.name
    if not name and g is not None and func.cls is not None and func.qualname in home_made_tool_methods(g):
        name = func.cls.name  # a home-made tool class: the model knows the tool by its class
    if not name and g is not None and func.cls is not None and func.qualname in tool_base_runners(g):
        name = f"{func.cls.name}.{func.name}"  # a tool base's runner: every tool's result passes through it
    if not name and func.cls is not None and func.name.startswith("__"):
        name = func.cls.name  # a tool object's `__call__`: the object is the tool
    return name or func.name


@per_graph
def constructed_tool_functions(g: ProjectGraph) -> list[FunctionInfo]:
    """Project functions handed as the implementation (`func=`, or the async one, `coroutine=`) to
    a catalog tool constructor or to a project subclass of one (`class MyTool(Tool)` built with
    `MyTool(name=..., coroutine=fn)`). A subclass's own `__init__` may reorder the positional
    parameters, so only keywords count there."""
    cat = g.catalog
    subclass_specs: dict[str, ToolConstructorSpec] = {}
    for q in g.classes:
        spec = next((s for b in g.external_bases(q) if (s := cat.tool_constructor(b)) is not None), None)
        if spec is not None:
            subclass_specs[q] = spec
    names = {q.rsplit(".", 1)[-1] for q in subclass_specs}
    names |= {c.rsplit(".", 1)[-1] for s in cat.tool_constructors for c in s.callees}
    out: dict[str, FunctionInfo] = {}
    for func in g.agent.functions():
        for site in func.calls:
            callee = ir.dotted(site.call.func)
            if callee is None or callee.rsplit(".", 1)[-1] not in names:
                continue
            for v in g.values(site.call.func, func, site.stmt):
                spec = subclass_specs.get(v.qualname) if isinstance(v, ClassRef) else (
                    cat.tool_constructor(v.path) if isinstance(v, ExtRef) else None)
                if spec is None:
                    continue
                keywords = (spec.func_param, spec.coroutine_param)
                args = [kw.value for kw in site.call.keywords if kw.name and kw.name in keywords]
                pos = spec.func_positional
                if isinstance(v, ExtRef) and pos is not None and pos < len(site.call.args):
                    args.append(site.call.args[pos])
                for a in args:
                    for fv in g.values(a, func, site.stmt):
                        f = g.functions.get(fv.qualname) if isinstance(fv, FuncRef) else None
                        if f is not None and f.node is not None:
                            out.setdefault(f.qualname, f)
                break
    return list(out.values())
