"""Distribution.series_requirements: a release the miner did not read is judged by the nearest
read release of its minor series (what it installs, not its exact bounds)."""
from packaging.version import Version

from agentable.catalog.releases import Distribution


def _dist() -> Distribution:
    v = Version
    return Distribution(
        name="notes-community",
        releases=(v("0.4.1"), v("0.4.0"), v("0.3.9"), v("0.3.5"), v("0.3.2"), v("0.3.0")),
        requires={v("0.3.0"): ("notes-core (>=0.3,<0.4)", "aiohttp"),
                  v("0.3.9"): ("notes-core<2,>=0.3.7", "aiohttp"),
                  v("0.4.1"): ("notes-core>=1.0",)})


def _names(reqs) -> list[tuple[str, str]]:
    return sorted((r.name, str(r.specifier)) for r in reqs)


def test_a_read_release_gives_its_own_requirements():
    assert _names(_dist().series_requirements(Version("0.3.9"), ())) == [("aiohttp", ""), ("notes-core", "<2,>=0.3.7")]


def test_an_unread_release_takes_the_read_release_below_it_in_its_series():
    assert _names(_dist().series_requirements(Version("0.3.5"), ())) == [("aiohttp", ""), ("notes-core", "<0.4,>=0.3")]


def test_the_first_release_of_a_series_unread_takes_the_one_above():
    assert _names(_dist().series_requirements(Version("0.4.0"), ())) == [("notes-core", ">=1.0")]


def test_a_series_with_no_read_release_is_unknown():
    dist = _dist()
    assert dist.series_requirements(Version("0.2.7"), ()) is None
    assert dist.requirements_at(Version("0.3.5"), ()) is None  # the exact answer stays exact
