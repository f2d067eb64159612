"""IETI010: a prompt documents a callable's parameters by names the implementation does not take."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, FlowStep, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.ieti.prompt_signatures import signature_mismatches


class PromptSignatureParameterNames(Rule):
    meta = RuleMeta(
        id="IETI010",
        name="prompt-signature-parameter-names",
        category="IETI",
        severity=Severity.WARNING,
        short="A prompt documents a function the model may call with parameters the project's function does not take.",
        full=("Agents that let the model write calls as text (`Action: say(\"hi\", target=\"Bob\")`, run with "
              "eval or a small parser) describe each callable in the prompt as a signature. When the documented "
              "parameter names differ from those of the function that runs the call (the prompt says "
              "`say(content, target=None)`, the code defines `_say(self, description, target=None)`), a call that "
              "uses the documented keyword fails with \"unexpected keyword argument\" and the action is lost. "
              "Decided from the code: a list item of a prompt (a string literal or a prompt/settings file) of the "
              "form `name(param, other=default): description`, and the project's functions named `name` or "
              "`_name`, none of which takes every documented name or **kwargs; also a signature written inline in "
              "prose for a tool the model is given (`use get_news(query, start_date)`) whose function shares some "
              "but not all of the documented names. The same holds for an example call "
              "written in XML inside a `<function_call>` (or `<tool_call>`, `<invoke>`) tag, whose inner tags are the "
              "parameters, and for a listed signature that keeps a method's `self` or `cls` while the other "
              "callables of the list do not: the model passes one argument more than the method takes."),
        bad_example=('PROMPT = """Functions you can call:\n- say(content, target=None): say something"""\n'
                     'def _say(self, description, target=None): ...'),
        good_example=('PROMPT = """Functions you can call:\n- say(content, target=None): say something"""\n'
                      'def _say(self, content, target=None): ...'),
        fix="Document the parameters under the names the function takes (or rename the function's parameters).",
        tags=("tools", "prompt"),
        precision="medium",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        for m in signature_mismatches(g):
            f = m.func
            params = ", ".join(p.name for p in f.params if p.name not in ("self", "cls"))
            if m.receiver:
                n = len(m.documented)
                yield self.finding(
                    ctx, m.path, (m.line, 0, m.line, 0),
                    f"The prompt documents `{m.name}({', '.join(m.documented)})` with the method's own "
                    f"`{m.documented[0]}`, unlike the other callables it lists: the model is told to pass "
                    f"{n} argument{'s' if n != 1 else ''}, but `{f.qualname}` is called on its object and takes "
                    f"({params}), so a call written as documented has one argument too many. Drop "
                    f"`{m.documented[0]}` from the documented signature.",
                    flow=(FlowStep(g.span(f.path, f.name_pos), f"`{f.name}` is defined here"),))
                continue
            missing = ", ".join(f"`{n}`" for n in m.missing)
            if m.shifted:
                real = [p.name for p in f.params if p.name not in ("self", "cls")]
                i = [n for n in m.documented if n not in ("self", "cls")].index(m.shifted)
                yield self.finding(
                    ctx, m.path, (m.line, 0, m.line, 0),
                    f"The prompt shows `def {m.name}({', '.join(m.documented)})`, but `{f.qualname}` takes "
                    f"({params}): the prompt's argument {i + 1} `{m.shifted}` is `{real[i]}` in the method, so a "
                    f"call that passes it by position, as the shown signature allows, fills `{real[i]}` instead. "
                    f"Show the method's own signature.",
                    flow=(FlowStep(g.span(f.path, f.name_pos), f"`{f.name}` is defined here"),))
                continue
            if m.tool:
                yield self.finding(
                    ctx, m.path, (m.line, 0, m.line, 0),
                    f"The prompt tells the model to call the tool `{m.name}({', '.join(m.documented)})`, but the "
                    f"tool's function `{f.qualname}` takes ({params}): its schema has no parameter {missing}. A "
                    f"model that follows the prompt sends an argument the schema rejects (or leaves the real one "
                    f"unfilled). Write the tool's parameter names in the prompt.",
                    flow=(FlowStep(g.span(f.path, f.name_pos), f"`{f.name}` is defined here"),))
                continue
            yield self.finding(
                ctx, m.path, (m.line, 0, m.line, 0),
                f"The prompt documents `{m.name}({', '.join(m.documented)})`, but `{f.qualname}`, which runs it, "
                f"takes ({params}): it has no parameter {missing}, so a call written with the documented keyword "
                f"fails with an unexpected keyword argument. Document the names the function takes.",
                flow=(FlowStep(g.span(f.path, f.name_pos), f"`{f.name}` is defined here"),))
