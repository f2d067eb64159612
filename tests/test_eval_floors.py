"""The labelled benchmark as a regression test: per-category precision and recall may not drop
below the floors in datasets/agenttest/floors.json. Raise a floor when a change lifts a score;
never lower one to make a change pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentable.eval import evaluate

DATASET = Path(__file__).resolve().parent.parent / "datasets" / "agenttest"
FLOORS = json.loads((DATASET / "floors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result():
    return evaluate(DATASET)


def test_labels_resolve(result) -> None:
    assert result.problems == []
    assert result.cases == len(json.loads((DATASET / "labels.json").read_text(encoding="utf-8"))["cases"])


@pytest.mark.parametrize("category", sorted(FLOORS["categories"]))
def test_category_floor(result, category: str) -> None:
    floor = FLOORS["categories"][category]
    score = result.scores[category]
    assert (score.precision or 0.0) >= floor["precision"], f"{category} precision {score.precision:.2f}"
    assert (score.recall or 0.0) >= floor["recall"], f"{category} recall {score.recall:.2f}"


def test_overall_floor(result) -> None:
    overall = result.overall
    assert overall.precision >= FLOORS["overall"]["precision"]
    assert overall.recall >= FLOORS["overall"]["recall"]
