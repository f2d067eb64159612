"""IETI006: the prompt always names a tool that the code binds only under one setting."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.query.prompt_tool_mentions import conditional_tool_mentions
from agentable.rules.base import Rule, RuleContext, RuleMeta


class PromptNamesConditionalTool(Rule):
    meta = RuleMeta(
        id="IETI006",
        name="prompt-names-conditionally-bound-tool",
        category="IETI",
        severity=Severity.WARNING,
        short="The prompt always tells the model about a tool that the code binds only under one configuration.",
        full=("A system prompt that lists the tools by name (\"use `web_search` to ...\") is the model's picture of "
              "what it can call. When the code adds that tool only in one branch of a setting (one search provider "
              "of several, a feature flag) while the prompt names it whatever the setting, the model is told to "
              "call a tool that is not there under the other settings: the call is refused or fails as an unknown "
              "tool, and the model's plan rests on a tool it never gets. Decided from the code: the prompt text "
              "is written unconditionally, and every reference to the tool's function sits in an `if` branch."),
        bad_example=('SYSTEM = "Use web_search to look things up."\n'
                     'tools = [web_search] if provider == "tavily" else []\n'
                     'model.bind_tools(tools).invoke([SystemMessage(SYSTEM), ...])'),
        good_example=('tools = [web_search] if provider == "tavily" else []\n'
                      'names = ", ".join(t.name for t in tools)\n'
                      'SYSTEM = f"Your tools: {names}."'),
        fix="Build the tool list in the prompt from the tools actually bound, or word the prompt for every setting.",
        tags=("tools", "prompt"),
        precision="medium",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for m in conditional_tool_mentions(ctx.graph):
            yield self.finding(
                ctx, m.prompt_path, m.prompt_pos,
                f"The prompt sent at {m.call_path}:{m.call_line} always names the tool `{m.tool_name}`, but the "
                f"code binds `{m.func_name}` only when `{m.condition}` ({m.ref_path}:{m.ref_line}); under other "
                f"settings the model is told to call a tool it does not have. Name only the tools bound, or build "
                f"the list from them.")
