"""LARD015: a model id composed from a known id into one no provider serves."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import FlowStep, Finding, Severity
from agentable.query.model_composed import unknown_composed_models
from agentable.rules.base import Rule, RuleContext, RuleMeta


class ComposedModelUnknown(Rule):
    meta = RuleMeta(
        id="LARD015",
        name="composed-model-id-unknown",
        category="LARD",
        severity=Severity.ERROR,
        short="The code builds a model id from a known one that names no model.",
        full=("Code that appends a suffix to a model id (`model += \"-0613\"`, `model + \"-preview\"`, "
              "`f\"{model}-instruct\"`) assumes every id it is given takes that suffix. Appended to an id that "
              "already carries a version (`gpt-4-1106-preview` becomes `gpt-4-1106-preview-0613`) it names a "
              "model the provider does not serve, and every request fails with model-not-found. Reported when "
              "the id it starts from is a catalogued model and none of the ids composed at that place is one "
              "(an exact id, a dated snapshot or an alias of one); an unknown base (a self-hosted or deployment "
              "name) is left alone."),
        bad_example='model = "gpt-4-1106-preview"\nmodel += "-0613"\nclient.chat.completions.create(model=model, ...)',
        good_example='model = "gpt-4-0613"\nclient.chat.completions.create(model=model, ...)',
        fix="Append the suffix only to ids that lack a version, or map each id to its snapshot explicitly.",
        tags=("model", "api"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for cm in unknown_composed_models(graph):
            ids = ", ".join(f"`{c.value}`" for c in cm.values[:4])
            bases = ", ".join(dict.fromkeys(f"`{c.base}`" for c in cm.values[:4]))
            path, pos = cm.at
            call = cm.slot.via or (cm.slot.path, (cm.slot.call or cm.slot.expr).pos)
            flow = (FlowStep(graph.span(path, pos), f"model id {ids} is composed here from {bases}"),
                    FlowStep(graph.span(*call), "and reaches this model call"))
            yield self.finding(
                ctx, path, pos,
                f"This builds the model id {ids} from {bases}, and no {cm.base_info.provider} model has that id "
                f"(checked against the {cm.base_info.provider} models agentable lists, with their dated snapshots), "
                "so requests with it fail with model-not-found.",
                model=cm.values[0].value, flow=flow)
