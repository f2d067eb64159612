"""Does the graph hold model output where a LOPE/ALS/TRE label of the real-world dataset points?

For every label of the chosen categories (of the spent batches), this builds the case's project
graph as `agentable eval` does, then asks the value resolution, for each expression on the
labelled lines, whether it may be model output (an LLMOutput, text or raw response, or a Parsed
structure). A label with none is "untracked": the model output took a way the graph does not
follow (a LangGraph state channel, a container, an attribute, a callback...). The untracked ones
get a first guess at that way from the labelled code's text (`shape`); read the code to confirm.

    cd /tmp && PYTHONPATH=/work/wt-X python /work/wt-X/scripts/taint_coverage.py \
        /work/wt-X/datasets/realworld --batch tuning --batch blind > coverage.tsv

One TSV line per label: batch, case, category, file:line, tracked, shape, the labelled line.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Optional

import agentable.scan as scan_mod
from agentable.config import Config
from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import LLMOutput, Parsed
from agentable.query.graph_state import graph_nodes
from agentable.query.model_derived import model_derived
from agentable.eval import _load, _read_dataset, _reported_files, case_project
from agentable.scan import ScanOptions, scan

SPENT = ["tuning", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8", "blind9",
         "blind10", "blind11"]

# first guesses at the way the value took, from the labelled lines' text (checked in order)
SHAPES: list[tuple[str, re.Pattern[str]]] = [
    ("graph-state", re.compile(r"\bstate\s*(\[|\.get\(|\.\w)|\bState\b|Command\(")),
    ("container-read", re.compile(r"\[-1\]|\.pop\(|\bhistory\b|\bmessages\b|\bresults?\[")),
    ("self-attribute", re.compile(r"\bself\.\w+")),
]


def _graph_of(project: Path, only_files: Optional[set[str]]) -> ProjectGraph:
    """The project graph `agentable scan` builds (rules not run)."""
    captured: list[ProjectGraph] = []

    def capture(graph, rules, checker, **kw):
        captured.append(graph)
        return [], []

    real = scan_mod.run_rules
    scan_mod.run_rules = capture  # type: ignore[assignment]
    try:
        scan([project], Config().merge_cli(respect_gitignore=False), ScanOptions(only_files=only_files))
    finally:
        scan_mod.run_rules = real  # type: ignore[assignment]
    return captured[0]


def model_values_at(g: ProjectGraph, path: str, start: int, end: int) -> tuple[bool, bool]:
    """(a statement on lines start..end exists in the graph, one of its expressions may be model output)."""
    found_stmt = False
    for func in g.functions.values():
        if func.path != path:
            continue
        for e, s in func.expr_walk:
            if not (start <= e.pos[0] <= end):
                continue
            found_stmt = True
            try:
                vals = g.values(e, func, s)
            except Exception:
                continue
            if any(isinstance(v, (LLMOutput, Parsed)) for v in vals):
                return True, True
    return found_stmt, False


def derived_at(g: ProjectGraph, path: str, start: int, end: int) -> str:
    """What `query.model_derived` (which also follows LangGraph state channels, items and fields)
    finds on the lines where the value resolution finds no model output: `node` when the function
    is a node of a state graph, `derived` when model_derived reaches model output."""
    func = g.function_of(path, (start, 0, start, 0))
    if func is None:
        return ""
    tags = ["node"] if func.qualname in graph_nodes(g).graphs_of else []
    for e, s in func.expr_walk:
        if start <= e.pos[0] <= end and model_derived(g, e, func, s) is not None:
            tags.append("derived")
            break
    return "+".join(tags)


def shape_of(text: str) -> str:
    for name, pattern in SHAPES:
        if pattern.search(text):
            return name
    return "other"


def _root(e: ir.Expr) -> ir.Expr:
    while isinstance(e, (ir.Attribute, ir.Subscript)) or (isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute)):
        e = e.func.value if isinstance(e, ir.Call) else e.value  # type: ignore[union-attr]
    return e


def origin_of(g: ProjectGraph, path: str, start: int, end: int) -> str:
    """Where the names read on the labelled lines come from, followed back through local
    assignments: `param:<name>` (`/nocallers` when the function has no project caller),
    `self.<attr>`, `call:<callee>` (a call the graph does not resolve to model output),
    `<how>:<IR class>` for other bindings (`assign:Seq`: a list literal filled later)."""
    out: set[str] = set()
    func = g.function_of(path, (start, 0, start, 0))
    if func is None:
        return ""
    for e, s in func.expr_walk:
        if start <= e.pos[0] <= end and isinstance(e, ir.Name):
            out |= _trace(g, func, e, s, 4)
    return ",".join(sorted(out))[:200]


def _root(e: ir.Expr) -> ir.Expr:
    """The name or call an attribute, item or method chain starts from."""
    while True:
        if isinstance(e, (ir.Attribute, ir.Subscript)):
            e = e.value
        elif isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute):
            e = e.func.value
        else:
            return e


def _self_attr(e: ir.Expr) -> str:
    """`self.<attr>` of the chain `e` starts with (`self.history[-1]` -> `self.history[]`)."""
    x = e
    while not (isinstance(x, ir.Attribute) and isinstance(x.value, ir.Name) and x.value.id == "self"):
        if isinstance(x, ir.Call):
            x = x.func
        elif isinstance(x, (ir.Attribute, ir.Subscript)):
            x = x.value
        else:
            return "self.?"
    return f"self.{x.attr}" + ("[]" if isinstance(e, ir.Subscript) else "")


def _trace(g: ProjectGraph, func: FunctionInfo, e: ir.Expr, s: object, depth: int) -> set[str]:
    r = _root(e)
    if isinstance(r, ir.Call):
        return {f"call:{ir.dotted(r.func) or '?'}"}
    if not isinstance(r, ir.Name) or r.id == "self":
        return set()
    out: set[str] = set()
    for d in g.resolver.local_defs(func, r.id, s):
        v = d.value
        if d.how == "param":
            out.add(f"param:{r.id}" + ("" if g.callers(func) else "/nocallers"))
        elif d.how not in ("assign", "augassign", "walrus", "element", "iter", "with") or v is None or depth <= 0:
            out.add(d.how)
        elif isinstance(v, ir.Call) and not isinstance(v.func, ir.Attribute):
            out.add(f"call:{ir.dotted(v.func) or '?'}")
        elif isinstance(_root(v), ir.Name) and _root(v).id == "self":  # type: ignore[attr-defined]
            out.add(_self_attr(v))
        elif isinstance(_root(v), (ir.Name, ir.Call)):
            suffix = "<iter" if d.how == "iter" else ""
            out |= {x + suffix for x in _trace(g, func, v, d.stmt, depth - 1)}
        else:
            out.add(f"{d.how}:{type(v).__name__}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--batch", action="append", default=[])
    ap.add_argument("--category", action="append", default=[])
    args = ap.parse_args()
    cats = set(args.category or ["LOPE", "ALS", "TRE"])
    data = _read_dataset(args.dataset)
    checkouts = data.get("checkouts")
    for batch in args.batch or SPENT:
        labels, _problems, folders = _load(args.dataset, batch)
        for case, case_labels in labels.items():
            mine = [lab for lab in case_labels if lab.category in cats]
            if not mine:
                continue
            folder = folders[case]
            project, inside = case_project(folder, args.dataset / checkouts / case if checkouts else None)
            g = _graph_of(project, _reported_files(inside, case_labels))
            for lab in mine:
                for loc in lab.locations[:1]:
                    path = f"{inside}/{loc.file}" if inside else loc.file
                    path = str(Path(path)).replace("\\", "/")
                    if not loc.file.endswith(".py"):
                        tracked, shape = "n/a", "not-python"
                        text = ""
                    else:
                        lines = (folder / loc.file).read_text(encoding="utf-8", errors="replace").splitlines()
                        text = " ".join(x.strip() for x in lines[loc.start - 1:loc.end])
                        has, model = model_values_at(g, _normal(path), loc.start, loc.end)
                        tracked = "yes" if model else ("no" if has else "no-code")
                        shape = "" if model else " ".join([shape_of(text), derived_at(g, _normal(path), loc.start, loc.end),
                                                           origin_of(g, _normal(path), loc.start, loc.end)])
                    print("\t".join([batch, case, lab.category, f"{loc.file}:{loc.start}", tracked, shape, text[:160]]))
            sys.stdout.flush()
    return 0


def _normal(path: str) -> str:
    import posixpath
    return posixpath.normpath(path)


if __name__ == "__main__":
    raise SystemExit(main())
