"""SDK clients whose kind is a service name given to a factory (`boto3.client("bedrock-runtime")`,
catalog llm_apis.toml [[client_kind]]): which service a client value was built for, and where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.catalog.specs import ClientKindSpec
from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.values import ExtRef
from agentable.query.literals import const_strs, construction_arg


@dataclass(frozen=True)
class BuiltClient:
    """A client built by a factory of `spec` for one known `service`; `arg` (in `path`) names it."""

    spec: ClientKindSpec
    service: str
    path: str
    arg: ir.Expr


def client_built_for(g: ProjectGraph, spec: ClientKindSpec, v: object) -> Optional[BuiltClient]:
    """The service a client value was built for by one of `spec`'s factories; None when it is not
    such a client or its service name is not one known string."""
    if not isinstance(v, ExtRef) or v.site is None or v.path.removesuffix("()") not in spec.factories:
        return None
    path, ctor = v.site
    func = g.function_of(path, ctor.pos)
    arg = construction_arg(ctor, [spec.kind_param], spec.kind_positional)
    if func is None or arg is None:
        return None
    names = set(const_strs(g, arg, func, func.call_statement(ctor)))
    return BuiltClient(spec, names.pop(), path, arg) if len(names) == 1 else None


def receiver_clients(g: ProjectGraph, call: ir.Call, func, stmt) -> list[BuiltClient]:
    """The service clients the receiver of the method call `call` may be."""
    f = call.func
    if not isinstance(f, ir.Attribute):
        return []
    out: list[BuiltClient] = []
    for v in g.values(f.value, func, stmt):
        for spec in g.catalog.client_kinds:
            built = client_built_for(g, spec, v)
            if built is not None:
                out.append(built)
    return out
