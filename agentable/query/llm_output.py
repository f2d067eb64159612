"""Values that come from a model: which LLM outputs an expression carries, and their data-flow path."""

from __future__ import annotations

from typing import Optional, Union

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import LLMOutput, Parsed, ordered
from agentable.findings import FlowStep
from agentable.query.facts import EvalAt


def llm_outputs(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt, *,
                text_only: bool = True) -> list[LLMOutput]:
    """LLM outputs that `e` may evaluate to (the generated text, or also raw responses)."""
    out: list[LLMOutput] = []
    for v in g.values(e, func, stmt):
        if isinstance(v, LLMOutput) and (v.text or not text_only):
            out.append(v)
    return stable_order(out)


def stable_order(outputs: list[LLMOutput]) -> list[LLMOutput]:
    """Model outputs shortest data-flow path first, then by call site: value sets are frozensets,
    whose order varies between runs."""
    return ordered(outputs)


def flow_steps(g: ProjectGraph, value: Union[LLMOutput, Parsed],
               last: Optional[tuple[str, ir.Pos, str]] = None) -> tuple[FlowStep, ...]:
    """A value's data-flow path as FlowSteps (for messages and SARIF codeFlows)."""
    src = value.source if isinstance(value, Parsed) else value
    steps = list(src.steps)
    if last is not None:  # the rule's own step says most about its line: it replaces an earlier one there
        steps = [st for st in steps if (st[0], st[1][0]) != (last[0], last[1][0])] + [last]
    out: list[FlowStep] = []
    seen: set[tuple[str, int]] = set()
    for path, pos, msg in steps:
        key = (path, pos[0])
        if key in seen:
            continue
        seen.add(key)
        out.append(FlowStep(g.span(path, pos), msg))
    return tuple(out)


def describe_llm_source(g: ProjectGraph, out: LLMOutput) -> str:
    """"`client.chat.completions.create` at agent.py:12" for messages."""
    path, call = out.site
    name = ir.dotted(call.func) or _super_method(call.func) or "the model call"
    return f"`{name}` at {path}:{call.pos[0]}"


def _super_method(e: ir.Expr) -> Optional[str]:
    """"super().invoke" for a model call a subclass makes on its framework base."""
    if isinstance(e, ir.Attribute) and isinstance(e.value, ir.Call) and ir.dotted(e.value.func) == "super":
        return f"super().{e.attr}"
    return None
