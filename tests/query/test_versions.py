"""What a fresh install gets: declared ranges, narrowed by the lock file that governs a file."""

from __future__ import annotations

from pathlib import Path

from agentable.cpg.manifests import parse_manifests
from agentable.cpg.project import ProjectGraph
from agentable.query.versions import lower_bound_gap, lower_bound_provider_gap, version_source
from tests.conftest import graph_of


def graph_with(root: Path, files: dict[str, str]) -> ProjectGraph:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return graph_of({}, parse_manifests(root, [root / r for r in files]))


def lock(*pins: tuple[str, str]) -> str:
    return "version = 1\n" + "".join(f'\n[[package]]\nname = "{n}"\nversion = "{v}"\n' for n, v in pins)


def test_a_lock_decides_within_the_declared_range(tmp_path: Path) -> None:
    g = graph_with(tmp_path, {"pyproject.toml": '[project]\nname = "a"\ndependencies = ["openai>=0.27"]\n',
                              "uv.lock": lock(("openai", "1.40.0"))})
    src = version_source(g, "app/main.py", "openai")
    assert src is not None and src.locked == ("1.40.0",) and (src.path, src.line) == ("uv.lock", 5)
    assert src.excludes("<1.0") and not src.excludes(">=1.0")
    assert src.predates(">=1.66") and not src.predates("<1.0")
    assert src.cited() == "uv.lock:5 pins openai 1.40.0 (pyproject.toml:3 declares openai>=0.27)"


def test_every_fork_of_a_lock_must_lack_the_api(tmp_path: Path) -> None:
    g = graph_with(tmp_path, {"pyproject.toml": '[project]\nname = "a"\ndependencies = ["pydantic"]\n',
                              "uv.lock": lock(("pydantic", "1.10.17"), ("pydantic", "2.9.0"))})
    src = version_source(g, "x.py", "pydantic")
    assert src is not None and src.locked == ("1.10.17", "2.9.0")
    assert not src.excludes(">=2.0")  # one fork has it
    assert src.excludes(">=3")


def test_a_stale_or_foreign_lock_is_not_what_gets_installed(tmp_path: Path) -> None:
    g = graph_with(tmp_path, {
        "pyproject.toml": '[project]\nname = "a"\ndependencies = ["openai>=0.27,<1"]\n',
        "poetry.lock": lock(("openai", "1.40.0")),  # outside the declared range: re-resolved, not installed
        "tools/requirements.txt": "openai>=1.2\n",
        "tools/sub/pdm.lock": lock(("openai", "1.50.0")),
    })
    src = version_source(g, "app.py", "openai")
    assert src is not None and not src.locked and src.specifier == "<1,>=0.27"
    # tools/sub/ is governed by tools/requirements.txt, which a lock below it does not cover
    below = version_source(g, "tools/sub/run.py", "openai")
    assert below is not None and not below.locked and below.path == "tools/requirements.txt"


def test_unknown_versions_give_nothing(tmp_path: Path) -> None:
    g = graph_with(tmp_path, {"requirements.txt": "acme-llm-sdk\n"})
    assert version_source(g, "a.py", "acme-llm-sdk") is None  # unpinned, unlocked, releases unknown
    assert version_source(g, "a.py", "anthropic") is None  # undeclared
    locked_only = graph_with(tmp_path / "b", {"requirements.txt": "langchain-openai\n", "uv.lock": lock(("openai", "1.3.0"))})
    src = version_source(locked_only, "a.py", "openai")  # a transitive pin still decides what is installed
    assert src is not None and src.locked == ("1.3.0",) and src.cited() == "uv.lock:5 pins openai 1.3.0"


