"""IETI009: a prompt tells the model to call a tool that the project does not define."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.query.prompt_tool_mentions import UnboundMention, unbound_tool_mentions
from agentable.rules.ieti.prompt_names import missing_tools


class PromptNamesMissingTool(Rule):
    meta = RuleMeta(
        id="IETI009",
        name="prompt-names-missing-tool",
        category="IETI",
        severity=Severity.WARNING,
        short="A prompt tells the model to call a tool that no code defines, or that the call does not pass.",
        full=("Instructions such as \"if the request is off-topic, call the `change_intent` function\" are the "
              "model's procedure. When the project defines the other tools the prompt names but none by this "
              "name (a tool renamed or removed, a routine copied from another agent), the model follows the "
              "procedure and calls a tool it was never given: the call is refused as an unknown function, or "
              "the model gives up on that step. Decided from the code: the prompt names at least one tool the "
              "project defines (or instructs an agent of the project whose tool list is written out, "
              "`Agent(instructions=..., functions=[...])`, or is the error text of a tool whose name the missing "
              "one is a slip of), and the "
              "missing name occurs nowhere in the project's code or files except in "
              "such instructions. Also reported: a prompt that lists, beside the tools its call passes, a tool of "
              "the project that the call's written-out tool list leaves out (a tool dropped from one script's "
              "list while its system prompt still describes it)."),
        bad_example=('def escalate_to_agent(reason: str): ...\n'
                     'PROMPT = "If unsure, call the escalate_to_agent function. If off-topic, call the '
                     'change_intent function."'),
        good_example=('def escalate_to_agent(reason: str): ...\n'
                      'PROMPT = "If unsure or off-topic, call the escalate_to_agent function."'),
        fix="Name only tools the agent is given (rename the instruction, or add and bind the tool).",
        tags=("tools", "prompt"),
        precision="medium",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for m in missing_tools(ctx.graph):
            known = ", ".join(f"`{n}`" for n in m.known[:3])
            slip = f" (the project has `{m.close}`: a slip of that name?)" if m.close else ""
            where = (f"this text is `{m.close}`'s own" if m.own_text
                     else f"the agent it instructs is given {known}" if m.given
                     else f"it also names {known}, which the project does define")
            yield self.finding(
                ctx, m.path, m.pos,
                f"The text tells the model to call `{m.name}`, but no function, tool or file of the project "
                f"defines a tool by that name{slip} ({where}); the model calls a tool it was never given and the "
                f"call fails as unknown. Name a tool the agent has, or add `{m.name}`.")
        by_line: dict[tuple[str, int], list[UnboundMention]] = {}
        for u in unbound_tool_mentions(ctx.graph):
            by_line.setdefault((u.prompt_path, u.prompt_pos[0]), []).append(u)
        for group in by_line.values():  # several tools named on one prompt line: one finding names them all
            u = group[0]
            names = " and ".join(", ".join(f"`{m.tool_name}`" for m in group).rsplit(", ", 1))
            given = ", ".join(f"`{n}`" for n in u.bound[:4]) + (", ..." if len(u.bound) > 4 else "")
            sent = (f"The prompt of the agent built at {u.call_path}:{u.call_line}" if u.agent
                    else f"The prompt sent at {u.call_path}:{u.call_line}")
            passed = "that agent is given" if u.agent else "passed to that call"
            verb = "is" if len(group) == 1 else "are"
            yield self.finding(
                ctx, u.prompt_path, u.prompt_pos,
                f"{sent} tells the model it has {names}, but the tools {passed} are {given}: "
                f"{names} {verb} not among them, so the model calls a tool it was never given and the call "
                f"fails as unknown. Pass the tool, or drop it from the prompt.")
