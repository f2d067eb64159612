"""File discovery on real temporary trees: .gitignore inside and outside git (nested and negated
patterns), skipped folders, explicit files, user excludes, unreadable sources and their
notifications, symlinks, manifests, module names and large trees."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from agentable.files import SourceFile, discover, module_name, read_source, skip_reason

HAS_GIT = shutil.which("git") is not None


@pytest.fixture(autouse=True)
def _isolated_from_git_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git must not find a repository above tmp_path (the "outside git" cases would be inside one),
    and the user's global git config (global excludes) must not change what is ignored."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)


def write(root: Path, rel: str, text: str | bytes = "x = 1\n") -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)


def sources(root: Path, *paths: Path, **kw) -> list[str]:
    disc = discover(list(paths) or [root], root=root, **kw)
    return [s.rel_path for s in disc.sources]


def ignore_tree(root: Path) -> None:
    write(root, ".gitignore", "ignored.py\ngenerated/\n*.tmp.py\n")
    write(root, "main.py")
    write(root, "ignored.py")
    write(root, "generated/out.py")
    write(root, "scratch.tmp.py")
    write(root, "sub/.gitignore", "local.py\n!keep.tmp.py\n")
    write(root, "sub/local.py")
    write(root, "sub/keep.py")
    write(root, "sub/keep.tmp.py")  # re-included by the nested .gitignore
    write(root, "other/local.py")  # the nested .gitignore does not reach here


IGNORED_TREE_KEPT = ["main.py", "other/local.py", "sub/keep.py", "sub/keep.tmp.py"]
IGNORED_TREE_ALL = ["generated/out.py", "ignored.py", "main.py", "other/local.py", "scratch.tmp.py",
                    "sub/keep.py", "sub/keep.tmp.py", "sub/local.py"]


def negated_ignore_tree(root: Path) -> None:
    """A second tree: a suffix pattern at the root, re-included by a nested .gitignore's negation."""
    write(root, ".gitignore", "*.gen.py\nout/\n")
    write(root, "app.py")
    write(root, "model.gen.py")
    write(root, "out/x.py")
    write(root, "pkg/.gitignore", "local.py\n!keep.gen.py\n")
    write(root, "pkg/local.py")
    write(root, "pkg/keep.gen.py")
    write(root, "pkg/mod.py")


NEGATED_TREE_KEPT = ["app.py", "pkg/keep.gen.py", "pkg/mod.py"]


