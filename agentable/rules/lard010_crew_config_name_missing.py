"""LARD010: a CrewAI crew names a config entry, agent or task that does not exist."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg.artifacts.crew_config import CrewConfigGap, crew_config_gaps
from agentable.findings import Finding, FlowStep, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta


def _names(known: tuple[str, ...]) -> str:
    shown = ", ".join(f"`{k}`" for k in known[:8])
    return (shown + (", ..." if len(known) > 8 else "")) if known else "none"


def _message(gap: CrewConfigGap) -> str:
    close = gap.suggestion()
    hint = f" (did you mean `{close}`?)" if close else ""
    if gap.kind == "key":
        return (f"`{gap.name}` is not an entry of `{gap.config}` (its entries: {_names(gap.known)}), so this lookup "
                f"raises KeyError when the crew is built and every run fails; add a `{gap.name}:` entry to "
                f"`{gap.config}` or read one of its keys here{hint}.")
    if gap.kind == "tools":
        return (f"{gap.entry_kind.capitalize()} `{gap.entry}` lists tool `{gap.name}` in its `tools:`, but the crew "
                f"class has no `@tool` method of that name (it has: {_names(gap.known)}); CrewAI looks each name up "
                f"among the class's `@tool` methods and raises KeyError when the crew is created. Define a `@tool` "
                f"method `{gap.name}` that returns the tool{hint}, or pass the tool in the `@{gap.entry_kind}` "
                f"method instead.")
    what = "`@agent`" if gap.kind == "agent" else "`@task`"
    return (f"Task `{gap.entry}` names `{gap.name}` as its `{gap.kind}`, but the crew class has no {what} method of "
            f"that name "
            f"(it has: {_names(gap.known)}); CrewAI looks `{gap.kind}` names up among the method names and raises "
            f"KeyError when the crew is created. Rename it here to the method's name{hint}, or name the method "
            f"`{gap.name}`.")


class CrewConfigNameMissing(Rule):
    meta = RuleMeta(
        id="LARD010",
        name="crew-config-name-missing",
        category="LARD",
        severity=Severity.ERROR,
        short="A CrewAI crew reads a config entry, or a task names an agent or task, that does not exist.",
        full=("A @CrewBase crew keeps its agents and tasks in `config/agents.yaml` and `config/tasks.yaml`. CrewAI "
              "loads them as plain dicts: `self.agents_config[\"researcher\"]` in an `@agent` method raises KeyError "
              "when the YAML has no `researcher:` entry. When the crew class is created, every task entry's "
              "`agent:` is looked up among the class's `@agent` methods and every name of its `context:` among its "
              "`@task` methods, by method name, and each name of an agent's or task's `tools:` among its `@tool` methods; a name "
              "that is not there raises KeyError. Either way the crew "
              "is never built: every run fails before any agent works. CrewAI does no renaming, so a key spelled "
              "differently (`Researcher`, `research-agent`) is missing too."),
        bad_example=('@agent\ndef researcher(self) -> Agent:\n'
                     '    return Agent(config=self.agents_config["researcher"])   # agents.yaml has only `analyst:`'),
        good_example=('@agent\ndef analyst(self) -> Agent:\n'
                      '    return Agent(config=self.agents_config["analyst"])'),
        fix=("Make the names agree: add the entry to the YAML file or use its key in the method; name a task's "
             "`agent:` and `context:` after the `@agent` / `@task` methods."),
        tags=("crewai", "config", "api"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        seen: set[tuple[str, tuple[int, int, int, int]]] = set()
        for gap in crew_config_gaps(graph):
            if (gap.path, gap.pos) in seen:  # a mixin's method, read by two crews
                continue
            seen.add((gap.path, gap.pos))
            cls = graph.classes.get(gap.crew_class)
            flow: tuple[FlowStep, ...] = ()
            if cls is not None:
                flow = (FlowStep(graph.span(cls.module.path, cls.node.name_pos),
                                 f"the crew `{cls.name}` is configured by `{gap.config}`"),)
            yield self.finding(ctx, gap.path, gap.pos, _message(gap), flow=flow, name=gap.name)
