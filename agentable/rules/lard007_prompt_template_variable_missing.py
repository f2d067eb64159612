"""LARD007: a prompt template file is filled in without one of its variables."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.query.state_placeholders import unwritten_state_keys
from agentable.query.template_splices import template_gaps
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.lard.helpers import missing_template_variables


_WHAT = {"crewai": "placeholder of this CrewAI config", "sk": "variable of this Semantic Kernel prompt"}


class PromptTemplateVariableMissing(Rule):
    meta = RuleMeta(
        id="LARD007",
        name="prompt-template-variable-not-supplied",
        category="LARD",
        severity=Severity.ERROR,
        short="A prompt template (kept in a file, or a literal in the code) is filled in without one of its variables.",
        full=("Prompts kept outside the code (a Jinja2 `.j2`, a `.txt`/`.md` read and `.format()`-ed, a "
              "LangChain `PromptTemplate.from_file`, the `{var}` placeholders of a CrewAI crew's `config/tasks.yaml` "
              "and `agents.yaml`), and framework templates built in the code from literal text (LangChain's "
              "`PromptTemplate`/`ChatPromptTemplate`, llama-index's `ChatPromptTemplate` of `ChatMessage`s), name "
              "variables the code must supply. When the call that fills the "
              "template in (`render`, `format`, `format_messages`, `invoke`, a crew's `kickoff(inputs=...)`) gives only literal "
              "keys and one of the template's "
              "variables is not among them, `str.format`, LangChain and CrewAI raise before the model is "
              "called, and Jinja2 renders the variable as an empty string, so the model gets a prompt with a "
              "hole. Variables the template tests with `is defined` or gives a `default` are optional."),
        bad_example='env.get_template("task.j2").render(goal=goal)   # task.j2 uses {{ goal }} and {{ context }}',
        good_example='env.get_template("task.j2").render(goal=goal, context=context)',
        fix="Pass the variable to the call, or remove it from the template (or give it a `default` there).",
        tags=("prompt", "template", "api"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for mv in missing_template_variables(graph):
            r = mv.render
            line = r.call.pos[0]
            if mv.template.syntax == "jinja":
                effect = "Jinja2 renders it as an empty string, so the model gets a prompt with a hole"
                sev = Severity.WARNING
            elif mv.template.syntax == "sk":
                effect = ("Semantic Kernel renders it as an empty string (logging a warning), so the model gets a "
                          "prompt with a hole")
                sev = Severity.WARNING
            elif mv.template.syntax == "crewai":
                effect = "CrewAI raises (\"Template variable not found in inputs\") before any agent runs"
                sev = Severity.ERROR
            else:
                effect = "`format` raises KeyError before the model is called"
                sev = Severity.ERROR
            what = _WHAT.get(mv.template.syntax, "variable of this prompt template")
            yield self.finding(
                ctx, mv.template.path, mv.var.pos,
                f"`{mv.var.name}` is a {what}, but the `{r.method}(...)` call at "
                f"{r.func.path}:{line} does not supply it; {effect}.",
                severity=sev, flow=mv.flow(graph), variable=mv.var.name)
        for gap in template_gaps(graph):
            fill = gap.fill
            where = f"{fill.func.module.path}:{fill.call.pos[0]}"
            steps = (FlowStep(graph.span(gap.build_path, gap.build_pos), f"the {gap.spec.framework} template is built here"),
                     FlowStep(graph.span(fill.func.module.path, fill.call.pos),
                              f"and filled in here without `{gap.name}`"))
            yield self.finding(
                ctx, gap.path, gap.pos,
                f"`{gap.name}` is a variable of this {gap.spec.framework} prompt template, but the "
                f"`{gap.method}(...)` call at {where} does not supply it; it fills the template in with "
                f"str.format, which raises KeyError('{gap.name}') before the model is called. Pass `{gap.name}` "
                f"to the call, or remove it from the template.",
                flow=steps, variable=gap.name)
        for sk in unwritten_state_keys(graph):
            yield self.finding(
                ctx, sk.path, sk.pos,
                f"`{{{sk.key}}}` in this {sk.framework} agent's `{sk.param}` is filled in from the session state "
                f"before each run, but no code or state file of the project writes the key `{sk.key}`; the "
                f"framework then raises KeyError ('Context variable not found: `{sk.key}`.') and the run "
                f"fails. Write the key to the state (an agent's `output_key`, a tool's `tool_context.state`, "
                f"the initial state), or write `{{{sk.key}?}}` if it may be missing.",
                flow=(FlowStep(graph.span(sk.agent_path, sk.agent_pos), "the agent is built here"),),
                variable=sk.key)
