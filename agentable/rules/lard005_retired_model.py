"""LARD005: a model id the provider has retired."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Iterable, Optional

from agentable.catalog.catalog import Catalog
from agentable.catalog.specs import ModelInfo
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.artifacts import config_model_settings, uncalled_function_spec
from agentable.query.config import unread_setting
from agentable.query.model_choices import listed_model_ids
from agentable.query.model_defaults import overridden_default, unused_default
from agentable.query.model_fields import field_model_defaults
from agentable.query.model_file_keys import picked_file_entries
from agentable.query.model_version_defaults import default_model_constructions
from agentable.query.query_programs import program_models
from agentable.query.models import (distinct_uses, model_slots, model_uses, names_deployment, retired_by, self_hosted,
                                    sent_platform)
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.lard.helpers import strings_set_outside_tests


class RetiredModel(Rule):
    meta = RuleMeta(
        id="LARD005",
        name="retired-model-id",
        category="LARD",
        severity=Severity.ERROR,
        short="The code calls a model the provider has retired.",
        full=("Providers shut models down on announced dates (`text-davinci-003`, `gpt-4-32k`, "
              "`claude-2.1`, `gemini-pro`, …). Requests naming a retired id fail with a model-not-found error, so "
              "an agent that worked when it was written stops working without any code change. Model ids "
              "written in settings files (YAML, JSON, TOML, a CrewAI `agents.yaml`, a `.prompty`, a `.env` "
              "example) are checked too, at their line there (one finding per id per file, at its first line, "
              "listing the file's other lines that set it), and so are the defaults of the model fields of a "
              "settings class in code (a dataclass or pydantic model the project uses), and the ids a "
              "construction of such a class gives its model field (by keyword or by position, a base class's "
              "fields first) when the object reaches a model call, as in a registry of model profiles picked by "
              "key, reported at the construction. A configuration default that picks an entry of a settings "
              "file (`agents[args.agent]`, `--agent` defaulting to an entry's name) whose model is retired is "
              "reported at the default too. So are the other ids "
              "the project offers for the "
              "same model field (a `choices=` list of the option it is read from, an allow-list `if model in "
              "[...]` that guards it, a `Literal[...]` annotation, a table it is looked up in, the keys of a model "
              "registry of per-model settings the request's model is looked up in with their `.update({...})` "
              "additions, or a list the model is picked from with `random.choice`): each is a value "
              "a user can pick, reported once at its entry with the call it reaches (a registry entry added only "
              "when a list of ids names it, `if any(m in LEGACY for m in enabled)`, at that list). An id "
              "written in a query "
              "program (the `from \"openai/...\"` clause of an LMQL `@lmql.query` function's docstring, or "
              "the decorator's `model=`) is checked at its line there. An id sent to a cloud platform that hosts "
              "other providers' models (Amazon Bedrock, Google Vertex AI, Azure OpenAI: named by the id, "
              "`bedrock/...`, `us.anthropic.claude-...-v1:0`, `claude-...@20240620`, or by the client that sends "
              "it) is judged by that platform's own schedule (catalog platform_models.toml, each date with its "
              "source), not the provider's: it is reported only when the platform's date is known and past."),
        bad_example='client.chat.completions.create(model="gpt-4-0314", messages=msgs)',
        good_example='client.chat.completions.create(model="gpt-4o", messages=msgs)',
        fix="Switch to the provider's replacement model named in the message.",
        tags=("model", "api"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        today = datetime.date.today().isoformat()
        # a request to a server on this machine names that server's models (not a provider's)
        reported: set[tuple[str, int, str]] = set()
        # the retirement that applies where each use sends its id (a platform's schedule or the
        # provider's), decided before one use per place is kept: an id written once and sent both to
        # a platform that still serves it and to the provider's API that retired it is reported
        uses = [u for u in model_uses(graph) if not self_hosted(graph, u.llm_call)]
        retired = {id(u): _retired(graph.catalog, u.model_id, today, sent_platform(graph, u.model_id, u.llm_call, u.spec))
                   for u in uses}
        for use in distinct_uses([u for u in uses if retired[id(u)] is not None]):
            info = retired[id(use)]
            if info is None:
                continue
            if use.literal is not None and (unused_default(graph, use.literal, use.func)
                                            or overridden_default(graph, use.literal)):
                continue  # a default every construction reaching the call, or every call, overrides
            # a retired id fails whatever API it is sent to: report where it is written even when that
            # literal also feeds another kind of call. An id the value flow brought without recording
            # where it is written is reported where the project writes it, when that is one place
            # outside tests; written in several places (or only in tests), the call is a generic
            # request line (a framework's model class every provider's id flows into), not where a
            # user changes the id, and each place it is written that reaches a call is reported there
            literal = use.literal
            if literal is None:
                written = strings_set_outside_tests(graph).get(use.model_id, [])
                if len(written) != 1 or written[0][2]:
                    continue
                literal = written[0][:2]
            repl = _use_instead(ctx.catalog, info, today)
            path, pos = literal
            flow = use.flow(graph) if use.literal is not None else (
                FlowStep(graph.span(*literal), f"model id `{use.model_id}` is set here"),
                FlowStep(graph.span(*use.report_at), "and reaches this model call"))
            if (path, pos[0], use.model_id) in reported:
                continue
            reported.add((path, pos[0], use.model_id))
            yield self.finding(
                ctx, path, pos,
                f"`{use.model_id}` was retired by {info.by} on {info.date}, so requests to it fail{repl}.",
                model=use.model_id, flow=flow)
        yield from self._listed(ctx, today, reported)
        yield from self._field_defaults(ctx, today, reported)
        yield from self._release_defaults(ctx, today)
        yield from self._program_models(ctx, today, reported)
        yield from self._picked_entries(ctx, today, reported)
        # one finding per retired id per settings file, at its first line: a task config that gives
        # six agents `model: gpt-4` is one edit to make, not six reports (the other lines are steps)
        settings: dict[tuple[str, str], tuple[_Retired, list]] = {}
        for ms in config_model_settings(graph):  # written in a YAML/JSON/TOML settings file
            info = _retired(graph.catalog, ms.model_id, today)
            if info is None:
                continue
            if names_deployment(graph, ms.settings) or unread_setting(graph, ms.path, ms.keys) \
                    or uncalled_function_spec(graph, ms.path):
                continue  # a deployment's name, a key nothing reads, or a function spec nothing runs
            settings.setdefault((ms.path, ms.model_id), (info, []))[1].append(ms)
        for (path, model_id), (info, places) in settings.items():
            places.sort(key=lambda ms: ms.pos)
            first, more = places[0], places[1:]
            repl = _use_instead(ctx.catalog, info, today)
            also = (f" It is also set on line{'s' if len(more) > 1 else ''} "
                    f"{', '.join(str(ms.pos[0]) for ms in more)} of this file." if more else "")
            flow = tuple(FlowStep(graph.span(path, ms.pos), f"`{ms.key}` sets `{model_id}` here too") for ms in more)
            yield self.finding(
                ctx, path, first.pos,
                f"`{model_id}` (`{first.key}` in this settings file) was retired by {info.by} on {info.date}, "
                f"so requests to it fail{repl}.{also}", model=model_id, flow=flow)

    def _field_defaults(self, ctx: RuleContext, today: str, reported: set[tuple[str, int, str]]) -> Iterable[Finding]:
        """A retired id that is the default of a model field of a settings record in code (a
        dataclass or pydantic settings class the project uses), as a settings file's would be."""
        graph = ctx.graph
        for fm in field_model_defaults(graph):
            info = _retired(graph.catalog, fm.model_id, today)
            if info is None \
                    or (fm.path, fm.pos[0], fm.model_id) in reported or names_deployment(graph, fm.settings):
                continue
            reported.add((fm.path, fm.pos[0], fm.model_id))
            repl = _use_instead(ctx.catalog, info, today)
            yield self.finding(
                ctx, fm.path, fm.pos,
                f"`{fm.model_id}` (the default of `{fm.cls}.{fm.key}`, a settings class) was retired by "
                f"{info.by} on {info.date}, so requests to it fail{repl}.", model=fm.model_id)

    def _program_models(self, ctx: RuleContext, today: str, reported: set[tuple[str, int, str]]) -> Iterable[Finding]:
        """A retired id written in a query program (the `from "<model>"` clause of an LMQL query
        function's docstring) or in its decorator's `model=`: every run of the query asks for it."""
        graph = ctx.graph
        for pm in program_models(graph):
            info = _retired(graph.catalog, pm.model_id, today)
            if info is None \
                    or (pm.path, pm.pos[0], pm.model_id) in reported:
                continue
            reported.add((pm.path, pm.pos[0], pm.model_id))
            repl = _use_instead(ctx.catalog, info, today)
            where = (f"in the `{pm.spec.model_clause}` clause of the {pm.spec.framework} query `{pm.func.name}`"
                     if pm.how == "clause" else f"the model of the {pm.spec.framework} query `{pm.func.name}`")
            yield self.finding(
                ctx, pm.path, pm.pos,
                f"`{pm.model_id}` ({where}) was retired by {info.by} on {info.date}, so every run of the "
                f"query fails{repl}.", model=pm.model_id)

    def _picked_entries(self, ctx: RuleContext, today: str, reported: set[tuple[str, int, str]]) -> Iterable[Finding]:
        """A configuration default that picks an entry of a settings file (`agents[args.agent]`,
        `--agent` defaulting to an entry's name) whose model is retired: every run that keeps the
        default sends it. The entry's own line is reported as a settings file's."""
        graph = ctx.graph
        for pe in picked_file_entries(graph):
            ms = pe.setting
            info = _retired(graph.catalog, ms.model_id, today)
            if info is None or names_deployment(graph, ms.settings) or (pe.path, pe.pos[0], ms.model_id) in reported:
                continue
            reported.add((pe.path, pe.pos[0], ms.model_id))
            now = _current_replacement(ctx.catalog, info, today)
            repl = f" (the provider's replacement is `{now}`)" if now else ""
            flow = (FlowStep(graph.span(pe.path, pe.pos), f"the default `{pe.key}` picks an entry of {ms.path}"),
                    FlowStep(graph.span(ms.path, ms.pos), f"whose `{ms.key}` is `{ms.model_id}`"))
            yield self.finding(
                ctx, pe.path, pe.pos,
                f"The default `{pe.key}` picks the entry `{pe.key}` of {ms.path}, whose `{ms.key}` is "
                f"`{ms.model_id}`, retired by {info.by} on {info.date}, so every run that keeps the default "
                f"fails; point the default at an entry whose model is current{repl}.", model=ms.model_id, flow=flow)

    def _release_defaults(self, ctx: RuleContext, today: str) -> Iterable[Finding]:
        """A model object built with no model, whose installed release sends a retired default
        (`OpenAI(temperature=0)` of langchain 0.0.x sends text-davinci-003)."""
        graph = ctx.graph
        for d in default_model_constructions(graph):
            info = _retired(graph.catalog, d.model_id, today)
            if info is None:
                continue
            name = d.cls.rpartition(".")[2]
            now = _current_replacement(ctx.catalog, info, today)
            repl = f" (e.g. `{now}`)" if now else ""
            yield self.finding(
                ctx, d.path, d.site.call.pos,
                f"`{name}(...)` names no model, so it sends its default, `{d.model_id}`, in the release installed "
                f"({d.source.cited()}); `{d.model_id}` was retired by {info.by} on {info.date}, so requests "
                f"to it fail. Pass the model explicitly, a current one{repl}.", model=d.model_id)

    def _listed(self, ctx: RuleContext, today: str, reported: set[tuple[str, int, str]]) -> Iterable[Finding]:
        """A retired id among the ids the project offers for a model field (model_choices), once
        per entry, with the model call it can reach as the flow."""
        graph = ctx.graph
        for slot in model_slots(graph):
            if self_hosted(graph, slot.llm_call):
                continue
            for x in sorted(listed_model_ids(graph, slot.expr, slot.func, slot.stmt), key=lambda x: (x.path, x.pos)):
                info = _retired(graph.catalog, x.model_id, today,
                                sent_platform(graph, x.model_id, slot.llm_call, slot.spec))
                if info is None \
                        or (x.path, x.pos[0], x.model_id) in reported:
                    continue
                reported.add((x.path, x.pos[0], x.model_id))
                repl = _use_instead(ctx.catalog, info, today)
                kind = _KINDS.get(x.how, "one of the models the project offers here")
                call = slot.via or (slot.path, (slot.call or slot.expr).pos)
                flow = (FlowStep(graph.span(x.path, x.pos), f"model id `{x.model_id}` is offered here"),
                        FlowStep(graph.span(*call), "for this model call"))
                yield self.finding(
                    ctx, x.path, x.pos,
                    f"`{x.model_id}` ({kind}) was retired by {info.by} on {info.date}, so requests to it "
                    f"fail when it is picked{repl}.", model=x.model_id, flow=flow)


