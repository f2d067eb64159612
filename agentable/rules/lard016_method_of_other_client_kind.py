"""LARD016: a model-call method called on an SDK client built for another service."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.catalog.specs import ClientKindSpec
from agentable.cpg import ir
from agentable.cpg.values import ExtRef
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.literals import const_strs, construction_arg
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
        owners = {m: (spec, svc) for spec in kinds for svc, ms in spec.methods.items() for m in ms}
        # every function: a project that calls its model only through boto3 has no other model call
        for func in [*graph.functions.values(), *(m.toplevel for m in graph.modules.values())]:
            for site in func.calls:
                f = site.call.func
                if not isinstance(f, ir.Attribute) or f.attr not in owners:
                    continue
                spec, needed = owners[f.attr]
                for v in graph.values(f.value, func, site.stmt):
                    built = _built_for(graph, spec, v)
                    if built is None or built[0] == needed or built[0] not in spec.methods \
                            or f.attr in spec.methods[built[0]]:
                        continue
                    service, path, arg = built
                    # reported where the service is named (the line to change), the call as its use
                    yield self.finding(
                        ctx, path, arg.pos,
                        f"This client is built for `{service}`, which has no `{f.attr}`: that method exists only on "
                        f"the `{needed}` client, so the call raises AttributeError. Build it for `{needed}`.",
                        flow=(FlowStep(graph.span(func.path, f.pos), f"`{f.attr}` is called on it here"),))
                    break


def _built_for(graph, spec: ClientKindSpec, v: object) -> Optional[tuple[str, str, ir.Expr]]:
    """The one service name a client value was built for by one of `spec`'s factories, with the
    path and the argument naming it; None when it is not such a client or the name is not one
    known string."""
    if not isinstance(v, ExtRef) or v.site is None or v.path.removesuffix("()") not in spec.factories:
        return None
    path, ctor = v.site
    func = graph.function_of(path, ctor.pos)
    arg = construction_arg(ctor, [spec.kind_param], spec.kind_positional)
    names = set(const_strs(graph, arg, func, func.call_statement(ctor))) if func is not None and arg is not None else set()
    return (names.pop(), path, arg) if len(names) == 1 and arg is not None else None
