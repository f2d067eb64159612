"""Which gaps a declared range owns (EPDD006): older admitted releases have the API, the newest
admitted release lacks it, and no lock or pin decides; with the upper bound to add."""

from __future__ import annotations

from pathlib import Path

from agentable.catalog.api_surface import ApiSurfaceIndex
from agentable.query.range_gaps import keyword_range_gap, range_gap, upper_bound
from agentable.query.versions import version_source
from tests.query.test_versions import graph_with, lock


def test_the_upper_bound_is_the_end_of_the_newest_run_the_range_overlaps() -> None:
    assert upper_bound(">=0.18.0,<0.28.0", ">=0.24.1") == "<0.28.0"
    assert upper_bound(">=0.1.0,<0.3.0 or >=0.5.0,<0.7.0", "") == "<0.7.0"
    assert upper_bound(">=0.1.0,<0.3.0 or >=0.5.0,<0.7.0", "<0.4") == "<0.3.0"
    assert upper_bound(">=0.18.0,<0.28.0", ">=0.28") is None  # no admitted release has it
    assert upper_bound(">=1.0", "") is None  # the newest has it: no bound ends the run


def test_a_called_name_is_not_the_module_of_that_name() -> None:
    surface = ApiSurfaceIndex().get("pettingzoo")
    assert surface is not None
    newest = 0  # bit of the newest read release
    as_module = surface.presence("pettingzoo.utils.agent_selector")
    as_name = surface.name_presence("pettingzoo.utils.agent_selector")
    assert as_module is not None and as_module.have >> newest & 1  # the submodule is there
    assert as_name is not None and not as_name.have >> newest & 1 and as_name.have  # the class is gone
    # a plain function reads the same either way
    assert surface.name_presence("pettingzoo.utils.AgentSelector") == surface.presence("pettingzoo.utils.AgentSelector")


def test_an_unbounded_range_owns_the_gap_and_names_a_bound(tmp_path: Path) -> None:
    g = graph_with(tmp_path, {"requirements.txt": "mistralai\npettingzoo>=1.24.1\n"})
    gap = range_gap(g, "app.py", "mistralai.client.MistralClient")
    assert gap is not None and (gap.source.path, gap.source.line) == ("requirements.txt", 1)
    assert gap.bound == "<1.0.0"  # 2.7.0 is the first read release without it; 1.0.0 starts the next series
    call = range_gap(g, "app.py", "pettingzoo.utils.agent_selector", True)
    assert call is not None and call.bound == "<1.25.0" and call.source.line == 2
    assert range_gap(g, "app.py", "pettingzoo.utils.agent_selector") is None  # importing the module works


def test_a_lock_a_bounded_range_or_no_admitted_release_is_not_the_range(tmp_path: Path) -> None:
    locked = graph_with(tmp_path / "a", {"pyproject.toml": '[project]\nname = "a"\ndependencies = ["mistralai>=0.1"]\n',
                                         "uv.lock": lock(("mistralai", "1.2.0"))})
    assert range_gap(locked, "app.py", "mistralai.client.MistralClient") is None
    bounded = graph_with(tmp_path / "b", {"requirements.txt": "pettingzoo>=1.24.1,<1.25\n"})
    assert range_gap(bounded, "app.py", "pettingzoo.utils.agent_selector", True) is None
    new_only = graph_with(tmp_path / "c", {"requirements.txt": "mistralai>=1.0\n"})
    assert range_gap(new_only, "app.py", "mistralai.client.MistralClient") is None


def test_a_keyword_older_admitted_releases_accepted(tmp_path: Path) -> None:
    g = graph_with(tmp_path, {"requirements.txt": "httpx>=0.24.1\n"})
    src = version_source(g, "app.py", "httpx")
    assert src is not None and not src.locked
    assert keyword_range_gap(g, src, ">=0.18.0,<0.28.0") == "<0.28.0"
    assert keyword_range_gap(g, src, ">=0.18.0,<0.20.0") is None  # the range starts above those
