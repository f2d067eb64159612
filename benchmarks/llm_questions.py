"""Where the LLM checker asks, on the spent real-world batches: every question is answered "no"
(confidence 0.9) by a loopback server, so each question a rule puts to the model becomes a finding
at its code location. Prints the questions sent per kind and each LOPE/ALS label with the
questions within a few lines of it.

    cd /tmp && PYTHONPATH=/path/to/agentable python /path/to/agentable/benchmarks/llm_questions.py \\
        /path/to/agentable/datasets/realworld OUT.jsonl tuning blind ...
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

from agentable import eval as ev
from agentable.config import Config
from agentable.nl_check import Checker
from agentable.scan import ScanOptions, scan
from tests.nl_check.fake_llm import FakeLLM, llm_config, verdict

NEAR = 3  # lines between a question and a label location that still count as "at" it


def main(dataset: Path, out: Path, batches: list[str]) -> None:
    os.environ["OPENAI_API_KEY"] = "test-key"
    os.environ.pop("OPENAI_BASE_URL", None)
    fake = FakeLLM()
    fake.thread.start()
    fake.default = verdict("no", 0.9, "probe")
    kinds: Counter[str] = Counter()
    rows: list[dict] = []
    checkouts = ev._read_dataset(dataset).get("checkouts")
    config = Config().merge_cli(respect_gitignore=False)
    for batch in batches:
        labels, _problems, folders = ev._load(dataset, batch)
        for case, case_labels in labels.items():
            project, inside = ev.case_project(folders[case], dataset / checkouts / case)
            checker = Checker(llm_config(fake, max_calls=10**6, max_tokens_total=10**10, max_seconds=1e6))
            res = scan([project], config, ScanOptions(checker=checker,
                                                      only_files=ev._reported_files(inside, case_labels)))
            found = [ev._rebased(f, inside) for f in res.active]
            kinds.update(checker.sent_by_kind)
            asked = [f for f in found if f.checker_reason]
            rows += [{"t": "q", "batch": batch, "case": case, "rule": f.rule_id, "file": f.span.path,
                      "line": f.span.line, "msg": f.message[:300]} for f in asked]
            for lab in case_labels:
                if lab.category not in ("LOPE", "ALS"):
                    continue
                near = [f"{f.rule_id}:{f.span.path}:{f.span.line}" for f in asked
                        if any(loc.file == f.span.path and loc.start - NEAR <= f.span.line <= loc.end + NEAR
                               for loc in lab.locations)]
                rows.append({"t": "label", "batch": batch, "case": case, "cat": lab.category, "req": lab.required,
                             "locs": [f"{loc.file}:{loc.start}-{loc.end}" for loc in lab.locations],
                             "near_q": near, "found": any(lab.matches(f) for f in found)})
            print(batch, case, dict(checker.sent_by_kind), flush=True)
    rows.append({"t": "kinds", "kinds": dict(kinds)})
    out.write_text("\n".join(json.dumps(r) for r in rows))
    labelled = [r for r in rows if r["t"] == "label"]
    print("questions per kind:", dict(kinds))
    print(f"LOPE/ALS labels with a question at them: {sum(bool(r['near_q']) for r in labelled)} of {len(labelled)} "
          f"({sum(bool(r['near_q']) and r['req'] for r in labelled)} required)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
