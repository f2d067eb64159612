"""LOPE005: the parser expects a format the prompt never asks the model for."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.frameworks import MATCH_PIECE
from agentable.cpg.values import Parsed
from agentable.findings import Finding, Severity
from agentable.nl_check.prompt_format import PromptFormat
from agentable.nl_check.questions import PromptParserQuestion
from agentable.query.dataflow import TextUse, flows as text_uses
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.query.protocol import prompt_text
from agentable.query.reply_prompt import reply_prompt
from agentable.query.structured_output import structured_output
from agentable.query.text_ops import regex_patterns
from agentable.rules.base import Rule, RuleContext, RuleMeta

_MIN_PROMPT = 40  # shorter literal text is too little evidence of what the prompt asks


class PromptParserMismatch(Rule):
    meta = RuleMeta(
        id="LOPE005",
        name="parser-expects-format-prompt-does-not-request",
        category="LOPE",
        severity=Severity.NOTE,
        short="The code parses the reply in a format (JSON, a marker, a number) that the prompt never asks the model to produce.",
        full=("A parser can only succeed when the prompt tells the model what to write. `json.loads` on a reply to a "
              "prompt that never mentions JSON, a regex looking for \"Action:\" when the prompt never shows that "
              "marker, or `int()` on a reply the prompt asks to explain, fails on most replies: the agent then "
              "always takes its error path (or crashes). The finding rests on the literal prompt text reaching the "
              "call, so it is a note unless the natural-language checker confirms it."),
        bad_example=('reply = llm("Summarise the ticket and suggest a priority.")\npriority = json.loads(reply)["priority"]'),
        good_example=('reply = llm(\'Summarise the ticket. Reply as JSON: {"summary": str, "priority": "P1"|"P2"|"P3"}\')\n'
                      'priority = json.loads(reply)["priority"]'),
        fix="Ask for the exact format the parser expects (or use structured output), or parse what the prompt asks for.",
        tags=("parsing", "prompt"),
        precision="medium",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        seen: set[tuple[str, int]] = set()
        # every parser each function applies to one call's reply: a second one is often a fallback
        parsers: dict[tuple[int, str], set[str]] = {}
        for use in text_uses(graph):
            kind = _parser_kind(graph, use) if not use.tool_arguments else None
            if kind is not None:
                parsers.setdefault((id(use.llm.site[1]), use.func.qualname), set()).add(kind.split(":")[0])
        for use in text_uses(graph):
            # an unguarded consumer is reported by LOPE001-003 already (one root cause, one finding)
            if not use.guard or use.guard == "structured-output" or use.kind == "key" or use.tool_arguments:
                continue  # (tool-call arguments follow the tool schema, not the prompt)
            kind = _parser_kind(graph, use) or (_other_parser(use) if ctx.checker.llm_active else None)
            if kind is None or any(step[2] == MATCH_PIECE for step in use.llm.steps):
                continue  # a regex over a piece another regex cut out: that first one reads the format
            c = graph.agent.llm_call_at(use.llm.site[1])
            if c is None or structured_output(graph, use.llm) is not None:
                continue
            detail = ""
            rp = reply_prompt(graph, c, use.func, use.stmt, deep=ctx.checker.llm_active)
            if rp is not None:  # the prompt of this reply's own call chain
                prompt = rp.text
                if not rp.complete:
                    detail = "Parts of the prompt are built at run time and are not shown."
            elif _prompt_from_several_callers(graph, c):
                continue  # a shared wrapper's prompt: the literal text found may be another caller's
            else:
                prompt = prompt_text(graph, c)
            if len(prompt.strip()) < _MIN_PROMPT or PromptFormat(prompt).has_format_placeholder:
                continue
            origin = use.origin or use.expr
            key = (use.path, origin.pos[0])
            if key in seen:
                continue
            seen.add(key)
            others = sorted(parsers.get((id(use.llm.site[1]), use.func.qualname), set()) - {kind.split(":")[0]})
            if others:
                detail = (detail + " The same reply is also parsed in this function with "
                          f"{', '.join(others)}: this parser may be a fallback for replies that one rejects.").strip()
            doubt = bool(detail)  # part of the prompt unseen, or another parser first
            detail = (detail + "\nThe code that parses the reply:\n" + _code_around(use)).strip()
            fields = _fields_read(graph, use) if kind == "json.loads" else ()
            verdict = ctx.checker.ask(PromptParserQuestion(prompt, kind, detail, fields))
            if verdict.defect and verdict.source == "deterministic" and doubt:
                continue  # the missing words may be in the part not shown, or the parse is a fallback
            if not verdict.reportable:
                continue
            confident = verdict.source != "deterministic" and verdict.confidence >= 0.8
            f = self.finding(
                ctx, use.path, origin.pos,
                f"{verdict.reason.rstrip('.')} (parser `{use.op}` on the reply of "
                f"{describe_llm_source(graph, use.llm)}); ask for that format in the prompt or use structured "
                f"output, otherwise this parse fails on well-behaved replies.",
                severity=Severity.WARNING if confident else Severity.NOTE,
                flow=flow_steps(graph, use.llm, (use.path, origin.pos, f"parsed with {use.op}")),
            )
            f.checker_reason = verdict.reason if verdict.source != "deterministic" else ""
            yield f


def _code_around(use: TextUse, before: int = 12, after: int = 8) -> str:
    """The lines of the parsing function around the parse: what else the code does with the reply
    (a first parser this one is the fallback of, a check before it) is part of the question."""
    mod = use.func.module.ir
    node = use.func.node
    lo, hi = (node.pos[0] - 1, node.pos[2]) if node is not None else (0, mod.line_count())
    at = use.expr.pos[0] - 1
    return "\n".join(mod.line_range(max(lo, at - before) + 1, min(hi, at + after + 1)))


_MAX_FIELDS = 12


def _fields_read(graph, use: TextUse) -> tuple[str, ...]:
    """The constant keys the parsing function reads from this reply's parse (`data["action"]`,
    `data.get("args")`): whether the prompt asks for those keys is the model's judgement."""
    # this parse's result only: a shared wrapper's call site parses other replies in the function too
    parse = (use.path, (use.origin or use.expr).pos)
    out: dict[str, None] = {}
    for e, stmt in use.func.walk(ir.Subscript, ir.Call):
        if isinstance(e, ir.Subscript):
            base, key = e.value, e.index
        elif isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr == "get" and e.args:
            base, key = e.func.value, e.args[0]
        else:
            continue
        k = ir.string_value(key)
        if not k or k in out:
            continue
        if any(isinstance(v, Parsed) and _parsed_at(v, parse) for v in graph.values(base, use.func, stmt)):
            out[k] = None
            if len(out) >= _MAX_FIELDS:
                break
    return tuple(out)


