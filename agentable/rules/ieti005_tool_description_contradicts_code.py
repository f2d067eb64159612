"""IETI005: a tool's name/description promises something its implementation does not do."""

from __future__ import annotations

import re
from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.query.tools import tool_anchor, tool_defs_by_function, tool_received_nowhere
from agentable.rules.ieti.prompt_listed_tools import prompt_listed_tools
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ToolDescriptionContradictsCode(Rule):
    meta = RuleMeta(
        id="IETI005",
        name="tool-description-contradicts-code",
        category="IETI",
        severity=Severity.WARNING,
        short="A tool's name or description says it does something other than what its code does.",
        full=("The model picks tools by their descriptions. A description copied from another tool or left "
              "over after a rewrite (\"Returns the weather forecast\" on a tool that sends e-mail) makes the "
              "model call the wrong tool for a task, or never call the right one, and the agent acts on "
              "observations it did not ask for. Decided by the natural-language checker: deterministically "
              "only on strong lexical evidence, or by the configured LLM."),
        bad_example=('@tool\ndef send_email(to: str, body: str) -> str:\n'
                     '    """Return the weather forecast for a city."""\n'
                     '    smtp.sendmail(SENDER, to, body)'),
        good_example=('@tool\ndef send_email(to: str, body: str) -> str:\n'
                      '    """Send an e-mail with the given body to one recipient."""\n'
                      '    smtp.sendmail(SENDER, to, body)'),
        fix="Rewrite the name and description to say what the implementation actually does.",
        tags=("tools", "description", "nl-check"),
        precision="medium",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        from agentable.nl_check import ToolDescriptionQuestion

        graph = ctx.graph
        todo = []
        for tool in graph.agent.tools:
            desc = tool.description
            if not tool.name or not desc or desc == "<dynamic>" or not desc.strip():
                continue
            func = tool.func
            if func is None or func.node is None:
                continue
            if not ctx.include_tests and graph.is_test_code(tool.path):  # its finding would not be reported
                continue
            if tool_received_nowhere(graph, tool):  # a template no agent is given: the model never reads it
                continue
            q = ToolDescriptionQuestion(
                tool_name=tool.name,
                description=desc,
                param_names=tuple(p.name for p in tool.params),
                param_docs={p.name: p.doc for p in tool.params if p.doc},
                implementation=func.source(),
                identifiers=tuple(_identifiers(func)),
            )
            todo.append((tool, func, desc, q))
        yield from self._prompt_listed(ctx)
        if not todo:
            return
        verdicts = ctx.checker.ask_many([q for _t, _f, _d, q in todo])
        for (tool, func, desc, _q), verdict in zip(todo, verdicts, strict=True):  # a verdict per question
            if not verdict.reportable:
                continue
            if verdict.source == "deterministic" and not _strong_lexical_evidence(tool):
                continue
            pos = tool.description_pos or tool_anchor(tool)
            short = " ".join(desc.split())[:80]
            f = self.finding(
                ctx, tool.path, pos,
                f"The description of tool `{tool.name}` (\"{short}\") does not match what "
                f"`{func.name}` does: {verdict.reason} Describe what the code actually does, or fix the "
                f"wiring if the wrong function was registered.")
            f.checker_reason = verdict.reason
            yield f

    def _prompt_listed(self, ctx: RuleContext) -> Iterable[Finding]:
        """Tools a hand-written agent lists in its prompt as text, against the function its dispatch
        runs for that name. Only the model judges these (the lexical pass reads tool descriptions)."""
        from agentable.nl_check import ToolDescriptionQuestion

        if not ctx.checker.llm_active:
            return
        graph = ctx.graph
        described = tool_defs_by_function(graph)
        todo = [(t, ToolDescriptionQuestion(
            tool_name=t.name, description=t.description, param_names=tuple(p.name for p in t.func.params),
            implementation=t.func.source(), identifiers=tuple(_identifiers(t.func))))
            for t in prompt_listed_tools(graph)
            if t.func.qualname not in described  # a described tool is asked about above
            and (ctx.include_tests or not graph.is_test_code(t.func.path))]
        if not todo:
            return
        verdicts = ctx.checker.ask_many([q for _t, q in todo])
        for (t, _q), verdict in zip(todo, verdicts, strict=True):
            if not verdict.reportable or verdict.source == "deterministic":
                continue
            short = " ".join(t.description.split())[:80]
            f = self.finding(
                ctx, t.func.path, _first_line(t.func),
                f"The prompt lists tool `{t.name}` (\"{short}\"), and the dispatch at {t.dispatch.path}:"
                f"{t.dispatch.lookup.pos[0]} runs `{t.func.name}` for it, which does not do that: {verdict.reason} "
                f"Describe in the prompt what the function does, or dispatch the name to the right function.")
            f.checker_reason = verdict.reason
            yield f


def _first_line(func) -> tuple[int, int, int, int]:
    p = func.node.pos if func.node is not None else (1, 0, 1, 0)
    return (p[0], p[1], p[0], p[1])


def _identifiers(func) -> list[str]:
    """Called names and attributes in the function body (the code's vocabulary)."""
    out: list[str] = []
    for site in func.calls:
        d = ir.dotted(site.call.func)
        if d:
            out.append(d)
    return out[:200]


def _name_tokens(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [t.lower() for t in re.split(r"[^A-Za-z0-9]+", spaced) if len(t) >= 3]


def _strong_lexical_evidence(tool) -> bool:
    """A deterministic (word-overlap) verdict is trusted only when the implementation does real
    work to compare with (it calls something) and no word of the tool's name appears in the
    description, even written as a compound ("look up" for `lookup`)."""
    func = tool.func
    if func is None or not func.calls:
        return False
    squashed = re.sub(r"[^a-z0-9]", "", (tool.description or "").lower())
    return not any(tok in squashed for tok in _name_tokens(tool.name or ""))
