"""IETI009: a prompt tells the model to call a tool that the project does not define."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.ieti.prompt_names import missing_tools


class PromptNamesMissingTool(Rule):
    meta = RuleMeta(
        id="IETI009",
        name="prompt-names-missing-tool",
        category="IETI",
        severity=Severity.WARNING,
        short="A prompt tells the model to call a tool that no code defines.",
        full=("Instructions such as \"if the request is off-topic, call the `change_intent` function\" are the "
              "model's procedure. When the project defines the other tools the prompt names but none by this "
              "name (a tool renamed or removed, a routine copied from another agent), the model follows the "
              "procedure and calls a tool it was never given: the call is refused as an unknown function, or "
              "the model gives up on that step. Decided from the code: the prompt names at least one tool the "
              "project defines, and the missing name occurs nowhere in the project's code or files except in "
              "such instructions."),
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
            yield self.finding(
                ctx, m.path, m.pos,
                f"The prompt tells the model to call `{m.name}`, but no function, tool or file of the project "
                f"defines a tool by that name (it also names {known}, which the project does define); the model "
                f"calls a tool it was "
                f"never given and the call fails as unknown. Name a tool the agent has, or add `{m.name}`.")
