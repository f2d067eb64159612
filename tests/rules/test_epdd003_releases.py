"""EPDD003's check of declared ranges against what each release requires (catalog.releases)."""

from __future__ import annotations

from packaging.version import Version

from agentable.catalog.releases import Distribution, ReleaseIndex
from agentable.rules.epdd003_conflicting_pins import release_conflict


def dist(name: str, releases: list[str], requires: dict[str, list[str]]) -> Distribution:
    return Distribution(name, tuple(sorted((Version(v) for v in releases), reverse=True)),
                        {Version(v): tuple(r) for v, r in requires.items()})


CORE = dist("core", ["0.2.0", "0.3.0", "0.3.5", "1.0.0", "1.1.0"], {})
GRAPH = dist("graph", ["0.2.0", "0.2.1", "0.2.2", "0.3.0"], {
    "0.2.0": ["core<0.4,>=0.2"], "0.2.2": ["core!=0.3.1,<0.4,>=0.2"], "0.3.0": ["core>=1.0"]})


def test_every_allowed_release_excludes_the_other_range() -> None:
    # 0.2.1 was not read: its series' first and last were, and both clash
    assert release_conflict(GRAPH, ">=0.2,<0.3", (), CORE, ">=1.0,<2") == ("0.2.0 to 0.2.2", "0.2.2", "<0.4,>=0.2")


def test_one_allowed_release_that_fits_is_enough() -> None:
    assert release_conflict(GRAPH, ">=0.2", (), CORE, ">=1.0,<2") is None
    assert release_conflict(GRAPH, ">=0.2,<0.3", (), CORE, ">=0.3,<2") is None


def test_a_series_not_read_is_unknown() -> None:
    partial = dist("graph", ["0.2.0", "0.2.1", "0.2.2"], {"0.2.0": ["core<0.4"]})
    assert release_conflict(partial, "<0.3", (), CORE, ">=1.0") is None


def test_requirements_behind_markers_and_extras() -> None:
    win = dist("tool", ["1.0.0"], {"1.0.0": ["core<0.3; sys_platform == 'win32'", "core>=1.0; extra == 'new'"]})
    assert release_conflict(win, "==1.0.0", (), CORE, "<0.3") is None  # Windows only; extra not asked for
    assert release_conflict(win, "==1.0.0", ("new",), CORE, "<0.3") == ("1.0.0", "1.0.0", ">=1.0")


def test_a_conflict_on_some_pythons_only_is_none() -> None:
    """contourpy 1.1.1's shape: a higher floor only on Python 3.12+, the old one below."""
    plot = dist("plot", ["1.1.1"], {"1.1.1": ["core>=1.0; python_version >= '3.12'",
                                              "core>=0.2; python_version < '3.12'"]})
    pythons = ("3.12", "3.10", "3.11")
    assert release_conflict(plot, "==1.1.1", (), CORE, "==0.3.5", pythons) is None  # installs on 3.10 and 3.11
    assert release_conflict(plot, "==1.1.1", (), CORE, "==0.3.5", ("3.12", "3.13")) == ("1.1.1", "1.1.1", ">=1.0")
    assert release_conflict(plot, "==1.1.1", (), CORE, "==0.3.5") == ("1.1.1", "1.1.1", ">=1.0")  # typical env


def test_no_requirement_on_the_other_is_no_conflict() -> None:
    assert release_conflict(dist("free", ["1.0"], {"1.0": ["other>=2"]}), ">=1", (), CORE, "<0.3") is None


def test_the_shipped_data_loads_and_knows_a_framework() -> None:
    graph = ReleaseIndex().get("LangGraph")
    assert graph is not None and graph.releases and graph.requires
    assert all(graph.releases[i] > graph.releases[i + 1] for i in range(len(graph.releases) - 1))
