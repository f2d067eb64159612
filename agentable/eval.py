"""`agentable eval`: precision and recall of the rules on a labelled dataset of agents.

A dataset is a folder of case folders plus `labels.json`:
  {"version": 1, "cases": {"<case>": {"framework": ..., "summary": ..., "labels": [
      {"category": "LOPE", "required": true, "why": ...,
       "locations": [{"file": "agent.py", "anchor": "json.loads(raw)", "occurrence": 1}]}]}}}
A label covers the lines of the anchor's occurrence; an anchor on a Python definition's header
(a decorator or its `def`/`class` line) covers the whole header, decorators included, as they are
one statement. A finding matches a label when its category
equals the label's and its line lies in one of the label's locations. Recall counts required
labels that some finding matches; precision counts labels matched (each once) against findings
that match no label at all.

A real-world dataset (datasets/realworld) names a folder for checkouts at its top
("checkouts": "checkouts") and gives each case a repository, commit, sub-folder and batch:
  {"<case>": {"repo": "owner/name", "commit": ..., "path": "examples", "batch": "tuning", "labels": [...]}}
Its case folder is <dataset>/<checkouts>/<case>/<path>, brought by the dataset's fetch.py, and its
label files are relative to that folder.

A dataset may also hold `judgements.tsv` (case, rule, file, line, verdict, reason): a reviewer's
verdict (true / debatable / false) on a finding that no label names. Scores never use it; the
report says how the unlabelled findings were judged, so a reader can tell a wrong finding from a
defect the labels left out.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import json
import posixpath
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from agentable.findings import Finding
from agentable.rules.categories import CATEGORIES

if TYPE_CHECKING:
    from agentable.nl_check import Checker


@dataclass(frozen=True)
class Location:
    file: str
    start: int
    end: int
    line: int = 0  # the anchor's own line, shown in reports (start may reach up to a decorator)

    @property
    def shown(self) -> int:
        return self.line or self.start


@dataclass
class Label:
    case: str
    category: str
    required: bool
    why: str
    locations: list[Location]

    @property
    def outside_python(self) -> bool:
        """Is the defect located (also) in a file that is not Python: a prompt, config or manifest?"""
        return any(not loc.file.endswith(".py") for loc in self.locations)

    def located_at(self, f: Finding) -> bool:
        return any(loc.file == f.span.path and loc.start <= f.span.line <= loc.end for loc in self.locations)

    def matches(self, f: Finding) -> bool:
        return f.category == self.category and self.located_at(f)


@dataclass
class CategoryScore:
    labelled: int = 0  # required labels
    found: int = 0  # required labels matched
    matched: int = 0  # labels matched (required or acceptable), each once
    false: int = 0  # findings matching no label

    @property
    def precision(self) -> Optional[float]:
        total = self.matched + self.false
        return self.matched / total if total else None

    @property
    def recall(self) -> Optional[float]:
        return self.found / self.labelled if self.labelled else None

    @property
    def f1(self) -> Optional[float]:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)


@dataclass
class EvalResult:
    scores: dict[str, CategoryScore]
    misses: list[Label] = field(default_factory=list)
    false_findings: list[tuple[str, Finding]] = field(default_factory=list)
    verdicts: dict[tuple[str, str, str, int], str] = field(default_factory=dict)  # from judgements.tsv
    problems: list[str] = field(default_factory=list)
    # (located outside .py files, required) -> [labels matched, labels]: issue-level question of
    # whether defects in prompts, configs and manifests are found at the rate of the others
    by_place: dict[tuple[bool, bool], list[int]] = field(default_factory=dict)
    # missed required labels with a finding of another category on their lines: reported beside the
    # scores, never counted as found (the category is part of what a label says)
    other_category: list[tuple[Label, Finding]] = field(default_factory=list)
    cases: int = 0
    seconds: float = 0.0

    @property
    def overall(self) -> CategoryScore:
        total = CategoryScore()
        for s in self.scores.values():
            total.labelled += s.labelled
            total.found += s.found
            total.matched += s.matched
            total.false += s.false
        return total


VERDICTS = ("true", "debatable", "false")


def load_judgements(dataset: Path) -> tuple[dict[tuple[str, str, str, int], str], list[str]]:
    """(case, rule, file, line) -> verdict from the dataset's judgements.tsv (empty when absent),
    and a problem per malformed row."""
    path = dataset / "judgements.tsv"
    if not path.is_file():
        return {}, []
    verdicts: dict[tuple[str, str, str, int], str] = {}
    problems: list[str] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            verdict, line = (row.get("verdict") or "").strip(), (row.get("line") or "").strip()
            if verdict not in VERDICTS or not line.isdigit():
                problems.append(f"judgements.tsv:{n}: needs a verdict in {VERDICTS} and a line number")
                continue
            verdicts[(row.get("case") or "", row.get("rule") or "", row.get("file") or "", int(line))] = verdict
    return verdicts, problems


def verdict_of(res: EvalResult, case: str, f: Finding) -> Optional[str]:
    return res.verdicts.get((case, f.rule_id, f.span.path, f.span.line))


def judged_counts(res: EvalResult) -> dict[str, int]:
    """How the findings no label names were judged: verdict (or "not judged") -> count."""
    counts = dict.fromkeys((*VERDICTS, "not judged"), 0)
    for case, f in res.false_findings:
        counts[verdict_of(res, case, f) or "not judged"] += 1
    return counts


def anchor_lines(text: str, anchor: str, occurrence: int = 1) -> Optional[tuple[int, int]]:
    start = -1
    for _ in range(max(1, occurrence)):
        start = text.find(anchor, start + 1)
        if start < 0:
            return None
    first = text.count("\n", 0, start) + 1
    last = first + anchor.rstrip("\n").count("\n")
    return first, last


def definition_header(first: int, last: int, headers: list[tuple[int, int]]) -> tuple[int, int]:
    """The span (first, last) widened to a definition's whole header (first decorator to the
    `def`/`class` line) when it lies within one of `headers` (header_spans); else unchanged."""
    for top, line in headers:
        if top <= first and last <= line:
            return top, line
    return first, last


def header_spans(text: str) -> list[tuple[int, int]]:
    """(first decorator line, `def`/`class` line) of each decorated definition of a Python source;
    none for source that does not parse (it is only parsed, never run)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (invalid escapes in the project's strings)
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.decorator_list:
            out.append((min(d.lineno for d in node.decorator_list), node.lineno))
    return out


# Written by datasets/realworld/fetch.py into a case's checkout when it is complete; names its commit.
FETCH_MARKER = ".realworld-fetch.json"


class MissingCheckouts(Exception):
    """Cases of a real-world dataset whose repositories have not been fetched (or are at another commit)."""

    def __init__(self, dataset: Path, missing: list[str], total: int, batch: Optional[str]) -> None:
        self.missing = missing
        fetch = f"python {(dataset / 'fetch.py').as_posix()}" + (f" --batch {batch}" if batch else "")
        shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        super().__init__(f"{len(missing)} of {total} cases of {dataset.as_posix()} have no checkout at their commit "
                         f"({shown}); fetch them with: {fetch}")


def _read_dataset(dataset: Path) -> dict:
    return json.loads((dataset / "labels.json").read_text(encoding="utf-8"))


def case_folder(dataset: Path, case: str, entry: dict, checkouts: Optional[str] = None) -> Path:
    """The folder a case is scanned in: its own folder, or for a fetched case the sub-folder of its checkout."""
    if checkouts and "repo" in entry:
        path = entry.get("path", "")
        return dataset / checkouts / case / path if path else dataset / checkouts / case
    return dataset / case


def case_project(folder: Path, checkout: Optional[Path]) -> tuple[Path, str]:
    """(folder to scan, sub-folder to report in) for a case, as `agentable scan <folder>` chooses
    them: the nearest project folder at or above the case's folder, up to its checkout's top (so a
    case in a framework's examples folder sees the framework's own manifest, as its users do), and
    the case folder relative to it ("" when they are the same)."""
    from agentable.scan import project_root

    if checkout is None or not folder.is_relative_to(checkout):
        return folder, ""
    root = project_root(folder)
    if root is None or not root.is_relative_to(checkout):
        return folder, ""
    inside = folder.relative_to(root).as_posix()
    return root, "" if inside == "." else inside


def _rebased(f: Finding, inside: str) -> Finding:
    """A finding of a scan of the case's project, with its path relative to the case folder (a
    file outside it as the labels write one: `../llm.py`)."""
    if inside:
        f.span = dataclasses.replace(f.span, path=posixpath.relpath(f.span.path, inside))
    return f


def _reported_files(inside: str, case_labels: list[Label]) -> Optional[set[str]]:
    """What a case's scan reports: its folder, and the files outside it that its labels name
    (`../llm.py`: reviewers who read the folder also labelled defects in the modules it uses, and
    a finding there is scored like any other; other files outside the folder are not scored)."""
    if not inside:
        return None
    named = {posixpath.normpath(posixpath.join(inside, loc.file)) for lab in case_labels for loc in lab.locations}
    return {inside + "/", *(p for p in named if not p.startswith(inside + "/") and not p.startswith(".."))}


def _checkout_present(dataset: Path, checkouts: str, case: str, entry: dict) -> bool:
    try:
        marker = json.loads((dataset / checkouts / case / FETCH_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("commit") == entry.get("commit") and case_folder(dataset, case, entry, checkouts).is_dir()


def batches(dataset: Path) -> set[str]:
    return {e["batch"] for e in _read_dataset(dataset).get("cases", {}).values() if e.get("batch")}


def load_labels(dataset: Path, batch: Optional[str] = None) -> tuple[dict[str, list[Label]], list[str]]:
    """The labels of the dataset's cases (of one batch), with each location resolved to its lines.
    Raises MissingCheckouts when a selected case of a real-world dataset has not been fetched."""
    labels, problems, _ = _load(dataset, batch)
    return labels, problems


def _load(dataset: Path, batch: Optional[str]) -> tuple[dict[str, list[Label]], list[str], dict[str, Path]]:
    data = _read_dataset(dataset)
    checkouts = data.get("checkouts")
    entries = {case: entry for case, entry in sorted(data.get("cases", {}).items())
               if batch is None or entry.get("batch") == batch}
    if checkouts:
        missing = [c for c, e in entries.items() if "repo" in e and not _checkout_present(dataset, checkouts, c, e)]
        if missing:
            raise MissingCheckouts(dataset, missing, len(entries), batch)
    labels: dict[str, list[Label]] = {}
    folders: dict[str, Path] = {}
    problems: list[str] = []
    headers: dict[str, list[tuple[int, int]]] = {}  # per file: its decorated definitions' header spans
    for case, entry in entries.items():
        labels[case] = []
        folder = folders[case] = case_folder(dataset, case, entry, checkouts)
        for raw in entry.get("labels", []):
            locs: list[Location] = []
            for loc in raw["locations"]:
                path = folder / loc["file"]
                try:
                    text = path.read_text(encoding="utf-8")
                except OSError:
                    problems.append(f"{case}: missing file {loc['file']}")
                    continue
                span = anchor_lines(text, loc["anchor"], int(loc.get("occurrence", 1)))
                if span is None:
                    problems.append(f"{case}: anchor not found in {loc['file']}: {loc['anchor']!r}")
                    continue
                line = span[0]
                if loc["file"].endswith(".py"):
                    if str(path) not in headers:
                        headers[str(path)] = header_spans(text)
                    span = definition_header(*span, headers[str(path)])
                locs.append(Location(loc["file"], *span, line))
            labels[case].append(Label(case, raw["category"], bool(raw.get("required", True)), raw.get("why", ""), locs))
    return labels, problems, folders


def evaluate(dataset: Path, checker: Optional[Checker] = None, batch: Optional[str] = None) -> EvalResult:
    """Score the rules on the dataset's cases (only `batch`'s, when given). Raises
    MissingCheckouts when a selected case of a real-world dataset has not been fetched."""
    from agentable.config import Config
    from agentable.scan import ScanOptions, scan

    started = time.perf_counter()
    labels, problems, folders = _load(dataset, batch)
    checkouts = _read_dataset(dataset).get("checkouts")
    scores = {code: CategoryScore() for code in CATEGORIES}
    verdicts, bad_rows = load_judgements(dataset)
    result = EvalResult(scores, verdicts=verdicts, problems=problems + bad_rows)
    config = Config().merge_cli(respect_gitignore=False)
    for case, case_labels in labels.items():
        folder = folders[case]
        if not folder.is_dir():
            result.problems.append(f"{case}: no such case folder")
            continue
        project, inside = case_project(folder, dataset / checkouts / case if checkouts else None)
        options = ScanOptions(checker=checker, only_files=_reported_files(inside, case_labels))
        findings = [_rebased(f, inside) for f in scan([project], config, options).active]
        result.cases += 1
        for lab in case_labels:
            hit = any(lab.matches(f) for f in findings)
            score = scores[lab.category]
            if lab.required:
                score.labelled += 1
                score.found += hit
                if not hit:
                    result.misses.append(lab)
                    near = next((f for f in findings if lab.located_at(f)), None)
                    if near is not None:
                        result.other_category.append((lab, near))
            score.matched += hit
            tally = result.by_place.setdefault((lab.outside_python, lab.required), [0, 0])
            tally[0] += hit
            tally[1] += 1
        for f in findings:
            if not any(lab.matches(f) for lab in case_labels):
                scores.setdefault(f.category, CategoryScore()).false += 1
                result.false_findings.append((case, f))
    result.seconds = time.perf_counter() - started
    return result


def _pct(v: Optional[float]) -> str:
    return "  -  " if v is None else f"{v:5.2f}"


def render_table(res: EvalResult) -> str:
    lines = [f"{'category':<9}{'labelled':>9}{'found':>7}{'false':>7}{'precision':>11}{'recall':>8}{'F1':>7}"]
    rows = [*res.scores.items(), ("overall", res.overall)]
    for code, s in rows:
        lines.append(f"{code:<9}{s.labelled:>9}{s.found:>7}{s.false:>7}{_pct(s.precision):>11}{_pct(s.recall):>8}{_pct(s.f1):>7}")
    return "\n".join(lines)


def render_report(res: EvalResult) -> str:
    out = [render_table(res), ""]
    if res.misses:
        out.append(f"Missed ({len(res.misses)}):")
        for lab in res.misses:
            where = ", ".join(f"{loc.file}:{loc.shown}" for loc in lab.locations) or "?"
            out.append(f"  {lab.case}/{where}  {lab.category}  {lab.why}")
        out.append("")
    if res.false_findings:
        out.append(f"False findings ({len(res.false_findings)}):")
        for case, f in res.false_findings:
            judged = verdict_of(res, case, f)
            mark = f"  [judged {judged}]" if judged else ""
            out.append(f"  {case}/{f.span.path}:{f.span.line}  {f.rule_id}{mark}  {f.message}")
        out.append("")
        if res.verdicts:
            out.append(render_judged(res))
            out.append("")
    if res.by_place:
        out.append(render_places(res))
        out.append("")
    if res.other_category:
        out.append(f"Missed labels with a finding of another category on their lines ({len(res.other_category)}; "
                   "not counted as found):")
        for lab, f in res.other_category:
            out.append(f"  {lab.case}/{f.span.path}:{f.span.line}  label {lab.category}, finding {f.rule_id}")
        out.append("")
    for p in res.problems:
        out.append(f"label problem: {p}")
    out.append(f"{res.cases} cases in {res.seconds:.1f}s")
    return "\n".join(out)


def render_places(res: EvalResult) -> str:
    """Labels found by where the defect lies: Python files, or prompt, config and manifest files."""
    def part(outside: bool) -> str:
        req = res.by_place.get((outside, True), [0, 0])
        opt = res.by_place.get((outside, False), [0, 0])
        return f"{req[0]}/{req[1]} required, {req[0] + opt[0]}/{req[1] + opt[1]} with the acceptable ones"
    return f"Labels found, in .py files: {part(False)}; in other files (prompts, configs, manifests): {part(True)}."


def render_judged(res: EvalResult) -> str:
    """One paragraph: how a reviewer judged the findings no label names, and the precision if those
    judged true counted as true (the table's precision counts only labels)."""
    counts = judged_counts(res)
    overall = res.overall
    true_extra = counts["true"]
    found = overall.matched + overall.false
    widened = (overall.matched + true_extra) / found if found else None
    return (f"Of the {len(res.false_findings)} findings no label names, a reviewer judged {counts['true']} true, "
            f"{counts['debatable']} debatable, {counts['false']} false ({counts['not judged']} not judged); "
            f"counting those judged true, precision would be {_pct(widened).strip()}.")


def to_json(res: EvalResult) -> dict:
    def score(s: CategoryScore) -> dict:
        return {"labelled": s.labelled, "found": s.found, "matched": s.matched, "false": s.false,
                "precision": s.precision, "recall": s.recall, "f1": s.f1}

    return {
        "cases": res.cases,
        "seconds": round(res.seconds, 2),
        "categories": {k: score(v) for k, v in res.scores.items()},
        "overall": score(res.overall),
        "misses": [{"case": lab.case, "category": lab.category, "why": lab.why,
                    "locations": [{"file": x.file, "line": x.shown} for x in lab.locations]} for lab in res.misses],
        "false_findings": [{"case": c, "rule": f.rule_id, "file": f.span.path, "line": f.span.line, "message": f.message,
                            "verdict": verdict_of(res, c, f)} for c, f in res.false_findings],
        "judged": judged_counts(res),
        "labels_by_place": [{"outside_python": o, "required": r, "found": n[0], "labels": n[1]}
                            for (o, r), n in sorted(res.by_place.items())],
        "missed_other_category": [{"case": lab.case, "category": lab.category, "rule": f.rule_id, "file": f.span.path,
                                   "line": f.span.line} for lab, f in res.other_category],
        "problems": res.problems,
    }
