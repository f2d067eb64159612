"""LARD016: a model-call method called on an SDK client built for another service."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.model_clients import receiver_clients
from agentable.rules.base import Rule, RuleContext, RuleMeta


class MethodOfOtherClientKind(Rule):
    meta = RuleMeta(
        id="LARD016",
        name="method-of-other-client-kind",
        category="LARD",
        severity=Severity.ERROR,
        short="A model call is made on an SDK client built for another service (`boto3.client('bedrock')`).",
        full=("Some SDKs build a different client per service name: `boto3.client(\"bedrock\")` is the Bedrock "
              "control plane (listing and customizing models) and has no `invoke_model` or `converse`, which only "
              "the `bedrock-runtime` client has. Calling a method of another service's client raises "
              "AttributeError on every request."),
        bad_example='brt = boto3.client("bedrock")\nbrt.invoke_model(modelId=model_id, body=body)',
        good_example='brt = boto3.client("bedrock-runtime")\nbrt.invoke_model(modelId=model_id, body=body)',
        fix="Build the client for the service that has the method (named in the message).",
        tags=("api",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        kinds = graph.catalog.client_kinds
        if not kinds:
            return
        owners = {m: svc for spec in kinds for svc, ms in spec.methods.items() for m in ms}
        # every function: a project that calls its model only through boto3 has no other model call
        for func in [*graph.functions.values(), *(m.toplevel for m in graph.modules.values())]:
            for site in func.calls:
                f = site.call.func
                if not isinstance(f, ir.Attribute) or f.attr not in owners:
                    continue
                needed = owners[f.attr]
                for built in receiver_clients(graph, site.call, func, site.stmt):
                    known = built.spec.methods.get(built.service)
                    if built.service == needed or known is None or f.attr in known:
                        continue
                    # reported where the service is named (the line to change), the call as its use
                    yield self.finding(
                        ctx, built.path, built.arg.pos,
                        f"This client is built for `{built.service}`, which has no `{f.attr}`: that method exists "
                        f"only on the `{needed}` client, so the call raises AttributeError. Build it for `{needed}`.",
                        flow=(FlowStep(graph.span(func.path, f.pos), f"`{f.attr}` is called on it here"),))
                    break
