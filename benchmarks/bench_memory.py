"""Where the memory of a scan goes: peak resident memory per line, and what each stage adds.

    python benchmarks/bench_memory.py [--small 10] [--large 40] [--repo PATH ...] [--top-rules 8]

Each corpus is scanned by a fresh process (`--jobs 1`, no cache, no LLM, as `agentable scan`
runs it), which reports its resident memory (VmRSS, Linux) after start-up, after parsing (the
IR of every file), after building the project graph, after the rules, and its peak (ru_maxrss).
Corpora: `--small` and `--large` copies of datasets/agenttest (gen_copies.py: a monorepo of small
apps, each with its own manifest) and every `--repo` given (a large real repository, such as a
checkout of MetaGPT). Prints KB per line of the peak and of each stage's growth, the growth ratio
large / small of the scan's own memory (peak minus start-up: 4.0 for 4x the copies is linear),
and, with `--top-rules N`, the N rules whose run grew the resident memory most on the large
corpus. Figures only: the target (issue: lean memory) is <= 0.6 KB per line; no assertion.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from gen_copies import ensure_copies

# Runs in the child process: argv = corpus, top-rules flag. Prints one JSON object.
_CHILD = r'''
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from bench_scan import run_scan
import agentable.rule_runner as RR
import agentable.scan as S

def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0

out = {"start": rss_mb(), "rules": {}}
per_rule = sys.argv[2] == "1"
parse, graph, run = S.parse_files, S.ProjectGraph, S.run_rules

def parse_files(*a, **k):
    r = parse(*a, **k)
    out["parsed"] = rss_mb()
    return r

def project_graph(*a, **k):
    g = graph(*a, **k)
    out["graph"] = rss_mb()
    return g

class Measured:
    def __init__(self, cls):
        self.cls, self.meta = cls, cls.meta
    def __call__(self):
        inner, rid = self.cls(), self.meta.id
        class R:
            def check(self, ctx):
                before = rss_mb()
                found = list(inner.check(ctx))
                out["rules"][rid] = rss_mb() - before
                return found
        return R()

def run_rules(g, rules, *a, **k):
    r = run(g, [Measured(c) for c in rules] if per_rule else rules, *a, **k)
    out["ruled"] = rss_mb()
    return r

S.parse_files, S.ProjectGraph, S.run_rules = parse_files, project_graph, run_rules
t0 = time.perf_counter()
res = run_scan(Path(sys.argv[1]), 1, None)
out.update(seconds=time.perf_counter() - t0, lines=res.lines_scanned, findings=len(res.findings),
           peak=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out))
'''


def measure(corpus: Path, per_rule: bool = False) -> dict:
    res = subprocess.run([sys.executable, "-c", _CHILD, str(corpus), "1" if per_rule else "0",
                          str(Path(__file__).parent)], check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def kb_per_line(mb: float, lines: int) -> float:
    return mb * 1024 / max(lines, 1)


def report(label: str, m: dict) -> None:
    lines = m["lines"]
    stages = [("parse (IR)", m["parsed"] - m["start"]), ("graph", m["graph"] - m["parsed"]),
              ("rules", m["ruled"] - m["graph"])]
    parts = "  ".join(f"{name} +{mb:.0f} MB ({kb_per_line(mb, lines):.2f})" for name, mb in stages)
    print(f"{label:28s} {lines:8,d} lines  peak {m['peak']:6.0f} MB = {kb_per_line(m['peak'], lines):.2f} KB/line "
          f"(start-up {m['start']:.0f} MB; {m['seconds']:.0f} s, {m['findings']} findings)")
    print(f"{'':28s} growth by stage, MB (KB/line): {parts}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=10)
    ap.add_argument("--large", type=int, default=40)
    ap.add_argument("--repo", type=Path, action="append", default=[], help="A large real repository to scan too.")
    ap.add_argument("--top-rules", type=int, default=8, help="Rules growing memory most on the large corpus (0: off).")
    args = ap.parse_args()
    small = measure(ensure_copies(args.small))
    report(f"copies x{args.small}", small)
    large = measure(ensure_copies(args.large), per_rule=args.top_rules > 0)
    report(f"copies x{args.large}", large)
    own_small, own_large = small["peak"] - small["start"], large["peak"] - large["start"]
    print(f"{'':28s} growth of the scan's own peak x{args.large}/x{args.small}: {own_large / max(own_small, 1):.2f} "
          f"(lines {large['lines'] / max(small['lines'], 1):.2f})")
    if args.top_rules:
        top = sorted(large["rules"].items(), key=lambda kv: -kv[1])[: args.top_rules]
        print(f"{'':28s} rules growing memory most: " + ", ".join(f"{rid} +{mb:.0f} MB" for rid, mb in top))
    for repo in args.repo:
        report(repo.name, measure(repo))


if __name__ == "__main__":
    main()
