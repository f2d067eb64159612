"""MNFT005: a framework agent runs a tool that does network I/O with no handler, and the framework
lets the tool's exception end the run."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.query.guards import TOOL_FAILURES, catches_library_errors, failure_guard
from agentable.query.literals import source_text
from agentable.query.tool_failures import tool_error_handling_configured, tool_raised_errors
from agentable.query.tool_results import tool_label
from agentable.query.tools import tool_functions_of
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.helpers import agent_run_sites, agents_running, tool_error_handling_covers, unhandled_network_io


class FrameworkToolErrorPropagates(Rule):
    meta = RuleMeta(
        id="MNFT005",
        name="framework-tool-error-ends-run",
        category="MNFT",
        severity=Severity.WARNING,
        short="A tool makes a network call with no try/except, and its agent framework lets the exception end the whole run.",
        full=("Some agent frameworks do not turn a tool's exception into an observation for the model: LangChain's "
              "AgentExecutor re-raises anything but a ToolException (and that one only with handle_tool_error set), "
              "pydantic-ai sends back only ModelRetry and argument validation errors. A tool that calls a web API "
              "then fails on the first timeout, connection error or HTTP error status (an unknown id or URL the model "
              "chose), and when nothing around the agent's run catches it either, the run aborts and the work done so "
              "far is lost instead of letting the model retry or change plan. Reported when the tool's network call "
              "(or `raise_for_status()`) has no enclosing try, the tool's own error handling is not configured, and "
              "no call that runs the agent is inside a try."),
        bad_example=('@agent.tool\ndef repo_info(ctx: RunContext[Deps], repo: str) -> str:\n'
                     '    resp = ctx.deps.client.get(f"{API}/repos/{repo}")\n    resp.raise_for_status()\n'
                     '    return resp.text'),
        good_example=('@agent.tool\ndef repo_info(ctx: RunContext[Deps], repo: str) -> str:\n    try:\n'
                      '        resp = ctx.deps.client.get(f"{API}/repos/{repo}")\n        resp.raise_for_status()\n'
                      '    except httpx.HTTPError as exc:\n        raise ModelRetry(f"GitHub request failed: {exc}") from exc\n'
                      '    return resp.text'),
        fix=("Catch the request's errors in the tool and hand them to the model the framework's way (an error string "
             "as the result, pydantic-ai ModelRetry, LangChain ToolException with handle_tool_error=True)."),
        tags=("tools", "robustness"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for tool in graph.agent.tools:
            if tool.handles_errors:
                continue
            agents = [ac for ac in agents_running(graph, tool) if getattr(ac.spec, "tool_errors_propagate", False)]
            runs = [site for ac in agents for site in agent_run_sites(graph, ac)]
            if not runs:
                continue  # no run of the agent seen: no evidence the error ends the run
            hit = None
            for impl in tool_functions_of(graph, tool):
                hit = unhandled_network_io(graph, impl)
                if hit is not None:
                    break
            if hit is None:
                continue
            # a run guarded against the tool's failure (Exception, OSError, or the error classes of the
            # HTTP client the tool calls, `except httpx.HTTPError`): the error does not end the program
            raised = tool_raised_errors(graph, hit.func)
            if tool_error_handling_covers(graph, tool, raised or frozenset({"OSError"})):
                continue  # the tool's own error handling catches these errors
            own = ""
            if tool_error_handling_configured(graph, tool):  # turned on, but for other errors
                catches = " / ".join(getattr(tool.spec, "error_param_catches", ()) or ())
                error_param = getattr(tool.spec, "error_param", None)  # (ToolDef.spec is typed `object`)
                own = (f" The tool's `{error_param}` handles only {catches}, so it does not help "
                       f"here.")
            if any(failure_guard(graph, s.func, s.stmt, TOOL_FAILURES)
                   or catches_library_errors(graph, s.func, s.stmt, raised) for s in runs):
                continue
            ac = agents[0]
            agent_name = ir.dotted(ac.site.call.func) or ac.path
            run = runs[0]
            run_text = source_text(graph, run.func.path, run.call, 50)
            recovery = getattr(ac.spec, "tool_error_recovery", "") or "return the error text as the tool result"
            label = tool_label(tool.func, tool) if tool.func is not None else (tool.name or "the tool")
            yield self.finding(
                ctx, hit.func.path, hit.site.call.pos,
                f"`{source_text(graph, hit.func.path, hit.site.call, 50)}` in tool `{label}` can fail (network "
                f"error, timeout or HTTP error status) and no try/except covers it; `{agent_name}` does not catch a "
                f"tool's exception and nothing around `{run_text}` does, so one failed request ends the whole run. "
                f"Catch the error in the tool and {recovery}.{own}",
            )
