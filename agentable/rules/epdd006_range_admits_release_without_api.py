"""EPDD006: a declared range admits a newest release without an API the code uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from packaging.version import InvalidVersion, Version

from agentable.cpg import ir
from agentable.cpg.manifests import Requirement
from agentable.cpg.values import ExtRef
from agentable.findings import Finding, FlowStep, Severity, Span
from agentable.query.call_signatures import rejected_keywords, under_version_test
from agentable.query.dependencies import import_targets
from agentable.query.range_gaps import RangeGap, keyword_range_gap, range_gap, spec_range_gap
from agentable.query.versions import mined_dists_declared, unavailable_apis
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.epdd.api_uses import member_symbols, use_has_fallback, use_is_guarded
from agentable.rules.epdd.helpers import declaration_span, import_is_optional, import_owner
from agentable.rules.epdd.install_routes import install_route, separate_routes


# A handler that names one of these makes a missing callable or keyword a handled case (a
# fallback); `except Exception` around a model call only logs the failure.
_CALL_ERRORS = ("AttributeError", "TypeError", "ImportError", "ModuleNotFoundError")


@dataclass
class _Use:
    path: str
    pos: ir.Pos
    gap: RangeGap
    keyword: str = ""  # a keyword argument the newest admitted release does not accept


class RangeAdmitsReleaseWithoutApi(Rule):
    meta = RuleMeta(
        id="EPDD006",
        name="range-admits-release-without-api",
        category="EPDD",
        severity=Severity.ERROR,
        short="A declared version range admits a newest release that lacks an API the code uses.",
        full=("A requirement with no upper bound (`cohere>=4.3.1`, `httpx>=0.24.1`, or a bare `mistralai`) "
              "admits every later release, and a fresh install without a lock gets the newest one. When the "
              "code uses a name, a class or a keyword argument that releases the range admits have but the "
              "newest has removed (`mistralai.client.MistralClient` gone in 1.0, `httpx.Client(proxies=...)` "
              "in 0.28, `pettingzoo.utils.agent_selector` a module from 1.25), the agent fails at import, "
              "construction or call on every new install, though it worked when the range was written. The "
              "declaration is what is wrong: the message names the upper bound to add (the first release "
              "read without the API). Judged from the catalog's hand-written API "
              "entries and the public API and parameters mined from the wheels of each library's releases "
              "(api_surface.pack). One finding per declaration, at its manifest line (or at the call "
              "that declares it in code), naming every API the newest release lacks with its first import "
              "or use as a step, as one wrong range breaks them all; an object whose class the newest "
              "release lacks counts where it is made, not at each method call. A lock file's or an exact "
              "pin's version, a range under which no release has "
              "the API (LARD001, EPDD002, LARD009) and a use guarded by `except ImportError` (or "
              "`AttributeError`, or a version test) are not this rule's."),
        bad_example=('# requirements.txt: httpx>=0.24.1\n'
                     'client = httpx.Client(proxies=proxy_url)  # httpx 0.28 removed `proxies`'),
        good_example=('# requirements.txt: httpx>=0.24.1,<0.28\n'
                      'client = httpx.Client(proxies=proxy_url)'),
        fix="Add the upper bound the message names to the manifest line, or move the code to the newer API.",
        tags=("dependencies", "version", "manifest"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        manifests = getattr(graph, "manifests", None)
        if manifests is None:
            return  # (a declaration in code counts too: a Modal image's `pip_install("openai")`)
        self._guarded: dict[str, set[str]] = {}  # file -> names bound by its guarded imports
        uses = list(self._imports(graph)) + list(self._calls(graph)) \
            + sorted(self._keywords(graph), key=lambda u: (u.path, u.pos, u.keyword))
        if not ctx.include_tests:  # the finding sits on the manifest, so the scan's test filter cannot drop it
            uses = [u for u in uses if not graph.is_test_code(u.path)]
        kept: dict[tuple[str, int, str], _Use] = {}
        counts: dict[tuple[str, int, str], int] = {}
        for u in uses:  # imports, then constructions and calls, then members and keywords
            src = u.gap.source
            key = (src.path, src.line, u.gap.symbol + (f"({u.keyword}=" if u.keyword else ""))
            prior = next((k for k in kept if k[:2] == key[:2] and not u.keyword
                          and (key[2] == k[2] or key[2].startswith((k[2] + ".", k[2] + "("))) and "=" not in k[2]),
                         None)
            if prior is not None:
                counts[prior] = counts.get(prior, 0) + 1
                continue
            kept[key] = u
        by_declaration: dict[tuple[str, int], list[tuple[str, int, str]]] = {}
        for key in sorted(kept, key=lambda k: (kept[k].path, kept[k].pos, k)):
            by_declaration.setdefault(key[:2], []).append(key)
        for keys in by_declaration.values():  # the declaration is what is wrong: one finding there
            found = [kept[k] for k in keys]
            gap = found[0].gap
            also = separate_routes(manifests, [u.path for u in found], gap.dist,
                                   (gap.source.path, gap.source.line), gap.newest)
            yield self._finding(found, sum(counts.get(k, 0) for k in keys), also)
            for other in also:  # installed without this line's bound: a finding of its own
                yield self._route_finding(found, other)

    def _finding(self, uses: list[_Use], more: int, also: Sequence[Requirement] = ()) -> Finding:
        first = uses[0].gap
        src = first.source
        span = declaration_span(src)
        steps = tuple(FlowStep(Span(u.path, u.pos[0], u.pos[1], u.pos[2], u.pos[3]), f"uses {_shown(u)}")
                      for u in uses) + tuple(FlowStep(declaration_span(r), f"declares {r.raw_name} too") for r in also)
        times = f" ({len(uses) + more} uses)" if more else ""
        admits = (f"`{src.versions()}` admits {first.dist} {first.newest}, the newest release, which a fresh "
                  "install gets")
        if len(uses) == 1:
            u = uses[0]
            again = f", and {more} more time{'s' if more > 1 else ''}" if more else ""
            return Finding(self.meta.id,
                           f"{admits}; it lacks {_shown(u)}, used at {u.path}:{u.pos[0]}{again}. The range is "
                           f"what is wrong: it admits releases that have it ({first.dist}{first.had}, of those "
                           f"read or catalogued) and newer ones that do not; add the upper bound "
                           f"`{first.bound}` here, or move the code to the newer API.{_elsewhere(also)}"
                           f"{_notes(uses)}",
                           span, self.meta.severity, self.meta.category, flow=steps)
        named = ", ".join(f"{_shown(u)} ({u.path}:{u.pos[0]})" for u in uses[:_LISTED])
        rest = f" and {len(uses) - _LISTED} more" if len(uses) > _LISTED else ""
        return Finding(self.meta.id,
                       f"{admits}; it lacks {len(uses)} names the code uses{times}: {named}{rest}. The range "
                       f"is what is wrong: older releases it admits have them; {_bound_advice(uses)}, or move "
                       f"the code to the newer API.{_elsewhere(also)}{_notes(uses)}",
                       span, self.meta.severity, self.meta.category, flow=steps)

    def _route_finding(self, uses: list[_Use], req: Requirement) -> Finding:
        """The finding at another declaration of the distribution, which a fresh install reads
        without the first one (see install_routes)."""
        first = uses[0].gap
        src = first.source
        names = ", ".join(f"{_shown(u)} ({u.path}:{u.pos[0]})" for u in uses[:_LISTED])
        rest = f" and {len(uses) - _LISTED} more" if len(uses) > _LISTED else ""
        steps = (FlowStep(declaration_span(src), f"declares {first.dist} as `{src.versions()}`"),
                 *(FlowStep(Span(u.path, u.pos[0], u.pos[1], u.pos[2], u.pos[3]), f"uses {_shown(u)}") for u in uses))
        return Finding(self.meta.id,
                       f"`{req.raw_name}{req.specifier}` here admits {first.dist} {first.newest}, which lacks "
                       f"{names}{rest}, as does `{src.versions()}` at {src.path}:{src.line}; {install_route(req)} reads "
                       f"this line without that one, so bounding that line alone leaves this install broken. Add the upper bound "
                       f"`{_bound_advice_bound(uses)}` here too, or move the code to the newer API.",
                       declaration_span(req), self.meta.severity, self.meta.category, flow=steps)

    def _imports(self, graph) -> Iterable[_Use]:
        for mod in sorted(graph.modules.values(), key=lambda m: m.path):
            for stmt in mod.import_stmts:
                owner = import_owner(graph, mod, stmt)
                targets = import_targets(stmt)
                if not targets:
                    continue
                if import_is_optional(owner, stmt) or under_version_test(owner, stmt) \
                        or use_is_guarded(owner, stmt, tuple(t.rpartition(".")[2] for t in targets)):
                    # its names may be None or another release's (a fallback): their calls are left alone too
                    self._guarded.setdefault(mod.path, set()).update(
                        (a.asname or a.name).split(".", 1)[0] for a in getattr(stmt, "names", ()))
                    continue
                for target in targets:
                    gap = range_gap(graph, mod.path, target)
                    if gap is not None:
                        yield _Use(mod.path, stmt.pos, gap)

    def _calls(self, graph) -> Iterable[_Use]:
        members: list[_Use] = []
        specs = {(c.func.path, c.call.pos): (c.path, c.spec) for c in graph.agent.llm_calls}
        for func in sorted(graph.functions.values(), key=lambda f: (f.path, f.pos)):
            if not unavailable_apis(graph, func.path) and not mined_dists_declared(graph, func.path) \
                    and graph.manifests.script_scope(func.path) is None:
                continue  # nothing the file's declarations rule out (a script's own, inline, aside)
            guarded = self._guarded.get(func.path, set())
            tested: dict[int, bool] = {}  # the function's `if`s: does the test read a version?
            fallbacks: dict[int, Any] = {}  # its `try`s and `if`s, for use_has_fallback
            for site in func.calls:
                if use_has_fallback(func, site.stmt, _attrs(site.call.func), _CALL_ERRORS, fallbacks) \
                        or under_version_test(func, site.stmt, tested) or _root_name(site.call.func) in guarded:
                    continue
                made = _called(graph, site)
                gap = next((g for g in (range_gap(graph, func.path, p, True) for p in made) if g is not None), None)
                spec = specs.get((func.path, site.call.pos))
                if gap is None and spec is not None:
                    gap = spec_range_gap(graph, func.path, spec[0], spec[1])
                if gap is not None:
                    yield _Use(func.path, site.call.pos, gap)
                    continue
                for symbol in member_symbols(graph, site):
                    found = range_gap(graph, func.path, symbol)
                    if found is not None:
                        members.append(_Use(func.path, site.call.pos, found))
                        break
        yield from members

    def _keywords(self, graph) -> Iterable[_Use]:
        for r in rejected_keywords(graph, any_dist=True):
            bound = keyword_range_gap(graph, r.source, r.accepted)
            if bound is None or use_has_fallback(r.site.func, r.site.stmt, (), _CALL_ERRORS) \
                    or _root_name(r.site.call.func) in self._guarded.get(r.site.func.path, set()):
                continue
            gap = RangeGap(r.callee, r.dist, r.source, r.installed[0], r.accepted, bound)
            yield _Use(r.site.func.path, r.site.call.pos, gap, r.keyword)


_LISTED = 6  # names spelled out in a message; the flow steps carry every use


def _shown(u: _Use) -> str:
    return f"`{u.gap.symbol}` with the keyword `{u.keyword}`" if u.keyword else f"`{u.gap.symbol}`"


def _bound_key(bound: str) -> Version:
    try:
        return Version(bound.lstrip("<"))
    except InvalidVersion:
        return Version("0")


def _bound_advice(uses: list[_Use]) -> str:
    """`add the upper bound `<1.0` here` or, when the names left at different releases, which
    bound keeps which: the lowest keeps them all."""
    groups: dict[Version, list[_Use]] = {}  # `<0.11` and `<0.11.0` are one release
    for u in uses:
        groups.setdefault(_bound_key(u.gap.bound), []).append(u)
    bounds = sorted(groups)
    lowest = groups[bounds[0]][0].gap.bound
    if len(bounds) == 1:
        return f"add the upper bound `{lowest}` here"
    parts = [f"{_shown(groups[b][0])}{'' if len(groups[b]) == 1 else f' and {len(groups[b]) - 1} more'} "
             f"from {groups[b][0].gap.bound.lstrip('<')}" for b in bounds]
    return (f"they left at different releases ({'; '.join(parts)}): add the upper bound `{lowest}` here "
            "to keep them all")


def _bound_advice_bound(uses: list[_Use]) -> str:
    """The bound that keeps every use: the lowest."""
    return min((u.gap.bound for u in uses), key=_bound_key)


def _elsewhere(also: Sequence[Requirement]) -> str:
    """The other declarations a fresh install reads on their own, which want the bound too."""
    if not also:
        return ""
    where = "; ".join(f"`{r.raw_name}{r.specifier}` at {r.path}:{r.line}, which {install_route(r)} reads "
                      "without this line" for r in also)
    return f" The range is declared again: {where}; bound {'it' if len(also) == 1 else 'each'} as well."


def _notes(uses: list[_Use]) -> str:
    """The catalog's advice for the names it has hand-written entries for, each once."""
    notes = list(dict.fromkeys(u.gap.note for u in uses if u.gap.note))
    return "".join(f" {n}" for n in notes)


def _called(graph, site) -> list[str]:
    """The library callables a call reaches (`pkg.func`, `pkg.Class`, `pkg.Class.method`)."""
    return [v.path for v in graph.shallow.values(site.call.func, site.func, site.stmt)
            if isinstance(v, ExtRef) and "(" not in v.path]


def _root_name(e: ir.Expr) -> str:
    """`client` of `client.chat.complete`, `MistralClient` of `MistralClient`: the name a callee hangs from."""
    while isinstance(e, ir.Attribute):
        e = e.value
    return e.id if isinstance(e, ir.Name) else ""


def _attrs(e: ir.Expr) -> tuple[str, ...]:
    """The attribute names along a callee (`beta`, `prompt_caching`, ... of `client.beta.prompt_caching.create`)."""
    out: list[str] = []
    while isinstance(e, ir.Attribute):
        out.append(e.attr)
        e = e.value
    return tuple(out)
