"""EPDD002: code uses a library API that the declared version range of that library lacks."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.findings import Finding, FlowStep, Severity, Span
from agentable.query.dependencies import import_targets
from agentable.query.range_gaps import range_gap
from agentable.query.versions import (MinedGap, api_unavailable, is_framework_symbol, mined_api_gap,
                                      mined_dists_declared, unavailable_apis)
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.epdd.api_uses import member_symbols
from agentable.rules.epdd.helpers import import_owner, only_for_type_checkers


class ApiOutsideDeclaredVersion(Rule):
    meta = RuleMeta(
        id="EPDD002",
        name="api-outside-declared-version",
        category="EPDD",
        severity=Severity.ERROR,
        short="The code uses a library API that no version admitted by the manifest has.",
        full=("Libraries the agent depends on (pydantic, LangChain, LlamaIndex, AutoGen…) rename and remove "
              "APIs between major versions. When every version the manifest admits lacks an API the code "
              "uses (pydantic v2's `field_validator` with `pydantic<2`, `llama_index.core` with "
              "`llama-index<0.10`, `client.messages.create` on an SDK client with `anthropic<0.16`), or "
              "the project's lock file pins only such versions, the agent fails at import or at first use "
              "in any fresh install. Imports, constructions and "
              "method calls (on project subclasses and on SDK objects) are checked; an object whose class "
              "the pin already rules out is reported once, where it is imported or made. An LLM SDK API "
              "that the declared version REMOVED is LARD001's; one NEWER than the declared version is "
              "this rule's. Besides the catalog's hand-written entries, imports and module-attribute calls "
              "are checked against the public API mined from the wheels of the catalogued libraries' "
              "releases (api_surface.pack), for what a fresh install gets (the newest admitted release "
              "without a lock). A range with no lock that admits releases having the API, while its newest "
              "admitted release lacks it, is EPDD006's (the fix is an upper bound)."),
        bad_example='# requirements.txt: pydantic==1.10.13\nfrom pydantic import field_validator',
        good_example='# requirements.txt: pydantic>=2.5\nfrom pydantic import field_validator',
        fix="Use the API of the declared version, or change the version range in the manifest.",
        tags=("dependencies", "version"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        manifests = getattr(graph, "manifests", None)
        if manifests is None or not manifests.has_manifest():
            return
        reported: set[tuple[str, int]] = set()
        self._flagged: set[tuple[str, str]] = set()
        for mod in graph.modules.values():
            for stmt in mod.import_stmts:
                if only_for_type_checkers(import_owner(graph, mod, stmt), stmt):
                    continue  # never imported at run time
                targets = import_targets(stmt)
                for target in targets:
                    f = self._report(ctx, mod.path, stmt.pos, target, reported)
                    if f is not None:
                        yield f
                    if api_unavailable(graph, mod.path, target) is not None or f is not None:
                        self._flagged.add((mod.path, target))
        flagged: dict[str, list[str]] = {}  # path -> imported symbols reported (or reportable) there
        for p, t in self._flagged:
            flagged.setdefault(p, []).append(t)
        for func in graph.functions.values():
            if not unavailable_apis(graph, func.path) and not mined_dists_declared(graph, func.path):
                continue  # nothing the file's declarations rule out: no call can be reported
            imported = flagged.get(func.path, ())
            for site in func.calls:
                for symbol in member_symbols(graph, site):
                    if any(symbol == t or symbol.startswith((t + ".", t + "(")) for t in imported):
                        break  # its import is reported already
                    f = self._report(ctx, func.path, site.call.pos, symbol, reported)
                    if f is not None:
                        yield f
                        break

    def _report(self, ctx: RuleContext, path: str, pos: ir.Pos, symbol: str, reported: set) -> Optional[Finding]:
        graph = ctx.graph
        if (path, pos[0]) in reported or range_gap(graph, path, symbol) is not None:
            return None  # (a range that admits releases having it: EPDD006)
        hit = api_unavailable(graph, path, symbol)
        if hit is None:
            return self._report_mined(ctx, path, pos, mined_api_gap(graph, path, symbol), reported)
        avail, source = hit
        if (_llm_symbol(graph, symbol) or is_framework_symbol(graph, symbol)) and \
                not source.predates(avail.available):
            return None  # an LLM SDK/framework API removed in the declared version is LARD001's
        reported.add((path, pos[0]))
        f = self.finding(
            ctx, path, pos,
            f"`{symbol}` exists only in {avail.dist}{avail.available}, but {source.cited(avail.available)}. {avail.message}",
            flow=(FlowStep(Span(source.path, source.line, source.col, source.line, source.end_col),
                           f"{source.versions()} {'pinned' if source.locked else 'declared'} here"),))
        return f

    def _report_mined(self, ctx: RuleContext, path: str, pos: ir.Pos, gap: Optional[MinedGap],
                      reported: set) -> Optional[Finding]:
        """A gap found in the API mined from the wheels (no hand-written catalog entry applies)."""
        if gap is None or (not gap.newer and (_llm_symbol(ctx.graph, gap.symbol)
                                              or is_framework_symbol(ctx.graph, gap.symbol))):
            return None  # an LLM SDK/framework API removed in the installed version is LARD001's
        reported.add((path, pos[0]))
        src = gap.source
        return self.finding(ctx, path, pos, gap.message(),
                            flow=(FlowStep(Span(src.path, src.line, src.col, src.line, src.end_col),
                                           f"{src.versions()} {'pinned' if src.locked else 'declared'} here"),))


def _llm_symbol(graph, symbol: str) -> bool:
    """LLM calls, clients, chat models (and factories) and agents: LARD001 reports those when the
    declared version removed them; this rule when they are newer than the declared version."""
    cat = graph.catalog
    base = symbol.split("()")[0]
    return any(f(s) is not None for s in (symbol, base)
               for f in (cat.llm_call, cat.llm_client, cat.chat_model, cat.chat_model_factory, cat.agent_constructor))