def test_without_a_lock_the_newest_admitted_release_is_what_gets_installed(tmp_path: Path) -> None:
    g = graph_with(tmp_path, {"requirements.txt": "openai\nlangchain>=0.3\nanthropic<0.40\n"})
    releases = g.catalog.releases.get("openai")
    assert releases is not None
    src = version_source(g, "a.py", "openai")
    assert src is not None and src.specifier == "" and src.newest == str(releases.releases[0])
    # every release before 1.0 had the module-level API; the newest does not
    assert src.excludes("<1.0") and src.newest_decides("<1.0") and not src.excludes(">=1.0")
    assert "so a fresh install gets openai " + src.newest in src.cited("<1.0")
    assert src.fresh_install().endswith("requirements.txt:1 declares `openai` with no upper bound")
    capped = version_source(g, "a.py", "anthropic")
    assert capped is not None and capped.newest.startswith("0.")  # the newest 0.39.x
    assert not capped.newest_decides(">=0.20")
    # a range that rules the API out altogether is judged on the range, not the newest release
    lc = version_source(g, "a.py", "langchain")
    assert lc is not None and lc.excludes("<0.1") and not lc.newest_decides("<0.1")


def test_a_lower_bound_is_judged_by_the_read_releases_it_admits(tmp_path: Path) -> None:
    g = graph_with(tmp_path, {"requirements.txt": "tavily-python>=0.3.0\ntiktoken\nduckduckgo-search>=2.9.4,<3.9\n"})
    gap = lower_bound_gap(g, "app.py", "tavily.AsyncTavilyClient")
    assert gap is not None and gap.lacking == ("0.3.0",) and gap.since == "0.4.0"
    assert gap.source.line == 1 and gap.source.specifier == ">=0.3.0"
    assert lower_bound_gap(g, "app.py", "tavily.TavilyClient") is None  # every admitted release has it
    assert lower_bound_gap(g, "app.py", "tiktoken.encoding_name_for_model") is None  # no minimum stated
    ddgs = lower_bound_gap(g, "app.py", "duckduckgo_search.DDGS")
    assert ddgs is not None and ddgs.lacking == ("2.9.5",) and ddgs.since == "3.0.2"
    entered = lower_bound_gap(g, "app.py", "duckduckgo_search.DDGS.__enter__")  # `with DDGS() as d`: 3.6 on
    assert entered is not None and entered.lacking[0] == "2.9.5" and entered.since == "3.6.0"
    # AsyncDDGS is missing from the newest admitted release too (3.8.6): mined_api_gap's, not a lower bound's
    assert lower_bound_gap(g, "app.py", "duckduckgo_search.AsyncDDGS") is None


def test_a_pin_or_a_lock_states_no_lower_bound(tmp_path: Path) -> None:
    g = graph_with(tmp_path, {"pyproject.toml": '[project]\nname = "a"\ndependencies = ["tavily-python>=0.3"]\n',
                              "uv.lock": lock(("tavily-python", "0.3.0")),
                              "other/requirements.txt": "tavily-python==0.3.0\n"})
    assert lower_bound_gap(g, "app.py", "tavily.AsyncTavilyClient") is None
    assert lower_bound_gap(g, "other/app.py", "tavily.AsyncTavilyClient") is None


def test_an_import_only_a_requirement_brings_needs_releases_that_require_it(tmp_path: Path) -> None:
    # huggingface-hub 2.x requires httpx2, the 1.x releases read do not
    g = graph_with(tmp_path, {"requirements.txt": "huggingface-hub>=1.28\n",
                              "both/requirements.txt": "huggingface-hub>=1.28\nhttpx2\n",
                              "high/requirements.txt": "huggingface-hub>=2.0\n",
                              "bare/requirements.txt": "huggingface-hub\n"})
    gap = lower_bound_provider_gap(g, "app.py", "httpx2")
    assert gap is not None and (gap.dist, gap.provider, gap.since) == ("huggingface-hub", "httpx2", "2.0.0")
    assert gap.lacking[0] == "1.28.0" and gap.requirement.line == 1
    assert lower_bound_provider_gap(g, "both/app.py", "httpx2") is None  # declared itself
    assert lower_bound_provider_gap(g, "high/app.py", "httpx2") is None  # every admitted release brings it
    assert lower_bound_provider_gap(g, "bare/app.py", "httpx2") is None  # no minimum stated
