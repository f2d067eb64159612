"""Where the CPU of a scan goes, by phase and by rule (`--jobs 1`, no cache, no LLM).

    python benchmarks/profile_phases.py FOLDER [--profile] [--top 30] [--rules 15]

Runs the steps of `scan()` one after the other in this process, on the deep stack and with the
garbage collector paused as the scan does, timing each with `time.process_time` (CPU seconds: the
wall clock follows the load of a shared machine): discovery, the bare tree-sitter parse (done
again apart, for the ratio), lowering (the parse included), the project graph, the artifact layer
(settings files and artifact links), the agent layer (LLM calls, tools, loops: what every rule
starts from) and each rule. The graph's lazy per-function indexes are paid by whichever phase asks
first (mostly the agent layer). `--profile` adds a cProfile of the same run: the hottest functions
by own time and by cumulative time, as % of the profiled total. The folder is scanned in place,
so name a folder that is a project of its own (a copy outside this repository).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import time
from pathlib import Path
from typing import Callable, TypeVar

from agentable.catalog import load_catalog
from agentable.config import Config
from agentable.cpg.artifacts import ArtifactSet, artifact_links
from agentable.cpg.lower import parse_bytes
from agentable.cpg.manifests import parse_manifests
from agentable.cpg.project import ProjectGraph
from agentable.deep_stack import call_deep
from agentable.files import discover, read_source
from agentable.rule_runner import run_rules
from agentable.rules import all_rules
from agentable.rules.base import offline_checker
from agentable.scan import parse_files, scan_root

T = TypeVar("T")


def phases(folder: Path) -> tuple[list[tuple[str, float]], list[tuple[str, float]], int]:
    """([(phase, CPU s)], [(rule id, CPU s)], lines)."""
    out: list[tuple[str, float]] = []

    def step(name: str, fn: Callable[[], T]) -> T:
        c0 = time.process_time()
        value = fn()
        out.append((name, time.process_time() - c0))
        return value

    config = Config().merge_cli(respect_gitignore=False)
    root = scan_root([folder])
    disc = step("discover", lambda: discover([folder], root=root, exclude=list(config.exclude),
                                             respect_gitignore=False))
    sources = [read_source(sf) or b"" for sf in disc.sources]
    lines = sum(s.count(b"\n") + (not s.endswith(b"\n")) for s in sources)
    step("tree-sitter parse alone (not part of the scan)", lambda: [parse_bytes(s) for s in sources])
    gc.collect()
    gc.disable()
    try:
        modules, _ = step("parse + lowering", lambda: parse_files(disc.sources, 1))
        manifests = step("manifests", lambda: parse_manifests(root, disc.manifests))
        artifacts = ArtifactSet(root, disc.artifacts) if disc.artifacts else None
        catalog = step("catalog", load_catalog)
        graph = step("project graph (modules, functions)", lambda: ProjectGraph(modules, catalog, manifests, artifacts))
        if artifacts is not None:
            step("artifact layer", lambda: (artifacts.model_settings(), artifact_links(graph)))
        agent = graph.agent
        step("agent layer: LLM calls", lambda: agent.llm_calls)
        step("agent layer: tools", lambda: agent.tools)
        step("agent layer: loops", lambda: agent.loops)
        checker = offline_checker()
        rule_times: list[tuple[str, float]] = []
        for rule in all_rules():
            c0 = time.process_time()
            run_rules(graph, [rule], checker)
            rule_times.append((rule.meta.id, time.process_time() - c0))
        out.append(("rules", sum(t for _, t in rule_times)))
    finally:
        gc.enable()
    return out, rule_times, lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--rules", type=int, default=15, help="The N costliest rules.")
    ap.add_argument("--dump", type=Path, default=None, help="Also write the cProfile stats to this file.")
    args = ap.parse_args()
    prof = cProfile.Profile() if args.profile else None
    run = (lambda: prof.runcall(phases, args.folder)) if prof is not None else (lambda: phases(args.folder))
    steps, rule_times, lines = call_deep(run)
    total = sum(t for name, t in steps if "alone" not in name)
    parse_alone = next(t for name, t in steps if "alone" in name)
    print(f"{args.folder}: {lines:,} lines; scan CPU {total:.2f} s = {lines / total:,.0f} lines/s = "
          f"{total / parse_alone:.1f}x a bare parse")
    for name, t in steps:
        share = "" if "alone" in name else f"{100 * t / total:5.1f}%"
        print(f"  {name:<48} {t:7.2f} s  {share}")
    for rid, t in sorted(rule_times, key=lambda x: -x[1])[: args.rules]:
        print(f"    rule {rid:<42} {t:7.2f} s  {100 * t / total:5.1f}%")
    if prof is not None:
        if args.dump is not None:
            prof.dump_stats(str(args.dump))
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(r"agentable", args.top)
        print(buf.getvalue())


if __name__ == "__main__":
    main()
