"""LOPE012: model text is put where it runs or is interpreted: between quotes in a shell command,
as a `re.sub` replacement template, or written as a Python module."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.query.code_sinks import CodeFlow, code_flows
from agentable.query.literals import source_text
from agentable.query.llm_output import describe_llm_source, flow_steps
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ModelTextRunAsCode(Rule):
    meta = RuleMeta(
        id="LOPE012",
        name="model-text-run-as-code",
        category="LOPE",
        severity=Severity.WARNING,
        short="Model text is used, unescaped, as part of a shell command, a regex replacement template or a Python module.",
        full=("Code that hands a reply to something that interprets it trusts the reply to hold nothing that "
              "interpreter reads specially. A reply put between quotes in a shell command "
              "(`f'git commit -m \"{message}\"'` run with shell=True, os.system, create_subprocess_shell) breaks "
              "the command when it holds the quote character, and runs a command when it holds `$(...)` or a "
              "backtick. A reply used as the replacement of `re.sub` is a template: `\\n` becomes a newline, "
              "`\\1` a group, and an unknown escape such as `\\d` raises re.error, so code or paths in the reply "
              "come out corrupted or the edit fails. A reply written to a `.py` file is run when the module is "
              "imported: models wrap code in markdown fences or add a sentence before it even when told not "
              "to, and the module then fails with SyntaxError. A whole command the model was asked to write "
              "and that the agent runs as such is not reported here; eval/exec of model text is LOPE001."),
        bad_example=('message = ask(f"Write a commit message for:\\n{diff}")\n'
                     'subprocess.run(f\'git commit -m "{message}"\', shell=True)'),
        good_example=('message = ask(f"Write a commit message for:\\n{diff}")\n'
                      'subprocess.run(["git", "commit", "-m", message])'),
        fix=("Pass the text as one argument of an argument list (no shell) or quote it with shlex.quote; give "
             "re.sub a function (`lambda m: text`) as the replacement; strip markdown fences from generated code "
             "and check it with ast.parse/compile before writing it as a module."),
        tags=("parsing", "robustness", "injection"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for flow in code_flows(graph):
            what = source_text(graph, flow.expr_func.path, flow.text) or "the value"
            src = f"model output ({describe_llm_source(graph, flow.source)})"
            yield self.finding(ctx, flow.expr_func.path, flow.expr.pos, _message(flow, f"`{what}`", src),
                               flow=flow_steps(graph, flow.source, (flow.expr_func.path, flow.expr.pos, _step(flow))))


def _message(flow: CodeFlow, what: str, src: str) -> str:
    if flow.kind == "shell":
        q = flow.detail
        return (f"{what} is {src} and is put between {q} quotes in a shell command run by `{flow.sink.name}`: a "
                f"reply holding {q}, `$(...)` or a backtick breaks the command or runs another one. Pass it as "
                f"one item of an argument list without a shell, or quote it with shlex.quote.")
    if flow.kind == "template":
        return (f"{what} is {src} and is the replacement template of `{flow.sink.name}`: backslashes in the reply "
                f"are read as escapes (`\\n` becomes a newline, `\\1` a group, `\\d` raises re.error), so code "
                f"or paths in it come out corrupted. Pass a function instead (`lambda m: text`).")
    return (f"{what} is {src} and is written as the Python module `{flow.detail}` with no step that strips "
            f"markdown fences or checks it as Python: a reply wrapped in ```python fences or with a sentence "
            f"around the code makes the module fail to import. Extract the code block and check it with "
            f"ast.parse before writing it.")


def _step(flow: CodeFlow) -> str:
    return {"shell": f"quoted in a shell command run by {flow.sink.name}",
            "template": f"used as the replacement template of {flow.sink.name}",
            "module": "written as a Python module"}[flow.kind]
