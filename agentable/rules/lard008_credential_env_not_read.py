"""LARD008: a provider's key put into an environment variable that its SDK never reads."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from agentable.catalog.specs import CredentialEnvSpec
from agentable.cpg import ir
from agentable.cpg.structure import FunctionInfo
from agentable.findings import Finding, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.lard.helpers import env_item_assigned, env_set_by_call

_CREDENTIAL_NAME = re.compile(r"(?:API_KEY|API_TOKEN|_KEY|_TOKEN)$")


class CredentialEnvNotRead(Rule):
    meta = RuleMeta(
        id="LARD008",
        name="credential-env-not-read",
        category="LARD",
        severity=Severity.ERROR,
        short="A provider key is put into an environment variable its SDK does not read.",
        full=("Code that hands a key to an SDK through the environment must use the variable the SDK reads: "
              "the replicate client reads REPLICATE_API_TOKEN, not REPLICATE_API_KEY; cohere's client reads "
              "CO_API_KEY. A key put under another name reaches nothing, so every request goes out without it "
              "and fails to authenticate (or silently uses another key already in the environment). Reported "
              "only when the project imports a library that reads that provider's key, none of its imported "
              "libraries reads the name, and the project never names the variable anywhere else."),
        bad_example='os.environ["REPLICATE_API_KEY"] = settings.replicate_key\nllm = Replicate(model="meta/llama-3-8b")',
        good_example='os.environ["REPLICATE_API_TOKEN"] = settings.replicate_key\nllm = Replicate(model="meta/llama-3-8b")',
        fix="Use the variable name the SDK reads (the message names it), or pass the key to the client explicitly.",
        tags=("credentials", "environment"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        imported = {target for mod in graph.modules.values() for target in mod.imports.values()}
        active = [spec for spec in graph.catalog.credential_envs if any(_under(t, m) for t in imported for m in spec.modules)]
        if not active or any("*" in spec.reads for spec in active):
            return
        writes = list(_env_writes(graph))
        if not writes:
            return
        named = _string_uses(graph)
        for func, expr, name in writes:
            readers = [s for s in active if any(name.startswith(p) for p in s.prefixes)]
            if not readers or any(name in s.reads for s in readers) or named.get(name, 0) > 1:
                continue
            libs = sorted({t for t in imported for s in readers for m in s.modules if _under(t, m)})
            yield self.finding(ctx, func.path, expr.pos, _message(name, readers, libs))


def _message(name: str, readers: list[CredentialEnvSpec], libs: list[str]) -> str:
    reads = sorted({r for s in readers for r in s.reads})
    wanted = " or ".join(f"`{r}`" for r in reads)
    used = ", ".join(f"`{lib}`" for lib in libs[:3])
    return (f"`{name}` is put into the environment here, but the {readers[0].provider} library this project uses "
            f"({used}) reads {wanted}, and nothing else in the project reads `{name}`: requests go out "
            f"without this key and fail to authenticate. Set {wanted} instead.")


def _under(target: str, module: str) -> bool:
    return target == module or target.startswith(module + ".")


def _env_writes(graph) -> Iterable[tuple[FunctionInfo, ir.Expr, str]]:
    """(function, the name's expression, the name) for each `os.environ["X"] = ...`,
    `os.environ.setdefault("X", ...)` and `os.putenv("X", ...)` whose X looks like a credential."""
    for func in graph.agent.functions():
        for site in func.calls:
            env = env_set_by_call(graph, site)
            name = _credential_constant(env[0]) if env is not None else None
            if env is not None and name:
                yield func, env[0], name
        for stmt in func.stmts:
            for target in stmt.targets if isinstance(stmt, ir.Assign) else ():
                key = env_item_assigned(graph, func, stmt, target)
                name = _credential_constant(key) if key is not None else None
                if key is not None and name:
                    yield func, key, name


def _credential_constant(expr: ir.Expr) -> Optional[str]:
    if isinstance(expr, ir.Constant) and isinstance(expr.value, str) and _CREDENTIAL_NAME.search(expr.value):
        return expr.value
    return None


def _string_uses(graph) -> dict[str, int]:
    """How many times each credential-like string constant is written in the project's code."""
    counts: dict[str, int] = {}
    for func in graph.functions.values():
        for expr, _stmt in func.exprs.get(ir.Constant, ()):
            name = _credential_constant(expr)
            if name:
                counts[name] = counts.get(name, 0) + 1
    return counts
