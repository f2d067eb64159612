"""Rules told where findings are reported (`RuleContext.report_only`, the files a pre-commit run
names) may skip work whose findings would land elsewhere; what they report in the named files is
what a run over the whole project reports there."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentable.config import Config
from agentable.paths import reported_in
from agentable.rules.base import RuleContext
from agentable.scan import ScanOptions, scan

# Two small apps, each pinning langchain 0.3 with pydantic v1 (an EPDD003 conflict in each).
PINS = "langchain==0.3.7\npydantic==1.10.13\n"
APP = "import langchain\nimport pydantic\n"


@pytest.fixture()
def monorepo(tmp_path: Path) -> Path:
    for app in ("shop", "blog"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "requirements.txt").write_text(PINS, encoding="utf-8")
        (tmp_path / app / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    return tmp_path


def _found(root: Path, only: set[str] | None) -> set[tuple[str, str, int]]:
    config = Config().merge_cli(respect_gitignore=False)
    result = scan([root], config, ScanOptions(only_files=only))
    return {(f.rule_id, f.span.path, f.span.line) for f in result.findings if f.rule_id == "EPDD003"}


def test_reported_in() -> None:
    assert reported_in("a/b.py", None)
    assert reported_in("a/b.py", {"a/b.py"})
    assert reported_in("a/b.py", {"a/"}) and reported_in("a/b.py", {""})
    assert not reported_in("a/b.py", {"a/c.py"}) and not reported_in("ab/c.py", {"a/"})


def test_context_reports_everywhere_by_default() -> None:
    ctx = RuleContext.of(object(), checker=object())  # type: ignore[arg-type]
    assert ctx.reports_in("any/where.txt")
    named = RuleContext.of(object(), checker=object(), report_only=frozenset({"shop/app.py"}))  # type: ignore[arg-type]
    assert named.reports_in("shop/app.py") and not named.reports_in("shop/requirements.txt")


def test_named_manifest_keeps_its_conflict(monorepo: Path) -> None:
    everywhere = _found(monorepo, None)
    assert {p for _r, p, _l in everywhere} == {"shop/requirements.txt", "blog/requirements.txt"}
    assert _found(monorepo, {"shop/requirements.txt"}) == {f for f in everywhere if f[1] == "shop/requirements.txt"}


def test_named_modules_only_skip_the_manifests(monorepo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run naming only modules reports no conflict, and does not weigh any folder's pins."""
    import agentable.rules.epdd003_conflicting_pins as epdd003

    weighed: list[object] = []
    real = epdd003.ConflictingPins._release_conflicts

    def counting(self, ctx, reqs, seen, reported):  # type: ignore[no-untyped-def]
        weighed.append(reqs)
        return real(self, ctx, reqs, seen, reported)

    monkeypatch.setattr(epdd003.ConflictingPins, "_release_conflicts", counting)
    assert _found(monorepo, {"shop/app.py"}) == set()
    assert weighed == []
    _found(monorepo, None)
    assert len(weighed) == 2
