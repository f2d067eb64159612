"""LARD018: run-time text that can hold braces is put into the text of a prompt template."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import source_text
from agentable.query.template_splices import template_splices
from agentable.rules.base import Rule, RuleContext, RuleMeta


class DataSplicedIntoTemplate(Rule):
    meta = RuleMeta(
        id="LARD018",
        name="data-spliced-into-prompt-template",
        category="LARD",
        severity=Severity.ERROR,
        short="Text that can hold braces is put into a prompt template's text before the framework parses it.",
        full=("LangChain's prompt templates (`ChatPromptTemplate.from_messages`, `from_template`, "
              "`PromptTemplate(template=...)`) parse their text as an f-string template: every `{name}` is a "
              "variable to fill in later. Text that the code has already filled in with an f-string, `+`, `%` or "
              "`.format` is parsed again, so a brace in the data put into it, which the model's reply, JSON, a "
              "dict's repr or a source file often holds, is read as a variable: building the template raises "
              "\"Single '}' encountered in format string\", or formatting it raises a KeyError for a variable "
              "nobody passes. The step fails on exactly the inputs that carry such text."),
        bad_example=('answer = llm.invoke(question).content\n'
                     'prompt = ChatPromptTemplate.from_messages([("human", f"Check this answer: {answer}")])'),
        good_example=('answer = llm.invoke(question).content\n'
                      'prompt = ChatPromptTemplate.from_messages([("human", "Check this answer: {answer}")])\n'
                      'chain = prompt | llm\nchain.invoke({"answer": answer})'),
        fix=("Write a `{variable}` in the template and pass the data when it is formatted (`invoke`/`format`), "
             "or double its braces (`text.replace('{', '{{').replace('}', '}}')`)."),
        tags=("prompt", "template", "api"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for sp in template_splices(graph):
            site = sp.site
            path = site.func.module.path
            callee = source_text(graph, path, site.call.func, 50)
            value = source_text(graph, sp.func.module.path, sp.value, 40)
            steps = (*sp.steps,
                     FlowStep(graph.span(sp.func.module.path, sp.value.pos), f"`{value}` is put into the text here"),
                     FlowStep(graph.span(path, site.call.pos), f"which `{callee}` parses as a template"))
            yield self.finding(
                ctx, path, site.call.pos,
                f"`{value}` ({sp.what}) is put into the text given to `{callee}`, which {sp.spec.framework} parses "
                f"as an f-string template: a `{{` or `}}` in it is read as a template variable, and the "
                f"{sp.spec.framework} call {sp.spec.effect}. Write a `{{variable}}` in the template and pass "
                f"the value when formatting it, or double its braces.",
                flow=steps, value=value)