def _parsed_at(v: Parsed, parse: tuple[str, tuple[int, int, int, int]]) -> bool:
    return any((path, pos) == parse and msg.startswith("parsed with") for path, pos, msg in v.source.steps)


def _parser_kind(graph, use: TextUse) -> Optional[str]:
    if use.kind == "parse":
        if use.op in graph.catalog.python.json_parsers:
            return "json.loads"
        if use.op in ("int", "float"):
            return use.op
        return None
    if use.kind == "match" and use.origin is not None:
        pats = regex_patterns(graph, use.origin, use.func, None)
        return f"regex:{pats[0]}" if len(pats) == 1 else None
    if use.kind in ("index", "unpack") and use.origin is not None and isinstance(use.origin.func, ir.Attribute):
        if use.origin.func.attr in ("split", "rsplit") and use.origin.args:
            sep = ir.string_value(use.origin.args[0])
            return f"split:{sep}" if sep else None
    return None


_OTHER_PARSES = frozenset({"parse", "match", "index", "unpack"})


def _other_parser(use: TextUse) -> Optional[str]:
    """A parse the deterministic pass does not compare with a prompt (`ast.literal_eval`, a
    `.partition()` piece, a regex built at run time): named by its operation, for the model to judge."""
    return use.op if use.kind in _OTHER_PARSES and use.op else None


def _prompt_from_several_callers(graph, c) -> bool:
    """Is the call's prompt a parameter of a wrapper (`def chat(self, messages): ...create(messages=
    messages)`) that several functions call, each with a prompt of its own? The literal prompt text
    reaching it is then the union of unrelated prompts, not the one this reply answers."""
    for role in ("messages", "prompt", "system"):
        s = c.setting(role)
        if s is not None and s.func is not None and _from_params(graph, s.expr, s.func, s.stmt):
            return True
    return bool(c.call.args) and _from_params(graph, c.call.args[0], c.func, c.site.stmt)


def _from_params(graph, e: Optional[ir.Expr], func, stmt) -> bool:
    if e is None or func is None:
        return False
    names = {x.id for x in ir.walk_expr(e) if isinstance(x, ir.Name)}
    for n in list(names):  # one level of local assignment: `msgs = [{"role": "user", "content": prompt}]`
        for d in (graph.resolver.local_defs(func, n, stmt) if stmt is not None else ()):
            if d.value is not None:
                names |= {x.id for x in ir.walk_expr(d.value) if isinstance(x, ir.Name)}
    params = {p.name for p in func.params}
    if not names & params:
        return False
    return len({site.func.qualname for site in graph.argument_sites(func)}) >= 2