@dataclass(frozen=True)
class _Retired:
    """A retirement that applies to an id where it is sent: the first-party provider's (the model
    table's) or the platform's own (`platform`: Amazon Bedrock, Vertex AI, Azure OpenAI)."""

    date: str
    info: Optional[ModelInfo]  # the model table's entry, for its replacement
    platform: str = ""  # the platform's title when its schedule decides

    @property
    def by(self) -> str:
        return f"{self.platform} (the platform's own schedule)" if self.platform else "its provider"


def _retired(catalog: Catalog, model_id: str, today: str, platform: Optional[str] = None) -> Optional[_Retired]:
    """The retirement of `model_id` by `today` on the API it is sent to: a platform that hosts it
    decides by its own schedule (catalog platform_models.toml), which may list the id later than its
    provider or not at all (then nothing is known: None); otherwise the provider's date."""
    info = catalog.model(model_id)
    platform = platform or catalog.platforms.platform_of_id(model_id)
    if platform is not None:
        row = catalog.platforms.retirement(platform, model_id)
        if row is None or row.retired > today:
            return None
        return _Retired(row.retired, info, catalog.platforms.platforms[platform].title)
    return _Retired(str(info.retired), info) if info is not None and retired_by(info, today) else None


def _current_replacement(catalog: Catalog, r: _Retired, today: str) -> str:
    """The provider's replacement for the model, followed on while that one has been retired by
    today too (text-davinci-003 -> gpt-3.5-turbo-instruct -> ...); "" when none is known."""
    seen: set[str] = set()
    repl = (r.info.replacement if r.info is not None else None) or ""
    while repl and repl not in seen:
        seen.add(repl)
        nxt = catalog.model(repl)
        if nxt is None or not nxt.retired or str(nxt.retired) > today:
            return repl
        repl = nxt.replacement or ""
    return ""


def _use_instead(catalog: Catalog, r: _Retired, today: str) -> str:
    repl = _current_replacement(catalog, r, today)
    if r.platform:  # the provider's replacement goes by another id on the platform
        return (f"; use a model {r.platform} still serves (the provider's replacement is `{repl}`)" if repl
                else f"; use a model {r.platform} still serves")
    return f"; use `{repl}` instead" if repl else "; use a current model"


_KINDS = {"choices": "one of the `choices` of the option the model is read from",
          "allowlist": "in the list of models the code accepts for this call",
          "annotation": "one of the values the model field's type allows",
          "table": "a key of the table the model is looked up in",
          "registry": "a key of the model registry the request's model is looked up in",
          "random": "one of the models the code picks from at random",
          "gate": "listed here, which registers it in the model registry the request's model is looked up in"}
