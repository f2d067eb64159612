"""scripts/dist_api.py --list: distribution names, and `name==version` lines that ask for an old
release beside the newest minor series."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import dist_api


def test_names_and_exact_releases() -> None:
    names, exact = dist_api.read_list(
        "# comment\nCohere\ncohere==4.0.1  # old chat API\nMistral_AI==0.4.2\n\nhttpx\n")
    assert names == ["cohere", "mistral-ai", "httpx"]
    assert exact == {"cohere": ["4.0.1"], "mistral-ai": ["0.4.2"]}


def test_exact_release_is_picked_beside_the_selection() -> None:
    versions = ["5.1.0", "5.0.0", "4.2.0", "4.1.0", "4.0.1"]
    assert dist_api.picked(versions, 2, False, []) == ["5.1.0", "5.0.0"]
    assert dist_api.picked(versions, 2, False, ["4.0.1"]) == ["5.1.0", "5.0.0", "4.0.1"]