# ----------------------------------------------------------------------------- .gitignore


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_gitignore_inside_git(tmp_path: Path) -> None:
    git_init(tmp_path)
    ignore_tree(tmp_path)
    assert sources(tmp_path) == IGNORED_TREE_KEPT


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_git_own_exclude_file_is_honoured(tmp_path: Path) -> None:
    """.git/info/exclude is known only to git: this proves git lists the files inside a work tree."""
    git_init(tmp_path)
    write(tmp_path, "main.py")
    write(tmp_path, "private.py")
    (tmp_path / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("private.py\n")
    assert sources(tmp_path) == ["main.py"]
    assert sources(tmp_path, respect_gitignore=False) == ["main.py", "private.py"]


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_gitignore_inside_git_scanning_a_subfolder(tmp_path: Path) -> None:
    git_init(tmp_path)
    ignore_tree(tmp_path)
    assert sources(tmp_path, tmp_path / "sub") == ["sub/keep.py", "sub/keep.tmp.py"]


def test_gitignore_outside_git(tmp_path: Path) -> None:
    ignore_tree(tmp_path)
    assert not (tmp_path / ".git").exists()
    assert sources(tmp_path) == IGNORED_TREE_KEPT


def test_gitignore_outside_git_scanning_a_subfolder_applies_parent_rules(tmp_path: Path) -> None:
    ignore_tree(tmp_path)
    write(tmp_path, "other/generated/deep.py")  # generated/ in the root .gitignore matches at any depth
    assert sources(tmp_path, tmp_path / "other") == ["other/local.py"]


def test_respect_gitignore_false_outside_git(tmp_path: Path) -> None:
    ignore_tree(tmp_path)
    assert sources(tmp_path, respect_gitignore=False) == IGNORED_TREE_ALL


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_respect_gitignore_false_inside_git(tmp_path: Path) -> None:
    git_init(tmp_path)
    ignore_tree(tmp_path)
    assert sources(tmp_path, respect_gitignore=False) == IGNORED_TREE_ALL


def test_gitignore_outside_git_nested_and_negated(tmp_path: Path) -> None:
    negated_ignore_tree(tmp_path)
    assert sources(tmp_path) == NEGATED_TREE_KEPT


@pytest.mark.skipif(not HAS_GIT, reason="git not installed")
def test_gitignore_inside_a_git_work_tree(tmp_path: Path) -> None:
    git_init(tmp_path)
    negated_ignore_tree(tmp_path)
    assert sources(tmp_path) == NEGATED_TREE_KEPT


def test_respect_gitignore_false_scans_ignored_files(tmp_path: Path) -> None:
    negated_ignore_tree(tmp_path)
    assert sources(tmp_path, respect_gitignore=False) == [
        "app.py", "model.gen.py", "out/x.py", "pkg/keep.gen.py", "pkg/local.py", "pkg/mod.py"]


# ----------------------------------------------------------------------------- skipped folders


def skip_tree(root: Path) -> None:
    write(root, "app.py")
    write(root, "myenv/pyvenv.cfg", "home = /usr/bin\n")  # a virtualenv under any name
    write(root, "myenv/lib/python3.12/site-packages/openai/__init__.py")
    write(root, "venv/lib/mod.py")
    write(root, ".venv/lib/mod.py")
    write(root, "node_modules/pkg/build.py")
    write(root, "web/node_modules/pkg/x.py")
    write(root, "build/lib/app.py")
    write(root, "demo.egg-info/x.py")
    write(root, "lib/site-packages/y.py")
    write(root, "pkg/__pycache__/z.py")
    write(root, "pkg/core.py")


SKIP_TREE_KEPT = ["app.py", "pkg/core.py"]


def test_skipped_folders_outside_git(tmp_path: Path) -> None:
    skip_tree(tmp_path)
    assert sources(tmp_path) == SKIP_TREE_KEPT
    assert sources(tmp_path, respect_gitignore=False) == SKIP_TREE_KEPT


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_skipped_folders_inside_git_without_gitignore(tmp_path: Path) -> None:
    git_init(tmp_path)
    skip_tree(tmp_path)
    assert sources(tmp_path) == SKIP_TREE_KEPT


@pytest.mark.parametrize("use_git", [False, True])
def test_virtualenvs_and_tool_folders_are_skipped(tmp_path: Path, use_git: bool) -> None:
    if use_git:
        if not HAS_GIT:
            pytest.skip("git not installed")
        git_init(tmp_path)
    write(tmp_path, "main.py")
    write(tmp_path, "myenv/pyvenv.cfg", "home = /usr\n")  # any name: pyvenv.cfg marks it
    write(tmp_path, "myenv/lib/tool.py")
    write(tmp_path, "env/plain.py")  # "env" without pyvenv.cfg is an ordinary package
    for skipped in (".venv", "venv", "node_modules", "__pycache__", "build", "dist", ".tox", "x.egg-info"):
        write(tmp_path, f"{skipped}/m.py")
    assert sources(tmp_path, respect_gitignore=use_git) == ["env/plain.py", "main.py"]


# ----------------------------------------------------------------------------- explicit files and excludes


def test_explicit_file_is_kept_even_if_ignored(tmp_path: Path) -> None:
    ignore_tree(tmp_path)
    assert sources(tmp_path, tmp_path / "ignored.py") == ["ignored.py"]
    assert sources(tmp_path, tmp_path, tmp_path / "generated" / "out.py") == sorted([*IGNORED_TREE_KEPT, "generated/out.py"])


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_explicit_file_is_kept_even_if_ignored_inside_git(tmp_path: Path) -> None:
    git_init(tmp_path)
    ignore_tree(tmp_path)
    assert sources(tmp_path, tmp_path, tmp_path / "ignored.py") == sorted([*IGNORED_TREE_KEPT, "ignored.py"])


def test_explicit_file_in_a_skipped_folder_is_kept(tmp_path: Path) -> None:
    skip_tree(tmp_path)
    assert sources(tmp_path, tmp_path / "build" / "lib" / "app.py") == ["build/lib/app.py"]


def test_user_exclude_globs(tmp_path: Path) -> None:
    write(tmp_path, "agent.py")
    write(tmp_path, "tests/test_agent.py")
    write(tmp_path, "proto/api_pb2.py")
    write(tmp_path, "pkg/legacy/old.py")
    write(tmp_path, "pkg/new.py")
    kept = sources(tmp_path, exclude=["tests/", "*_pb2.py", "pkg/legacy"])
    assert kept == ["agent.py", "pkg/new.py"]


def test_exclude_does_not_drop_an_explicit_file_unless_forced(tmp_path: Path) -> None:
    write(tmp_path, "agent.py")
    write(tmp_path, "tests/test_agent.py")
    named = tmp_path / "tests" / "test_agent.py"
    assert sources(tmp_path, named, exclude=["tests/"]) == ["tests/test_agent.py"]
    assert sources(tmp_path, named, exclude=["tests/"], force_exclude=True) == []


def test_missing_path_is_a_notification(tmp_path: Path) -> None:
    write(tmp_path, "agent.py")
    disc = discover([tmp_path / "nope.py", tmp_path], root=tmp_path)
    assert [s.rel_path for s in disc.sources] == ["agent.py"]
    assert len(disc.notifications) == 1
    note = disc.notifications[0]
    assert note.level == "error"
    assert "no such file or directory" in note.message
    assert "nope.py" in note.path


def test_explicit_files_are_kept_unless_forced(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "ignored.py\n")
    ignored = write(tmp_path, "ignored.py")
    excluded = write(tmp_path, "gen/excluded.py")
    write(tmp_path, "main.py")
    assert sources(tmp_path, exclude=["gen/"]) == ["main.py"]
    assert sources(tmp_path, tmp_path, ignored, excluded, exclude=["gen/"]) == [
        "gen/excluded.py", "ignored.py", "main.py"]
    assert sources(tmp_path, tmp_path, excluded, exclude=["gen/"], force_exclude=True) == ["main.py"]


def test_missing_path_is_a_config_error(tmp_path: Path) -> None:
    disc = discover([tmp_path / "nope"], root=tmp_path)
    assert disc.sources == []
    assert [(n.kind, n.level) for n in disc.notifications] == [("config", "error")]
    assert "nope" in disc.notifications[0].message


# ----------------------------------------------------------------------------- reading sources


def source_file(path: Path, root: Path) -> SourceFile:
    rel = path.relative_to(root).as_posix()
    return SourceFile(path, rel, module_name(rel))


def test_utf8_source_is_read_as_is(tmp_path: Path) -> None:
    text = 'print("héllo ✓")\n'
    sf = source_file(write(tmp_path, "ok.py", text), tmp_path)
    assert read_source(sf) == text.encode("utf-8")


def test_binary_file_is_skipped(tmp_path: Path) -> None:
    sf = source_file(write(tmp_path, "blob.py", b"x = 1\n\x00\x01\x02\x03" * 10), tmp_path)
    assert read_source(sf) is None
    assert skip_reason(sf) == "skipped: binary file"


def test_file_over_two_megabytes_is_skipped(tmp_path: Path) -> None:
    data = b"x = 1\n" * 350_000  # 2,100,000 bytes
    sf = source_file(write(tmp_path, "huge.py", data), tmp_path)
    assert read_source(sf) is None
    assert skip_reason(sf) == f"skipped: {len(data) // 1024} KB is larger than the {2_000_000 // 1024} KB limit"
    assert skip_reason(sf) == "skipped: 2050 KB is larger than the 1953 KB limit"


def test_size_limit_is_a_parameter(tmp_path: Path) -> None:
    sf = source_file(write(tmp_path, "mid.py", b"y = 2\n" * 400), tmp_path)  # 2400 bytes
    assert read_source(sf) == b"y = 2\n" * 400
    assert read_source(sf, max_bytes=1024) is None
    assert skip_reason(sf, max_bytes=1024) == "skipped: 2 KB is larger than the 1 KB limit"


def test_invalid_utf8_without_cookie_is_skipped(tmp_path: Path) -> None:
    sf = source_file(write(tmp_path, "bad.py", "name = 'café'\n".encode("latin-1")), tmp_path)
    assert read_source(sf) is None
    assert skip_reason(sf) == "skipped: not valid UTF-8 and no coding declaration"


@pytest.mark.parametrize("cookie", ["# -*- coding: latin-1 -*-", "# vim: set fileencoding=iso-8859-1 :"])
def test_latin1_with_coding_cookie_is_decoded(tmp_path: Path, cookie: str) -> None:
    text = f"#!/usr/bin/env python\n{cookie}\nname = 'café'\n"
    sf = source_file(write(tmp_path, "legacy.py", text.encode("latin-1")), tmp_path)
    assert read_source(sf) == text.encode("utf-8")


def test_coding_cookie_on_the_third_line_does_not_count(tmp_path: Path) -> None:
    text = "x = 1\ny = 2\n# -*- coding: latin-1 -*-\nname = 'café'\n"
    sf = source_file(write(tmp_path, "late.py", text.encode("latin-1")), tmp_path)
    assert read_source(sf) is None


def test_unknown_coding_is_skipped_not_raised(tmp_path: Path) -> None:
    sf = source_file(write(tmp_path, "odd.py", b"# coding: no-such-codec\nname = '\xff'\n"), tmp_path)
    assert read_source(sf) is None
    assert skip_reason(sf).startswith("skipped: ")


def test_vanished_file_is_unreadable_not_raised(tmp_path: Path) -> None:
    sf = SourceFile(tmp_path / "gone.py", "gone.py", "gone")
    assert read_source(sf) is None
    assert skip_reason(sf).startswith("unreadable: ")


def test_unanalysable_sources_are_notifications(tmp_path: Path) -> None:
    write(tmp_path, "ok.py", "name = 'é'\n")
    write(tmp_path, "empty.py", "")
    write(tmp_path, "blob.py", b"x = 1\n\x00\x01\x02")
    write(tmp_path, "huge.py", b"#" * 2_000_001)
    write(tmp_path, "latin.py", "s = 'caf\xe9'\n".encode("latin-1"))
    write(tmp_path, "cookie.py", "# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n".encode("latin-1"))
    disc = discover([tmp_path], root=tmp_path)
    assert [s.rel_path for s in disc.sources] == ["cookie.py", "empty.py", "ok.py"]
    notes = sorted((n.path, n.message, n.kind, n.level) for n in disc.notifications)
    assert notes == [
        ("blob.py", "skipped: binary file", "read", "warning"),
        ("huge.py", "skipped: 1953 KB is larger than the 1953 KB limit", "read", "warning"),
        ("latin.py", "skipped: not valid UTF-8 and no coding declaration", "read", "warning"),
    ]


def test_read_source_decodes_a_coding_cookie_and_repeats_the_checks(tmp_path: Path) -> None:
    write(tmp_path, "cookie.py", "# coding=latin-1\ns = 'caf\xe9'\n".encode("latin-1"))
    write(tmp_path, "big.py", "x = 1\n" * 100)
    disc = discover([tmp_path], root=tmp_path)
    by_name = {s.rel_path: s for s in disc.sources}
    assert read_source(by_name["cookie.py"]) == "# coding=latin-1\ns = 'café'\n".encode("utf-8")
    assert read_source(by_name["big.py"], max_bytes=10) is None
    assert skip_reason(by_name["big.py"], max_bytes=10) == "skipped: 0 KB is larger than the 0 KB limit"


# ----------------------------------------------------------------------------- symlinks


def _symlink(link: Path, target: Path | str, target_is_directory: bool = False) -> None:
    try:
        os.symlink(target, link, target_is_directory=target_is_directory)
    except (OSError, NotImplementedError) as exc:
        pytest.skip(f"symlinks unsupported here: {exc}")


@pytest.mark.parametrize("use_git", [False, True])
def test_symlink_loop_is_handled(tmp_path: Path, use_git: bool) -> None:
    if use_git and not HAS_GIT:
        pytest.skip("git is not installed")
    root = tmp_path / "proj"
    write(root, "pkg/mod.py")
    _symlink(root / "pkg" / "again", root, target_is_directory=True)  # pkg/again -> proj
    _symlink(root / "self", root / "self")  # a link to itself
    if use_git:
        git_init(root)
    disc = discover([root], root=root)
    assert [s.rel_path for s in disc.sources] == ["pkg/mod.py"]


@pytest.mark.parametrize("use_git", [False, True])
def test_links_out_of_the_root_are_skipped(tmp_path: Path, use_git: bool) -> None:
    if use_git and not HAS_GIT:
        pytest.skip("git is not installed")
    root = tmp_path / "proj"
    write(root, "agent.py")
    write(tmp_path, "outside/secret.py")
    write(tmp_path, "outside/more/deep.py")
    _symlink(root / "ext", tmp_path / "outside", target_is_directory=True)
    _symlink(root / "linked.py", tmp_path / "outside" / "secret.py")
    if use_git:
        git_init(root)
    disc = discover([root], root=root)
    assert [s.rel_path for s in disc.sources] == ["agent.py"]
    assert all(str(tmp_path / "outside") not in str(s.abs_path.resolve()) for s in disc.sources)
    notes = {n.path: n.message for n in disc.notifications}
    assert "symlink points outside the scanned root" in notes.get("linked.py", "")


def test_link_inside_the_root_is_followed(tmp_path: Path) -> None:
    write(tmp_path, "real/mod.py")
    _symlink(tmp_path / "alias.py", tmp_path / "real" / "mod.py")
    assert sources(tmp_path) == ["alias.py", "real/mod.py"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_loop_and_links_out_of_the_root(tmp_path: Path) -> None:
    root, outside = tmp_path / "proj", tmp_path / "elsewhere"
    write(root, "pkg/a.py")
    write(outside, "secret.py")
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


# ----------------------------------------------------------------------------- manifests and module names


def test_manifests_are_discovered(tmp_path: Path) -> None:
    for rel in ["requirements.txt", "requirements-dev.txt", "requirements/base.txt", "pyproject.toml", "setup.py",
                "setup.cfg", "Pipfile", "environment.yml", "services/api/pyproject.toml"]:
        write(tmp_path, rel, "")
    for rel in ["README.md", "notes.txt", "yarn.lock", "node_modules/x/requirements.txt",
                ".venv/lib/pyproject.toml", "docs/requirements.md"]:
        write(tmp_path, rel, "")
    disc = discover([tmp_path], root=tmp_path)
    got = sorted(p.relative_to(tmp_path).as_posix() for p in disc.manifests)
    assert got == ["Pipfile", "environment.yml", "pyproject.toml", "requirements-dev.txt", "requirements.txt",
                   "requirements/base.txt", "services/api/pyproject.toml", "setup.cfg", "setup.py"]
    assert [s.rel_path for s in disc.sources] == ["setup.py"]  # setup.py is Python too


def test_lock_files_are_discovered_where_manifests_are(tmp_path: Path) -> None:
    for rel in ["uv.lock", "backend/poetry.lock", "svc/pdm.lock", "svc/Pipfile.lock", "web/pylock.toml",
                "web/pylock.dev.toml"]:
        write(tmp_path, rel, "")
    for rel in ["frontend/yarn.lock", "Cargo.lock", "package-lock.json", "node_modules/x/uv.lock",
                ".venv/poetry.lock", "build/pdm.lock", "ignored/uv.lock", "pylock.a.b.toml", "uv.lock.bak"]:
        write(tmp_path, rel, "")
    write(tmp_path, ".gitignore", "ignored/\n")
    disc = discover([tmp_path], root=tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in disc.manifests) == [
        "backend/poetry.lock", "svc/Pipfile.lock", "svc/pdm.lock", "uv.lock", "web/pylock.dev.toml",
        "web/pylock.toml"]
    assert disc.sources == []


def test_pep723_scripts_are_sources_and_manifests(tmp_path: Path) -> None:
    write(tmp_path, "examples/memory.py", '# /// script\n# dependencies = ["numpy"]\n# ///\nimport numpy\n')
    write(tmp_path, "examples/crlf.py", '"""doc"""\r\n# /// script\r\n# dependencies = []\r\n# ///\r\n')
    write(tmp_path, "examples/plain.py", 'x = "# /// script"\n#  /// script\n')
    write(tmp_path, "setup.py", "# /// script\n# ///\n")  # a manifest already, and only once
    disc = discover([tmp_path], root=tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in disc.manifests) == [
        "examples/crlf.py", "examples/memory.py", "setup.py"]
    assert [s.rel_path for s in disc.sources] == ["examples/crlf.py", "examples/memory.py", "examples/plain.py",
                                                  "setup.py"]


@pytest.mark.parametrize("rel, module", [
    ("src/pkg/mod.py", "pkg.mod"),
    ("pkg/__init__.py", "pkg"),
    ("src/pkg/__init__.py", "pkg"),
    ("pkg/sub/deep.py", "pkg.sub.deep"),
    ("lib/tools/x.py", "tools.x"),
    ("agent.py", "agent"),
    ("src.py", "src"),
])
def test_module_name(rel: str, module: str) -> None:
    assert module_name(rel) == module


def test_discovered_sources_carry_paths_and_modules(tmp_path: Path) -> None:
    write(tmp_path, "src/pkg/__init__.py")
    write(tmp_path, "src/pkg/mod.py")
    disc = discover([tmp_path], root=tmp_path)
    assert [(s.rel_path, s.module) for s in disc.sources] == [("src/pkg/__init__.py", "pkg"),
                                                            ("src/pkg/mod.py", "pkg.mod")]
    assert disc.sources[1].abs_path == (tmp_path / "src" / "pkg" / "mod.py").resolve()


def test_manifests_and_module_names(tmp_path: Path) -> None:
    for rel in ("requirements.txt", "requirements-dev.txt", "requirements/base.txt", "reqs.in", "MANIFEST.in",
                "pyproject.toml", "setup.cfg", "sub/Pipfile", "environment.yml", "README.md"):
        write(tmp_path, rel, "")
    write(tmp_path, "setup.py")
    write(tmp_path, "src/pkg/__init__.py")
    write(tmp_path, "src/pkg/sub/mod.py")
    disc = discover([tmp_path], root=tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in disc.manifests) == [
        "environment.yml", "pyproject.toml", "reqs.in", "requirements-dev.txt", "requirements.txt",
        "requirements/base.txt", "setup.cfg", "setup.py", "sub/Pipfile"]
    assert [(s.rel_path, s.module) for s in disc.sources] == [
        ("setup.py", "setup"), ("src/pkg/__init__.py", "pkg"), ("src/pkg/sub/mod.py", "pkg.sub.mod")]


# ----------------------------------------------------------------------------- large trees


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


def test_a_scanned_folder_that_is_a_package_names_its_modules_under_it(tmp_path: Path) -> None:
    pkg = tmp_path / "proj" / "examples"
    (pkg / "tools").mkdir(parents=True)
    for rel in ("__init__.py", "chat.py", "tools/__init__.py", "tools/search.py"):
        (pkg / rel).write_text("x = 1\n")
    disc = discover([pkg], root=pkg, respect_gitignore=False)
    assert sorted(sf.module for sf in disc.sources) == [
        "examples", "examples.chat", "examples.tools", "examples.tools.search"]
    assert [sf.rel_path for sf in disc.sources if sf.module == "examples.chat"] == ["chat.py"]
    plain = tmp_path / "plain"  # not a package: names as before
    plain.mkdir()
    (plain / "agent.py").write_text("x = 1\n")
    assert [sf.module for sf in discover([plain], root=plain, respect_gitignore=False).sources] == ["agent"]
    assert module_name("src/pkg/mod.py", "") == "pkg.mod" and module_name("mod.py", "a.b") == "a.b.mod"


@pytest.mark.parametrize("name, example", [
    (".env.example", True), (".env_template", True), (".env-sample", True), (".env.local.example", True),
    ("env.template", True), ("example.env", True), ("config/.env.dist", True),
    (".env", False), (".env.local", False), (".env.production", False), (".envrc", False),
])
def test_env_examples_by_their_usual_names(name: str, example: bool) -> None:
    from agentable.files import is_artifact
    from agentable.paths import is_env_example

    assert is_env_example(name) is example
    assert is_artifact(name) is example
