"""Discovery on real temporary trees: .gitignore in and out of git, skipped folders, unreadable
sources with their notifications, symlinks, explicit files and excludes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from agentable.files import discover, read_source, skip_reason

HAS_GIT = shutil.which("git") is not None


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An enclosing repository (or the user's global excludes) must not change the "outside git" cases.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)


def put(root: Path, rel: str, data: str | bytes = "x = 1\n") -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def sources(root: Path, paths: list[Path] | None = None, **kw) -> list[str]:
    return [s.rel_path for s in discover(paths or [root], root=root, **kw).sources]


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def tree_with_ignores(root: Path) -> None:
    put(root, ".gitignore", "*.gen.py\nout/\n")
    put(root, "app.py")
    put(root, "model.gen.py")
    put(root, "out/x.py")
    put(root, "pkg/.gitignore", "local.py\n!keep.gen.py\n")
    put(root, "pkg/local.py")
    put(root, "pkg/keep.gen.py")
    put(root, "pkg/mod.py")


EXPECTED_KEPT = ["app.py", "pkg/keep.gen.py", "pkg/mod.py"]


def test_gitignore_outside_git_nested_and_negated(tmp_path: Path) -> None:
    tree_with_ignores(tmp_path)
    assert sources(tmp_path) == EXPECTED_KEPT


@pytest.mark.skipif(not HAS_GIT, reason="git not installed")
def test_gitignore_inside_a_git_work_tree(tmp_path: Path) -> None:
    git_init(tmp_path)
    tree_with_ignores(tmp_path)
    assert sources(tmp_path) == EXPECTED_KEPT


def test_respect_gitignore_false_scans_ignored_files(tmp_path: Path) -> None:
    tree_with_ignores(tmp_path)
    assert sources(tmp_path, respect_gitignore=False) == [
        "app.py", "model.gen.py", "out/x.py", "pkg/keep.gen.py", "pkg/local.py", "pkg/mod.py"]


@pytest.mark.parametrize("use_git", [False, True])
def test_virtualenvs_and_tool_folders_are_skipped(tmp_path: Path, use_git: bool) -> None:
    if use_git:
        if not HAS_GIT:
            pytest.skip("git not installed")
        git_init(tmp_path)
    put(tmp_path, "main.py")
    put(tmp_path, "myenv/pyvenv.cfg", "home = /usr\n")  # any name: pyvenv.cfg marks it
    put(tmp_path, "myenv/lib/tool.py")
    put(tmp_path, "env/plain.py")  # "env" without pyvenv.cfg is an ordinary package
    for skipped in (".venv", "venv", "node_modules", "__pycache__", "build", "dist", ".tox", "x.egg-info"):
        put(tmp_path, f"{skipped}/m.py")
    assert sources(tmp_path, respect_gitignore=use_git) == ["env/plain.py", "main.py"]


def test_unanalysable_sources_are_notifications(tmp_path: Path) -> None:
    put(tmp_path, "ok.py", "name = 'é'\n")
    put(tmp_path, "empty.py", "")
    put(tmp_path, "blob.py", b"x = 1\n\x00\x01\x02")
    put(tmp_path, "huge.py", b"#" * 2_000_001)
    put(tmp_path, "latin.py", "s = 'caf\xe9'\n".encode("latin-1"))
    put(tmp_path, "cookie.py", "# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n".encode("latin-1"))
    disc = discover([tmp_path], root=tmp_path)
    assert [s.rel_path for s in disc.sources] == ["cookie.py", "empty.py", "ok.py"]
    notes = sorted((n.path, n.message, n.kind, n.level) for n in disc.notifications)
    assert notes == [
        ("blob.py", "skipped: binary file", "read", "warning"),
        ("huge.py", "skipped: 1953 KB is larger than the 1953 KB limit", "read", "warning"),
        ("latin.py", "skipped: not valid UTF-8 and no coding declaration", "read", "warning"),
    ]


def test_read_source_decodes_a_coding_cookie_and_repeats_the_checks(tmp_path: Path) -> None:
    put(tmp_path, "cookie.py", "# coding=latin-1\ns = 'caf\xe9'\n".encode("latin-1"))
    put(tmp_path, "big.py", "x = 1\n" * 100)
    disc = discover([tmp_path], root=tmp_path)
    by_name = {s.rel_path: s for s in disc.sources}
    assert read_source(by_name["cookie.py"]) == "# coding=latin-1\ns = 'café'\n".encode("utf-8")
    assert read_source(by_name["big.py"], max_bytes=10) is None
    assert skip_reason(by_name["big.py"], max_bytes=10) == "skipped: 0 KB is larger than the 0 KB limit"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_loop_and_links_out_of_the_root(tmp_path: Path) -> None:
    root, outside = tmp_path / "proj", tmp_path / "elsewhere"
    put(root, "pkg/a.py")
    put(outside, "secret.py")
    os.symlink(root / "pkg", root / "pkg" / "loop")  # pkg/loop -> pkg
    os.symlink(outside, root / "outdir")
    os.symlink(outside / "secret.py", root / "outfile.py")
    os.symlink(root / "pkg" / "a.py", root / "alias.py")  # inside the root: followed
    disc = discover([root], root=root)
    assert [s.rel_path for s in disc.sources] == ["alias.py", "pkg/a.py"]
    notes = sorted((n.path, n.message) for n in disc.notifications)
    assert notes == [
        ("outdir", "symlink points outside the scanned root; skipped"),
        ("outfile.py", "symlink points outside the scanned root; skipped"),
        ("pkg/loop", "symlink loop: folder links back to a parent; skipped"),
    ]


def test_explicit_files_are_kept_unless_forced(tmp_path: Path) -> None:
    put(tmp_path, ".gitignore", "ignored.py\n")
    ignored = put(tmp_path, "ignored.py")
    excluded = put(tmp_path, "gen/excluded.py")
    put(tmp_path, "main.py")
    assert sources(tmp_path, exclude=["gen/"]) == ["main.py"]
    assert sources(tmp_path, [tmp_path, ignored, excluded], exclude=["gen/"]) == [
        "gen/excluded.py", "ignored.py", "main.py"]
    assert sources(tmp_path, [tmp_path, excluded], exclude=["gen/"], force_exclude=True) == ["main.py"]


def test_missing_path_is_a_config_error(tmp_path: Path) -> None:
    disc = discover([tmp_path / "nope"], root=tmp_path)
    assert disc.sources == []
    assert [(n.kind, n.level) for n in disc.notifications] == [("config", "error")]
    assert "nope" in disc.notifications[0].message


def test_manifests_and_module_names(tmp_path: Path) -> None:
    for rel in ("requirements.txt", "requirements-dev.txt", "requirements/base.txt", "reqs.in", "MANIFEST.in",
                "pyproject.toml", "setup.cfg", "sub/Pipfile", "environment.yml", "README.md"):
        put(tmp_path, rel, "")
    put(tmp_path, "setup.py")
    put(tmp_path, "src/pkg/__init__.py")
    put(tmp_path, "src/pkg/sub/mod.py")
    disc = discover([tmp_path], root=tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in disc.manifests) == [
        "environment.yml", "pyproject.toml", "reqs.in", "requirements-dev.txt", "requirements.txt",
        "requirements/base.txt", "setup.cfg", "setup.py", "sub/Pipfile"]
    assert [(s.rel_path, s.module) for s in disc.sources] == [
        ("setup.py", "setup"), ("src/pkg/__init__.py", "pkg"), ("src/pkg/sub/mod.py", "pkg.sub.mod")]


def test_thousands_of_files_are_all_listed(tmp_path: Path) -> None:
    # Speed is measured by benchmarks/, never by a timed assertion here.
    for d in range(10):
        folder = tmp_path / f"p{d}"
        folder.mkdir()
        for f in range(100):
            (folder / f"m{f}.py").write_bytes(b"x = 1\n")
    disc = discover([tmp_path], root=tmp_path)
    assert len(disc.sources) == 1_000
    assert disc.sources[0].rel_path == "p0/m0.py" and disc.sources[-1].rel_path == "p9/m99.py"
