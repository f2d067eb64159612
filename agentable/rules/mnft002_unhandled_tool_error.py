"""MNFT002: a hand-written agent loop runs a tool that can fail, and nothing catches its exceptions."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.values import ExtRef
from agentable.cpg.flow import enclosing_handlers, handler_reraises_only, handler_type_names
from agentable.findings import Finding, Severity
from agentable.query.guards import (
    TOOL_FAILURES,
    catches_library_errors,
    failure_guard,
    fault_handled,
    first_catching_handler,
    handler_raises_on,
    is_protected,
)
from agentable.query.literals import source_text
from agentable.query.model_derived import model_derived
from agentable.query.llm_output import flow_steps
from agentable.query.tool_failures import tool_error_handling_configured, tool_raised_classes, tool_raised_errors
from agentable.query.tool_invocations import ToolInvocation, tool_invocations
from agentable.query.tool_results import tool_label
from agentable.query.tools import tool_defs_by_function
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.can_fail import tool_can_fail
from agentable.rules.mnft.text_reads import TEXT_READ_ERROR, undecodable_read


class UnhandledToolError(Rule):
    meta = RuleMeta(
        id="MNFT002",
        name="tool-exception-not-handled",
        category="MNFT",
        severity=Severity.WARNING,
        short="A hand-written agent loop runs a tool that can fail, and no try/except here or in any caller catches its errors.",
        full=("Tools do network requests, run code, read files and parse the model's arguments; they time out, "
              "get HTTP errors and bad input. Agent frameworks catch a tool's exception and hand the error text to "
              "the model as the observation so it can retry or change plan. A hand-written loop that calls the tool "
              "bare lets the first failing call propagate and abort the whole run (losing the conversation so far). "
              "A tool here is a function the loop looks up by the name the model chose, a framework tool object run "
              "by hand (`tool.invoke(args)`), or a project function the loop calls with arguments taken from the "
              "model's reply whose result goes back to the model (`\"Observation: \" + search(action_input)`, a "
              "`{\"role\": \"tool\"}` message); it can fail when it raises or calls I/O or third-party code. A handler "
              "for Exception or a builtin I/O or value error counts, and so does one for the errors of the library "
              "the tool calls (`except sqlite3.Error`, `except requests.RequestException`, catalog `library_errors`); "
              "one for another library's errors does not. A tool that reads the file its argument names as text "
              "(`open(path)`, `Path(path).read_text()`) fails on a binary or non-UTF-8 file with UnicodeDecodeError, "
              "a ValueError: handlers for OSError or URLError, in the tool or around the call, do not catch it. A handler "
              "that raises again (`raise`, `raise exc`, `raise StepFailed(...) from exc`) is no tolerance unless a "
              "try further up, up to the loop, catches what it raises; nor is one that picks out an error the tool "
              "raises (its own class, its library's) to raise it again before an `except Exception` that returns "
              "the error text."),
        bad_example=('for call in msg.tool_calls:\n'
                     '    result = TOOLS[call.function.name](**json.loads(call.function.arguments))\n'
                     '    messages.append({"role": "tool", "tool_call_id": call.id, "content": result})'),
        good_example=('for call in msg.tool_calls:\n    try:\n'
                      '        result = TOOLS[call.function.name](**json.loads(call.function.arguments))\n'
                      '    except Exception as exc:\n        result = f"Error: {exc}"\n'
                      '    messages.append({"role": "tool", "tool_call_id": call.id, "content": result})'),
        fix="Wrap the tool call in try/except Exception and return the error text to the model as the tool result.",
        tags=("tools", "robustness"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        for inv in tool_invocations(graph):
            site = inv.site
            if tool_error_handling_configured(graph, inv.tool) or _delegation_in_tool_class(graph, inv):
                continue
            # handlers for I/O errors around the call still let out a failed decode of a file the
            # model named (a ValueError): that reason alone is left when the call is guarded
            guarded = bool(failure_guard(graph, site.func, site.stmt, TOOL_FAILURES))
            # a handler that raises again (`raise`, `raise exc`, `raise ToolError(...) from exc`) with
            # nothing up to the loop catching what it raises is no tolerance for the run
            passed_on = guarded and _reraised_here(graph, site) and (
                not any(fault_handled(graph, site.func, site.stmt, r, open_world=True) for r in TOOL_FAILURES)
                or _picked_out_and_passed_on(graph, inv))
            guarded = guarded and not passed_on
            if guarded and (not inv.targets or is_protected(graph, site.func, site.stmt, (TEXT_READ_ERROR,))):
                continue
            label = tool_label(inv.targets[0], inv.tool) if inv.targets else None
            if inv.targets:
                why = None
                for t in inv.targets:
                    why = None if guarded else tool_can_fail(graph, t)
                    # a handler for the errors of the library the tool calls (`except sqlite3.Error`)
                    # covers this tool's failures
                    if why and not passed_on and \
                            catches_library_errors(graph, site.func, site.stmt, tool_raised_errors(graph, t)):
                        why = None
                    if not why and not is_protected(graph, site.func, site.stmt, (TEXT_READ_ERROR,)):
                        why = undecodable_read(graph, t)
                    if why:
                        label = tool_label(t, tool_defs_by_function(graph).get(t.qualname))
                        break
                if not why:
                    continue
                reason = f"tool `{label}` can fail ({why})"
            else:
                # the tool cannot be resolved: only a run method that validates the model's arguments
                # is evidence that it can fail (precision first)
                method = _validating_run_method(graph, inv)
                spread = _model_spread(graph, inv) if method is None else None
                if method is None and spread is None:
                    continue
                if method is not None:
                    reason = (f"the tool object's `{method}` checks the model's arguments against the tool's "
                              f"signature and raises on a mismatch (a wrong type, a missing argument), then lets "
                              f"the tool's own errors through")
                else:
                    reason = (f"the arguments the model wrote are spread into it (`**{spread}`), so an argument the "
                              f"function does not take, or a missing one, raises TypeError before the tool runs")
            call = source_text(graph, inv.path, site.call, 60)
            fix = ("Return the error text to the model as the tool result from that handler instead of raising."
                   if passed_on else
                   "Catch Exception around the call and return the error text to the model as the tool result.")
            caught = [n for h in enclosing_handlers(site.func, site.stmt) if not handler_reraises_only(h)
                      for n in (handler_type_names(h) or ["<bare except>"])]
            where = ("with no try/except here or in any caller" if not caught else
                     f"and the handlers around it (`except {', '.join(caught)}`) do not catch what it raises")
            if passed_on:
                where = _passed_on_text(site.func, site.stmt) or where
            flow = (flow_steps(graph, inv.dispatch.source, (inv.path, site.call.pos, "tool run here"))
                    if inv.dispatch is not None else ())
            yield self.finding(
                ctx, inv.path, site.call.pos,
                f"`{call}` runs a tool in the agent loop {where}; {reason}, and the "
                f"exception would abort the run. {fix}",
                flow=flow,
            )



def _reraised_here(graph, site) -> bool:
    """Does a handler of the innermost try around the call raise again?"""
    return any(handler_raises_on(h) is not None for h in enclosing_handlers(site.func, site.stmt))


def _picked_out_and_passed_on(graph, inv: ToolInvocation) -> bool:
    """Does a handler around the call pick out an error the tool raises (its own class, or its
    library's) and raise it again (`except (QuotaExceeded, requests.RequestException): raise`,
    before an `except Exception` that returns the error text), with nothing up to the loop catching it?"""
    site = inv.site
    for t in inv.targets:
        for r in sorted(tool_raised_errors(graph, t) | tool_raised_classes(graph, t)):
            hit = first_catching_handler(graph, site.func, site.stmt, r)
            if hit is not None and handler_raises_on(hit[1]) is not None \
                    and not fault_handled(graph, site.func, site.stmt, r, open_world=True):
                return True
    return False


def _passed_on_text(func, stmt) -> Optional[str]:
    """How the handlers around the call hand the error on, when one here does."""
    for h in enclosing_handlers(func, stmt):
        out = handler_raises_on(h)
        if out is not None:
            names = ", ".join(handler_type_names(h)) or "<bare except>"
            again = "raises it again" if out == tuple(handler_type_names(h)) else f"raises `{out[0]}` instead"
            return (f"and its handler (`except {names}`, line {h.pos[0]}) {again}, which nothing up to the agent "
                    f"loop catches")
    return None


def _delegation_in_tool_class(graph, inv: ToolInvocation) -> bool:
    """`self.execute(**kwargs)` in a tool base class's own `__call__`: the tool object passing the
    call on to its implementation. Whether a failure is handled is decided where the agent calls
    the tool object, not here (its callers are other tools' callers too)."""
    fn, cls = inv.site.call.func, inv.func.cls
    if cls is None or not (isinstance(fn, ir.Attribute) and isinstance(fn.value, ir.Name) and fn.value.id == "self"):
        return False
    return bool(inv.targets) and all(t.cls is not None and cls in graph.mro(t.cls.qualname) for t in inv.targets)


def _model_spread(graph, inv: ToolInvocation) -> Optional[str]:
    """The source text of a `**args` of the call that the model wrote (its tool-call arguments
    parsed), for a tool that cannot be resolved: any key the function lacks is a TypeError."""
    site = inv.site
    for kw in site.call.keywords:
        if kw.name is None and model_derived(graph, kw.value, site.func, site.stmt) is not None:
            return source_text(graph, inv.path, kw.value, 30)
    return None


def _validating_run_method(graph, inv: ToolInvocation) -> Optional[str]:
    """`tools[name].run_json(args)`: a model-chosen lookup whose run method validates the model's
    arguments (catalog `validating_run_methods`) on tool objects that take arguments: the tools
    stored in the container when they can be traced (`self._tools` built from a constructor
    argument), else the project's tools of that kind."""
    f = inv.site.call.func
    if inv.dispatch is None or not isinstance(f, ir.Attribute):
        return None
    stored = _stored_tools(graph, inv.dispatch)
    candidates = stored if stored is not None else graph.agent.tools
    if any(f.attr in (getattr(t.spec, "validating_run_methods", ()) or ()) and t.params for t in candidates):
        return f.attr
    return None


def _stored_tools(graph, d) -> Optional[list]:
    """The ToolDefs stored in the container a dispatch looks up, when it is an attribute the class
    builds from a constructor parameter (`self._tools = {t.name: t for t in tools}`) and every
    construction passes a list of tool objects; None when that cannot be traced."""
    container = d.lookup.value if isinstance(d.lookup, ir.Subscript) else None
    cls = d.func.cls
    if not (isinstance(container, ir.Attribute) and isinstance(container.value, ir.Name) and cls is not None):
        return None
    params: set[tuple[str, int]] = set()
    for value, _stmt, assigner in cls.attrs.get(container.attr, []):
        if assigner is None or assigner.name != "__init__":
            return None
        names = {x.id for x in ir.walk_expr(value) if isinstance(x, ir.Name)}
        params |= {(p.name, i - 1) for i, p in enumerate(assigner.params) if p.name in names and i > 0}
    sites = graph.constructions(cls.qualname)
    if not params or not sites:
        return None
    by_pos = {(t.path, t.pos): t for t in graph.agent.tools}
    out = []
    for site in sites:
        for name, idx in params:
            arg = site.call.kwarg(name) or (site.call.args[idx] if idx < len(site.call.args) else None)
            if not isinstance(arg, ir.Seq):
                return None
            for e in arg.elts:
                for v in graph.values(e, site.func, site.stmt):
                    if isinstance(v, ExtRef) and v.site is not None and (v.site[0], v.site[1].pos) in by_pos:
                        out.append(by_pos[(v.site[0], v.site[1].pos)])
    return out
