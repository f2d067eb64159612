"""The real-world benchmark (datasets/realworld): labels.json is well-formed, fetch.py brings trees
(here only with --from, on tiny trees: no network), and `agentable eval` scores fetched cases and
says how to fetch missing ones. Nothing here needs the real checkouts, and nothing scans them."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentable.cli import main
from agentable.eval import FETCH_MARKER, evaluate, render_report, to_json
from agentable.rules.categories import CATEGORIES

BATCHES = ("tuning", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8", "blind9",
           "blind10", "blind11", "blind12", "blind13", "blind14")

DATASET = Path(__file__).resolve().parent.parent / "datasets" / "realworld"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
AGENT = '''import json

from openai import OpenAI

client = OpenAI()


def decide(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
    )
    plan = json.loads(reply.choices[0].message.content)
    return plan["action"]
'''


def _fetch_module():
    spec = importlib.util.spec_from_file_location("realworld_fetch", DATASET / "fetch.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def fetch():
    return _fetch_module()


# --- labels.json -------------------------------------------------------------------------------

def _cases() -> dict:
    return json.loads((DATASET / "labels.json").read_text(encoding="utf-8"))["cases"]


def test_labels_well_formed() -> None:
    data = json.loads((DATASET / "labels.json").read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["checkouts"] == "checkouts"
    cases = data["cases"]
    assert cases
    for cid, case in cases.items():
        assert re.fullmatch(r"[A-Za-z0-9][\w.-]*__[\w.-]+(__[\w.-]+)?", cid), cid
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", case["repo"]), cid
        assert cid.startswith(case["repo"].replace("/", "__")), cid
        assert re.fullmatch(r"[0-9a-f]{40}", case["commit"]), cid
        assert case["batch"] in BATCHES, cid
        assert isinstance(case["path"], str) and not case["path"].startswith("/") and ".." not in case["path"].split("/")
        assert isinstance(case["python_lines"], int) and case["python_lines"] > 0, cid
        assert case["reviewed_files"] and all(isinstance(f, str) for f in case["reviewed_files"]), cid
        assert case["stack"] and case["summary"], cid
        for lab in case["labels"]:
            assert lab["category"] in CATEGORIES, (cid, lab)
            assert isinstance(lab["required"], bool), (cid, lab)
            assert lab["why"].strip(), (cid, lab)
            assert lab["locations"], (cid, lab)
            for loc in lab["locations"]:
                assert loc["file"] and loc["anchor"].strip() and "\n" not in loc["anchor"], (cid, loc)
                assert isinstance(loc["occurrence"], int) and loc["occurrence"] >= 1, (cid, loc)


def test_both_batches_and_distinct_cases() -> None:
    cases = _cases()
    batches = BATCHES
    by_batch = {b: [c for c in cases.values() if c["batch"] == b] for b in batches}
    assert all(by_batch[b] for b in batches)
    assert len({(c["repo"], c["path"]) for c in cases.values()}) == len(cases)


def test_marker_names_agree(fetch) -> None:
    assert fetch.MARKER == FETCH_MARKER


# --- fetch.py --from ---------------------------------------------------------------------------

def _source_tree(root: Path) -> Path:
    src = root / "trees" / "owner__name"
    (src / "app" / "agent" / "tools").mkdir(parents=True)
    (src / "other").mkdir()
    (src / ".git").mkdir()
    (src / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (src / "pyproject.toml").write_text("[project]\nname = 'x'\ndependencies = ['openai>=1.40']\n")
    (src / "README.md").write_text("readme\n")
    (src / "app" / "requirements.txt").write_text("openai>=1.40\n")
    (src / "app" / "agent" / "agent.py").write_text(AGENT)
    (src / "app" / "agent" / "tools" / "search.py").write_text("def search(q):\n    return q\n")
    (src / "other" / "big.py").write_text("x = 1\n")
    (src / "app" / "agent" / "link.py").symlink_to("agent.py")
    return src


def _labels(root: Path, cases: dict) -> Path:
    path = root / "ds" / "labels.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "checkouts": "checkouts", "cases": cases}), encoding="utf-8")
    return path


def _case(path: str, batch: str = "tuning", labels: list | None = None) -> dict:
    return {"repo": "owner/name", "commit": COMMIT, "path": path, "batch": batch, "stack": "openai",
            "summary": "s", "python_lines": 15, "reviewed_files": ["agent.py"], "labels": labels or []}


def test_fetch_from_copies_the_cone_of_the_case_folder(tmp_path: Path, fetch, capsys) -> None:
    _source_tree(tmp_path)
    labels = _labels(tmp_path, {"owner__name__app_agent": _case("app/agent"), "owner__name": _case("", "blind")})
    argv = ["--labels", str(labels), "--from", str(tmp_path / "trees")]
    assert fetch.main(argv) == 0
    sub = tmp_path / "ds" / "checkouts" / "owner__name__app_agent"
    files = sorted(p.relative_to(sub).as_posix() for p in sub.rglob("*") if not p.is_dir())
    # the sub-folder whole, the files of the folders above it, no sibling folders, no .git
    assert files == [FETCH_MARKER, "README.md", "app/agent/agent.py", "app/agent/link.py",
                     "app/agent/tools/search.py", "app/requirements.txt", "pyproject.toml"]
    assert (sub / "app" / "agent" / "link.py").is_symlink()
    marker = json.loads((sub / FETCH_MARKER).read_text())
    assert marker["commit"] == COMMIT and marker["path"] == "app/agent"
    whole = tmp_path / "ds" / "checkouts" / "owner__name"
    assert (whole / "other" / "big.py").is_file() and not (whole / ".git").exists()
    # a second run leaves present cases alone; --force brings them again
    capsys.readouterr()
    assert fetch.main([*argv, "--batch", "tuning"]) == 0
    assert "owner__name__app_agent: present" in capsys.readouterr().out
    (sub / "app" / "agent" / "agent.py").write_text("changed\n")
    assert fetch.main([*argv, "--case", "owner__name__app_agent", "--force"]) == 0
    assert (sub / "app" / "agent" / "agent.py").read_text() == AGENT


def test_fetch_whole_brings_the_sibling_folders_too(tmp_path: Path, fetch, capsys) -> None:
    _source_tree(tmp_path)
    labels = _labels(tmp_path, {"owner__name__app_agent": _case("app/agent")})
    argv = ["--labels", str(labels), "--from", str(tmp_path / "trees")]
    assert fetch.main([*argv, "--whole"]) == 0
    sub = tmp_path / "ds" / "checkouts" / "owner__name__app_agent"
    assert (sub / "other" / "big.py").is_file() and (sub / "app" / "agent" / "agent.py").is_file()
    assert not (sub / ".git").exists() and json.loads((sub / FETCH_MARKER).read_text())["whole"] is True
    # a cone checkout is not the whole one the caller asked for, nor the reverse
    capsys.readouterr()
    assert fetch.main(argv) == 0 and "present" not in capsys.readouterr().out
    assert not (sub / "other").exists()
    assert fetch.main([*argv, "--whole"]) == 0 and (sub / "other" / "big.py").is_file()
    assert fetch.main([*argv, "--batch", "nosuch"]) == 2
    assert "no case is in batch 'nosuch' (batches: tuning)" in capsys.readouterr().err


def test_fetch_from_reports_what_it_cannot_bring(tmp_path: Path, fetch, capsys) -> None:
    _source_tree(tmp_path)
    labels = _labels(tmp_path, {"owner__name__nope": _case("nope"), "owner__name__up": _case("../x"),
                                "other__repo": dict(_case(""), repo="other/repo")})
    assert fetch.main(["--labels", str(labels), "--from", str(tmp_path / "trees")]) == 1
    err = capsys.readouterr().err
    assert "owner__name__nope: FAILED" in err and "owner__name__up: FAILED" in err and "other__repo: FAILED" in err
    checkouts = tmp_path / "ds" / "checkouts"
    assert not checkouts.exists() or not any(checkouts.iterdir())  # nothing half-made is left
    assert fetch.main(["--labels", str(labels), "--case", "nobody__here"]) == 2


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_fetch_with_git_from_a_local_repository(tmp_path: Path, fetch) -> None:
    src = _source_tree(tmp_path)
    shutil.rmtree(src / ".git")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
           "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(tmp_path)}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "one"]):
        subprocess.run(["git", "-c", "core.hooksPath=/dev/null", *args], cwd=src, env=env, check=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=src, env=env, check=True, capture_output=True,
                            text=True).stdout.strip()
    (tmp_path / "remote" / "owner").mkdir(parents=True)
    (tmp_path / "remote" / "owner" / "name").symlink_to(src)
    labels = _labels(tmp_path, {"owner__name__app_agent": dict(_case("app/agent"), commit=commit)})
    assert fetch.main(["--labels", str(labels), "--remote-base", str(tmp_path / "remote")]) == 0
    sub = tmp_path / "ds" / "checkouts" / "owner__name__app_agent"
    assert (sub / "app" / "agent" / "agent.py").read_text() == AGENT
    assert (sub / "pyproject.toml").is_file() and not (sub / "other").exists()
    assert json.loads((sub / FETCH_MARKER).read_text())["commit"] == commit


# --- agentable eval on a fetched dataset --------------------------------------------------------

def _dataset(tmp_path: Path, fetch, fetched: bool = True) -> Path:
    _source_tree(tmp_path)
    lope = {"category": "LOPE", "required": True, "why": "unguarded json.loads of the reply",
            "locations": [{"file": "agent.py", "anchor": "plan = json.loads(", "occurrence": 1}]}
    epdd = {"category": "EPDD", "required": True, "why": "a label above the case's folder",
            "locations": [{"file": "../requirements.txt", "anchor": "openai>=1.40", "occurrence": 1}]}
    labels = _labels(tmp_path, {"owner__name__app_agent": _case("app/agent", labels=[lope, epdd]),
                                "owner__name": _case("", "blind")})
    shutil.copy(DATASET / "fetch.py", labels.parent / "fetch.py")
    if fetched:
        assert fetch.main(["--labels", str(labels), "--from", str(tmp_path / "trees")]) == 0
    return labels.parent


def test_eval_scores_the_case_sub_folder_of_one_batch(tmp_path: Path, fetch) -> None:
    ds = _dataset(tmp_path, fetch)
    res = evaluate(ds, batch="tuning")
    assert res.cases == 1 and res.problems == []
    assert res.scores["LOPE"].found == 1
    assert [m.category for m in res.misses] == ["EPDD"]
    assert all(case == "owner__name__app_agent" for case, _ in res.false_findings)
    # the LOPE label lies in agent.py and is found; the EPDD one in a requirements file, missed
    assert res.by_place == {(False, True): [1, 1], (True, True): [0, 1]}
    assert ("Labels found, in .py files: 1/1 required, 1/1 with the acceptable ones; in other files "
            "(prompts, configs, manifests): 0/1 required, 0/1 with the acceptable ones.") in render_report(res)
    assert {"outside_python": True, "required": True, "found": 0, "labels": 1} in to_json(res)["labels_by_place"]


def test_eval_reports_a_missed_label_with_a_finding_of_another_category_on_its_line(tmp_path: Path, fetch) -> None:
    _source_tree(tmp_path)
    # the reviewer filed the unguarded parse under another category: it stays a miss, reported beside the scores
    tre = {"category": "TRE", "required": True, "why": "filed under another category",
           "locations": [{"file": "agent.py", "anchor": "plan = json.loads(", "occurrence": 1}]}
    labels = _labels(tmp_path, {"owner__name__app_agent": _case("app/agent", labels=[tre])})
    assert fetch.main(["--labels", str(labels), "--from", str(tmp_path / "trees")]) == 0
    res = evaluate(labels.parent, batch="tuning")
    assert res.scores["TRE"].found == 0 and [m.category for m in res.misses] == ["TRE"]
    assert [(lab.category, f.category) for lab, f in res.other_category] == [("TRE", "LOPE")]
    assert "Missed labels with a finding of another category on their lines (1; not counted as found):" in render_report(res)
    [row] = to_json(res)["missed_other_category"]
    assert row["category"] == "TRE" and row["rule"].startswith("LOPE") and row["file"] == "agent.py"


def test_eval_reports_how_unlabelled_findings_were_judged(tmp_path: Path, fetch) -> None:
    ds = _dataset(tmp_path, fetch)
    first = evaluate(ds, batch="tuning")
    case, lope = next((c, f) for c, f in first.false_findings if f.category == "LOPE")
    rows = ["case\trule\tfile\tline\tverdict\treason",
            f"{case}\t{lope.rule_id}\t{lope.span.path}\t{lope.span.line}\ttrue\tthe reply may not be JSON",
            f"{case}\t{lope.rule_id}\t{lope.span.path}\tten\tfalse\tmalformed: no line number"]
    (ds / "judgements.tsv").write_text("\n".join(rows) + "\n")
    res = evaluate(ds, batch="tuning")
    # Scores never use verdicts: the same findings count as false.
    assert res.overall.false == first.overall.false and res.overall.precision == first.overall.precision
    assert res.problems == ["judgements.tsv:3: needs a verdict in ('true', 'debatable', 'false') and a line number"]
    report = render_report(res)
    assert f"{lope.span.path}:{lope.span.line}  {lope.rule_id}  [judged true]" in report
    unjudged = len(res.false_findings) - 1
    assert f"a reviewer judged 1 true, 0 debatable, 0 false ({unjudged} not judged)" in report
    matched, found = res.overall.matched, res.overall.matched + res.overall.false
    assert f"precision would be {(matched + 1) / found:.2f}" in report
    data = to_json(res)
    assert data["judged"] == {"true": 1, "debatable": 0, "false": 0, "not judged": unjudged}
    assert [f["verdict"] for f in data["false_findings"]].count("true") == 1


def test_eval_says_how_to_fetch_missing_checkouts(tmp_path: Path, fetch) -> None:
    ds = _dataset(tmp_path, fetch, fetched=False)
    runner = CliRunner()
    res = runner.invoke(main, ["eval", str(ds)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"fetch them with: python {ds.as_posix()}/fetch.py" in res.output
    assert "2 of 2 cases" in res.output
    res = runner.invoke(main, ["eval", str(ds), "--batch", "tuning"])
    assert res.exit_code == 2 and "fetch.py --batch tuning" in res.output and "1 of 1 cases" in res.output


def test_eval_takes_a_checkout_at_another_commit_as_missing(tmp_path: Path, fetch) -> None:
    ds = _dataset(tmp_path, fetch)
    marker = ds / "checkouts" / "owner__name__app_agent" / FETCH_MARKER
    marker.write_text(json.dumps({"commit": "f" * 40}))
    res = CliRunner().invoke(main, ["eval", str(ds), "--batch", "tuning"])
    assert res.exit_code == 2 and "owner__name__app_agent" in res.output


def test_eval_scores_findings_in_files_outside_the_folder_that_labels_name(tmp_path: Path, fetch) -> None:
    src = _source_tree(tmp_path)
    # app/ (with its requirements.txt) is the project the case folder app/agent belongs to
    (src / "app" / "planner.py").write_text(AGENT)  # labelled, outside the case folder
    (src / "app" / "unread.py").write_text(AGENT)  # the same defect in a file no label names
    lope = {"category": "LOPE", "required": True, "why": "unguarded json.loads of the reply in a module the agent uses",
            "locations": [{"file": "../planner.py", "anchor": "plan = json.loads(", "occurrence": 1}]}
    labels = _labels(tmp_path, {"owner__name__app_agent": _case("app/agent", labels=[lope])})
    shutil.copy(DATASET / "fetch.py", labels.parent / "fetch.py")
    assert fetch.main(["--labels", str(labels), "--from", str(tmp_path / "trees"), "--whole"]) == 0
    res = evaluate(labels.parent)
    assert res.scores["LOPE"].found == 1 and res.misses == []
    paths = {f.span.path for _case_id, f in res.false_findings}
    assert "../unread.py" not in paths and "../planner.py" not in paths
    assert "agent.py" in paths  # the folder's own finding still counts (no label names it here)


def test_eval_batch_needs_batches(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["eval", str(DATASET.parent / "holdout"), "--batch", "blind"])
    assert res.exit_code == 2 and "no cases in batch" in res.output


def test_eval_takes_any_batch_the_dataset_has(tmp_path: Path, fetch) -> None:
    ds = _dataset(tmp_path, fetch)
    data = json.loads((ds / "labels.json").read_text())
    data["cases"]["owner__name__app_agent"]["batch"] = "held-out-3"
    (ds / "labels.json").write_text(json.dumps(data))
    runner = CliRunner()
    res = runner.invoke(main, ["eval", str(ds), "--batch", "held-out-3"])
    assert res.exit_code == 0 and "1 case" in res.output, res.output
    res = runner.invoke(main, ["eval", str(ds), "--batch", "nosuch"])
    assert res.exit_code == 2 and "its batches: blind, held-out-3" in res.output


def test_eval_scans_a_case_folder_as_part_of_its_project(tmp_path: Path, fetch) -> None:
    """A case that is a folder of a library's repository (its examples) is scanned as `agentable
    scan examples` scans it there: with the repository's manifests, so the examples' import of the
    library itself is no undeclared dependency, and only findings inside the folder count."""
    src = tmp_path / "trees" / "owner__name"
    (src / "src" / "tidewater").mkdir(parents=True)
    (src / "examples" / "triage").mkdir(parents=True)
    (src / "pyproject.toml").write_text("[project]\nname = 'tidewater'\ndependencies = ['openai>=1.40']\n")
    (src / "src" / "tidewater" / "__init__.py").write_text("import requests\n")  # outside the case folder
    (src / "examples" / "triage" / "requirements.txt").write_text("fastapi>=0.110\n")
    (src / "examples" / "triage" / "server.py").write_text("import fastapi\nimport tidewater\nimport yaml\n")
    epdd = {"category": "EPDD", "required": True, "why": "PyYAML is not declared",
            "locations": [{"file": "triage/server.py", "anchor": "import yaml", "occurrence": 1}]}
    labels = _labels(tmp_path, {"owner__name__examples": _case("examples", labels=[epdd])})
    assert fetch.main(["--labels", str(labels), "--from", str(tmp_path / "trees")]) == 0
    res = evaluate(labels.parent)
    assert res.problems == [] and res.misses == []
    assert res.false_findings == []
