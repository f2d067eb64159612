"""TRE001: a tool returns None on some path (falls off the end, bare `return`, `return None`, a
helper's None or a local left None, or prints its result instead of returning it)."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.query.code_runners import model_code_runners
from agentable.query.tool_classes import tool_base_runners
from agentable.query.tool_results import tool_bodies
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.tre.helpers import bare_returns, implicit_none_exits, is_stub
from agentable.rules.tre.none_results import none_results


class ToolReturnsNone(Rule):
    meta = RuleMeta(
        id="TRE001",
        name="tool-returns-none",
        category="TRE",
        severity=Severity.WARNING,
        short="A tool returns None on some path, so the model gets no result (\"None\" or an empty observation).",
        full=("Whatever a tool returns is what the model sees as the result of its action. A path that falls "
              "off the end of the function, a bare `return`, `return None`, or a result that is printed instead of "
              "returned gives the model \"None\" (or nothing): it cannot tell success from failure, retries the "
              "same call, or invents an answer. Typical causes are an `except` branch that only logs, an "
              "if/elif chain without an else, and debugging `print` left in place of `return`. The None may "
              "also come from elsewhere: the tool returns the result of a project helper that returns None on "
              "some path (`return fetch_row(sku)` where `fetch_row` returns None when its query fails), or a "
              "local initialised to None and set only in some branches (`report = None; if ...: report = ...`), "
              "with no test of it before the return. "
              "A property of the tool alone: judged whether or not the scanned code builds the agent that "
              "runs it (a tool library is checked too)."),
        bad_example=('@tool\ndef weather(city: str) -> str:\n    """Current weather for a city."""\n'
                     '    try:\n        return fetch(city)\n    except HTTPError as e:\n        print(e)'),
        good_example=('@tool\ndef weather(city: str) -> str:\n    """Current weather for a city."""\n'
                      '    try:\n        return fetch(city)\n    except HTTPError as e:\n'
                      '        return f"Weather service failed: {e}"'),
        fix="Return a string on every path: the result, or a message saying what went wrong or that nothing was found.",
        tags=("tools",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        runners = tool_base_runners(graph)
        code_runners = model_code_runners(graph)
        for func, _tool, label in tool_bodies(graph):
            if func.name == "__init__" or func.yields or is_stub(func):
                continue
            if func.qualname in runners:
                yield from self._runner(ctx, func, label)
                continue
            if func.qualname in code_runners:
                yield from self._code_runner(ctx, func, label)
                continue
            paths = _none_paths(graph, func)
            passed_on = none_results(graph, func)
            if not paths and not passed_on:
                continue
            # a None passed on from elsewhere is shown where it enters: the helper's call, or the return of a local left None
            anchor = func.name_pos if paths else passed_on[0][1]
            paths += [why for why, _pos in passed_on]
            has_value = any(r.value is not None and not _is_none_const(r.value) for r in func.returns)
            printed = _print_line(func)
            if not has_value and printed:
                detail = (f"it prints its result (line {printed}) instead of returning it, so the model receives "
                          f"None; return the text instead of printing it")
            else:
                detail = (f"{'; '.join(paths[:3])}, so the model receives None there; return a string on every path "
                          f"(the result or an error message)")
            yield self.finding(
                ctx, func.path, anchor,
                f"Tool `{label}` returns None on some path: {detail}.",
            )


    def _runner(self, ctx: RuleContext, func, label: str) -> Iterable[Finding]:
        """A tool base's runner (`execute_tool` -> `self.execute(args)`) that returns None on a path
        of its own: reported where the None comes from (the `except` branch that only logs, the
        bare `return`), since every tool's result passes through it."""
        graph = ctx.graph
        where = [s for s in implicit_none_exits(graph, func) if isinstance(s, ir.Stmt)] + list(bare_returns(func))
        if not where:
            return
        first = min(where, key=lambda s: s.pos)
        caught = any(isinstance(a, ir.Handler) for a in func.ancestors(first))
        how = (f"when the tool raises, the `except` branch ends at line {first.pos[0]} without returning"
               if caught else f"it returns None at line {first.pos[0]}")
        yield self.finding(
            ctx, func.path, first.pos,
            f"Tool runner `{label}` hands the agent None instead of a tool result: {how}, so every tool run "
            f"through it gives the agent None there (the error is lost, and code reading the result's fields "
            f"fails); return a result that carries the error.",
        )


    def _code_runner(self, ctx: RuleContext, func, label: str) -> Iterable[Finding]:
        """The agent's own code runner (it runs the model's code, `query.code_runners`) that returns
        None on some path: reported at the branch that gives it (`if run.error: print(...)`), where
        the run's failure is lost."""
        graph = ctx.graph
        if not any(r.value is not None and not _is_none_const(r.value) for r in func.returns):
            return  # it returns nothing at all: its callers do not read a result
        where = [s for s in implicit_none_exits(graph, func) if isinstance(s, ir.Stmt)] + list(bare_returns(func))
        if not where:
            return
        first = min(where, key=lambda s: s.pos)
        branch = next((a for a in func.ancestors(first) if isinstance(a, (ir.If, ir.Handler))), None)
        anchor = branch.pos if isinstance(branch, ir.If) else first.pos
        how = (f"the `if` at line {branch.pos[0]} ends without returning" if isinstance(branch, ir.If) else
               f"the `except` branch ends at line {first.pos[0]} without returning" if branch is not None else
               f"it returns None at line {first.pos[0]}")
        yield self.finding(
            ctx, func.path, anchor,
            f"`{label}` runs the model's code but returns None on some path ({how}): the caller gets None "
            f"instead of the run's result or its error, so the failure is lost and code that reads the result's "
            f"fields fails. Return the result on every path, with the error (name, value, traceback) when the run "
            f"failed.",
        )


def _is_none_const(e) -> bool:
    return isinstance(e, ir.Constant) and e.value is None


def _none_paths(graph, func) -> list[str]:
    out: list[str] = []
    for r in bare_returns(func):
        out.append(f"`{'return' if r.value is None else 'return None'}` at line {r.pos[0]}")
    falls = [s for s in implicit_none_exits(graph, func) if s != "ENTRY"]
    if falls:
        lines = sorted({getattr(s, "pos", (0,))[0] for s in falls if hasattr(s, "pos")})
        if lines:
            out.append("it falls off the end after line " + ", ".join(str(n) for n in lines[:3]))
    return out


def _print_line(func) -> int:
    for site in func.calls:
        if ir.dotted(site.call.func) == "print":
            return site.call.pos[0]
    return 0
