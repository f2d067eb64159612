"""MNFT005: a framework agent runs a tool that does network I/O with no handler, and the framework
lets the tool's exception end the run."""

from __future__ import annotations

from typing import Any, Iterable, Optional

from agentable.cpg import ir
from agentable.findings import Finding, Severity
from agentable.query.guards import TOOL_FAILURES, catches_library_errors, failure_guard
from agentable.query.literals import source_text
from agentable.query.tool_failures import tool_error_handling_configured, tool_raised_errors
from agentable.query.tool_results import tool_label
from agentable.query.tools import tool_functions_of
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.query.agent_runs import agent_run_sites
from agentable.rules.mnft.helpers import NetworkCall, agents_running, tool_error_handling_covers, unhandled_network_io
from agentable.rules.mnft.process_failures import ProcessFailure, unhandled_process_failure
from agentable.rules.mnft.unrun import unrun_tool_judged_by_default
from agentable.rules.mnft.tool_inputs import ArgumentHit, agent_handed_to, model_params, unhandled_model_argument


# what a process start with a missing working folder, or a strict decode of its output, raises
_PROCESS_ERRORS = frozenset({"OSError", "ValueError"})


class FrameworkToolErrorPropagates(Rule):
    meta = RuleMeta(
        id="MNFT005",
        name="framework-tool-error-ends-run",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A tool makes a network call, or hands an argument the model wrote to a call that raises on a bad value, "
               "with no try/except, and its agent framework lets the exception end the whole run."),
        full=("Some agent frameworks do not turn a tool's exception into an observation for the model: LangChain's "
              "AgentExecutor re-raises anything but a ToolException (and that one only with handle_tool_error set), "
              "pydantic-ai sends back only ModelRetry and argument validation errors. A tool that calls a web API "
              "then fails on the first timeout, connection error or HTTP error status (an unknown id or URL the model "
              "chose), and when nothing around the agent's run catches it either, the run aborts and the work done so "
              "far is lost instead of letting the model retry or change plan. Reported when the tool's network call "
              "(or `raise_for_status()`) has no enclosing try, the tool's own error handling is not configured, and "
              "no call that runs the agent is inside a try. The same holds for the tool's own arguments: SQL the model "
              "wrote, a time zone, a date, a path or a number as text, handed to a call that raises on a bad value "
              "(catalog taint.toml [tool_inputs]) with no handler, no check of the value first, and no annotation "
              "the framework validates (Literal, an enum, a Field pattern or bound). Each function that runs the "
              "tool (LangChain's `_run` and `_arun`) is judged on its own. A tool that no agent of the scanned code is "
              "given (a tool library whose agents are built elsewhere, or a partial checkout) is judged by its "
              "framework's usual runner (catalog tools.toml `unrun_errors_propagate`): LangChain's AgentExecutor does "
              "not catch a tool's exception unless handle_tool_error is set and the error is a ToolException, so an "
              "unhandled network call is reported. Not when the project itself builds a runner that may run the tool "
              "and catch (an agent that handles tool errors, a LangGraph state graph with its ToolNode) or runs the "
              "tool in a hand-written loop (MNFT002's case); an unhandled model-written argument is reported only "
              "with an agent run in view. A tool that runs a command fails in its own code too when the working "
              "folder it passes (`cwd=`) is not there (FileNotFoundError) or when it decodes the captured output "
              "strictly (`.stdout.decode()`: UnicodeDecodeError on bytes that are not UTF-8); with an agent run in "
              "view and nothing catching, that is reported as well (catalog tools.toml [process_output])."),
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
        handed_to: dict[int, list] = {}  # id(agent construct) -> library calls it is handed to
        process_seen: set[int] = set()
        for tool in graph.agent.tools:
            if tool.handles_errors:
                continue
            running = agents_running(graph, tool)
            if not running and unrun_tool_judged_by_default(graph, tool):
                requests = _unhandled_requests(graph, tool)
                for hit, _raised, own in requests:
                    yield self._unrun_finding(ctx, tool, hit, own)
                pf = None if requests else self._process_failure(graph, tool, process_seen)
                if pf is not None:
                    yield self._process_finding(ctx, tool, None, None, pf)
                continue
            agents = [ac for ac in running if getattr(ac.spec, "tool_errors_propagate", False)]
            runs = [site for ac in agents for site in agent_run_sites(graph, ac)]
            # the agent may also run in a library adapter it is handed to (an AG-UI or A2A server)
            if not runs:
                for ac in agents:
                    if id(ac) not in handed_to:
                        handed_to[id(ac)] = agent_handed_to(graph, ac)
            handed = runs or [site for ac in agents for site in handed_to[id(ac)]]
            arg_hit = self._argument_hit(graph, tool, handed) if handed else None
            if arg_hit is not None:
                yield self._argument_finding(ctx, tool, agents[0], handed[0], arg_hit)
            if not runs:
                continue  # no run of the agent seen: no evidence the error ends the run
            requests = _unhandled_requests(graph, tool)
            for hit, raised, own in requests:
                if arg_hit is not None and arg_hit.site.call is hit.site.call:
                    continue  # (one finding per call)
                # a run guarded against the tool's failure (Exception, OSError, or the error classes of the
                # HTTP client the tool calls, `except httpx.HTTPError`): the error does not end the program
                if any(failure_guard(graph, s.func, s.stmt, TOOL_FAILURES)
                       or catches_library_errors(graph, s.func, s.stmt, raised) for s in runs):
                    break
                yield self._run_finding(ctx, tool, agents[0], runs[0], hit, own)
            if requests or arg_hit is not None or any(failure_guard(graph, s.func, s.stmt, TOOL_FAILURES) for s in runs):
                continue
            pf = self._process_failure(graph, tool, process_seen)
            if pf is not None:
                yield self._process_finding(ctx, tool, agents[0], runs[0], pf)

    @staticmethod
    def _process_failure(graph, tool, seen: set[int]) -> Optional[ProcessFailure]:
        """The tool's first process run that raises in the tool (catalog [process_output]), once per call."""
        if tool_error_handling_covers(graph, tool, _PROCESS_ERRORS):
            return None
        pf = next((p for impl in tool_functions_of(graph, tool)
                   if (p := unhandled_process_failure(graph, impl, tool)) is not None), None)
        if pf is None or id(pf.site.call) in seen:
            return None
        seen.add(id(pf.site.call))
        return pf

    def _process_finding(self, ctx: RuleContext, tool, ac, run, pf: ProcessFailure) -> Finding:
        """With `ac` None, the tool no agent of the scanned code runs, judged by its framework's runner."""
        graph = ctx.graph
        if ac is None:
            framework = getattr(tool.spec, "framework", "") or "its framework"
            label = tool_label(tool.func, tool) if tool.func is not None else (tool.name or "the tool")
            why = (f"no agent in the scanned code runs the tool, and {framework}'s usual agent runner does not "
                   f"catch a tool's exception, so one such command ends the whole run wherever the tool is used")
            recovery = "return the error text as the tool result"
        else:
            agent_name, recovery, label, run_text = _described(graph, tool, ac, run)
            why = (f"`{agent_name}` does not catch a tool's exception and nothing around `{run_text}` does, so one "
                   f"such command ends the whole run")
        return self.finding(
            ctx, pf.func.path, pf.site.call.pos,
            f"`{source_text(graph, pf.func.path, pf.site.call, 50)}` in tool `{label}` raises {pf.why}, and no "
            f"try/except covers it; {why}. Catch the error in the tool (or decode with `errors=\"replace\"`, check "
            f"the folder first) and {recovery}.",
        )

    def _run_finding(self, ctx: RuleContext, tool, ac, run, hit, own: str) -> Finding:
        graph = ctx.graph
        agent_name, recovery, label, run_text = _described(graph, tool, ac, run)
        return self.finding(
            ctx, hit.func.path, hit.site.call.pos,
            f"`{_call_text(graph, hit)}` in tool `{label}` can fail (network "
            f"error, timeout or HTTP error status) and no try/except covers it; `{agent_name}` does not catch a "
            f"tool's exception and nothing around `{run_text}` does, so one failed request ends the whole run. "
            f"Catch the error in the tool and {recovery}.{own}",
        )

    def _unrun_finding(self, ctx: RuleContext, tool, hit, own: str) -> Finding:
        """A tool no agent of the scanned code runs (a tool library), judged by its framework's usual
        runner, which lets the exception end the run (catalog `unrun_errors_propagate`)."""
        graph = ctx.graph
        framework = getattr(tool.spec, "framework", "") or "its framework"
        label = tool_label(tool.func, tool) if tool.func is not None else (tool.name or "the tool")
        return self.finding(
            ctx, hit.func.path, hit.site.call.pos,
            f"`{_call_text(graph, hit)}` in tool `{label}` can fail (network error, "
            f"timeout or HTTP error status) and no try/except covers it. No agent in the scanned code runs the tool, "
            f"and {framework}'s usual agent runner does not catch a tool's exception, so one failed request ends the "
            f"whole run wherever the tool is used. Catch the error in the tool and return the error text as the tool "
            f"result.{own}",
        )

    @staticmethod
    def _argument_hit(graph, tool, runs) -> Optional[ArgumentHit]:
        """A model-filled parameter reaching a call that raises on a bad value, handled nowhere:
        not in the tool, not by its configured error handling, not around any run of the agent."""
        visible = {p.name for p in tool.params}
        for impl in tool_functions_of(graph, tool):
            hit = unhandled_model_argument(graph, impl, model_params(graph, impl, visible))
            if hit is None:
                continue
            errors = frozenset(hit.raises)
            if tool_error_handling_covers(graph, tool, errors):
                continue
            if any(failure_guard(graph, s.func, s.stmt, hit.raises) for s in runs):
                continue
            return hit
        return None

    def _argument_finding(self, ctx: RuleContext, tool, ac, run, hit: ArgumentHit) -> Finding:
        graph = ctx.graph
        agent_name, recovery, label, run_text = _described(graph, tool, ac, run)
        call_text = source_text(graph, hit.func.path, hit.site.call, 50)
        around = f"around `{run_text}`" if run_text != "the value" else "around the agent's run"
        return self.finding(
            ctx, hit.func.path, hit.site.call.pos,
            f"The model writes `{hit.param}` of tool `{label}`, and `{call_text}` raises {hit.sink.what} on a bad "
            f"value; no try/except or check before the call covers it, `{agent_name}` does not catch a tool's "
            f"exception and nothing {around} does, so one "
            f"malformed argument ends the whole run. Catch the error in the tool and {recovery}.",
        )


