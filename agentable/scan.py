"""The scan pipeline: discover files, parse them (in worker processes with --jobs), build the
project graph, run the rules, apply suppressions, and return a ScanResult."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import pickle
import re
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Union

from agentable.catalog import load_catalog
from agentable.config import Config
from agentable.cpg import ir
from agentable.cache import ParseCache
from agentable.cpg.artifacts import ArtifactSet, artifact_links
from agentable.cpg.focus import ModuleFacts, focus_paths
from agentable.cpg.lower import NestingTooDeep, lower_source
from agentable.cpg.project import ProjectGraph
from agentable.deep_stack import call_deep
from agentable.file_facts import FileFacts
from agentable.files import MAX_SOURCE_BYTES, SourceFile, is_test_path, discover, read_source, skip_reason
from agentable.findings import Finding, Notification
from agentable.manifest_cache import cached_manifests
from agentable.module_index import ModuleIndex
from agentable.paths import reported_in
from agentable.rules import all_rules
from agentable.rules.categories import PROJECT_WIDE
from agentable.rule_runner import can_fork, ran_out_of_stack, run_rules, run_rules_forked
from agentable.scan_result import ScanResult

if TYPE_CHECKING:  # the checker (and its client) is imported only when the LLM checker is enabled
    from agentable.nl_check import Checker

_SUPPRESS_RE = re.compile(r"#\s*(?:agentable:\s*ignore|noqa)(?:\s*[\[:]\s*([A-Za-z0-9_, ]+)\]?)?", re.I)


@dataclass
class ScanOptions:
    jobs: int = 1
    # Report findings only in these rel paths (pre-commit); entries ending in "/" are folders.
    only_files: Optional[set[str]] = None
    progress: Optional[Callable[[int, int], None]] = None  # (done, total)
    cache_dir: Optional[Path] = None
    checker: Optional[Checker] = None  # when the LLM checker is enabled
    extra_notifications: list[Notification] = field(default_factory=list)


_PARSE_POOL_MIN_JOBS = 4

# What makes a folder a project: a repository, or a dependency declaration (an app with its own
# requirements.txt inside a larger repository is a project of its own).
_PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile", "environment.yml",
                    "environment.yaml")


def _common_dir(resolved: list[Path]) -> Path:
    prefix = []
    for group in zip(*(p.parts for p in resolved), strict=False):  # as long as the shortest path
        if all(x == group[0] for x in group):
            prefix.append(group[0])
        else:
            break
    common = Path(*prefix) if prefix else Path("/")
    return common if common.is_dir() else common.parent


def project_root(start: Path) -> Optional[Path]:
    """The nearest folder at or above `start` holding one of `_PROJECT_MARKERS`."""
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in _PROJECT_MARKERS):
            return folder
    return None


def _resolved_common(paths: list[Path]) -> tuple[list[Path], Path]:
    """The paths resolved, and the folder they share (a single folder is its own)."""
    resolved = [p.resolve() for p in paths]
    return resolved, _common_dir(resolved) if len(resolved) > 1 or not resolved[0].is_dir() else resolved[0]


def scan_root(paths: list[Path]) -> Path:
    """The root that finding paths are relative to, for the library's `scan()`: the folder
    scanned, or the common parent of several; as soon as a file is named, the project holding
    it, so that the rest of the project gives the named files their cross-file context."""
    resolved, common = _resolved_common(paths)
    if any(p.is_file() for p in resolved):
        return project_root(common) or common
    return common


def scan_targets(paths: list[Path]) -> tuple[Path, list[Path], Optional[set[str]]]:
    """(project root, what to discover, which findings to keep) for the PATHS given on the
    command line.

    Configuration, manifests and finding paths come from the project root: the nearest folder
    at or above the paths holding `.git` or a dependency manifest (else the paths' common folder).
    Naming anything below it, files (pre-commit) or folders (`scan src`), analyses the whole
    project (cheap with the cache) and reports only in what was named, so `scan src` and
    `scan .` agree on the findings in src/.
    """
    resolved, common = _resolved_common(paths)
    root = project_root(common) or common
    if all(p == root for p in resolved):
        return root, [root], None
    wanted = set()
    for p in resolved:
        rel = p.relative_to(root).as_posix()
        # A folder named next to files keeps every finding under it ("." is the whole root).
        wanted.add(rel if p.is_file() else ("" if rel == "." else rel + "/"))
    # The named paths too: discovery keeps an explicitly named file that an exclude would skip,
    # and walks a named folder that .gitignore would skip.
    return root, [root, *resolved], wanted


def _lower_one(sf: SourceFile) -> tuple[Optional[ir.Module], list[Notification]]:
    try:
        return _lower(sf)
    except RecursionError:  # nested deeper than even the deep stack allows
        return None, [too_deep(sf.rel_path)]


def _lower(sf: SourceFile) -> tuple[Optional[ir.Module], list[Notification]]:
    data = read_source(sf)
    if data is None:
        return None, [Notification(skip_reason(sf), sf.rel_path, "warning", "read")]
    try:
        mod = lower_source(data, sf.rel_path, sf.module)
    except NestingTooDeep as exc:
        return None, [too_deep(sf.rel_path, str(exc))]
    except RecursionError:
        raise
    except Exception as exc:  # a parser bug must not end the scan
        return None, [Notification(f"could not parse: {exc}", sf.rel_path, "error", "parse")]
    return mod, _syntax_notes(mod)


def _syntax_notes(mod: ir.Module) -> list[Notification]:
    """The notification of a file parsed with errors; made from the module, so a cached module
    reports it on every scan too."""
    if not mod.has_error:
        return []
    lines = ", ".join(str(n) for n in mod.error_lines[:5]) or "?"
    return [Notification(f"syntax error near line {lines}; scanned what could be recovered", mod.path, "warning",
                         "parse")]


def too_deep(path: str, depth: Union[int, str, None] = None) -> Notification:
    levels = f" ({depth:,} levels)" if isinstance(depth, int) else f" ({depth})" if depth else ""
    return Notification(f"could not analyse: nesting too deep{levels}; no findings are reported in this file",
                        path, "warning", "parse")


def _lower_pickled(sf: SourceFile) -> tuple[Optional[bytes], Optional[list[Notification]]]:
    """`_lower` in a parse worker, its module pickled there. A worker has the usual stack: a
    module too deep for it to lower or to pickle comes back as (None, None), to be lowered again
    in the scan's deep thread, instead of failing the whole pool when the pool pickles it."""
    try:
        mod, notes = _lower(sf)
        return (pickle.dumps(mod, protocol=pickle.HIGHEST_PROTOCOL) if mod is not None else None), notes
    except RecursionError:
        return None, None


def _from_worker(sf: SourceFile, data: Optional[bytes], notes: Optional[list[Notification]]
                 ) -> tuple[Optional[ir.Module], list[Notification]]:
    if notes is None:
        return _lower_one(sf)
    return (pickle.loads(data) if data is not None else None), notes


# With 2-3 jobs: the share of the source bytes this process lowers itself, the rest going to one
# forked helper. The helper also pickles what it lowers (measured on autogen, 113k lines: 0.58x
# the lowering) and this process unpickles it (0.38x): s = (1 - s) * (1.58 - 0.38) puts the end of
# this process's share with the helper's near s = 0.55.
_PARENT_SHARE = 0.55
_SPLIT_MIN_FILES = 16  # below this the fork costs more than half the lowering saves


def _lower_many_pickled(todo: list[SourceFile]) -> list[tuple[Optional[bytes], Optional[list[Notification]]]]:
    return [_lower_pickled(sf) for sf in todo]


def _split_lowering(todo: list[SourceFile]) -> Iterator[tuple[Optional[ir.Module], list[Notification]]]:
    """(module, notes) of every file of `todo`, in order: the first files (_PARENT_SHARE of the
    bytes) lowered here while a forked helper lowers the others and sends them back pickled.
    Should the helper fail, its files are lowered here."""
    sizes = [_size(sf) for sf in todo]
    want, acc, cut = _PARENT_SHARE * sum(sizes), 0, len(todo)
    for i, size in enumerate(sizes):
        acc += size
        if acc >= want:
            cut = i + 1
            break
    mine, theirs = todo[:cut], todo[cut:]
    try:
        pool = multiprocessing.get_context("fork").Pool(1)
    except OSError:
        yield from map(_lower_one, todo)
        return
    with pool:
        pending = pool.apply_async(_lower_many_pickled, (theirs,))
        yield from map(_lower_one, mine)
        try:
            results = pending.get()
        except Exception:  # the helper died (out of memory, a signal): lower its files here
            yield from map(_lower_one, theirs)
            return
    for sf, (data, notes) in zip(theirs, results, strict=True):
        yield _from_worker(sf, data, notes)


def _size(sf: SourceFile) -> int:
    try:
        return Path(sf.abs_path).stat().st_size
    except OSError:
        return 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC: lowering and unpickling allocate millions of small acyclic IR
    objects, and the collector would traverse them again and again (measured on 212k lines:
    lowering 7.5 s -> 3.4 s, cache loads 3.0 s -> 0.8 s); graph building and the rules allocate
    the indexes and value sets the same way (on 107k lines: 6.6 s -> 4.9 s, peak memory +1%).
    What the pause allocated is frozen before the collector is re-enabled: the first collections
    after it would otherwise traverse the whole graph while the findings are reported (measured
    on 10 copies of datasets/agenttest: 1.4 s of 7 s CPU). scan() unfreezes it, so the graph's
    cycles are collected later, like the IR's."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def parse_files(sources: list[SourceFile], jobs: int, progress=None, cache=None) -> tuple[list[ir.Module], list[Notification]]:
    modules: list[ir.Module] = []
    notes: list[Notification] = []
    todo: list[SourceFile] = []
    for sf in sources:
        hit = cache.get(sf) if cache is not None else None
        if hit is not None:
            modules.append(hit)
            notes.extend(_syntax_notes(hit))
        else:
            todo.append(sf)
    total = len(sources)
    done = total - len(todo)
    # Lowered IR must be pickled back from a worker: measured on 107k lines, lowering takes 1.45 s,
    # pickling its IR 1.3 s in the workers and unpickling 0.65 s here, so a pool of workers that
    # lower everything pays only from about 4 workers. With 2 or 3 jobs one forked helper lowers
    # part of the files while this process lowers the rest (`_split_lowering`).
    parallel = jobs >= _PARSE_POOL_MIN_JOBS and len(todo) > 8
    split = not parallel and jobs >= 2 and len(todo) >= _SPLIT_MIN_FILES and can_fork(None)
    with ProcessPoolExecutor(max_workers=jobs) if parallel else contextlib.nullcontext() as pool:
        lowered: Iterator[tuple[Optional[ir.Module], list[Notification]]]
        if pool is not None:
            pickled = pool.map(_lower_pickled, todo, chunksize=max(1, len(todo) // (jobs * 8)))
            lowered = (_from_worker(sf, *result) for sf, result in zip(todo, pickled, strict=True))
        elif split:
            lowered = _split_lowering(todo)
        else:
            lowered = map(_lower_one, todo)
        for sf, (mod, n) in zip(todo, lowered, strict=True):
            done += 1
            notes.extend(n)
            if mod is not None:
                modules.append(mod)
                if cache is not None:
                    cache.put(sf, mod)
            if progress:
                progress(done, total)
    modules.sort(key=lambda m: m.path)
    return modules, notes


def _load_modules(sources: list[SourceFile], options: ScanOptions, cache: Optional[ParseCache], focus: bool = True
                  ) -> tuple[list[ir.Module], list[Notification], list[ModuleFacts]]:
    """The modules to analyse, the notifications of reading them, and the facts of the project's
    other modules (which only count in the totals). A pre-commit run naming Python files loads
    only their slice (`cpg/focus.py`), found from the module index, unless `focus` is off; any
    other scan loads every module and brings the index up to date."""
    index = ModuleIndex(cache.root) if cache is not None and cache.enabled else None
    if index is not None and cache is not None and focus and _names_files_only(options.only_files):
        sliced = _named_slice(sources, options, cache, index)
        if sliced is not None:
            return sliced
    modules, notes = parse_files(sources, options.jobs, options.progress, cache)
    if index is not None and cache is not None:
        for mod in modules:
            digest = cache.known_digest(mod.path)
            if digest is not None and index.facts(mod.path, mod.name, digest) is None:
                index.record(digest, ModuleFacts.of(mod))
        index.keep_only({sf.rel_path for sf in sources})
        index.save()
    return modules, notes, []


def _declaration_reaches(f: Finding, only_files: Optional[set[str]]) -> bool:
    """A finding on a manifest line (a range that admits a release without an API) whose steps
    name a use in a reported file: a pre-commit run naming the code that uses it shows it too."""
    return f.category == "EPDD" and not f.span.path.endswith(".py") \
        and any(reported_in(s.span.path, only_files) for s in f.flow)


def _names_files_only(only_files: Optional[set[str]]) -> bool:
    return bool(only_files) and not any(w == "" or w.endswith("/") for w in only_files or ())


def _named_slice(sources: list[SourceFile], options: ScanOptions, cache: ParseCache, index: ModuleIndex
                 ) -> Optional[tuple[list[ir.Module], list[Notification], list[ModuleFacts]]]:
    """(the slice's modules, their notifications, the facts of the modules outside it) for the
    files named in `options.only_files`, or None when the slice is the whole project (or a named
    file is not a module: a manifest or a prompt file reaches every module that may use it).
    Modules whose facts the index lacks (new or edited files) are loaded to read them."""
    assert options.only_files is not None
    facts: list[ModuleFacts] = []
    unknown: list[SourceFile] = []
    for sf in sources:
        digest = cache.digest(sf)
        known = index.facts(sf.rel_path, sf.module, digest) if digest is not None else None
        if known is None:
            unknown.append(sf)
        else:
            facts.append(known)
    loaded, notes = parse_files(unknown, options.jobs, None, cache)
    for mod in loaded:
        mod_facts = ModuleFacts.of(mod)
        facts.append(mod_facts)
        digest = cache.known_digest(mod.path)
        if digest is not None:
            index.record(digest, mod_facts)
    index.keep_only({sf.rel_path for sf in sources})
    index.save()
    facts.sort(key=lambda f: f.path)  # the order parse_files gives the modules
    keep = focus_paths(facts, set(options.only_files))
    if keep is None:
        return None
    have = {m.path for m in loaded}
    for sf in sources:
        if sf.rel_path not in keep:
            cache.keep(sf)  # not loaded, still the project's: its parse cache entry stays
    rest, more_notes = parse_files([sf for sf in sources if sf.rel_path in keep and sf.rel_path not in have],
                                   options.jobs, options.progress, cache)
    modules = sorted([m for m in loaded if m.path in keep] + rest, key=lambda m: m.path)
    return modules, notes + more_notes, [f for f in facts if f.path not in keep]


def _suppressed(f: Finding, lines: list[str], stmt_line: int) -> bool:
    for ln in {f.span.line, stmt_line}:
        if 0 < ln <= len(lines):
            m = _SUPPRESS_RE.search(lines[ln - 1])
            if m:
                codes = m.group(1)
                if not codes:
                    return True
                wanted = {c.strip().upper() for c in codes.split(",") if c.strip()}
                if any(f.rule_id.upper().startswith(c) or f.category == c for c in wanted):
                    return True
    return False


def _has_suppressions(path: str, lines: list[str], cache: dict[str, bool]) -> bool:
    """Only files with a suppression comment need the statement lookup below."""
    hit = cache.get(path)
    if hit is None:
        hit = cache[path] = any(_SUPPRESS_RE.search(ln) for ln in lines if "#" in ln)
    return hit


def _comment_above(lines: list[str], line: int) -> int:
    """In a non-Python file (YAML, TOML, .env, requirements, Jinja), a suppression may stand on a
    comment line of its own just above the reported line (a long YAML value, a Jinja line)."""
    above = lines[line - 2].lstrip() if 1 < line <= len(lines) + 1 else ""
    return line - 1 if above.startswith(("#", "{#")) else line


def _statement_start(mod: ir.Module, line: int) -> int:
    best = line
    for s in ir.walk_stmts(mod.body, into_defs=True):
        if s.pos[0] <= line <= s.pos[2] and not isinstance(
                s, (ir.FunctionDef, ir.ClassDef, ir.If, ir.For, ir.While, ir.Try, ir.With)):
            best = s.pos[0]
    return best


def scan(paths: list[Path], config: Config, options: Optional[ScanOptions] = None) -> ScanResult:
    try:
        # Deeply nested code makes deep recursion in the lowering, the graph and the rules.
        return call_deep(_scan, paths, config, options or ScanOptions())
    finally:
        gc.unfreeze()  # see _scan: the frozen IR becomes collectable again


def _scan(paths: list[Path], config: Config, options: ScanOptions) -> ScanResult:
    started = time.perf_counter()
    root = scan_root(paths)
    facts = FileFacts(options.cache_dir, MAX_SOURCE_BYTES) if options.cache_dir is not None else None
    disc = discover(paths, root=root, exclude=list(config.exclude), respect_gitignore=config.respect_gitignore,
                    max_bytes=MAX_SOURCE_BYTES, facts=facts)
    notifications: list[Notification] = list(options.extra_notifications) + list(disc.notifications)
    rules = [r for r in all_rules() if config.rule_enabled(r.meta.id, r.meta.category, "")]
    digests: dict[Path, bytes] = {}  # abs path -> content digest, read once for both caches
    results, result_key, hit = _result_cache(options, config, disc, root, digests, facts)
    if facts is not None:
        facts.keep_only(set(disc.signatures))
        facts.save()
    if hit is not None:  # nothing changed since the last scan: its result stands
        cached_findings, cached_notes, files_scanned, lines_scanned, cached_sources = hit
        return ScanResult(root=root, findings=cached_findings, notifications=notifications + cached_notes,
                          rules=[r.meta for r in rules], files_scanned=files_scanned, lines_scanned=lines_scanned,
                          duration_s=time.perf_counter() - started, sources=cached_sources)
    cache = ParseCache(options.cache_dir) if options.cache_dir is not None else None
    if cache is not None:
        cache.know_digests({sf.rel_path: digests[sf.abs_path] for sf in disc.sources if sf.abs_path in digests})
    # A named manifest (setup.py is one) governs every module: no slice.
    focus = not (options.only_files and options.only_files & {p.relative_to(root).as_posix() for p in disc.manifests})
    with gc_paused():
        modules, parse_notes, outside = _load_modules(disc.sources, options, cache, focus)
        # The IR lives until the scan ends: frozen, it is skipped by the collections after the
        # pause (reporting) until scan() unfreezes it.
        gc.freeze()
        if cache is not None:
            cache.flush()
        manifests = cached_manifests(root, disc.manifests, cache.root if cache is not None and cache.enabled else None)
        artifacts = ArtifactSet(root, disc.artifacts) if disc.artifacts else None
        raw, rule_notes, modules, only_files, sliced = _analyse(modules, manifests, artifacts, disc.artifacts, rules,
                                                                options, config.include_tests, focus)
        if (sliced or outside) and _judged_on_slice(raw, only_files):
            # The rules that weigh the whole project judge the named files again on all of it.
            every = sorted(modules + _load_rest(disc.sources, outside, options, cache), key=lambda m: m.path)
            wide = [r for r in rules if r.meta.category in PROJECT_WIDE]
            wide_raw, wide_notes, _kept, _only, _sliced = _analyse(every, manifests, artifacts, disc.artifacts, wide,
                                                                   options, config.include_tests, focus=False)
            raw = [f for f in raw if f.category not in PROJECT_WIDE] + wide_raw
            rule_notes += [n for n in wide_notes if n not in rule_notes]
    artifact_notes = list(artifacts.notifications) if artifacts is not None else []
    analysis_notes = [n for n in parse_notes + list(manifests.notifications) + artifact_notes + rule_notes
                      if not n.path or reported_in(n.path, options.only_files)]
    notifications.extend(analysis_notes)
    by_path = {m.path: m for m in modules}
    if options.checker is not None:
        notifications.extend(getattr(options.checker, "notifications", []))

    findings: list[Finding] = []
    seen: set[tuple[str, str, int, int]] = set()
    sources: dict[str, list[str]] = {}
    suppress_cache: dict[str, bool] = {}
    for f in sorted(raw, key=Finding.sort_key):
        key = (f.rule_id, f.span.path, f.span.line, f.span.col)
        if key in seen:
            continue
        seen.add(key)
        if not config.rule_enabled(f.rule_id, f.category, f.span.path):
            continue
        mod = by_path.get(f.span.path)
        if not config.include_tests and is_test_path(f.span.path, mod.source if mod is not None else None):
            continue
        if not reported_in(f.span.path, only_files) and not _declaration_reaches(f, only_files):
            continue
        if f.severity < config.min_severity_level():
            continue
        lines = sources.get(f.span.path)
        if lines is None:
            art_lines = artifacts.lines(f.span.path) if artifacts is not None and mod is None else None
            lines = mod.lines() if mod is not None else (art_lines if art_lines is not None
                                                          else _read_lines(root / f.span.path))
            sources[f.span.path] = lines
        if _has_suppressions(f.span.path, lines, suppress_cache):
            stmt_line = _statement_start(mod, f.span.line) if mod is not None else _comment_above(lines, f.span.line)
            f.suppressed = _suppressed(f, lines, stmt_line)
        if 0 < f.span.line <= len(lines):
            f.snippet = lines[f.span.line - 1]
        findings.append(f)
    from agentable.report.fingerprint import assign_fingerprints

    result = ScanResult(
        root=root,
        findings=findings,
        notifications=notifications,
        rules=[r.meta for r in rules],
        files_scanned=len(modules) + len(outside),
        lines_scanned=sum(m.line_count() for m in modules) + sum(f.lines for f in outside),
        duration_s=time.perf_counter() - started,
        sources=sources,
    )
    assign_fingerprints(result)
    if results is not None and result_key is not None:
        results.put(result_key, (result.findings, analysis_notes, result.files_scanned, result.lines_scanned, sources))
    if options.checker is not None and options.checker.llm_active:
        result.llm_summary = options.checker.summary()
    return result


# A module nested deeper than this many IR levels is dropped when the analysis runs out of stack
# (never before). Every shape of tests/fuzz/program_gen.py was analysed at 10,000 levels on the
# deep stack when it was set, so this leaves a margin for walkers that take more frames a level.
MAX_NESTING = 5_000


def _analyse(modules: list[ir.Module], manifests, artifacts: Optional[ArtifactSet], artifact_paths: list[str],
             rules: list, options: ScanOptions, include_tests: bool = False, focus: bool = True
             ) -> tuple[list[Finding], list[Notification], list[ir.Module], Optional[set[str]], bool]:
    """The rules' findings on the project graph, their notifications and the modules analysed.
    Should the graph or a rule run out of stack, the modules nested deeper than MAX_NESTING are
    left out, each with a notification, and the analysis is done again: a pathological file
    costs its own findings only. Measuring every module's depth up front would cost ~4% of a scan.
    Also returns the files to report in (the named ones, plus what named prompt files link to), and
    whether the graph held only the named files' slice of the modules (`focus`: see `_focused`)."""
    only_files = options.only_files
    sliced = False
    try:
        raw, notes, only_files, sliced = _analyse_once(modules, manifests, artifacts, artifact_paths, rules, options,
                                                       include_tests, focus)
        if not any(ran_out_of_stack(n) for n in notes):
            return raw, notes, modules, only_files, sliced
    except RecursionError as exc:
        raw, notes = [], [Notification(f"could not analyse the project: {exc}", "", "error", "scan")]
    depths = {m.path: ir.nesting_depth(m) for m in modules}
    deep = sorted(path for path, depth in depths.items() if depth > MAX_NESTING)
    if not deep:
        return raw, notes, modules, only_files, sliced
    raw, notes, kept, only_files, sliced = _analyse([m for m in modules if m.path not in deep], manifests, artifacts,
                                                    artifact_paths, rules, options, include_tests, focus)
    return raw, [too_deep(path, depths[path]) for path in deep] + notes, kept, only_files, sliced


def _analyse_once(modules: list[ir.Module], manifests, artifacts: Optional[ArtifactSet], artifact_paths: list[str],
                  rules: list, options: ScanOptions, include_tests: bool = False, focus: bool = True
                  ) -> tuple[list[Finding], list[Notification], Optional[set[str]], bool]:
    kept = _focused(modules, _with_loaders(options.only_files, modules, artifact_paths)) if focus else modules
    graph = ProjectGraph(kept, load_catalog(), manifests, artifacts)
    only_files = options.only_files
    if artifacts is not None:  # read here, not in forked rule workers, so that their notes are kept
        artifacts.model_settings()
        links = artifact_links(graph)
        if only_files:  # a named prompt file: report in the code that loads or fills it in too, and back
            extra = {ld.path for ld in links.loads if ld.artifact in only_files}
            extra |= {r.func.path for r in links.renders if r.load.artifact in only_files}
            extra |= {ld.artifact for ld in links.loads if ld.path in only_files}
            extra |= {r.load.artifact for r in links.renders if r.func.path in only_files}
            only_files = only_files | extra
    report_only = frozenset(only_files) if only_files is not None else None
    forked = run_rules_forked(graph, rules, options.jobs, options.checker, include_tests=include_tests,
                              report_only=report_only) if options.jobs > 1 else None
    raw, notes = forked if forked is not None else run_rules(graph, rules, options.checker, include_tests=include_tests,
                                                             report_only=report_only)
    return raw, notes, only_files, len(kept) < len(modules)


def _judged_on_slice(raw: list[Finding], only_files: Optional[set[str]]) -> bool:
    """Did a rule that weighs the whole project (`PROJECT_WIDE`) report in a named file from a
    slice of the modules? Its finding may come from what the slice left out (another module of
    the same name, a root script that reports the package first, an extra's feature code
    elsewhere), so those rules judge the named files again on every module. A slice that such a
    rule finds nothing in is kept: with fewer modules it has fewer excuses, not more."""
    return any(f.category in PROJECT_WIDE and reported_in(f.span.path, only_files) for f in raw)


def _load_rest(sources: list[SourceFile], outside: list[ModuleFacts], options: ScanOptions,
               cache: Optional[ParseCache]) -> list[ir.Module]:
    """The IR of the modules a pre-commit slice did not load."""
    paths = {f.path for f in outside}
    rest, _notes = parse_files([sf for sf in sources if sf.rel_path in paths], options.jobs, None, cache)
    return rest


def _with_loaders(only_files: Optional[set[str]], modules: list[ir.Module], artifacts: list[str]) -> Optional[set[str]]:
    """The named files plus, for each named prompt/settings file, the modules that may load it
    (those whose source names the file, or hold a `@CrewBase` class for a CrewAI config): the
    slice to analyse, so that a change to a prompt re-checks the code that fills it in (findings
    are then reported in the modules that do load it, see `_scan`)."""
    if not only_files:
        return only_files
    named = [p for p in only_files if p in set(artifacts)]
    if not named:
        return only_files
    out = set(only_files)
    for p in named:
        base = p.rpartition("/")[2]
        crew = base in ("agents.yaml", "agents.yml", "tasks.yaml", "tasks.yml")
        for m in modules:
            if base in m.source or (crew and "CrewBase" in m.source):
                out.add(m.path)
    return out


def _focused(modules: list[ir.Module], only_files: Optional[set[str]]) -> list[ir.Module]:
    """For named files (pre-commit), only the modules that can reach them or that they reach."""
    if not only_files or any(w == "" or w.endswith("/") for w in only_files):
        return modules
    from agentable.cpg.focus import focus_modules

    keep = focus_modules(modules, set(only_files))
    return modules if keep is None else [m for m in modules if m.path in keep]


def _result_cache(options: ScanOptions, config: Config, disc, root: Path, digests: dict[Path, bytes],
                  facts: Optional[FileFacts] = None):
    """(cache, key, cached raw findings or None); off without a cache dir or with the LLM checker."""
    if options.cache_dir is None or getattr(options.checker, "llm_active", False):
        return None, None, None
    from agentable.result_cache import ResultCache, scan_key

    results = ResultCache(options.cache_dir)
    key = scan_key(repr(config) + repr(sorted(options.only_files or ())),
                   [sf.abs_path for sf in disc.sources] + list(disc.manifests) + [root / a for a in disc.artifacts],
                   root, digests, facts, disc.signatures)
    return results, key, (results.get(key) if key is not None else None)


def _read_lines(path: Path) -> list[str]:
    try:
        return [ln.rstrip("\r") for ln in path.read_text(encoding="utf-8", errors="replace").split("\n")]
    except OSError:
        return []
