"""A project's own success and failure tool results: a class whose two constructors mark what they
build as a success or a failure (`ToolResult.success(x)` -> `ToolResult(status="success", result=x)`,
`ToolResult.fail(x)` -> `ToolResult(status="error", result=x)`), and the error text a tool wraps in
the success one, itself or through a project helper that reports its failures as text (TRE).
The field names, the words and what error text opens with are catalog data (tools.toml [result_status])."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.query.facts import per_graph


def _marked(call: ir.Call, shape: dict) -> Optional[str]:
    """"success" or "failure" when the constructor call sets a status field to a known word or a
    success/failure flag to a bool (`status="error"`, `ok=True`, `is_error=False`)."""
    for kw in call.keywords:
        v = kw.value.value if isinstance(kw.value, ir.Constant) else None
        if kw.name in shape.get("status_fields", ()) and isinstance(v, str):
            word = v.lower()
            if word in shape.get("success_values", ()):
                return "success"
            if word in shape.get("failure_values", ()):
                return "failure"
        elif isinstance(v, bool) and kw.name in shape.get("success_flags", ()):
            return "success" if v else "failure"
        elif isinstance(v, bool) and kw.name in shape.get("failure_flags", ()):
            return "failure" if v else "success"
    return None


@per_graph
def result_constructors(g: ProjectGraph) -> dict[str, str]:
    """Qualname of a method of a project class whose only return builds that class marked as a
    success or a failure (`return cls(status="error", ...)`, `return ToolResult(ok=True, ...)`) ->
    "success" | "failure". Only classes that have both kinds: the project tells the two apart."""
    shape = g.catalog.result_status
    if not shape:
        return {}
    out: dict[str, str] = {}
    for cls in g.classes.values():
        kinds: dict[str, str] = {}
        for m in cls.methods.values():
            rets = [r for r in m.returns if r.value is not None]
            if m.node is None or len(rets) != 1 or not isinstance(rets[0].value, ir.Call):
                continue
            call = rets[0].value
            if ir.dotted(call.func) not in ("cls", cls.name):
                continue
            kind = _marked(call, shape)
            if kind is not None:
                kinds[m.qualname] = kind
        if set(kinds.values()) == {"success", "failure"}:
            out.update(kinds)
    return out


@per_graph
def _error_opening(g: ProjectGraph) -> Optional[re.Pattern[str]]:
    words = g.catalog.result_status.get("error_words", ())
    if not words:
        return None
    return re.compile(r"\s*(?:" + "|".join(re.escape(w) for w in words) + r")\s*[:：]", re.IGNORECASE)


def error_text(g: ProjectGraph, e: Optional[ir.Expr]) -> Optional[str]:
    """The text of a string literal (or f-string) that reads as an error report: it opens with an
    error word and a colon (`"Error: no such task"`, `f"错误: 任务不存在 {task_id}"`)."""
    text = ir.string_value(e)
    opening = _error_opening(g)
    if text is None or opening is None or not opening.match(text):
        return None
    return text


@dataclass(frozen=True)
class WrappedError:
    """`success` (a call of a success constructor in a tool) wraps error text: written in the call
    itself (`helper` None, `text_at` the literal), or returned by `helper` at `text_at` and
    reaching the call through `via` (the call of the helper in the tool)."""

    success: CallSite
    text: str
    text_at: ir.Pos
    helper: Optional[FunctionInfo] = None
    via: Optional[ir.Call] = None


def wrapped_error_texts(g: ProjectGraph, func: FunctionInfo) -> list[WrappedError]:
    """Calls of a success constructor (result_constructors) in `func` whose argument is error text
    or the result of a project helper that returns error text on some path, with no test of that
    result in `func` (a tool that checks it before wrapping may route it to the failure one)."""
    ctors = result_constructors(g)
    if not ctors:
        return []
    out: list[WrappedError] = []
    for site in func.calls:
        if not any(ctors.get(q) == "success" for q in g.callees(site)):
            continue
        for arg in [*site.call.args, *(k.value for k in site.call.keywords)]:
            text = error_text(g, arg)
            if text is not None:
                out.append(WrappedError(site, text, arg.pos))
                continue
            for call in _helper_calls(g, func, site, arg):
                found = _helper_error(g, func, call)
                if found is not None:
                    helper, ret = found
                    out.append(WrappedError(site, error_text(g, ret.value) or "", ret.pos, helper, call))
                    break
    return out


def _helper_calls(g: ProjectGraph, func: FunctionInfo, site: CallSite, arg: ir.Expr) -> list[ir.Call]:
    """The calls whose result `arg` is: the call itself, or what a name was last assigned from
    (`result = self._create(**args)`) when nothing in `func` tests that name."""
    value = arg.value if isinstance(arg, ir.Await) else arg
    if isinstance(value, ir.Call):
        return [value]
    if not isinstance(value, ir.Name) or _tested(func, value.id):
        return []
    out: list[ir.Call] = []
    for d in g.reaching(func).at(site.stmt, value.id) or []:
        v = d.value.value if isinstance(d.value, ir.Await) else d.value
        if d.how == "assign" and isinstance(v, ir.Call):
            out.append(v)
    return out


def _tested(func: FunctionInfo, name: str) -> bool:
    """Does an `if`, `while` or conditional expression of `func` test `name` (`if "错误" in result:`)?"""
    for s in func.stmts:
        tests = [s.test] if isinstance(s, (ir.If, ir.While)) else []
        for t in tests:
            if any(isinstance(x, ir.Name) and x.id == name for x in ir.walk_expr(t)):
                return True
    for e, _s in func.exprs.get(ir.IfExp, ()):
        if isinstance(e, ir.IfExp) and any(isinstance(x, ir.Name) and x.id == name for x in ir.walk_expr(e.test)):
            return True
    return False


def _helper_error(g: ProjectGraph, func: FunctionInfo, call: ir.Call) -> Optional[tuple[FunctionInfo, ir.Return]]:
    """The project function `call` runs and its first return of error text, when it also returns
    something else on another path (a helper that reports failures as text beside its result)."""
    site = next((s for s in func.calls if s.call is call), None)
    if site is None:
        return None
    for q in sorted(g.callees(site)):
        helper = g.functions.get(q)
        if helper is None or helper.node is None or helper is func:
            continue
        errors = [r for r in helper.returns if error_text(g, r.value) is not None]
        others = [r for r in helper.returns if r.value is not None and error_text(g, r.value) is None]
        if errors and others:
            return helper, min(errors, key=lambda r: r.pos)
    return None