def _call_text(graph, hit: NetworkCall) -> str:
    """The failing call as written, or its callee's name when the call is too long to quote."""
    text = source_text(graph, hit.func.path, hit.site.call, 50)
    return text if text != "the value" else f"{hit.what}(...)"


def _unhandled_requests(graph, tool) -> list[tuple[Any, frozenset[str], str]]:
    """Per function that runs the tool (`_run`, `_arun`), its first network call with no handler,
    the errors it raises, and a note when the tool's error handling is on but for other errors.
    None at all when the tool's own error handling covers the first one."""
    out: list[tuple[Any, frozenset[str], str]] = []
    for impl in tool_functions_of(graph, tool):
        hit = unhandled_network_io(graph, impl)
        if hit is None:
            continue
        raised = tool_raised_errors(graph, hit.func)
        if tool_error_handling_covers(graph, tool, raised or frozenset({"OSError"})):
            return []  # the tool's own error handling catches these errors
        own = ""
        if tool_error_handling_configured(graph, tool):  # turned on, but for other errors
            catches = " / ".join(getattr(tool.spec, "error_param_catches", ()) or ())
            error_param = getattr(tool.spec, "error_param", None)  # (ToolDef.spec is typed `object`)
            own = f" The tool's `{error_param}` handles only {catches}, so it does not help here."
        if all(hit.site.call is not h.site.call for h, _, _ in out):  # (a helper both run)
            out.append((hit, raised, own))
    return out


def _described(graph, tool, ac, run) -> tuple[str, str, str, str]:
    """What both messages name: the agent's constructor, the framework's way to hand an error back,
    the tool, and the call that runs the agent."""
    agent_name = ir.dotted(ac.site.call.func) or ac.path
    recovery = getattr(ac.spec, "tool_error_recovery", "") or "return the error text as the tool result"
    label = tool_label(tool.func, tool) if tool.func is not None else (tool.name or "the tool")
    return agent_name, recovery, label, source_text(graph, run.func.path, run.call, 50)
