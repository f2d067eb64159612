"""LARD014: an SDK name caught that is not an exception class or not a name of the SDK at all, or an
SDK exception raised without the arguments its constructor requires, in the SDK release a fresh
install gets."""

from __future__ import annotations

from typing import Iterable

from agentable.findings import Finding, Severity
from agentable.query.literals import source_text
from agentable.query.sdk_exceptions import (
    SdkClassUse, absent_names, caught_names, missing_arguments, not_an_exception, raised_classes,
)
from agentable.rules.base import Rule, RuleContext, RuleMeta


def _release(use: SdkClassUse) -> str:
    return f"{use.dist} {', '.join(use.installed)} ({use.source.cited()})"


class SdkExceptionMisuse(Rule):
    meta = RuleMeta(
        id="LARD014",
        name="sdk-exception-misuse",
        category="LARD",
        severity=Severity.ERROR,
        short=("An `except` names an SDK attribute that is not an exception class, or code raises an SDK exception "
               "without the arguments its constructor requires, in the SDK version a fresh install gets."),
        full=("SDK error classes change between major versions. In openai>=1 `openai.Timeout` is httpx's timeout "
              "*configuration* class, not an error (the error is `openai.APITimeoutError`): `except (APIError, "
              "Timeout)` raises `TypeError: catching classes that do not inherit from BaseException is not allowed` "
              "as soon as any error reaches it, so the handler never runs and the caller gets a TypeError instead "
              "of the API error. Likewise `openai.APIError.__init__` takes `(message, request, *, body)` and the "
              "status errors (`RateLimitError`, ...) `(message, *, response, body)`: `raise openai.APIError` or "
              "`raise openai.RateLimitError(\"busy\")` raises a TypeError about missing arguments that hides the "
              "real cause, and a retry filtering on the SDK's errors no longer matches. Judged on the release a "
              "fresh install gets (the lock's pins, or the newest release the declared range admits) from the API "
              "mined from the SDK's wheels (api_surface.pack: which exported names are exception classes, which "
              "are plain classes or re-exported from another library, and each exception's `__init__`); a name "
              "the data cannot tell about, an unknown release or a call with `*args`/`**kwargs` is never "
              "reported."),
        bad_example=('# requirements.txt: openai>=1.30\nfrom openai import APIError, Timeout\n\n'
                     'try:\n    reply = client.chat.completions.create(model=MODEL, messages=messages)\n'
                     'except (APIError, Timeout) as e:\n    log.warning("model call failed: %s", e)\n'
                     'if not reply.choices:\n    raise APIError("empty reply")'),
        good_example=('# requirements.txt: openai>=1.30\nfrom openai import APIError, APITimeoutError\n\n'
                      'try:\n    reply = client.chat.completions.create(model=MODEL, messages=messages)\n'
                      'except (APIError, APITimeoutError) as e:\n    log.warning("model call failed: %s", e)\n'
                      'if not reply.choices:\n    raise RuntimeError("empty reply")'),
        fix=("Catch the SDK's exception classes of the declared version (`openai.APITimeoutError`, not "
             "`openai.Timeout`), and raise an exception of your own (or pass the arguments the SDK class "
             "requires) instead of constructing the SDK's API errors."),
        tags=("api", "version", "exceptions"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        g = ctx.graph
        seen: set[tuple[str, tuple[int, int, int, int]]] = set()
        for use in sorted(caught_names(g), key=lambda u: (u.func.path, u.expr.pos)):
            why = not_an_exception(g, use)
            key = (use.func.path, use.expr.pos)
            if why is None or key in seen:
                continue
            seen.add(key)
            name = source_text(g, use.func.path, use.expr)
            yield self.finding(
                ctx, use.func.path, use.expr.pos,
                f"`{name}` (`{use.path}`) is {why} in {_release(use)}, so this `except` raises TypeError "
                f"(catching classes that do not inherit from BaseException) whenever an error reaches it, and the "
                f"handler never runs. Catch the SDK's exception class instead (for a timeout, `APITimeoutError`).",
            )
        for absent in sorted(absent_names(g), key=lambda a: (a.func.path, a.expr.pos)):
            key = (absent.func.path, absent.expr.pos)
            if key in seen:
                continue
            seen.add(key)
            yield self.finding(
                ctx, absent.func.path, absent.expr.pos,
                f"`{absent.path}` is not a name of {absent.dist} (no release read, {absent.read}, has it), so "
                f"evaluating it raises AttributeError, and here that happens only when an error reaches this "
                f"check: it fails instead of handling the error. The module has "
                f"{' and '.join(f'`{n}`' for n in absent.close)}.",
            )
        for use, call in sorted(raised_classes(g), key=lambda p: (p[0].func.path, p[0].stmt.pos)):
            wrong = missing_arguments(use, call)
            key = (use.func.path, use.stmt.pos)
            if wrong is None or key in seen:
                continue
            seen.add(key)
            what, sig = wrong
            params = ", ".join(p.rstrip("=") + ("=..." if p.endswith("=") else "") for p in sig.split(",")[1:])
            yield self.finding(
                ctx, use.func.path, use.stmt.pos,
                f"`{use.path}` is raised with {what}: its `__init__({params})` in {_release(use)} requires them, "
                f"so this `raise` itself fails with TypeError and hides the error it meant to report. Raise an "
                f"exception of your own, or pass the arguments the SDK class requires.",
            )
