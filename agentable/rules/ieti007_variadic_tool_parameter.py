"""IETI007: a tool's `*args` / `**kwargs` that the framework's schema offers as one argument of that name."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef, FuncRef
from agentable.findings import Finding, Severity
from agentable.query.guards import decorator_values
from agentable.query.tools import tool_definition_call
from agentable.rules.base import Rule, RuleContext, RuleMeta


class VariadicToolParameter(Rule):
    meta = RuleMeta(
        id="IETI007",
        name="variadic-tool-parameter",
        category="IETI",
        severity=Severity.WARNING,
        short="A tool function takes `**kwargs` or `*args`, and its framework's schema offers that as one argument "
              "handed back under its own name, which the function cannot use.",
        full=("Several schema generators (LangChain `@tool` / `StructuredTool.from_function`, llama_index "
              "`FunctionTool.from_defaults`, smolagents `@tool`, AutoGen `FunctionTool`) read a `**settings` "
              "parameter as an ordinary parameter named `settings`: the model is shown one argument "
              "`settings` and, following the schema, calls `tool(settings={...})`. The framework passes that "
              "back as a keyword, so the function's `settings` is `{'settings': {...}}`: every key it looks "
              "for is missing and the values the model chose are silently dropped (or handed on one level too "
              "deep). A `*items` parameter is shown the same way and handed back as `items=[...]`, which "
              "Python refuses for a `*items` parameter: every call that fills it fails with a TypeError. "
              "Frameworks that unpack the argument (OpenAI Agents SDK, pydantic-ai) do not have this problem."),
        bad_example=('def configure(**settings: dict) -> str:\n'
                     '    """Update the search settings."""\n'
                     '    CONFIG.update(settings)\n'
                     'tools = [FunctionTool.from_defaults(fn=configure)]'),
        good_example=('def configure(top_k: int = 5, chunk_size: int = 512) -> str:\n'
                      '    """Update the search settings."""\n'
                      '    CONFIG.update(top_k=top_k, chunk_size=chunk_size)\n'
                      'tools = [FunctionTool.from_defaults(fn=configure)]'),
        fix="Give the tool function named parameters (or one explicit `dict` / `list` parameter), or define the "
            "arguments schema yourself.",
        tags=("tools", "parameters", "schema"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        seen: set[str] = set()
        for tool in g.agent.tools:
            spec = tool.spec
            nests = getattr(spec, "var_keyword", None) == "object_param"
            refuses = getattr(spec, "var_positional", None) == "keyword_param"
            if not nests and not refuses:
                continue
            requires = tuple(getattr(spec, "variadic_requires", ()) or ())
            required = bool(getattr(spec, "variadic_required", False))
            for func in _implementations(g, tool):
                if func.qualname in seen or func.node is None or _copies_signature(g, func):
                    continue
                problems: list[str] = []
                for p in func.node.params:
                    if not _accepted(p, func, requires):
                        continue
                    fw = tool.framework
                    if p.kind == "kwarg" and nests and _reads(func, p.name):
                        problems.append(
                            f"{fw} offers `**{p.name}` to the model as one argument named `{p.name}`; a call that "
                            f"follows the schema reaches the function as `{p.name} == {{'{p.name}': ...}}`, so the "
                            f"keys it reads are missing")
                    elif p.kind == "vararg" and refuses and (required or _reads(func, p.name)):
                        problems.append(
                            f"{fw} offers `*{p.name}` as one argument named `{p.name}` and passes it back as the "
                            f"keyword `{p.name}=`, which Python refuses for `*{p.name}`: "
                            f"{'every call' if required else 'a call that fills it'} fails with a TypeError")
                if not problems:
                    continue
                seen.add(func.qualname)
                name = tool.name if func is tool.func else func.name
                yield self.finding(ctx, func.path, func.node.name_pos,
                                   f"Tool `{name or func.name}`: " + "; ".join(problems) + ".")


_SIGNATURE_COPIERS = python_facts().signature_copiers


def _copies_signature(g, func: FunctionInfo) -> bool:
    """Is `func` a wrapper decorated with `functools.wraps(f)`: its schema is `f`'s signature."""
    return any(isinstance(v, ExtRef) and v.path in _SIGNATURE_COPIERS for v in decorator_values(g, func))


def _implementations(g, tool) -> list[FunctionInfo]:
    """The project functions a tool may run: its function, or every function the constructor's
    function argument can be (`[FunctionTool.from_defaults(fn=f) for f in fns]` builds one per
    element of `fns`)."""
    funcs: list[FunctionInfo] = [tool.func] if tool.func is not None else []
    call = tool_definition_call(g, tool) if tool.kind == "constructor" else None
    spec = tool.spec
    if call is not None:
        fexpr: Optional[ir.Expr] = call.kwarg(spec.func_param) if getattr(spec, "func_param", None) else None
        pos = getattr(spec, "func_positional", None)
        if fexpr is None and pos is not None and pos < len(call.args):
            fexpr = call.args[pos]
        owner = g.function_of(tool.path, call.pos) or tool.module.toplevel
        if fexpr is not None:
            for site in owner.calls:
                if site.call is call:
                    for v in g.values(fexpr, owner, site.stmt):
                        if isinstance(v, FuncRef) and v.qualname in g.functions:
                            f = g.functions[v.qualname]
                            if f not in funcs:
                                funcs.append(f)
                    break
    return funcs


def _accepted(param: ir.Param, func: FunctionInfo, requires: tuple[str, ...]) -> bool:
    """Is this a `*args` / `**kwargs` the generator accepts (else it raises when the tool is
    defined, a crash on the first run rather than a wrong call)?"""
    if param.kind not in ("vararg", "kwarg"):
        return False
    if "annotation" in requires and param.annotation is None:
        return False
    if "docs" in requires:
        doc = func.node.docstring if func.node is not None else None
        # an Args: entry under the bare name (`settings (dict): ...`); `**settings:` is not read as one
        if not doc or not re.search(rf"^\s*{re.escape(param.name)}\s*(\([^)]*\))?\s*:", doc, re.MULTILINE):
            return False
    return True


def _reads(func: FunctionInfo, name: str) -> bool:
    """Does the function body use its `*name` / `**name` at all (a function that ignores an
    optional one loses nothing)?"""
    return any(isinstance(e, ir.Name) and e.id == name for e, _ in func.exprs.get(ir.Name, ()))
