"""LARD017: a parameter an SDK reads in milliseconds is given a number of seconds."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from agentable.catalog.specs import ParamUnitSpec
from agentable.cpg import ir
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import Const, ExtRef
from agentable.findings import Finding, Severity
from agentable.query.facts import EvalAt
from agentable.query.literals import dict_values_for_key
from agentable.rules.base import Rule, RuleContext, RuleMeta

# reads of a setting whose first argument is its name (`os.getenv("TIMEOUT_SECONDS", "60")`)
_ENV_READS = frozenset({"os.getenv()", "os.environ.get()"})
# calls that keep a number's unit (`int(os.getenv(...))`)
_CONVERSIONS = frozenset({"int", "float", "round"})


class ParameterInOtherUnit(Rule):
    meta = RuleMeta(
        id="LARD017",
        name="parameter-in-other-unit",
        category="LARD",
        severity=Severity.ERROR,
        short="A parameter the SDK reads in milliseconds is given a number of seconds.",
        full=("Most HTTP clients and model SDKs take timeouts in seconds, but some read the same parameter "
              "in milliseconds (google-genai's `HttpOptions(timeout=...)`, also as `Client(http_options="
              "{\"timeout\": ...})`). A number of seconds given there makes every request time out almost at "
              "once, and the agent's model calls fail (often retried until the retries run out). Reported only "
              "when the value is plainly in the usual unit: a literal below one second in the SDK's unit, or a "
              "value read from a name that says it holds seconds (`timeout_seconds`, `TIMEOUT_S`, the "
              "environment variable `GEMINI_TIMEOUT_SECONDS`). The parameters and units are catalog data "
              "(llm_apis.toml `[[param_unit]]`)."),
        bad_example=("from google.genai import types\n"
                     "options = types.HttpOptions(timeout=60)  # 60 ms"),
        good_example=("from google.genai import types\n"
                      "options = types.HttpOptions(timeout=60_000)  # 60 s"),
        fix="Convert the value to the SDK's unit (seconds x 1000 for milliseconds).",
        tags=("api", "timeout"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        specs = graph.catalog.param_units
        if not specs:
            return
        for site, exts in graph.agent.external_calls:
            paths = {v.path for v in exts}
            for spec in specs:
                values: list[tuple[ir.Expr, FunctionInfo, EvalAt]]
                if paths & set(spec.callees):
                    kw = site.call.kwarg(spec.keyword)
                    values = [(kw, site.func, site.stmt)] if kw is not None else []
                elif paths & set(spec.dict_callees) and spec.dict_param:
                    arg = site.call.kwarg(spec.dict_param)
                    if arg is None:
                        continue
                    values = list(dict_values_for_key(graph, arg, site.func, site.stmt, spec.keyword))
                else:
                    continue
                for e, func, stmt in values:
                    why = _in_usual_unit(ctx, spec, e, func, stmt)
                    if why is not None:
                        yield self._report(ctx, site, spec, e, func, why)

    def _report(self, ctx: RuleContext, site: CallSite, spec: ParamUnitSpec, e: ir.Expr, func: FunctionInfo,
                why: str) -> Finding:
        cls = (ir.dotted(site.call.func) or "the call").rsplit(".", 1)[-1]
        return self.finding(
            ctx, func.path, e.pos,
            f"{spec.framework} reads `{cls}`'s `{spec.keyword}` in {spec.unit}, but {why}, a number of "
            f"{spec.usual_unit}: each request gets a thousandth of the time meant and times out. Multiply it by "
            f"{spec.factor} (or pass the value in {spec.unit}).",
            unit=spec.unit)


def _in_usual_unit(ctx: RuleContext, spec: ParamUnitSpec, e: ir.Expr, func: FunctionInfo,
                   stmt: EvalAt) -> Optional[str]:
    """Why the value is plainly in the usual unit, or None when it may not be: every value it can
    take is a small number, or it is read from a name that says so and takes no larger number."""
    vals = ctx.graph.values(e, func, stmt)
    numbers = [v.value for v in vals if isinstance(v, Const) and isinstance(v.value, (int, float))
               and not isinstance(v.value, bool)]
    if any(n >= spec.below or n <= 0 for n in numbers):
        return None
    if numbers and len(numbers) == len(vals):
        shown = ", ".join(str(n) for n in sorted(set(numbers)))
        return f"it is given {shown}"
    for name in _setting_names(e, func, vals):
        if _says_usual_unit(spec, name):
            return f"`{name}` holds its value"
    return None


def _setting_names(e: ir.Expr, func: FunctionInfo, vals: frozenset, depth: int = 2) -> list[str]:
    """The names the value is read from: the variable or attribute passed (through `int()`/`float()`),
    and the key of the environment variable it is read from (here, or where the variable passed is
    assigned in this function or at module level)."""
    out: list[str] = []
    while isinstance(e, ir.Call) and isinstance(e.func, ir.Name) and e.func.id in _CONVERSIONS and len(e.args) == 1:
        e = e.args[0]
    if isinstance(e, ir.Name):
        out.append(e.id)
        if depth > 0:
            for scope in dict.fromkeys((func, func.module.toplevel)):
                for d in scope.defs.get(e.id, ()):
                    if d.value is not None:
                        out += _setting_names(d.value, scope, frozenset(), depth - 1)
    elif isinstance(e, ir.Attribute):
        out.append(e.attr)
    elif isinstance(e, ir.Call) and (ir.dotted(e.func) or "") + "()" in _ENV_READS and e.args:
        vals = vals | {ExtRef((ir.dotted(e.func) or "") + "()", (func.path, e))}
    for v in vals:
        if isinstance(v, ExtRef) and v.path in _ENV_READS and v.site is not None and v.site[1].args:
            key = v.site[1].args[0]
            if isinstance(key, ir.Constant) and isinstance(key.value, str):
                out.append(key.value)
    return out


def _says_usual_unit(spec: ParamUnitSpec, name: str) -> bool:
    """Does the name end with a word of the usual unit (`timeout_seconds`, `requestTimeoutSecs`, `TIMEOUT_S`)?"""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    return re.search(r"(?:^|_)(?:%s)$" % "|".join(map(re.escape, spec.usual_names)), snake) is not None
