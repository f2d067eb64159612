"""TRE010: a tool, or a helper it calls, returns an exception class (or, from a helper, an exception
object) where it means to raise it."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ClassRef
from agentable.findings import Finding, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.tre.tool_paths import path_steps, tools_and_paths


class ToolReturnsException(Rule):
    meta = RuleMeta(
        id="TRE010",
        name="tool-returns-exception",
        category="TRE",
        severity=Severity.WARNING,
        short=("A tool, or a helper it calls, returns an exception class (`return KeyError`) or, from a helper, an "
               "exception object, instead of raising it: the caller gets the class as if it were the result."),
        full=("`return KeyError` hands the caller the class object: no retry decorator sees an error, no `except` "
              "runs, and the caller goes on with a value that is not one (iterating it raises `TypeError: 'type' "
              "object is not iterable`, formatting it gives \"<class 'KeyError'>\"). Returned from the tool itself, "
              "that text is what the model reads. A helper that returns an exception object (`return "
              "ValueError(...)`) has the same effect on a caller that uses the result as data. Judged in the tool's "
              "body and the project functions it calls (two levels): a builtin exception class, or a project "
              "subclass of one, returned by name; an exception object only from a helper whose callers never "
              "raise it and whose name does not say it builds errors."),
        bad_example=('def fetch_ids(self, job: str):\n    ids = self.api.node_ids(job)\n'
                     '    if ids:\n        return ids\n    return KeyError  # meant: raise KeyError'),
        good_example=('def fetch_ids(self, job: str):\n    ids = self.api.node_ids(job)\n'
                      '    if ids:\n        return ids\n    raise KeyError(job)'),
        fix="Raise the exception (`raise KeyError(...)`) instead of returning it.",
        tags=("tools", "errors"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        reported: set[int] = set()
        for tool, label, func, via in tools_and_paths(graph):
            for r in func.returns:
                if id(r) in reported or r.value is None:
                    continue
                what = _exception_class(graph, func, r.value)
                kind = "class"
                if what is None and func is not tool and not _builds_errors(graph, func):
                    what, kind = _exception_object(graph, func, r.value), "object"
                if what is None:
                    continue
                reported.add(id(r))
                where = "" if func is tool else f" (`{func.name}`, which the tool calls)"
                got = (f"the class `{what}` itself" if kind == "class" else f"a `{what}` object")
                yield self.finding(
                    ctx, func.path, r.pos,
                    f"Tool `{label}` returns the exception {kind} `{what}` instead of raising it{where}: no "
                    f"`except` or retry sees an error, and the caller gets {got} as the result. Write `raise "
                    f"{what}(...)`.",
                    flow=path_steps(graph, via))


def _builtin_exception(graph: ProjectGraph, func: FunctionInfo, name: str) -> bool:
    """Is `name` a builtin exception class here (not a name the function or its module binds)?"""
    # (the hierarchy's undotted names are builtins; one that is not, unbound here, is a NameError anyway)
    if not (name in ("Exception", "BaseException") or name in graph.catalog.python.exception_bases):
        return False
    mod = func.module
    return not (func.defs.get(name) or mod.toplevel.defs.get(name) or name in mod.imports or name in mod.classes)


def _project_exception(graph: ProjectGraph, qualname: str) -> bool:
    """A project class whose bases reach a builtin exception."""
    py = graph.catalog.python
    return any(b.rsplit(".", 1)[-1] in ("Exception", "BaseException") or b in py.exception_bases
               for b in graph.external_bases(qualname))


def _exception_class(graph: ProjectGraph, func: FunctionInfo, e: ir.Expr) -> Optional[str]:
    if isinstance(e, ir.Name) and _builtin_exception(graph, func, e.id):
        return e.id
    if isinstance(e, (ir.Name, ir.Attribute)):
        for v in graph.values(e, func, None):
            if isinstance(v, ClassRef) and _project_exception(graph, v.qualname):
                return v.qualname.rsplit(".", 1)[-1]
    return None


def _exception_object(graph: ProjectGraph, func: FunctionInfo, e: ir.Expr) -> Optional[str]:
    if not isinstance(e, ir.Call):
        return None
    return _exception_class(graph, func, e.func)


def _builds_errors(graph: ProjectGraph, func: FunctionInfo) -> bool:
    """A factory of errors: named so, or called where its result is raised."""
    lowered = func.name.lower()
    if "error" in lowered or "exception" in lowered or "exc" in lowered.split("_"):
        return True
    return any(isinstance(site.stmt, ir.Raise) for site in graph.callers(func))
