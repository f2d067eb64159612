"""EPDD005: a declared lower bound admits releases that lack an API the code uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from packaging.version import Version

from agentable.cpg import ir
from agentable.cpg.values import ExtRef
from agentable.findings import Finding, FlowStep, Severity, Span
from agentable.query.dependencies import import_targets
from agentable.cpg.manifests import Requirement
from agentable.query.versions import (LowerGap, ProviderGap, VersionSource, lower_bound_gap, lower_bound_provider_gap,
                                      mined_dists_declared)
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.epdd.api_uses import use_is_guarded
from agentable.rules.epdd.helpers import declaration_span, import_is_optional, import_owner



@dataclass
class _Line:
    """One manifest line and what the code needs that the low end of its range lacks."""

    req: Requirement | VersionSource  # the declaration at that line
    uses: dict[str, tuple[str, str, Span, str]] = field(default_factory=dict)  # key -> (text, since, span, step)


class LowerBoundAdmitsMissingApi(Rule):
    meta = RuleMeta(
        id="EPDD005",
        name="lower-bound-admits-missing-api",
        category="EPDD",
        severity=Severity.WARNING,
        short="The declared minimum version of a library lacks an API (or a package) the code uses.",
        full=("A requirement such as `duckduckgo_search>=2.9.4` states the oldest release the code works "
              "with. When the code imports or calls a name that only later releases have (`DDGS`, added in "
              "3.x), an environment that already holds an older admitted release satisfies the "
              "declaration, `pip install -r` leaves it in place, and the agent fails with ImportError or "
              "AttributeError at that use. A fresh install works, which hides the defect from its authors. "
              "Judged from the public API mined from the wheels of the library's releases "
              "(api_surface.pack): the finding is at the manifest line, names the read releases the "
              "range admits that lack the name, and the bound from which every read admitted release has "
              "it. The same holds for an import no declaration names that only one declared "
              "distribution's own requirements install (`import httpx2` with `mcp>=1.0.0`: mcp 2.x requires "
              "httpx2, the 1.x releases do not), judged from each release's mined Requires-Dist "
              "(requires.pack). A range without a lower bound, a lock file's pin and an import guarded by "
              "`except ImportError` (or a `hasattr` test) are not judged."),
        bad_example='# requirements.txt: duckduckgo_search>=2.9.4\nfrom duckduckgo_search import DDGS',
        good_example='# requirements.txt: duckduckgo_search>=3.0.2\nfrom duckduckgo_search import DDGS',
        fix="Raise the lower bound to the first release that has the API, or guard the use.",
        tags=("dependencies", "version", "manifest"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        manifests = getattr(graph, "manifests", None)
        if manifests is None or not manifests.has_manifest():
            return
        lines: dict[tuple[str, int], _Line] = {}

        def line_of(req) -> _Line:
            return lines.setdefault((req.path, req.line), _Line(req))

        for path, pos, symbol, imported in _used_symbols(graph):
            gap = lower_bound_gap(graph, path, symbol) if mined_dists_declared(graph, path) else None
            if gap is not None:
                line_of(gap.source).uses.setdefault(symbol, _api_use(gap, graph.span(path, pos)))
            provided = lower_bound_provider_gap(graph, path, symbol) if imported else None
            if provided is not None:
                line_of(provided.requirement).uses.setdefault(
                    "dist:" + provided.provider, _provider_use(provided, symbol, graph.span(path, pos)))
        for _, line in sorted(lines.items(), key=lambda kv: kv[0]):
            yield self._finding(line)

    def _finding(self, line: _Line) -> Finding:
        req = line.req
        uses = list(line.uses.values())
        since = max((u[1] for u in uses), key=Version)
        more = f" (and {len(uses) - 3} more)" if len(uses) > 3 else ""
        return Finding(
            self.meta.id,
            f"`{req.dist}{req.specifier}` admits releases that lack what the code needs; of the releases read, "
            f"{'; '.join(u[0] for u in uses[:3])}{more}. An environment holding such a release satisfies this "
            f"line and pip keeps it, so the code fails there. Raise the lower bound to `>={since}`, from which "
            f"every read release the range admits has it.",
            declaration_span(req),
            self.meta.severity, self.meta.category,
            flow=tuple(FlowStep(u[2], u[3]) for u in uses))


def _api_use(gap: LowerGap, span: Span) -> tuple[str, str, Span, str]:
    loc = f"{span.path}:{span.line}"
    if gap.symbol.endswith("enter__"):
        text = f"{_shown(gap.symbol)} ({loc}) needs a context manager, which {gap.dist} {_listed(gap.lacking)} lack"
    else:
        text = f"{_shown(gap.symbol)} ({loc}) is missing from {gap.dist} {_listed(gap.lacking)}"
    return text, gap.since, span, f"{_shown(gap.symbol)} used here"


def _provider_use(gap: ProviderGap, dotted: str, span: Span) -> tuple[str, str, Span, str]:
    text = (f"`{dotted}` ({span.path}:{span.line}) is installed only because {gap.dist} requires "
            f"{gap.provider} (no declaration names it), and {gap.dist} {_listed(gap.lacking)} do not "
            f"(their wheel metadata; declaring {gap.provider} also fixes this)")
    return text, gap.since, span, f"`{dotted}` imported here"


def _listed(versions: tuple[str, ...]) -> str:
    return ", ".join(versions) if len(versions) <= 3 else f"{versions[0]} to {versions[-1]} ({len(versions)} read)"


def _used_symbols(graph) -> Iterable[tuple[str, ir.Pos, str, bool]]:
    """(file, position, dotted name, whether an import) of each unguarded import, module-attribute
    call and `with X()` on a library class."""
    for mod in graph.modules.values():
        for stmt in mod.import_stmts:
            owner = import_owner(graph, mod, stmt)
            targets = import_targets(stmt)
            if import_is_optional(owner, stmt) or use_is_guarded(owner, stmt, tuple(t.rpartition(".")[2] for t in targets)):
                continue
            for target in targets:
                yield mod.path, stmt.pos, target, True
    for func in graph.functions.values():
        if not mined_dists_declared(graph, func.path):
            continue
        for path, pos, symbol in _context_managers(graph, func):
            yield path, pos, symbol, False
        for site in func.calls:
            fn = site.call.func
            if not isinstance(fn, ir.Attribute):
                continue
            for v in graph.shallow.values(fn.value, site.func, site.stmt):
                if isinstance(v, ExtRef) and "(" not in v.path and not use_is_guarded(func, site.stmt, (fn.attr,)):
                    yield func.path, site.call.pos, f"{v.path}.{fn.attr}", False


def _context_managers(graph, func) -> Iterable[tuple[str, ir.Pos, str]]:
    """`with pkg.Client() as c` needs `pkg.Client.__enter__` (`__aenter__` for `async with`)."""
    for stmt in func.stmts:
        if not isinstance(stmt, ir.With) or use_is_guarded(func, stmt, ()):
            continue
        dunder = "__aenter__" if stmt.is_async else "__enter__"
        for item in stmt.items:
            made = item.context
            if not isinstance(made, ir.Call):
                continue
            for v in graph.shallow.values(made.func, func, stmt):
                if isinstance(v, ExtRef) and "(" not in v.path:
                    yield func.path, made.pos, f"{v.path}.{dunder}"


def _shown(symbol: str) -> str:
    """`with duckduckgo_search.DDGS()` for a context-manager use, else the dotted name."""
    base, _, last = symbol.rpartition(".")
    if last == "__enter__":
        return f"`with {base}()`"
    return f"`async with {base}()`" if last == "__aenter__" else f"`{symbol}`"
