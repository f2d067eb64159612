"""MNFT010: a model API call whose client makes no retries, or a web API call (search, HTTP) that
an agent loop makes on every iteration, with no try around it and no handler in any caller up to
the entry point, so one rate-limit error or timeout ends the agent run."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.cpg.agent_model import LLMCall
from agentable.findings import Finding, FlowStep, Severity
from agentable.query.model_call_faults import Retries, Unguarded, call_retries, unguarded_path
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.mnft.loop_network import LoopNetworkCall, loop_network_calls
from agentable.rules.mnft.status_checks import status_handled

# model calls an agent step makes (not embeddings, moderation, images or audio)
_STEP_APIS = frozenset({"chat", "completion", "responses", "generate"})


def _sends_model_request(call: LLMCall) -> bool:
    """A raw HTTP POST is taken for a model call by its URL; its payload must also carry the
    conversation or the prompt (a Slack `api/chat.postMessage` post carries neither)."""
    if not getattr(call.spec, "payload_params", ()):
        return True
    return call.setting("messages") is not None or call.setting("prompt") is not None


class UnprotectedModelCall(Rule):
    meta = RuleMeta(
        id="MNFT010",
        name="model-call-without-fault-tolerance",
        category="MNFT",
        severity=Severity.WARNING,
        short=("A model API call is sent once (the client makes no retries), or an agent loop calls a web API "
               "(search, HTTP) on every iteration, and nothing catches its error, neither around the call nor in "
               "any caller up to the entry point."),
        full=("Model APIs fail routinely: a 429 rate limit, a 5xx or overloaded error, a timeout, a dropped "
              "connection. Current SDKs (openai>=1.0, anthropic, LangChain chat models) re-send such requests "
              "a few times by themselves; openai<1.0 (`openai.ChatCompletion.create`), a raw HTTP POST to a "
              "model endpoint and a client built with `max_retries=0` do not. When such a call has no retry "
              "wrapper (tenacity/backoff decorator, hand-written retry loop, `with_retry()`), no try around it "
              "and no caller up to the script, CLI or agent loop that catches the error, the first failure ends "
              "the whole agent run and loses its work. Reported once per function that makes the call, where "
              "the fix goes, with the call chain. The same holds for a web API call that is not a model call "
              "(a Tavily or SerpAPI search, a `requests`/`httpx` request: catalog tools.toml [network_io]) made "
              "on every iteration of an agent loop, in the loop or in a project function it calls: one timeout "
              "or rate limit of the search service ends the run; reported at the call. Functions a framework "
              "runs (tools, graph nodes, web handlers registered by decorator) are left to it and to the rules "
              "about them (MNFT002, MNFT005, MNFT008). A request of an HTTP client that returns error statuses "
              "as responses (requests, httpx) whose status the code tests, with no raise, is left alone: a rate "
              "limit or server error does not raise there. A retry decorator that does not await coroutines (the `retry` "
              "package's) on an `async def` re-sends nothing and does not count (MNFT014 reports it)."),
        bad_example=('def next_step(messages):\n'
                     '    resp = openai.ChatCompletion.create(model="gpt-4", messages=messages)  # openai<1.0\n'
                     '    return resp["choices"][0]["message"]["content"]\n\n'
                     'if __name__ == "__main__":\n    for task in tasks:\n        print(next_step(task))'),
        good_example=('@retry(wait=wait_random_exponential(min=1, max=60), stop=stop_after_attempt(6))\n'
                      'def next_step(messages):\n'
                      '    resp = openai.ChatCompletion.create(model="gpt-4", messages=messages)\n'
                      '    return resp["choices"][0]["message"]["content"]'),
        fix=("Retry the call with backoff (tenacity `@retry`, backoff `@on_exception`, or an SDK client that "
             "retries), or catch the SDK's errors in the step or the loop that runs it and go on or stop cleanly."),
        tags=("robustness", "llm-call"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        done: set[str] = set()
        for call in sorted(g.agent.llm_calls, key=lambda c: (c.func.path, c.call.pos)):
            if call.api not in _STEP_APIS or call.func.qualname in done or not _sends_model_request(call):
                continue
            retries = call_retries(g, call)
            if retries is None or retries.count > 0 or status_handled(g, call.func, call.call, call.site.stmt):
                continue  # (a status the code tests: a rate limit or server error comes back as a response)
            path = unguarded_path(g, call)
            if path is None:
                continue
            done.add(call.func.qualname)
            yield self._finding(ctx, call, retries, path)
        for hit in loop_network_calls(g):
            if not status_handled(g, hit.site.func, hit.site.call, hit.site.stmt):
                yield self._network_finding(ctx, hit)

    def _network_finding(self, ctx: RuleContext, hit: LoopNetworkCall) -> Finding:
        g = ctx.graph
        site = hit.site
        name = ir.dotted(site.call.func) or hit.path
        loop = hit.loop
        loop_at = f"{loop.func.path}:{loop.loop.pos[0]}"
        where = (f"the agent loop at {loop_at}" if not hit.chain
                 else f"`{site.func.name}`, which the agent loop at {loop_at} calls,")
        root = hit.up.root
        if not hit.up.chain:
            owner = "the module code" if root.is_module else f"`{root.name}`"
            up = f"nothing in {owner} around the loop catches the error"
        elif root.is_module:
            up = f"no caller up to the module code of {root.path} catches the error"
        else:
            up = f"no caller up to `{root.name}` (not called in the project) catches the error"
        flow = [FlowStep(g.span(loop.func.path, loop.loop.pos), "the agent loop, which calls the model")]
        for s in hit.chain:
            flow.append(FlowStep(g.span(s.func.path, s.call.pos), "runs on every iteration, with no handler"))
        flow.append(FlowStep(g.span(site.func.path, site.call.pos), f"`{name}(...)`: a request to a web API"))
        return self.finding(
            ctx, site.func.path, site.call.pos,
            f"`{name}(...)` in {where} is a web API request made on every iteration with "
            f"no try around it and no retry, and {up}, so one timeout, connection error, rate limit or error "
            f"status of that service ends the agent run and loses its work. Catch the request's errors where "
            f"the step can go on without its result (return an error text the model can read), or retry it.",
            flow=flow,
        )

    def _finding(self, ctx: RuleContext, call: LLMCall, retries: Retries, path: Unguarded) -> Finding:
        g = ctx.graph
        name = ir.dotted(call.call.func) or call.path
        where = "the module code" if call.func.is_module else f"`{call.func.name}`"
        root = path.root
        if not path.chain:
            up = "nothing around it catches the error"
        elif root.is_module:
            up = f"no try around it or in its callers up to the module code of {root.path} catches the error"
        else:
            up = f"no try around it or in its callers up to `{root.name}` (not called in the project) catches the error"
        version = f" ({retries.declared.cited()})" if retries.declared is not None else ""
        flow = [FlowStep(g.span(call.func.path, call.call.pos), f"`{name}(...)`: {retries.why}")]
        for site in path.chain:
            caller = f"the module code of {site.func.path}" if site.func.is_module else f"`{site.func.name}`"
            flow.append(FlowStep(g.span(site.func.path, site.call.pos), f"called from {caller} with no handler"))
        return self.finding(
            ctx, call.func.path, call.call.pos,
            f"`{name}(...)` in {where} is sent once: {retries.why}{version}, and {up}, so one rate-limit "
            f"error, timeout or server error ends the agent run. Retry it with backoff (tenacity `@retry`, an "
            f"SDK client that retries) or catch the SDK's errors where the step can be retried or skipped.",
            flow=flow,
        )
