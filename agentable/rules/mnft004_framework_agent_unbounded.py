"""MNFT004: a framework agent is configured without an iteration bound (the default bound removed, or
a framework whose loop is unbounded unless told otherwise)."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.cpg.values import Const
from agentable.findings import Finding, Severity
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.helpers import no_step_limit


class FrameworkAgentUnbounded(Rule):
    meta = RuleMeta(
        id="MNFT004",
        name="framework-agent-iteration-limit-removed",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A framework agent runs with no step limit: its iteration bound is set to None or to a value no run "
               "reaches, or the framework needs one and none is given."),
        full=("Agent frameworks stop a run after a number of steps (max_iterations, max_iter, max_steps, "
              "max_turns, max_round) so that a model that never produces a final answer cannot loop forever. "
              "Setting that parameter to None, or to `sys.maxsize`, `math.inf` or a million steps, removes the bound; "
              "some multi-agent teams have no bound at all "
              "unless given a maximum number of turns or a termination condition."),
        bad_example="executor = AgentExecutor(agent=agent, tools=tools, max_iterations=None)",
        good_example="executor = AgentExecutor(agent=agent, tools=tools, max_iterations=10)",
        fix="Give the agent a finite step limit (or a termination condition / time limit).",
        tags=("loop", "robustness"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        yield from self._run_limits(ctx)
        for ac in graph.agent.agent_constructs:
            spec = ac.spec
            params = getattr(spec, "params", {}) or {}
            kw = params.get("max_iterations")
            call = ac.site.call
            if call.has_kwargs_splat():
                continue
            alt = [params[k] for k in ("max_execution_time", "stop") if k in params]
            if kw:
                v = call.kwarg(kw)
                how = "None" if v is not None and _is_none(graph, v, ac.site) else \
                    no_step_limit(graph, v, ac.site.func, ac.site.stmt)
                if how is not None and v is not None:  # (`how` is None when the keyword is not given)
                    if any(_given(graph, call.kwarg(a), ac.site) for a in alt):
                        continue
                    yield self._removed(ctx, ac.site, v, kw, how, ir.dotted(call.func) or ac.path)
                    continue
            if not getattr(spec, "bounded_by_default", True):
                if getattr(spec, "unbounded_until", ""):
                    continue  # no setting bounds it: each run is reported (_run_limits)
                if kw and call.kwarg(kw) is not None:
                    continue
                if any(call.kwarg(a) is not None for a in alt):
                    continue
                if len(call.args) > 1:
                    continue  # a termination condition may be given positionally
                names = " or ".join(f"`{n}`" for n in [kw, *alt] if n)
                yield self.finding(
                    ctx, ac.site.func.path, call.pos,
                    f"`{ir.dotted(call.func) or ac.path}` has no step limit unless given {names}; without one the "
                    f"agents keep taking turns forever when no one declares the task done. Pass a finite limit or a "
                    f"termination condition.")


    def _removed(self, ctx: RuleContext, site, v: ir.Expr, kw: str, how: str, what: str) -> Finding:
        return self.finding(
            ctx, site.func.path, v.pos,
            f"`{kw}={how}` removes the step limit of `{what}`; a model that never gives a final answer "
            f"keeps the agent running forever. Set a finite `{kw}`.")

    def _run_limits(self, ctx: RuleContext) -> Iterable[Finding]:
        """Limits given to each run (`Runner.run(agent, task, max_turns=sys.maxsize)`)."""
        graph = ctx.graph
        cat = graph.catalog
        for site in graph.agent.agent_runs:
            for v in graph.values(site.call.func, site.func, site.stmt):
                path = getattr(v, "path", "")
                inst = path.rpartition("().")[0]
                spec = cat.agent_runner(path) or (cat.agent_constructor(inst) if inst else None)
                kw = (getattr(spec, "run_params", {}) or {}).get("max_iterations")
                until = getattr(spec, "unbounded_until", "")
                if until and not kw:
                    what = ir.dotted(site.call.func) or path
                    yield self.finding(
                        ctx, site.func.path, site.call.pos,
                        f"`{what}(...)` runs an agent loop that has no step limit and no setting for one: it ends "
                        f"only on {until}, so a model that never gets there (replies that do not parse, a "
                        f"repeated failing tool) keeps it calling the model forever. Drive the steps from a loop "
                        f"of your own with a step limit, or use an agent with a `max_iterations` setting.")
                    break
                if not kw:
                    continue
                limit = site.call.kwarg(kw)
                how = no_step_limit(graph, limit, site.func, site.stmt)
                if how is not None and limit is not None:  # (`how` is None when the keyword is not given)
                    yield self._removed(ctx, site, limit, kw, how, ir.dotted(site.call.func) or path)
                    break


def _is_none(graph, v, site) -> bool:
    vals = graph.values(v, site.func, site.stmt)
    return bool(vals) and all(isinstance(x, Const) and x.value is None for x in vals)


def _given(graph, v, site) -> bool:
    return v is not None and not _is_none(graph, v, site)
