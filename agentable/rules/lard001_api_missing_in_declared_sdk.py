"""LARD001: an LLM API that does not exist in the SDK version range the project declares."""

from __future__ import annotations

from typing import Iterable, Optional

from agentable.cpg import ir
from agentable.cpg.values import ExtRef
from agentable.findings import Finding, Severity
from agentable.query.call_signatures import under_version_test
from agentable.query.models import chat_model_constructions
from agentable.query.range_gaps import range_gap, spec_range_gap
from agentable.query.versions import (VersionSource, api_unavailable, chain_form, is_framework_symbol, mined_api_gap,
                                      undeclared_api_gap, version_source)
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.lard.helpers import ext_paths, run_result_reads


class ApiMissingInDeclaredSdk(Rule):
    meta = RuleMeta(
        id="LARD001",
        name="llm-api-missing-in-declared-sdk",
        category="LARD",
        severity=Severity.ERROR,
        short="The code uses an LLM API that the declared SDK version range does not have.",
        full=("LLM SDKs and frameworks remove and rename their entry points between major versions (openai 1.0 "
              "removed `openai.ChatCompletion`; LangChain moved chat models out of `langchain.chat_models`). "
              "When every version the project's manifest admits lacks the API, when the newest release it admits "
              "(what pip installs into a fresh environment: `openai` or `openai>=0.27` gets the current "
              "major version) lacks it, or when the lock file that a fresh install follows (poetry.lock, "
              "uv.lock, pdm.lock, Pipfile.lock, pylock.toml) pins only such versions, the agent fails at "
              "import or on its first model call in any fresh install. Releases come from the catalog's "
              "mined release list; a distribution it does not list is judged on the declared range only. "
              "Besides the catalog's hand-written entries (which carry replacement advice), any import or "
              "module-attribute call of an SDK or framework is checked against the public API mined from the "
              "wheels of its releases (catalog api_surface.pack): it is reported when the releases a fresh "
              "install gets lack it while other releases read have it; unknown releases and lazily exported "
              "names are never reported. Where the range has no lock and admits releases that have the API while "
              "its newest admitted release lacks it, the declaration is what is wrong: EPDD006 reports that, with "
              "the upper bound to add. A module-level setting that only older releases have (`openai.proxy = url` "
              "with openai>=1) raises nothing: the assignment adds an attribute no code reads and the setting is "
              "silently lost; it is reported as a warning."),
        bad_example='# requirements.txt: openai>=1.30\nopenai.ChatCompletion.create(model="gpt-4o", messages=msgs)',
        good_example='# requirements.txt: openai>=1.30\nOpenAI().chat.completions.create(model="gpt-4o", messages=msgs)',
        fix="Use the API of the declared SDK version (see the replacement named in the message), or change the version pin.",
        tags=("api", "version"),
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        if getattr(graph, "manifests", None) is None:
            return
        reported: set[tuple[str, int]] = set()
        self._flagged_imports: dict[str, set[str]] = {}  # file -> the import targets reported in it
        self._gap_dists: set[tuple[str, str]] = set()  # (file, SDK) reported by _undeclared_gap
        for mod in graph.agent.relevant_modules:
            for stmt in mod.import_stmts:
                if under_version_test(mod.toplevel, stmt):
                    continue  # the branch for the releases that have it
                for target in _import_targets(stmt):
                    spec = _llm_symbol_spec(graph, target)
                    if spec is None and not is_framework_symbol(graph, target):
                        continue
                    line_reported = (mod.path, stmt.pos[0]) in reported
                    found = list(self._check_symbol(ctx, mod.path, stmt.pos, target, spec, reported))
                    if not found and not line_reported:
                        found = list(self._undeclared_gap(ctx, mod.path, stmt.pos, target, reported))
                    # a second name of an import already reported on its line: its uses are covered too
                    if found or (line_reported and (api_unavailable(graph, mod.path, target) is not None
                                                    or mined_api_gap(graph, mod.path, target) is not None)):
                        self._flagged_imports.setdefault(mod.path, set()).add(target)
                    yield from found
                for target in _module_imports(stmt):  # `import langchain.llms`: the mined API only
                    if is_framework_symbol(graph, target):
                        found = list(self._check_symbol(ctx, mod.path, stmt.pos, target, None, reported))
                        if not found:
                            found = list(self._undeclared_gap(ctx, mod.path, stmt.pos, target, reported))
                        if found:
                            self._flagged_imports.setdefault(mod.path, set()).add(target)
                        yield from found
        for c in graph.agent.llm_calls:
            yield from self._check_symbol(ctx, c.func.path, c.call.pos, c.path, c.spec, reported)
        for site, spec in chat_model_constructions(graph):
            for path in ext_paths(graph, site.call, site.func, site.stmt):
                yield from self._check_symbol(ctx, site.func.path, site.call.pos, path, spec, reported)
                break
        for site, exts in graph.agent.external_calls:
            for v in exts:
                spec = graph.catalog.llm_client(v.path) or graph.catalog.agent_constructor(v.path)
                if spec is not None or (("(" not in v.path or chain_form(v.path)) and is_framework_symbol(graph, v.path)):
                    yield from self._check_symbol(ctx, site.func.path, site.call.pos, v.path, spec, reported)
                    break
        for r in run_result_reads(graph):  # `result.data` of an agent run
            yield from self._check_symbol(ctx, r.func.path, r.read.pos, r.symbol, None, reported)
        yield from self._module_settings(ctx, reported)

    def _module_settings(self, ctx: RuleContext, reported: set[tuple[str, int]]) -> Iterable[Finding]:
        """`openai.proxy = url`: a module-level setting that older releases of the SDK read and the
        installed one does not have at all (mined API data). The assignment raises nothing; it adds
        an attribute no code reads, so the setting is silently lost."""
        graph = ctx.graph
        old_code = {path for path, _ in reported}  # files already reported for an API the release lacks:
        for func in graph.functions.values():      # they are written for the older SDK as a whole
            if func.path in old_code:
                continue
            for stmt in func.stmts:
                if not isinstance(stmt, ir.Assign) or (func.path, stmt.pos[0]) in reported:
                    continue
                for t in stmt.targets:
                    symbol = _module_attribute(graph, t, func, stmt)
                    if symbol is None or range_gap(graph, func.path, symbol) is not None:
                        continue  # (older releases the range admits read it: EPDD006's bound)
                    gap = mined_api_gap(graph, func.path, symbol)
                    if gap is None or gap.newer:
                        continue
                    reported.add((func.path, stmt.pos[0]))
                    yield self.finding(
                        ctx, func.path, t.pos,
                        f"`{symbol}` is not a setting of {gap.installed_text()}: of the releases read ({gap.read}), "
                        f"only {gap.dist}{gap.has} has it. Assigning it raises nothing but only adds an attribute "
                        f"no code reads, so the setting is silently ignored; pass it where the installed release "
                        f"takes it (the client's constructor).", severity=Severity.WARNING)

    def _undeclared_gap(self, ctx: RuleContext, path: str, pos: ir.Pos, symbol: str,
                        reported: set[tuple[str, int]]) -> Iterable[Finding]:
        """An import of an API that the newest release of its SDK lacks, from an SDK the file's
        declarations leave out (EPDD001 reports that it is undeclared): declaring the SDK without
        an upper bound, as a user fixing that would, installs the newest release, and the import
        still fails."""
        if (path, pos[0]) in reported:
            return
        gap = undeclared_api_gap(ctx.graph, path, symbol)
        if gap is None or (path, gap.dist) in self._gap_dists:
            return  # one finding per file and SDK: the first import, naming the others
        self._gap_dists.add((path, gap.dist))
        reported.add((path, pos[0]))
        mod = ctx.graph.by_path.get(path)
        others = [f"`{t}` (line {s.pos[0]})" for s in (mod.import_stmts if mod is not None else ())
                  if s.pos[0] > pos[0] for t in _import_targets(s) + _module_imports(s)
                  for g in [undeclared_api_gap(ctx.graph, path, t)] if g is not None and g.dist == gap.dist]
        others = list(dict.fromkeys(others))
        also = f" Nor {'is' if len(others) == 1 else 'are'} {', '.join(others)}." if others else ""
        yield self.finding(
            ctx, path, pos,
            f"`{gap.symbol}` is not in {gap.dist} {gap.newest}, the newest release, which `pip install "
            f"{gap.dist}` gets: no declared dependency installs {gap.dist}, and declaring it without an upper "
            f"bound still fails here.{also} Of the releases read ({gap.read}), only {gap.dist}{gap.has} has it: "
            f"declare such a range, or import it from where newer releases moved it.")

    def _check_symbol(self, ctx: RuleContext, path: str, pos: ir.Pos, symbol: str, spec: object,
                      reported: set[tuple[str, int]]) -> Iterable[Finding]:
        graph = ctx.graph
        if (path, pos[0]) in reported or any(symbol == t or symbol.startswith((t + "(", t + "."))
                                             for t in self._flagged_imports.get(path, ())):
            return
        if range_gap(graph, path, symbol) is not None or spec_range_gap(graph, path, symbol, spec) is not None:
            return  # older releases the range admits have it: the declaration wants a bound (EPDD006)
        hit = api_unavailable(graph, path, symbol)
        message: Optional[str] = None
        if hit is not None:
            avail, source = hit
            if source.predates(avail.available):
                return  # an API newer than the pin: a dependency defect (EPDD002)
            message = f"`{symbol}` does not exist in {_installed(source, avail.available)}. {avail.message}"
        else:
            sdk, available = getattr(spec, "sdk", None), getattr(spec, "available", None)
            source = version_source(graph, path, sdk) if sdk and available else None
            # (`available` is set whenever `source` is)
            if source is not None and available and source.excludes(available) and not source.predates(available):
                repl = getattr(spec, "replacement", None)
                got = source.cited(available) if source.locked or source.newest_decides(available) \
                    else f"the project declares {source.versions()}"
                other = ("use the locked version's API, or pin the SDK below it and re-lock." if source.locked
                         else "use the declared version's API or change the pin.")
                message = (f"`{symbol}` exists only in {sdk}{available}, but {got}; "
                           + (f"use `{repl}` instead." if repl else other))
            elif is_framework_symbol(graph, symbol):
                gap = mined_api_gap(graph, path, symbol)  # the API mined from the SDK's wheels
                if gap is not None and not gap.newer:  # (a newer API is a dependency defect: EPDD002)
                    message = gap.message()
        if message is not None:
            reported.add((path, pos[0]))
            yield self.finding(ctx, path, pos, message)


def _module_attribute(graph, target: ir.Expr, func, stmt: ir.Stmt) -> Optional[str]:
    """`openai.proxy` for the store target `openai.proxy`, when `openai` is an SDK or framework
    module (not an object of it)."""
    if not isinstance(target, ir.Attribute) or not isinstance(target.value, (ir.Name, ir.Attribute)):
        return None
    mods = {v.path for v in graph.values(target.value, func, stmt) if isinstance(v, ExtRef)}
    if len(mods) != 1:
        return None
    mod = mods.pop()
    symbol = f"{mod}.{target.attr}"
    if "(" in mod or not is_framework_symbol(graph, symbol):
        return None
    index = graph.catalog.api_surface  # a module of the SDK, not an object one of its modules holds
    surfaces = [index.get(d) for d in index.dists_for(mod.split(".", 1)[0])]
    return symbol if any(s is not None and mod in s.modules for s in surfaces) else None


def _installed(source: "VersionSource", available: str) -> str:
    """`openai>=1.30 as declared in requirements.txt:3`, for a lock's pin `openai 1.86.0, the
    version poetry.lock:827 pins`, or the newest release a range without a lock installs."""
    if source.newest_decides(available):
        return source.fresh_install()
    if source.locked:
        return f"{source.versions()}, the version {source.path}:{source.line} pins{source.declared_note()}"
    return f"{source.versions()} as declared in {source.path}:{source.line}"


def _import_targets(stmt: ir.Stmt) -> list[str]:
    out: list[str] = []
    if isinstance(stmt, ir.ImportFrom) and stmt.level == 0 and stmt.module:
        out.extend(f"{stmt.module}.{a.name}" for a in stmt.names if a.name != "*")
    return out


def _module_imports(stmt: ir.Stmt) -> list[str]:
    return [a.name for a in stmt.names if "." in a.name] if isinstance(stmt, ir.Import) else []


def _llm_symbol_spec(graph, target: str) -> object:
    """The catalog spec when `target` is an LLM call, client, chat model (or factory) or agent."""
    cat = graph.catalog
    for f in (cat.llm_call, cat.llm_client, cat.chat_model, cat.chat_model_factory, cat.agent_constructor):
        spec = f(target)
        if spec is not None:
            return spec
    return None
