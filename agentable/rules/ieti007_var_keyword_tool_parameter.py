"""IETI007: a tool's `**kwargs` that the framework's schema turns into one object argument."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import FuncRef
from agentable.findings import Finding, Severity
from agentable.query.tools import tool_definition_call
from agentable.rules.base import Rule, RuleContext, RuleMeta


class VarKeywordToolParameter(Rule):
    meta = RuleMeta(
        id="IETI007",
        name="var-keyword-tool-parameter",
        category="IETI",
        severity=Severity.WARNING,
        short="A tool function takes `**kwargs` and its framework's schema offers them as one object argument "
              "that reaches the function nested under its own name.",
        full=("Several schema generators (LangChain `@tool` / `StructuredTool.from_function`, llama_index "
              "`FunctionTool.from_defaults`, smolagents `@tool`, AutoGen `FunctionTool`) read a `**settings` "
              "parameter as an ordinary parameter named `settings`: the model is shown one object argument "
              "`settings` and, following the schema, calls `tool(settings={...})`. The framework passes that "
              "back as a keyword, so the function's `settings` is `{'settings': {...}}`: every key it looks "
              "for is missing and the values the model chose are silently dropped (or handed on one level too "
              "deep). Frameworks that unpack the object into `**kwargs` (OpenAI Agents SDK, pydantic-ai) do not "
              "have this problem."),
        bad_example=('def configure(**settings: dict) -> str:\n'
                     '    """Update the search settings."""\n'
                     '    CONFIG.update(settings)\n'
                     'tools = [FunctionTool.from_defaults(fn=configure)]'),
        good_example=('def configure(top_k: int = 5, chunk_size: int = 512) -> str:\n'
                      '    """Update the search settings."""\n'
                      '    CONFIG.update(top_k=top_k, chunk_size=chunk_size)\n'
                      'tools = [FunctionTool.from_defaults(fn=configure)]'),
        fix="Give the tool function named parameters (or one explicit `dict` parameter that it reads as such), "
            "or define the arguments schema yourself.",
        tags=("tools", "parameters", "schema"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        seen: set[str] = set()
        for tool in g.agent.tools:
            spec = tool.spec
            if getattr(spec, "var_keyword", None) != "object_param":
                continue
            requires = tuple(getattr(spec, "var_keyword_requires", ()) or ())
            for func in _implementations(g, tool):
                if func.qualname in seen or func.node is None:
                    continue
                param = next((p for p in func.node.params if p.kind == "kwarg"), None)
                if param is None or not _accepted(param, func, requires) or not _reads(func, param.name):
                    continue
                seen.add(func.qualname)
                name = tool.name if func is tool.func else func.name
                yield self.finding(
                    ctx, func.path, func.node.name_pos,
                    f"Tool `{name or func.name}` takes `**{param.name}`, which {tool.framework} offers the "
                    f"model as a single argument named `{param.name}`; a call that follows the schema reaches the "
                    f"function as `{param.name} == {{'{param.name}': ...}}`, so the keys it reads are missing.")


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
    """Does the generator accept this `**kwargs` (else it raises when the tool is defined, a crash
    on the first run rather than a wrong call)?"""
    if "annotation" in requires and param.annotation is None:
        return False
    if "docs" in requires:
        doc = func.node.docstring if func.node is not None else None
        # an Args: entry under the bare name (`settings (dict): ...`); `**settings:` is not read as one
        if not doc or not re.search(rf"^\s*{re.escape(param.name)}\s*(\([^)]*\))?\s*:", doc, re.MULTILINE):
            return False
    return True


def _reads(func: FunctionInfo, name: str) -> bool:
    """Does the function body use its `**name` mapping at all (a function that ignores it loses
    nothing)?"""
    return any(isinstance(e, ir.Name) and e.id == name for e, _ in func.exprs.get(ir.Name, ()))
