"""LARD009: a call into an LLM SDK or framework passes a keyword the installed release no longer accepts."""

from __future__ import annotations

from typing import Iterable

from agentable.cpg import ir
from agentable.findings import Finding, FlowStep, Severity, Span
from agentable.query.call_signatures import forwarded_rejections, rejected_keywords
from agentable.query.range_gaps import keyword_range_gap
from agentable.rules.base import Rule, RuleContext, RuleMeta


def src_pinned(r) -> bool:
    """Does a lock or an exact pin decide the installed release (rather than a range's upper bound)?"""
    return bool(r.source.locked) or r.source.specifier.startswith("==")


class UnknownKeywordArgument(Rule):
    meta = RuleMeta(
        id="LARD009",
        name="keyword-argument-not-accepted",
        category="LARD",
        severity=Severity.ERROR,
        short="A call into an LLM SDK or framework passes a keyword argument the installed release does not accept.",
        full=("SDKs and agent frameworks rename and drop keyword arguments between releases. Code written "
              "against an older release still passes the old name; when the release a fresh install gets "
              "(the newest release the manifest admits, or the lock's pin) has no such parameter and no "
              "`**kwargs` to absorb it, the call raises `TypeError: unexpected keyword argument` the first "
              "time it runs. Parameters come from the wheels of the catalogued releases (catalog "
              "api_surface.pack). A call is reported only when the data proves it fails: the callee is "
              "resolved to a mined function, a constructor or a method of an object the project made; its "
              "class has no base outside the wheel, metaclass or `__getattr__` (a pydantic model's fields, "
              "a dataclass's, are never judged); its signature in the installed release is recorded and has "
              "no `**kwargs`; and an older release read named the keyword explicitly. A call written for several "
              "releases (under a branch that tests the library's version or the callee's signature, or with a "
              "`TypeError` fallback) is left alone. The message names the releases that accepted it and, where "
              "the data shows one, the parameter that took its place. A method reached through an SDK client's "
              "attributes (`client.chat.completions.create`) is judged through the attributes' classes in each "
              "release (mined for openai), and there a keyword that only releases newer than the installed one "
              "accept (`reasoning_effort` with `openai==1.30.1`) is reported too: the pin is too old. "
              "A keyword that releases an unlocked range "
              "admits accepted, which only its newest admitted release rejects, is EPDD006's (the fix is an upper "
              "bound)."),
        bad_example=("# requirements.txt: acme-llm (newest release renamed `temp` to `temperature`)\n"
                     "from acme_llm import complete\ncomplete(prompt, temp=0.2)"),
        good_example=("# requirements.txt: acme-llm\n"
                      "from acme_llm import complete\ncomplete(prompt, temperature=0.2)"),
        fix="Pass the parameter under the installed release's name, or bound the version range to the releases that accept it.",
        tags=("api", "version", "signature"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        if getattr(graph, "manifests", None) is None:
            return
        by_call: dict[tuple[str, ir.Pos], list] = {}  # one finding per call, naming each keyword
        for r in [*rejected_keywords(graph), *forwarded_rejections(graph)]:
            if keyword_range_gap(graph, r.source, r.accepted) is not None:
                continue  # (older releases the range admits accept it: EPDD006)
            at = r.via or r.site  # a keyword handed on by a wrapper's `**kwargs`: where it is written
            found = by_call.setdefault((at.func.path, at.call.pos), [])
            if all(f.keyword != r.keyword for f in found):
                found.append(r)
        for (path, pos), found in by_call.items():
            r = found[0]
            instead = (f" The installed release has `{r.renamed_to}` in its place (a rename?)." if r.renamed_to else "")
            if r.newer:
                instead = (f" Raise the {'pin' if src_pinned(r) else 'version range'} to a release that has it, "
                           f"or drop the keyword.")
            nor = "".join(f" Nor `{o.keyword}` ({'only the newer ' if o.newer else ''}{o.dist}{o.accepted})."
                          for o in found[1:])
            head = f"`{r.callee}` does not accept the keyword `{r.keyword}`"
            steps: tuple[FlowStep, ...] = ()
            if r.via is not None:  # written at a wrapper's call, handed on by its `**kwargs`
                wrapper = r.site.func.name
                head = (f"`{wrapper}` hands the keyword `{r.keyword}` through its `**kwargs` to `{r.callee}` "
                        f"(line {r.site.call.pos[0]}), which does not accept it")
                steps = (FlowStep(graph.span(r.site.func.path, r.site.call.pos),
                                  f"`{wrapper}` passes its `**kwargs` on to `{r.callee}` here"),)
            msg = (f"{head} in {r.installed_text()}: its parameters "
                   f"there ({r.signature.shown()}) have no `**kwargs`, so the call raises TypeError. Of the releases "
                   f"read ({r.read}), {'only the newer ' if r.newer else ''}{r.dist}{r.accepted} accepted it."
                   f"{nor}{instead}")
            src = r.source
            yield self.finding(ctx, path, pos, msg,
                               flow=(*steps, FlowStep(Span(src.path, src.line, src.col, src.line, src.end_col),
                                                      f"{src.versions()} {'pinned' if src.locked else 'declared'} here")))
