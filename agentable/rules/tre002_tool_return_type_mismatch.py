"""TRE002: a tool's result has another type than the tool declares, or than the message that hands it
back to the model accepts."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.catalog.specs import ToolResultFormatSpec  # for annotations
from agentable.cpg import ir
from agentable.cpg.structure import FunctionInfo  # for annotations
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.query.tool_results import tool_implementations, tool_label
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.tre.helpers import declared_result, tool_results_in, value_kinds

_CONCRETE = frozenset({"str", "int", "float", "bool", "dict", "list", "tuple", "set", "bytes", "json"})
# declared annotation -> kinds compatible with it
_COMPATIBLE = {
    "str": {"str"},
    "int": {"int", "bool"},
    "float": {"float", "int", "bool"},
    "bool": {"bool"},
    "dict": {"dict", "json"},  # json: parsed JSON, a dict or a list
    "list": {"list", "json"},
    "tuple": {"tuple"},
    "bytes": {"bytes"},
}


class ToolReturnTypeMismatch(Rule):
    meta = RuleMeta(
        id="TRE002",
        name="tool-result-wrong-type",
        category="TRE",
        severity=Severity.WARNING,
        short=("A tool returns a value of another type than it declares, or a hand-written loop sends a tool result the "
               "API does not accept."),
        full=("The tool's declared return type is part of its contract (frameworks build schemas and "
              "serialise the result from it), and the message that hands the result back to the model has a "
              "fixed shape: an Anthropic `tool_result` takes a string or content blocks, an OpenAI `tool` message "
              "takes text. A tool declared `-> str` (or, in a smolagents Tool class, `output_type = 'string'`) "
              "that returns a dict, or a dict put straight into the tool message (also when it is the result of "
              "one of several tools dispatched by name, e.g. `REGISTRY[name](**args)` passed on through a "
              "helper), makes the API reject the request (400) or makes the framework fail or send a repr the "
              "model misreads. "
              "A property of the tool alone: judged whether or not the scanned code builds the agent that "
              "runs it (a tool library is checked too). A framework that turns any result into text itself "
              "(LangChain tools: catalog `results_stringified`) is not judged by the annotation."),
        bad_example=('messages.append({"role": "tool", "tool_call_id": call.id, "content": get_weather(**args)})  '
                     '# get_weather returns a dict'),
        good_example=('messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(get_weather(**args))})'),
        fix="Serialise the result (json.dumps / str) before handing it to the model, or fix the declared return type.",
        tags=("tools",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        yield from self._declared(ctx)
        yield from self._result_messages(ctx)

    def _declared(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for func, tool in tool_implementations(graph):
            if getattr(getattr(tool, "spec", None), "results_stringified", False):
                continue  # the framework turns any result into text (catalog `results_stringified`)
            found = declared_result(func, tool) if func.node is not None and not func.yields else None
            if found is None or found[0] not in _COMPATIBLE:
                continue
            declared, how = found
            ok = _COMPATIBLE[declared]
            label = tool_label(func, tool, graph)
            for r in func.returns:
                if r.value is None:
                    continue
                kinds = value_kinds(graph, r.value, func, r)
                wrong = _wrong_kind(kinds, ok, r.value)
                if not wrong:
                    continue
                example = " (e.g. `json.dumps(...)` for structured data)" if declared == "str" else ""
                advice = (f"frameworks build the tool's schema and serialise its result from that declaration. Return "
                          f"{_a(declared)}{example} or change the ")
                if how.startswith("->"):
                    yield self.finding(
                        ctx, func.path, r.pos,
                        f"Tool `{label}` is declared `{how}` but returns {_kind_text(wrong)} here; {advice}annotation.")
                    continue
                # Declared by a class attribute: the implementing method contradicts its class, so the
                # finding is on the method, once, with the declaration and the return as its steps.
                yield self.finding(
                    ctx, func.path, func.name_pos,
                    f"Tool `{label}` is declared `{how}` but `{func.name}` returns {_kind_text(wrong)} "
                    f"(line {r.pos[0]}); {advice}declaration.",
                    flow=_declaration_steps(graph, tool, func, r, how, wrong))
                break

    def _result_messages(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        formats = graph.catalog.tool_result_formats
        if not formats:
            return
        for func in graph.agent.functions():
            for e, s in func.walk(ir.Dict):
                if not isinstance(e, ir.Dict):  # (walk gives only dicts; this tells the type checker)
                    continue
                fmt = _format_of(e, formats)
                if fmt is None:
                    continue
                content = e.get(fmt.content_key)
                if content is None or (isinstance(content, (ir.Dict, ir.Seq)) and False):
                    continue
                kinds = value_kinds(graph, content, func, s)
                accepted = set(_CONCRETE) - set(fmt.rejects)
                wrong = _wrong_kind(kinds, accepted, content)
                text = source_text(graph, func.path, content, 40)
                if wrong and wrong in fmt.rejects:
                    yield self.finding(
                        ctx, func.path, content.pos,
                        f"`{text}` is {_kind_text(wrong)}, but the {fmt.provider} tool-result message takes "
                        f"{fmt.accepts} in `{fmt.content_key}`; the API rejects the request. Serialise it "
                        f"(`json.dumps(...)` or `str(...)`) first.")
                elif kinds & set(fmt.rejects):
                    # several tools' results meet here: one of them always hands over a rejected type
                    hit = _rejected_tool_result(graph, content, func, s, accepted, set(fmt.rejects))
                    if hit is None:
                        continue
                    tool_func, r, kind = hit
                    yield self.finding(
                        ctx, func.path, content.pos,
                        f"`{text}` is the result of the tool the model called, and `{tool_func.name}` returns "
                        f"{_kind_text(kind)} (line {r.pos[0]} of {tool_func.path}), but the {fmt.provider} "
                        f"tool-result message takes {fmt.accepts} in `{fmt.content_key}`; the API rejects the "
                        f"request whenever the model calls `{tool_func.name}`. Serialise the result "
                        f"(`json.dumps(...)` or `str(...)`) first.",
                        flow=(FlowStep(graph.span(tool_func.path, r.pos), f"`{tool_func.name}` returns {_kind_text(kind)}"),
                              FlowStep(graph.span(func.path, content.pos), f"placed in `{fmt.content_key}` as it is")))


def _rejected_tool_result(graph, content: ir.Expr, func: FunctionInfo, stmt: ir.Stmt, accepted: set[str],
                          rejects: set[str]) -> Optional[tuple[FunctionInfo, ir.Return, str]]:
    """(tool function, return, kind) for a tool whose result `content` is when it runs and that
    returns a value of a rejected kind on some path; the first such tool by name."""
    for tool_func, _inv in sorted(tool_results_in(graph, content, func, stmt), key=lambda p: p[0].qualname):
        if tool_func.node is None or tool_func.yields:
            continue
        for r in tool_func.returns:
            if r.value is None:
                continue
            kind = _wrong_kind(value_kinds(graph, r.value, tool_func, r), accepted, r.value)
            if kind in rejects:
                return tool_func, r, kind
    return None


def _declaration_steps(graph, tool, func, r, how: str, wrong: str) -> tuple[FlowStep, ...]:
    steps = [FlowStep(graph.span(func.path, r.pos), f"returns {_kind_text(wrong)}")]
    pos = getattr(tool, "output_type_pos", None)
    cls = getattr(tool, "cls", None)
    if pos is not None and cls is not None:
        steps.insert(0, FlowStep(graph.span(cls.module.path, pos), f"`{how}` declared here"))
    return tuple(steps)


def _format_of(d: ir.Dict, formats: list[ToolResultFormatSpec]) -> Optional[ToolResultFormatSpec]:
    # a format matches only a dict that has every key of its `match` (TOML keys are strings):
    # test that on the dict's constant keys, read once, before looking each key up
    keys = {k.value for k in d.keys if isinstance(k, ir.Constant) and isinstance(k.value, str)}
    if not keys:
        return None
    for fmt in formats:
        if fmt.match and keys.issuperset(fmt.match) and all(
                isinstance(c := d.get(k), ir.Constant) and c.value == v for k, v in fmt.match.items()):
            return fmt
    return None


def _kind_text(kind: str) -> str:
    return "parsed JSON (a dict or a list)" if kind == "json" else _a(kind)


def _a(kind: str) -> str:
    return f"an {kind}" if kind[:1] in ("a", "e", "i", "o", "u") else f"a {kind}"


def _wrong_kind(kinds: set[str], ok: set[str], expr) -> Optional[str]:
    """The incompatible concrete kind a value certainly or literally has, or None."""
    if isinstance(expr, ir.Dict):
        return "dict" if "dict" not in ok else None
    if isinstance(expr, ir.Seq):
        return expr.kind if expr.kind not in ok else None
    if isinstance(expr, ir.Comp) and expr.kind in ("list", "dict", "set"):
        return expr.kind if expr.kind not in ok else None
    concrete = kinds & _CONCRETE
    if not concrete or concrete & ok:
        return None
    if kinds - _CONCRETE:
        return None  # may also be something else (unknown): not certain
    return sorted(concrete)[0]
