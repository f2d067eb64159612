"""Dependency manifests read from real files: every format with exact names, specifiers, extras,
markers and 1-based positions (lines, columns, end columns), options, hashes and URLs in
requirements files, Poetry constraint conversion and optional entries, includes and constraints,
version queries, the manifest that governs a source file in a monorepo, and broken input that
becomes a notification instead of an exception."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from agentable.cpg.manifests import ManifestSet, Requirement, parse_manifests, poetry_to_pep440


def write(root: Path, rel: str, text: str | bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def parse(root: Path, *rels: str) -> ManifestSet:
    return parse_manifests(root, [root / r for r in rels])


def rows(ms: ManifestSet, path: str | None = None) -> list[tuple]:
    """(dist, specifier, extras, marker, line, group) per requirement, in file order."""
    reqs = [r for r in ms.requirements if path is None or r.path == path]
    return [(r.dist, r.specifier, r.extras, r.marker, r.line, r.group) for r in reqs]


def one(ms: ManifestSet, dist: str) -> Requirement:
    found = ms.declared(dist)
    assert len(found) == 1, found
    return found[0]


def parse_files(root: Path, files: dict[str, str | bytes]) -> ManifestSet:
    """Write each file (text dedented, as UTF-8 bytes: no newline translation) and parse them all."""
    for rel, text in files.items():
        write(root, rel, text if isinstance(text, bytes) else textwrap.dedent(text).encode("utf-8"))
    return parse(root, *files)


def cols(ms: ManifestSet) -> list[tuple]:
    """(raw name, specifier, marker, line, col, end col, group) per requirement, in file order."""
    return [(r.raw_name, r.specifier, r.marker, r.line, r.col, r.end_col, r.group) for r in ms.requirements]


# ----------------------------------------------------------------------------- requirements.txt

REQUIREMENTS = """\
# the SDKs
openai==0.28.1  # pinned on purpose
requests>=2.31 ; python_version >= "3.8"
langchain-core>=0.2 \\
    --hash=sha256:abcd
pydantic[email]>=2 ; python_version >= "3.9" --hash=sha256:ffff
-e git+https://github.com/acme/tools.git#egg=acme_tools
--index-url https://pypi.org/simple

Tiktoken
"""


def test_requirements_txt_names_specifiers_markers_and_lines(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", REQUIREMENTS)
    ms = parse(tmp_path, "requirements.txt")
    assert rows(ms) == [
        ("openai", "==0.28.1", (), "", 2, "main"),
        ("requests", ">=2.31", (), 'python_version >= "3.8"', 3, "main"),
        ("langchain-core", ">=0.2", (), "", 4, "main"),
        ("pydantic", ">=2", ("email",), 'python_version >= "3.9"', 6, "main"),
        ("acme-tools", "", (), "", 7, "main"),
        ("tiktoken", "", (), "", 10, "main"),
    ]
    assert ms.manifests == ["requirements.txt"]
    assert ms.notifications == []
    openai = one(ms, "openai")
    assert (openai.path, openai.col, openai.raw_name) == ("requirements.txt", 1, "openai")
    # the #egg= name is located on its line, and keeps the spelling it was written with
    egg = one(ms, "acme-tools")
    assert egg.raw_name == "acme_tools"
    assert egg.col == REQUIREMENTS.splitlines()[6].index("acme_tools") + 1


def test_requirements_garbage_line_is_a_notification_and_the_rest_is_read(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "openai>=1.0\nthis is not === a requirement\nanthropic==0.30.0\n")
    ms = parse(tmp_path, "requirements.txt")
    assert [(r.dist, r.line) for r in ms.requirements] == [("openai", 1), ("anthropic", 3)]
    assert len(ms.notifications) == 1
    note = ms.notifications[0]
    assert note.path == "requirements.txt"
    assert note.kind == "manifest"
    assert "line 2" in note.message and "this is not === a requirement" in note.message


def test_requirements_include_and_include_cycle(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "openai==1.30.0\n-r requirements-dev.txt\n")
    write(tmp_path, "requirements-dev.txt", "-r requirements.txt\npytest>=8\n")
    ms = parse(tmp_path, "requirements.txt", "requirements-dev.txt")
    assert sorted(rows(ms)) == [
        ("openai", "==1.30.0", (), "", 1, "main"),
        ("pytest", ">=8", (), "", 2, "main"),
    ]
    assert one(ms, "pytest").path == "requirements-dev.txt"
    assert sorted(ms.manifests) == ["requirements-dev.txt", "requirements.txt"]  # each once
    assert ms.notifications == []


def test_requirements_include_only_reached_through_r(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "-r requirements/base.txt\n-rrequirements/extra.txt\n")
    write(tmp_path, "requirements/base.txt", "langchain>=0.2,<0.3\n")
    write(tmp_path, "requirements/extra.txt", "litellm==1.40.0\n")
    ms = parse(tmp_path, "requirements.txt")  # the included files are not passed in
    assert sorted((r.dist, r.specifier, r.path, r.line) for r in ms.requirements) == [
        ("langchain", "<0.3,>=0.2", "requirements/base.txt", 1),
        ("litellm", "==1.40.0", "requirements/extra.txt", 1),
    ]
    assert ms.allows("langchain", "0.2.5") is True
    assert ms.allows("langchain", "0.3.0") is False


def test_requirements_missing_include_is_a_notification(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "-r nowhere.txt\nopenai\n")
    ms = parse(tmp_path, "requirements.txt")
    assert rows(ms) == [("openai", "", (), "", 2, "main")]
    assert len(ms.notifications) == 1
    assert "nowhere.txt" in ms.notifications[0].message
    assert ms.notifications[0].path == "requirements.txt"


def test_requirement_lines_with_options_hashes_and_urls(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {"requirements.txt": """\
        --index-url https://example.org/simple
        openai==0.28.1  # pinned for the old client
        httpx>=0.27; python_version >= "3.9" \\
            --hash=sha256:aaa
        -e git+https://github.com/o/r.git@v1#egg=my_tool
        pydantic @ https://example.org/pydantic-2.0-py3-none-any.whl
        https://example.org/nameless.whl
        ./local/checkout
    """})
    assert cols(ms) == [
        ("openai", "==0.28.1", "", 2, 1, 15, "main"),
        ("httpx", ">=0.27", 'python_version >= "3.9"', 3, 1, 37, "main"),
        ("my_tool", "", "", 5, 42, 49, "main"),
        ("pydantic", "", "", 6, 1, 61, "main"),
    ]
    assert ms.notifications == []
    assert ms.allows("openai", "1.30.0") is False
    assert ms.allows("openai", "0.28.1") is True


def test_wheel_and_sdist_archives_declare_the_release_their_file_names(tmp_path: Path) -> None:
    """pip installs exactly the release an archive's file name says: a wheel by its standard name,
    an sdist as name-version; a path, a `file:` URL or a web URL alike, extras after it kept. An
    archive whose name says no release (a branch's zip) and a project folder declare nothing."""
    ms = parse_files(tmp_path, {"requirements.txt": """\
        ./vendor/acme_tools-1.2.0-py3-none-any.whl
        file:///opt/wheels/Geo_Utils-0.9.1-cp311-cp311-manylinux_2_17_x86_64.whl[plot]
        https://files.example.org/dl/tiny-parser-2.0.tar.gz#sha256=abc
        https://github.com/org/tool/archive/refs/heads/main.zip
        ./libs/core
    """})
    assert cols(ms) == [
        ("acme-tools", "==1.2.0", "", 1, 10, 20, "main"),
        ("geo-utils", "==0.9.1", "", 2, 20, 29, "main"),
        ("tiny-parser", "==2.0", "", 3, 30, 41, "main"),
    ]
    assert [r.extras for r in ms.requirements] == [(), ("plot",), ()]


# ----------------------------------------------------------------------------- pyproject.toml

PEP621 = """\
[project]
name = "demo"
version = "0.1"
dependencies = [
    "openai>=1.30,<2",
    "httpx[http2]>=0.27",
]

[project.optional-dependencies]
anthropic = ["anthropic>=0.30"]

[dependency-groups]
dev = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff==0.5.0"]
"""


def test_pyproject_pep621_optional_and_pep735_groups(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", PEP621)
    ms = parse(tmp_path, "pyproject.toml")
    assert rows(ms) == [
        ("openai", "<2,>=1.30", (), "", 5, "main"),
        ("httpx", ">=0.27", ("http2",), "", 6, "main"),
        ("anthropic", ">=0.30", (), "", 10, "optional:anthropic"),
        ("pytest", ">=8", (), "", 13, "group:dev"),
        ("ruff", "==0.5.0", (), "", 14, "group:lint"),
    ]
    assert ms.notifications == []
    assert ms.manifests == ["pyproject.toml"]
    openai = one(ms, "openai")
    assert openai.col == 6  # after four spaces and the opening quote
    assert one(ms, "anthropic").col == len('anthropic = ["') + 1


POETRY = """\
[tool.poetry]
name = "demo"

[tool.poetry.dependencies]
python = "^3.10"
langchain = "^0.2.3"
pydantic = {version = "^1.2", extras = ["email"]}
tiktoken = {version = "~1.2", optional = true}
numpy = "~1.2"
requests = "*"
openai = "1.30.0"

[tool.poetry.group.test.dependencies]
pytest = ">=8"
"""


def test_pyproject_poetry(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", POETRY)
    ms = parse(tmp_path, "pyproject.toml")
    got = {r.dist: (r.line, r.group, r.extras) for r in ms.requirements}
    assert got == {
        "langchain": (6, "main", ()),
        "pydantic": (7, "main", ("email",)),
        "tiktoken": (8, "optional:poetry", ()),
        # an optional dependency must not make the ones after it optional too
        "numpy": (9, "main", ()),
        "requests": (10, "main", ()),
        "openai": (11, "main", ()),
        "pytest": (14, "group:test", ()),
    }
    assert "python" not in got
    spec = {r.dist: SpecifierSet(r.specifier) for r in ms.requirements}
    assert spec["langchain"] == SpecifierSet(">=0.2.3,<0.3.0")
    assert spec["pydantic"] == SpecifierSet(">=1.2,<2.0")
    assert spec["tiktoken"] == SpecifierSet(">=1.2,<1.3.0")
    assert spec["openai"] == SpecifierSet("==1.30.0")
    assert one(ms, "requests").specifier == ""
    assert ms.allows("langchain", "0.2.9") is True
    assert ms.allows("langchain", "0.3.0") is False
    assert ms.allows("numpy", "1.2.7") is True
    assert ms.allows("numpy", "1.3.0") is False
    assert ms.notifications == []


def test_poetry_optional_entry_does_not_make_the_next_one_optional(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {"pyproject.toml": """\
        [tool.poetry.dependencies]
        python = "^3.10"
        faiss-cpu = { version = "^1.8", optional = true }
        openai = "^1.30"

        [tool.poetry.extras]
        vector = ["faiss-cpu"]
    """})
    assert [(r.dist, r.specifier, r.line, r.col, r.group) for r in ms.requirements] == [
        ("faiss-cpu", "<2.0,>=1.8", 3, 1, "optional:vector"),
        ("openai", "<2.0,>=1.30", 4, 1, "main"),
    ]
    assert str(ms.specifier_for("openai")) == "<2.0,>=1.30"


@pytest.mark.parametrize("poetry, pep440", [
    ("^0.2.3", ">=0.2.3,<0.3.0"),
    ("^1.2", ">=1.2,<2.0"),
    ("^1.2.3", ">=1.2.3,<2.0.0"),
    ("^0.0.3", ">=0.0.3,<0.0.4"),
    ("~1.2", ">=1.2,<1.3"),
    ("1.2.3", "==1.2.3"),
    ("1.4.2", "==1.4.2"),
    (">=1,<2", ">=1,<2"),
    (">=1.0 <2.0", ">=1.0,<2.0"),
    ("*", ""),
    ("^1.0 || ^2.0", None),  # not expressible in PEP 440
])
def test_poetry_to_pep440_exact(poetry: str, pep440: str | None) -> None:
    assert poetry_to_pep440(poetry) == pep440


def test_poetry_tilde() -> None:
    assert SpecifierSet(poetry_to_pep440("~1.2")) == SpecifierSet(">=1.2,<1.3.0")
    assert SpecifierSet(poetry_to_pep440("~1.2.3")) == SpecifierSet(">=1.2.3,<1.3.0")
    assert "~=" in poetry_to_pep440("~=1.2")  # PEP 440's compatible release is kept as is


# ----------------------------------------------------------------------------- setup.cfg / setup.py / Pipfile / environment.yml


def test_setup_cfg(tmp_path: Path) -> None:
    write(tmp_path, "setup.cfg", """\
        [metadata]
        name = demo

        [options]
        install_requires =
            openai>=1.0
            tiktoken

        [options.extras_require]
        llm =
            anthropic>=0.30
        """)
    ms = parse(tmp_path, "setup.cfg")
    assert rows(ms) == [
        ("openai", ">=1.0", (), "", 6, "main"),
        ("tiktoken", "", (), "", 7, "main"),
        ("anthropic", ">=0.30", (), "", 11, "optional:llm"),
    ]
    assert one(ms, "openai").col == 5
    assert ms.notifications == []


def test_setup_py_is_read_statically_never_executed(tmp_path: Path) -> None:
    write(tmp_path, "setup.py", """\
        from setuptools import setup
        open("EXECUTED", "w").write("setup.py ran")
        BASE = ["langchain>=0.2", "requests"]
        setup(
            name="demo",
            install_requires=BASE + ["tiktoken"],
            extras_require={"dev": ["pytest>=8"]},
        )
        """)
    ms = parse(tmp_path, "setup.py")
    assert not (tmp_path / "EXECUTED").exists()
    assert rows(ms) == [
        ("langchain", ">=0.2", (), "", 3, "main"),
        ("requests", "", (), "", 3, "main"),
        ("tiktoken", "", (), "", 6, "main"),
        ("pytest", ">=8", (), "", 7, "optional:dev"),
    ]
    assert [r.col for r in ms.requirements[:2]] == [10, 28]
    assert ms.notifications == []


def test_setup_py_columns_count_characters_and_lists_are_followed(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {"setup.py": """\
        from setuptools import setup
        BASE = ["openai>=1"]
        setup(name="café", install_requires=BASE + ["langchain-openai", "openai<2"],
              extras_require={"rag": ["chromadb"]})
    """})
    assert cols(ms) == [
        ("openai", ">=1", "", 2, 10, 19, "main"),
        ("langchain-openai", "", "", 3, 46, 62, "main"),
        ("openai", "<2", "", 3, 66, 74, "main"),
        ("chromadb", "", "", 4, 32, 40, "optional:rag"),
    ]
    assert str(ms.specifier_for("OpenAI")) == "<2,>=1"


def test_pipfile(tmp_path: Path) -> None:
    write(tmp_path, "Pipfile", """\
        [[source]]
        url = "https://pypi.org/simple"

        [packages]
        openai = "==1.30.0"
        requests = "*"
        langchain = {version = ">=0.2", extras = ["openai"]}

        [dev-packages]
        pytest = ">=8"
        """)
    ms = parse(tmp_path, "Pipfile")
    assert rows(ms) == [
        ("openai", "==1.30.0", (), "", 5, "main"),
        ("requests", "", (), "", 6, "main"),
        ("langchain", ">=0.2", ("openai",), "", 7, "main"),
        ("pytest", ">=8", (), "", 10, "dev"),
    ]
    assert ms.notifications == []


def test_environment_yml_pip_section(tmp_path: Path) -> None:
    write(tmp_path, "environment.yml", """\
        name: demo
        dependencies:
          - python=3.11
          - pip
          - pip:
            - openai>=1.0
            - litellm==1.40.0  # pinned
          - numpy
        """)
    ms = parse(tmp_path, "environment.yml")
    assert rows(ms) == [
        ("openai", ">=1.0", (), "", 6, "main"),
        ("litellm", "==1.40.0", (), "", 7, "main"),
        ("numpy", "", (), "", 8, "main"),
    ]
    assert one(ms, "openai").col == 7 and one(ms, "openai").table == ""
    assert one(ms, "numpy").table == "conda" and one(ms, "numpy").col == 5
    assert ms.declared("python") == [] and ms.declared("pip") == []  # conda packages that are no distribution


def test_environment_yml_conda_packages(tmp_path: Path) -> None:
    write(tmp_path, "environment.yml", """\
        name: vision
        channels: [pytorch, conda-forge]
        dependencies:
          - pytorch::pytorch=2.1.0=py3.11_cuda12.1_cudnn8.9.2_0
          - cudatoolkit=11.8
          - conda-forge::openai>=1.0,<2
          - scipy 1.11.*
          - "pandas[version='>=2.0']"
          - graphviz=9.0
          - python-graphviz
          - tiktoken=0.7
          - pyyaml 6.0.1 py311h5eee18b_0
          - pip:
            - -r requirements-pip.txt
        """)
    write(tmp_path, "requirements-pip.txt", "httpx>=0.27\n")
    ms = parse(tmp_path, "environment.yml")
    assert [(r.dist, r.raw_name, r.specifier, r.line) for r in ms.requirements if r.path == "environment.yml"] == [
        ("torch", "pytorch", "==2.1.0.*", 4),  # conda's `=` is a prefix match
        ("openai", "openai", "<2,>=1.0", 6),
        ("scipy", "scipy", "==1.11.*", 7),
        ("pandas", "pandas", ">=2.0", 8),
        ("graphviz", "python-graphviz", "", 10),  # `graphviz` (line 9) is the C library and its programs
        ("tiktoken", "tiktoken", "==0.7.*", 11),
        ("pyyaml", "pyyaml", "==6.0.1", 12),
    ]
    assert ms.declared("httpx")[0].path == "requirements-pip.txt"
    assert ms.includes == {"environment.yml": ["requirements-pip.txt"]}


def test_yaml_named_environment_without_dependencies_is_no_manifest(tmp_path: Path) -> None:
    write(tmp_path, "app/environment.yaml", "model: gpt-4.1-mini\nmax_retries: 2\n")
    write(tmp_path, "environment.yml", "dependencies:\n  - numpy\n  - [unclosed\n")
    ms = parse(tmp_path, "app/environment.yaml", "environment.yml")
    assert ms.manifests == ["environment.yml"] and ms.requirements == []
    assert "environment.yml" in ms.unknown_dependencies  # does not parse: its packages are unknown


# ----------------------------------------------------------------------------- queries


def test_declared_specifier_for_and_allows(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "openai==0.28.1\nLangChain_Core>=0.2\nrequests\n")
    ms = parse(tmp_path, "requirements.txt")
    assert [r.line for r in ms.declared("OpenAI")] == [1]
    assert [r.dist for r in ms.declared("langchain.core")] == ["langchain-core"]
    assert ms.specifier_for("openai") == SpecifierSet("==0.28.1")
    assert ms.specifier_for("anthropic") is None
    assert ms.allows("openai", "1.30.0") is False
    assert ms.allows("openai", "0.28.1") is True
    assert ms.allows("langchain-core", "0.3.1") is True
    assert ms.allows("langchain-core", "0.1.9") is False
    assert ms.allows("anthropic", "0.30.0") is None  # undeclared
    assert ms.allows("requests", "2.0.0") is None  # declared without a range
    assert ms.has_manifest() is True
    assert ManifestSet().has_manifest() is False


def test_specifier_for_prefers_the_main_group(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", """\
        [project]
        name = "demo"
        dependencies = ["openai>=1.30"]

        [dependency-groups]
        legacy = ["openai==0.28.1"]
        test = ["pytest>=8"]
        """)
    ms = parse(tmp_path, "pyproject.toml")
    assert ms.specifier_for("openai") == SpecifierSet(">=1.30")
    assert ms.allows("openai", "1.40.0") is True
    # declared only in a group: the group's range counts
    assert ms.allows("pytest", "7.4.0") is False


def test_for_path_picks_the_nearest_manifest_folder(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "mono"\ndependencies = ["rich>=13"]\n')
    write(tmp_path, "services/legacy/requirements.txt", "openai==0.28.1\n")
    write(tmp_path, "services/modern/pyproject.toml",
          '[project]\nname = "modern"\ndependencies = ["openai>=1.30,<2"]\n')
    ms = parse(tmp_path, "pyproject.toml", "services/legacy/requirements.txt", "services/modern/pyproject.toml")
    assert ms.allows("openai", "1.35.0") is False  # the whole set: both ranges intersect to nothing

    legacy = ms.for_path("services/legacy/app/agent.py", inherit=False)
    assert legacy.manifests == ["services/legacy/requirements.txt"]
    assert [(r.dist, r.specifier) for r in legacy.requirements] == [("openai", "==0.28.1")]
    assert legacy.allows("openai", "1.35.0") is False
    # inheriting: a requirements file adds to the root's declarations (for what it does not
    # declare itself); a sub-project with its own pyproject inherits nothing
    legacy = ms.for_path("services/legacy/app/agent.py")
    assert legacy.manifests == ["services/legacy/requirements.txt", "pyproject.toml"]
    assert [(r.dist, r.specifier) for r in legacy.requirements] == [("openai", "==0.28.1"), ("rich", ">=13")]
    assert legacy.allows("openai", "1.35.0") is False

    modern = ms.for_path("services/modern/src/modern/agent.py", inherit=False)
    assert modern.manifests == ["services/modern/pyproject.toml"]
    assert modern.allows("openai", "1.35.0") is True
    assert ms.for_path("services/modern/src/modern/agent.py").manifests == ["services/modern/pyproject.toml"]

    top = ms.for_path("scripts/tool.py")  # no manifest of its own: the root's
    assert top.manifests == ["pyproject.toml"]
    assert top.declared("openai") == []
    assert top.allows("openai", "1.35.0") is None
    assert ms.for_path("main.py").manifests == ["pyproject.toml"]


def test_for_path_add_on_files_keep_the_base_pins(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "httpx<=0.25.2\nopenai>=1.40\n")
    write(tmp_path, "plugins/requirements_proxy.txt", "httpx\n")
    write(tmp_path, "plugins/requirements-voice.txt", "openai>=1.50\n")
    write(tmp_path, "voice/requirements-tts.txt", "-r ../requirements.txt\nopenai>=1.50\n")
    write(tmp_path, "service/requirements.txt", "httpx>=0.27\n")
    ms = parse(tmp_path, "requirements.txt", "plugins/requirements_proxy.txt", "plugins/requirements-voice.txt",
               "voice/requirements-tts.txt", "service/requirements.txt")
    # add-ons are installed on top of the base: its pin still holds, with theirs
    plugin = ms.for_path("plugins/proxy.py")
    assert str(plugin.specifier_for("httpx")) == "<=0.25.2"
    assert str(plugin.specifier_for("openai")) == ">=1.40,>=1.50"
    # an add-on that includes the base file: its lines are not counted twice
    assert sorted((r.path, r.line) for r in ms.for_path("voice/tts.py").declared("openai")) == [
        ("requirements.txt", 2), ("voice/requirements-tts.txt", 2)]
    # a folder's own requirements.txt is a base of its own: its declaration wins
    assert str(ms.for_path("service/app.py").specifier_for("httpx")) == ">=0.27"


def test_for_path_without_any_governing_manifest(tmp_path: Path) -> None:
    write(tmp_path, "a/requirements.txt", "openai==0.28.1\n")
    ms = parse(tmp_path, "a/requirements.txt")
    other = ms.for_path("b/agent.py")
    assert other.manifests == []
    assert other.requirements == []
    assert other.allows("openai", "0.28.1") is None


def test_for_path_requirements_folder_governs_its_project(tmp_path: Path) -> None:
    write(tmp_path, "proj/requirements/base.txt", "openai==0.28.1\n")
    ms = parse(tmp_path, "proj/requirements/base.txt")
    assert ms.for_path("proj/agent.py").allows("openai", "1.0.0") is False


def test_for_path_carries_included_files(tmp_path: Path) -> None:
    write(tmp_path, "app/requirements.txt", "-r ../shared/pins.txt\n")
    write(tmp_path, "shared/pins.txt", "openai==0.28.1\n")
    ms = parse(tmp_path, "app/requirements.txt")
    scoped = ms.for_path("app/agent.py")
    assert [(r.dist, r.path) for r in scoped.requirements] == [("openai", "shared/pins.txt")]
    assert scoped.allows("openai", "1.30.0") is False


def test_constraints_and_monorepo_scopes(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {
        "requirements.txt": "-c constraints.txt\nopenai>=1\n",
        "constraints.txt": "openai<1.40\n",
        "services/bot/pyproject.toml": '[project]\nname = "bot"\ndependencies = ["anthropic>=0.30"]\n',
    })
    assert [(r.dist, r.group) for r in ms.requirements] == [
        ("openai", "constraint"), ("openai", "main"), ("anthropic", "main")]
    root_scope = ms.for_path("app/main.py")
    assert root_scope.manifests == ["constraints.txt", "requirements.txt"]
    assert str(root_scope.specifier_for("openai")) == "<1.40,>=1"
    assert root_scope.allows("openai", "1.45.0") is False
    bot = ms.for_path("services/bot/src/bot/agent.py")
    assert bot.manifests == ["services/bot/pyproject.toml"]
    assert bot.declared("openai") == [] and bot.allows("anthropic", "0.31.0") is True
    assert ms.for_path("services/other/x.py").manifests == ["constraints.txt", "requirements.txt"]


# ----------------------------------------------------------------------------- broken input


def test_broken_input_becomes_notifications_and_the_rest_is_parsed(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project\nname = "broken"\ndependencies = ["openai"]\n')
    write(tmp_path, "pkg/setup.py", 'from setuptools import setup\nsetup(install_requires=["x"\n')
    write(tmp_path, "pkg2/Pipfile", "[packages\nopenai = '*'\n")
    write(tmp_path, "pkg3/setup.cfg", "install_requires = no section header\n")
    write(tmp_path, "pkg4/requirements.txt", b"openai==1.0\n\xff\xfe garbage\n")
    write(tmp_path, "ok/requirements.txt", "anthropic==0.30.0\n")
    ms = parse(tmp_path, "pyproject.toml", "pkg/setup.py", "pkg2/Pipfile", "pkg3/setup.cfg",
               "pkg4/requirements.txt", "ok/requirements.txt")
    assert rows(ms) == [("anthropic", "==0.30.0", (), "", 1, "main")]
    by_path = {n.path: n for n in ms.notifications}
    assert sorted(by_path) == ["pkg/setup.py", "pkg2/Pipfile", "pkg3/setup.cfg", "pkg4/requirements.txt",
                               "pyproject.toml"]
    assert len(ms.notifications) == 5
    assert all(n.kind == "manifest" for n in ms.notifications)
    assert "invalid TOML" in by_path["pyproject.toml"].message
    assert "invalid TOML" in by_path["pkg2/Pipfile"].message
    assert "setup.py does not parse" in by_path["pkg/setup.py"].message
    assert "setup.cfg" in by_path["pkg3/setup.cfg"].message
    assert "UTF-8" in by_path["pkg4/requirements.txt"].message
    assert "ok/requirements.txt" in ms.manifests


def test_huge_manifest_is_skipped_with_a_notification(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "# padding\n" * 210_000 + "openai\n")
    ms = parse(tmp_path, "requirements.txt")
    assert ms.requirements == []
    assert len(ms.notifications) == 1
    assert "larger than" in ms.notifications[0].message


@pytest.mark.parametrize("name, text", [
    ("pyproject.toml", 'project = "not a table"\n'),
    ("pyproject.toml", '[project]\ndependencies = "openai"\noptional-dependencies = 3\n'),
    ("pyproject.toml", '[project]\ndependencies = [1, {a = 2}, "openai"]\n'),
    ("pyproject.toml", 'dependency-groups = ["x"]\n[tool]\npoetry = 5\n'),
    ("pyproject.toml", '[tool.poetry]\ndependencies = ["openai"]\ngroup = 3\n'),
    ("pyproject.toml", '[tool.poetry.dependencies]\nopenai = 3\nanthropic = [{version = "1"}]\nx = "^a.b"\n'),
    ("Pipfile", 'packages = 1\n"dev-packages" = "x"\n'),
    ("Pipfile", '[packages]\nopenai = {version = 3}\n'),
    ("setup.py", "setup(install_requires=some_function(), extras_require=EXTRAS)\n"),
    ("setup.py", "setup(install_requires=[1, None, f'{x}'], extras_require={1: ['a'], **d})\n"),
    ("setup.py", "\x00\n"),
    ("setup.cfg", "[options]\ninstall_requires = file: requirements.in\n"),
    ("requirements.txt", "-r\n-e\n--hash\n\\\n===\n[x]\n"),
    ("environment.yml", "dependencies:\n  - pip:\n    - [not, a, requirement]\n    -\n"),
])
def test_odd_manifests_never_raise(tmp_path: Path, name: str, text: str) -> None:
    write(tmp_path, name, text)
    ms = parse(tmp_path, name)
    assert isinstance(ms, ManifestSet)
    for n in ms.notifications:
        assert n.path == name and n.kind == "manifest"


def test_nonexistent_and_directory_paths_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").mkdir()
    ms = parse_manifests(tmp_path, [tmp_path / "requirements.txt", tmp_path / "nope" / "Pipfile"])
    assert ms.requirements == [] and ms.manifests == [] and ms.notifications == []


def test_setup_py_that_does_not_parse_is_a_notification(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {"setup.py": "setup(install_requires=[\n"})
    assert ms.requirements == [] and ms.manifests == []
    assert [(n.path, n.kind) for n in ms.notifications] == [("setup.py", "manifest")]
    assert ms.notifications[0].message.startswith("line 1: setup.py does not parse")


def test_broken_toml_beside_a_requirements_file(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {
        "pyproject.toml": "[project]\ndependencies = [\n",
        "requirements.txt": "openai==1.30.0\n",
        "requirements-dev.txt": b"pytest\n\xff\xfe\n",
    })
    assert [(r.dist, r.path, r.line) for r in ms.requirements] == [("openai", "requirements.txt", 1)]
    assert ms.manifests == ["requirements.txt"]
    assert sorted((n.path, n.message.split(":")[0]) for n in ms.notifications) == [
        ("pyproject.toml", "invalid TOML"),
        ("requirements-dev.txt", "line 2"),
    ]


# ----------------------------------------------------------------------------- dynamic dependencies (build hooks)

HATCH_HOOK = """\
[project]
name = "mcp"
dynamic = ["version", "dependencies", "optional-dependencies"]

[tool.hatch.metadata.hooks.uv-dynamic-versioning]
dependencies = [
    "anyio>=4.9; python_version < '3.14'",
    "mcp-types=={{ version }}",
    "pydantic-ai-slim[openai,mcp] == {{ version }}",
    "httpx2>=2.5.0",
]

[tool.hatch.metadata.hooks.uv-dynamic-versioning.optional-dependencies]
cli = ["typer>=0.16.0", "mcp-cli>={{version}}.dev0"]
"""


def test_hatch_metadata_hook_dependencies_are_read_and_templates_unpinned(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {"pyproject.toml": HATCH_HOOK})
    assert rows(ms) == [
        ("anyio", ">=4.9", (), 'python_version < "3.14"', 7, "main"),
        ("mcp-types", "", (), "", 8, "main"),
        ("pydantic-ai-slim", "", ("mcp", "openai"), "", 9, "main"),
        ("httpx2", ">=2.5.0", (), "", 10, "main"),
        ("typer", ">=0.16.0", (), "", 14, "optional:cli"),
        ("mcp-cli", "", (), "", 14, "optional:cli"),
    ]
    # the position is the whole string as written, placeholder included
    assert [(r.line, r.col, r.end_col) for r in ms.requirements[1:3]] == [(8, 6, 30), (9, 6, 51)]
    assert ms.unknown_dependencies == {} and ms.notifications == []
    assert ms.allows("mcp-types", "0.0.1") is None  # no pin at all


def test_hatch_hook_optional_dependencies_as_an_inline_table(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {"pyproject.toml": """\
        [project]
        name = "p"
        dynamic = ["dependencies"]
        [tool.hatch.metadata.hooks.custom]
        dependencies = ["openai>=1"]
        optional-dependencies = {rag = ["chromadb"]}
        """})
    assert rows(ms) == [("openai", ">=1", (), "", 5, "main"), ("chromadb", "", (), "", 6, "optional:rag")]
    assert ms.unknown_dependencies == {}


def test_dynamic_dependencies_without_a_readable_list_are_unknown(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {
        "pyproject.toml": """\
            [project]
            name = "p"
            dynamic = ["version", "dependencies"]
            [project.optional-dependencies]
            rich = ["rich>=13"]
            [tool.hatch.metadata.hooks.custom]
            path = "hooks.py"
            """,
        "static/pyproject.toml": '[project]\nname = "s"\ndynamic = ["version"]\ndependencies = ["openai"]\n',
        "extras_only/pyproject.toml": '[project]\nname = "e"\ndynamic = ["optional-dependencies"]\n',
    })
    assert list(ms.unknown_dependencies) == ["pyproject.toml"]
    assert "dynamic" in ms.unknown_dependencies["pyproject.toml"]
    assert rows(ms, "pyproject.toml") == [("rich", ">=13", (), "", 5, "optional:rich")]
    assert "pyproject.toml" in ms.manifests  # still a manifest: its extras are real


def test_dynamic_dependencies_from_setuptools_and_hatch_requirements_files(tmp_path: Path) -> None:
    files = {
        "a/pyproject.toml": """\
            [project]
            name = "a"
            dynamic = ["dependencies", "optional-dependencies"]
            [tool.setuptools.dynamic]
            dependencies = {file = ["deps/base.txt"]}
            optional-dependencies.dev = {file = "deps/dev.txt"}
            """,
        "a/deps/base.txt": "openai>=1\n",
        "a/deps/dev.txt": "pytest\n",
        "b/pyproject.toml": """\
            [project]
            name = "b"
            dynamic = ["dependencies"]
            [tool.hatch.metadata.hooks.requirements_txt]
            files = ["requirements.txt"]
            [tool.hatch.metadata.hooks.requirements_txt.optional-dependencies]
            crypto = ["requirements-crypto.txt"]
            """,
        "b/requirements.txt": "anthropic\n",
        "b/requirements-crypto.txt": "cryptography\n",
        "c/pyproject.toml": """\
            [project]
            name = "c"
            dynamic = ["dependencies"]
            [tool.setuptools.dynamic]
            dependencies = {file = ["missing.txt", "../../outside.txt"]}
            """,
    }
    parse_files(tmp_path, files)
    ms = parse(tmp_path, "a/pyproject.toml", "b/pyproject.toml", "c/pyproject.toml")  # what discovery finds
    assert rows(ms, "a/deps/base.txt") == [("openai", ">=1", (), "", 1, "main")]
    assert rows(ms, "a/deps/dev.txt") == [("pytest", "", (), "", 1, "optional:dev")]
    assert rows(ms, "b/requirements-crypto.txt") == [("cryptography", "", (), "", 1, "optional:crypto")]
    assert ms.includes["a/pyproject.toml"] == ["a/deps/base.txt", "a/deps/dev.txt"]
    assert sorted(ms.includes["b/pyproject.toml"]) == ["b/requirements-crypto.txt", "b/requirements.txt"]
    assert [r.dist for r in ms.for_path("a/pkg/mod.py").requirements] == ["openai", "pytest"]
    assert list(ms.unknown_dependencies) == ["c/pyproject.toml"]
    assert [(n.path, n.message) for n in ms.notifications] == [
        ("c/pyproject.toml", "line 5: dependency file 'missing.txt' not found or unreadable"),
        ("c/pyproject.toml", "line 5: dependency file '../../outside.txt' not found or unreadable"),
    ]


@pytest.mark.parametrize("hooks", [
    '[tool.hatch.metadata]\nhooks = 3\n',
    '[tool.hatch.metadata.hooks]\nx = "not a table"\n',
    '[tool.hatch.metadata.hooks.x]\ndependencies = "openai"\noptional-dependencies = ["a"]\n',
    '[tool.hatch.metadata.hooks.x]\ndependencies = [3, {a = 1}, "{{ name }}>=1", "ok; {{ marker }}"]\n',
    '[tool.hatch.metadata.hooks.x]\noptional-dependencies = {a = "b", c = [1]}\n',
    '[tool.hatch.metadata.hooks.requirements_txt]\nfiles = "requirements.txt"\noptional-dependencies = [1]\n',
    '[tool.setuptools.dynamic]\ndependencies = {file = 3}\noptional-dependencies = {a = "x", b = {file = [1]}}\n',
    '[tool.setuptools]\ndynamic = 3\n',
])
def test_malformed_hook_tables_never_raise(tmp_path: Path, hooks: str) -> None:
    ms = parse_files(tmp_path, {"pyproject.toml": '[project]\nname = "p"\ndynamic = ["dependencies"]\n' + hooks})
    assert ms.manifests == ["pyproject.toml"]
    assert all(n.kind == "manifest" and n.path == "pyproject.toml" for n in ms.notifications)
    for r in ms.requirements:
        assert "{" not in r.specifier


def test_templated_name_is_a_notification(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {"pyproject.toml": """\
        [project]
        name = "p"
        dynamic = ["dependencies"]
        [tool.hatch.metadata.hooks.x]
        dependencies = ["{{ name }}>=1", "anthropic>={% if x %}1{% endif %}", "openai; python_version > '{{ v }}'"]
        """})
    # a template in a marker is only a string to compare: the requirement stands
    assert rows(ms) == [("anthropic", "", (), "", 5, "main"), ("openai", "", (), 'python_version > "{{ v }}"', 5, "main")]
    assert [n.message.split(":")[0] for n in ms.notifications] == ["line 5"]
    assert "invalid requirement '{{ name }}>=1'" in ms.notifications[0].message
    assert ms.unknown_dependencies == {}


# ----------------------------------------------------------------------------- setup.py: computed declarations

def test_setup_py_extras_assigned_by_subscript_update_and_setdefault(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {"setup.py": """\
        from setuptools import setup
        extras_require = {"selenium": ["selenium>4"]}
        extras_require["test"] = [
            *set(i for j in extras_require.values() for i in j),
            "connexion[uvicorn]~=3.0.5",
        ]
        extras_require["dev"] = (["pylint~=3.0.3"],)
        extras_require.update({"ocr": ["paddleocr"]}, )
        extras_require.update(android=["pyshine==0.0.9"])
        extras_require.setdefault("s3", ["aioboto3"])
        extras_require["test"].append("pytest")
        extras_require["test"] += ["pytest-cov"]
        extras_require["all"] = sum(extras_require.values(), [])
        setup(name="demo", extras_require=extras_require)
        """})
    got = sorted((r.dist, r.group, r.line) for r in ms.requirements)
    assert got == [
        ("aioboto3", "optional:s3", 10), ("connexion", "optional:test", 5), ("paddleocr", "optional:ocr", 8),
        ("pylint", "optional:dev", 7), ("pyshine", "optional:android", 9), ("pytest", "optional:test", 11),
        ("pytest-cov", "optional:test", 12), ("selenium", "optional:selenium", 2),
    ]
    con = one(ms, "connexion")
    assert (con.col, con.end_col, con.extras) == (6, 31, ("uvicorn",))
    assert ms.unknown_dependencies == {} and ms.notifications == []


def test_setup_py_install_requires_built_from_pieces(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {"setup.py": """\
        import setuptools
        REQS = ["openai"]
        REQS += ["anthropic"]
        REQS.append("tiktoken")
        REQS.extend(("httpx",))
        OPTS = dict(rag=["chromadb"], **{"web": ["playwright"]})
        KW = {"install_requires": sorted(set(REQS)), "extras_require": OPTS}
        setuptools.setup(name="demo", **KW)
        """})
    assert sorted((r.dist, r.group) for r in ms.requirements) == [
        ("anthropic", "main"), ("chromadb", "optional:rag"), ("httpx", "main"), ("openai", "main"),
        ("playwright", "optional:web"), ("tiktoken", "main")]
    assert ms.unknown_dependencies == {}


def test_setup_py_reading_a_requirements_file_includes_it(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {
        "setup.py": """\
            from pathlib import Path
            from setuptools import setup
            here = Path(__file__).resolve().parent
            requirements = (here / "requirements.txt").read_text(encoding="utf-8").splitlines()
            def extra(name):
                with open(os.path.join("reqs", "extra.txt")) as fh:
                    return fh.read().splitlines()
            setup(name="demo", install_requires=requirements, extras_require={"x": extra("x")})
            """,
        "requirements.txt": "openai>=1\n",
        "reqs/extra.txt": "chromadb\n",
    })
    ms = parse(tmp_path, "requirements.txt", "setup.py")  # what discovery finds: reqs/ is no requirements folder
    assert sorted((r.dist, r.path, r.group) for r in ms.requirements) == [
        ("chromadb", "reqs/extra.txt", "optional:x"), ("openai", "requirements.txt", "main")]
    assert ms.includes == {"setup.py": ["requirements.txt", "reqs/extra.txt"]}
    assert ms.unknown_dependencies == {}


def test_setup_py_reading_requirements_line_by_line(tmp_path: Path) -> None:
    files = {
        "a/setup.py": """\
            import os, setuptools
            cur_dir = os.path.dirname(os.path.abspath(__file__))
            required_packages = []
            with open(os.path.join(cur_dir, "requirements.txt"), "r") as f:
                for line in f:
                    package = line.strip()
                    required_packages.append(package)
            setuptools.setup(install_requires=required_packages)
            """,
        "a/requirements.txt": "openai\n",
        "b/setup.py": """\
            from setuptools import setup
            with open("requirements.txt") as f:
                reqs = [line.strip() for line in f if "fastapi" not in line]
            for extra in ["rich", "typer"]:
                reqs.append(extra)
            setup(install_requires=reqs)
            """,
        "b/requirements.txt": "anthropic\n",
    }
    ms = parse_files(tmp_path, files)
    assert ms.includes == {"a/setup.py": ["a/requirements.txt"], "b/setup.py": ["b/requirements.txt"]}
    assert sorted((r.dist, r.path) for r in ms.requirements) == [
        ("anthropic", "b/requirements.txt"), ("openai", "a/requirements.txt"), ("rich", "b/setup.py"),
        ("typer", "b/setup.py")]
    assert ms.unknown_dependencies == {}


def test_setup_py_install_requires_computed_by_code_is_unknown(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {
        "a/setup.py": """\
            from setuptools import setup
            import json
            setup(name="a", install_requires=["openai"] + json.load(open("deps.json")))
            """,
        "b/setup.py": "from setuptools import setup\nsetup(name='b', install_requires=REQUIRED)\n",
        "c/setup.py": "from setuptools import setup\nsetup(name='c', install_requires=[])\n",
        "d/setup.py": "from setuptools import setup\nsetup(name='d')\n",
    })
    assert sorted(ms.unknown_dependencies) == ["a/setup.py", "b/setup.py"]
    assert "line 3" in ms.unknown_dependencies["a/setup.py"]
    assert rows(ms) == [("openai", "", (), "", 3, "main")]  # the literal part is still read
    assert ms.manifests == ["a/setup.py", "b/setup.py", "c/setup.py", "d/setup.py"]


@pytest.mark.parametrize("text", [
    "extras = {}\nextras[1] = ['a']\nextras[k] = 3\nextras.update()\nextras.update(1, 2)\n"
    "extras.setdefault('x')\nsetup(extras_require=extras)\n",
    "a = b = ['openai']\na, c = ['x'], ['y']\na[0] = 'z'\nsetup(install_requires=a)\n",
    "r = r + ['openai']\nr += r\nsetup(install_requires=r, extras_require={'x': r, **r})\n",
    "setup(install_requires='openai\\nanthropic', extras_require=dict(1, **x))\n",
    "d = {}\nd['t'].extend(3)\nd['t'].append(d)\nsetup(extras_require=d, install_requires=open(1 / 'x.txt'))\n",
    "setup(install_requires=" + "[" * 30 + "'deep'" + "]" * 30 + ")\n",
    "setup(install_requires=open('../../etc/requirements.txt'), extras_require={'x': open('/abs.txt')})\n",
])
def test_odd_setup_py_never_raises(tmp_path: Path, text: str) -> None:
    ms = parse_files(tmp_path, {"setup.py": "from setuptools import setup\n" + text})
    assert ms.manifests == ["setup.py"]
    assert all(n.path == "setup.py" and n.kind == "manifest" for n in ms.notifications)


def test_setup_py_with_syntax_errors_is_a_notification_not_a_manifest(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {
        "setup.py": 'extras_require = {}\nextras_require["test"] = ["pytest"\nsetup(extras_require=extras_require)\n',
        "requirements.txt": "openai\n",
    })
    assert rows(ms) == [("openai", "", (), "", 1, "main")]
    assert ms.manifests == ["requirements.txt"] and ms.unknown_dependencies == {}
    assert [(n.path, n.message.split(":")[0]) for n in ms.notifications] == [("setup.py", "line 2")]


# ----------------------------------------------------------------------------- PEP 723 inline script metadata

SCRIPT = '''\
#!/usr/bin/env python3
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "pydantic-ai-slim[openai]>=0.1",
#   'asyncpg',
#   "numpy; python_version >= '3.11'",
# ]
# ///
import asyncpg
'''


def test_pep723_script_block_declares_the_dependencies_of_its_file(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {"examples/memory.py": SCRIPT, "requirements.txt": "openai\n"})
    assert ms.script_manifests == {"examples/memory.py": "examples/memory.py"}
    assert ms.manifests == ["requirements.txt"]  # a script governs no folder
    assert [(r.raw_name, r.extras, r.marker, r.line, r.col, r.end_col, r.group)
            for r in ms.requirements if r.path == "examples/memory.py"] == [
        ("pydantic-ai-slim", ("openai",), "", 5, 6, 35, "main"),
        ("asyncpg", (), "", 6, 6, 13, "main"),
        ("numpy", (), 'python_version >= "3.11"', 7, 6, 37, "main"),
    ]
    assert ms.notifications == []
    scope = ms.script_scope("examples/memory.py")
    assert scope is not None and scope.manifests == ["examples/memory.py"]
    assert [r.dist for r in scope.requirements] == ["pydantic-ai-slim", "asyncpg", "numpy"]
    assert ms.script_scope("examples/other.py") is None
    # the folder's scope does not see the script's requirements
    assert [r.dist for r in ms.for_path("examples/other.py").requirements] == ["openai"]


def test_pep723_one_line_list_and_no_dependencies(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {
        "a.py": '# /// script\n# dependencies = ["pydantic-ai-slim[openai]", "asyncpg"]\n# ///\n\nimport x\n',
        "b.py": '"""doc"""\n# /// script\n# requires-python = ">=3.12"\n# ///\r\n',
        "c.py": '# /// pyproject\n# [run]\n# ///\n',
    })
    assert ms.script_manifests == {"a.py": "a.py", "b.py": "b.py"}  # b declares that it needs nothing
    assert [(r.dist, r.line, r.col, r.end_col) for r in ms.requirements] == [
        ("pydantic-ai-slim", 2, 20, 44), ("asyncpg", 2, 48, 55)]
    assert ms.manifests == [] and ms.notifications == []


@pytest.mark.parametrize("text, message", [
    ('# /// script\n# dependencies = ["a",\n# ///\n', "invalid TOML"),
    ('# /// script\n# dependencies = ["a"]\n', "without its closing"),
    ('# /// script\n# dependencies = ["a"]\n# ///\nimport a\n# /// script\n# dependencies = ["b"]\n# ///\n',
     "more than one"),
    ('# /// script\n# dependencies = "a"\n# ///\n', "not a list"),
    ('# /// script\n#dependencies = ["a"]\n# ///\n', "without its closing"),  # not a block: `#` then text
])
def test_broken_pep723_blocks_are_notifications(tmp_path: Path, text: str, message: str) -> None:
    ms = parse_files(tmp_path, {"tool.py": text})
    # still a script with an environment of its own, whose dependencies are unknown: the folder's
    # manifests do not govern it
    assert ms.script_manifests == {"tool.py": "tool.py"} and ms.requirements == []
    assert "tool.py" in ms.unknown_dependencies
    assert ms.for_path("tool.py").manifests == ["tool.py"]
    assert [(n.path, n.kind) for n in ms.notifications] == [("tool.py", "manifest")]
    assert message in ms.notifications[0].message


def test_pep723_bad_requirement_is_a_notification_and_the_rest_is_read(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {"tool.py": '# /// script\n# dependencies = ["===", "httpx>=0.27"]\n# ///\n'})
    assert [(r.dist, r.specifier) for r in ms.requirements] == [("httpx", ">=0.27")]
    assert ms.script_manifests == {"tool.py": "tool.py"}
    assert [n.message.split(":")[0] for n in ms.notifications] == ["line 2"]


# ----------------------------------------------------------------------------- lock files

UV_LOCK = '''\
version = 1
requires-python = ">=3.10"
resolution-markers = [
    "python_full_version >= '3.13'",
]
conflicts = [[
    { package = "demo", group = "dev" },
], [
    { package = "demo", extra = "x" },
]]

[options]
exclude-newer = "2025-01-01T00:00:00Z" # a comment

[manifest]
members = ["demo", "demo-sub"]

[[package]]
name = "Langchain_Core"
version = "0.3.1"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "pydantic" },
    { name = "pyyaml", marker = "sys_platform != 'win32'" },
]
sdist = { url = "https://x/langchain_core-0.3.1.tar.gz", hash = "sha256:ab", size = 1 }
wheels = [
    { url = "https://x/langchain_core-0.3.1-py3-none-any.whl", hash = "sha256:cd", size = 2 },
]

[package.optional-dependencies]
name = [
    { name = "not-a-package" },
]

[package.metadata]
requires-dist = [{ name = "pydantic", specifier = ">=2" }]

[[package]]
name = "pydantic"
version = "2.9.0"

[[package]]
name = "psycopg-pool"
version = "3.2.0"
description = """A multi-line
string [[package]]
name = "fake"
"""
'''

POETRY_LOCK = '''\
# This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.

[[package]]
name = "psycopg"
version = "3.2.3"
description = "PostgreSQL database adapter for Python"
optional = false
python-versions = ">=3.8"
files = [
    {file = "psycopg-3.2.3-py3-none-any.whl", hash = "sha256:644d3973fe26908c73d4be746074f6e5224b03c1101d302d9a53bf565ad64907"},
]

[package.dependencies]
typing-extensions = {version = ">=4.6", markers = "python_version < \\"3.13\\""}

[package.extras]
binary = ["psycopg-binary (==3.2.3)"]

[[package]]
name = "typing-extensions"
version = "4.12.2"

[metadata]
lock-version = "2.0"
content-hash = "abc"

[metadata.files]
psycopg = [
    {file = "psycopg-3.2.3.tar.gz", hash = "sha256:a5764f67c27bec8bfac85764d23c534af2c27b893550377e37ce59c12aac47a2"},
]
'''


def test_lock_files_give_the_locked_distributions_per_folder(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {
        "uv.lock": UV_LOCK,
        "backend/poetry.lock": POETRY_LOCK,
        "backend/pyproject.toml": '[tool.poetry.dependencies]\nlanggraph-checkpoint-postgres = "^2"\n',
        "svc/pdm.lock": '[metadata]\ngroups = ["default"]\n\n[[package]]\nname = "openai"\nversion = "1.0"\n'
                        'dependencies = [\n    "httpx<1",\n]\n',
        "svc/Pipfile.lock": '{"_meta": {"hash": {}}, "default": {"requests": {"version": "==2.0"}},'
                            ' "develop": {"PyTest": {}}}',
        "web/pylock.toml": 'lock-version = "1.0"\n[[packages]]\nname = "anthropic"\nversion = "0.40"\n',
        "web/pylock.dev.toml": 'lock-version = "1.0"\n[[packages]]\nname = "ruff"\n',
    })
    assert ms.locked == {
        ".": frozenset({"langchain-core", "pydantic", "psycopg-pool"}),
        "backend": frozenset({"psycopg", "typing-extensions"}),
        "svc": frozenset({"openai", "requests", "pytest"}),
        "web": frozenset({"anthropic", "ruff"}),
    }
    assert ms.lock_files == ["backend/poetry.lock", "svc/Pipfile.lock", "svc/pdm.lock", "uv.lock",
                             "web/pylock.dev.toml", "web/pylock.toml"]
    # lock entries are no declarations, and lock files govern no folder
    assert [r.dist for r in ms.requirements] == ["langgraph-checkpoint-postgres"]
    assert ms.manifests == ["backend/pyproject.toml"]
    assert ms.notifications == []
    assert ms.locked_for("backend/app/checkpoint.py") == ms.locked["backend"]
    assert ms.locked_for("docs/x.py") == ms.locked["."]  # the nearest lock: a workspace root's
    assert ParseOnly().locked_for("x.py") is None


def test_lock_files_give_the_version_each_pins_and_its_line(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {
        "uv.lock": UV_LOCK + '\n[[package]]\nname = "pydantic"\nversion = "1.10.13"\n',  # a second fork
        "backend/poetry.lock": POETRY_LOCK,
        "svc/Pipfile.lock": '{\n    "default": {\n        "requests": {\n            "version": "==2.0"\n'
                            '        },\n        "local-pkg": {\n            "path": "."\n        }\n    }\n}\n',
        "web/pylock.toml": 'lock-version = "1.0"\n[[packages]]\nname = "ruff"\n',  # no version: no pin
    })
    lines = UV_LOCK.splitlines()
    assert [(p.version, p.path, p.line) for p in ms.pins_for("app/main.py", "Pydantic")] == [
        ("2.9.0", "uv.lock", lines.index('version = "2.9.0"') + 1), ("1.10.13", "uv.lock", len(lines) + 4)]
    assert [p.version for p in ms.pins_for("x.py", "langchain-core")] == ["0.3.1"]
    assert [(p.version, p.line) for p in ms.pins_for("backend/a.py", "psycopg")] == [("3.2.3", 5)]
    assert [(p.version, p.line) for p in ms.pins_for("svc/a.py", "requests")] == [("2.0", 3)]
    assert ms.pins_for("svc/a.py", "local-pkg") == ()  # locked without a version
    assert ms.locked["svc"] == frozenset({"requests", "local-pkg"})
    assert ms.pins_for("web/a.py", "ruff") == ()
    assert ms.pins_for("backend/a.py", "pydantic") == ()  # the nearest lock governs alone


class ParseOnly(ManifestSet):
    pass


@pytest.mark.parametrize("name, text, message", [
    # truncated: in an array, in a string, in a multi-line string, in an inline table
    ("uv.lock", UV_LOCK[: UV_LOCK.index("    { name = \"pyyaml\"")], "truncated?"),
    ("uv.lock", UV_LOCK[: UV_LOCK.index("2.9.0") + 3], "truncated?"),
    ("uv.lock", UV_LOCK[: UV_LOCK.index('description = """') + 20], "truncated?"),
    ("poetry.lock", POETRY_LOCK[: POETRY_LOCK.index("{file") + 30], "truncated?"),
    ("uv.lock", UV_LOCK + '\n[[package]]\nversion = "1"\n', "no usable [[package]] list"),
    ("poetry.lock", "[[package]\nname = 'x'\n", "invalid TOML"),
    ("pdm.lock", "[[package]]\nname = \"x\"\ngarbage line\n", "invalid TOML"),
    ("Pipfile.lock", '{"default": {"requests": {"version": "==2.0"}}, "develop": {', "invalid JSON"),
    ("Pipfile.lock", '["not", "a", "lock"]', "not a Pipfile.lock"),
    ("uv.lock", b"version = 1\n[[package]]\nname = \"caf\xe9\"\n", "UTF-8"),
])
def test_broken_lock_files_are_notifications_and_not_used(tmp_path: Path, name: str, text: str | bytes,
                                                         message: str) -> None:
    ms = parse_files(tmp_path, {name: text if isinstance(text, bytes) else text.encode("utf-8"),
                                "requirements.txt": "openai\n"})
    assert ms.locked == {} and ms.lock_files == []
    assert [(n.path, n.kind) for n in ms.notifications] == [(name, "manifest")]
    assert message in ms.notifications[0].message
    assert [r.dist for r in ms.requirements] == ["openai"]


def test_lock_file_the_line_reader_cannot_follow_is_parsed_as_toml(tmp_path: Path) -> None:
    # valid TOML in a layout no tool writes: the full parse decides
    ms = parse_files(tmp_path, {"uv.lock": 'version = 1\npackage = [\n  {name = "openai"}, {name = "Anthropic"}]\n'})
    assert ms.locked == {".": frozenset({"openai", "anthropic"})} and ms.notifications == []


def test_huge_lock_file_is_skipped_with_a_notification(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import agentable.cpg.manifests.locks as locks

    monkeypatch.setattr(locks, "_MAX_LOCK_BYTES", 1000)
    ms = parse_files(tmp_path, {"uv.lock": UV_LOCK * 3})
    assert ms.locked == {} and len(ms.notifications) == 1 and "larger than" in ms.notifications[0].message


def test_large_lock_files_are_read_beyond_the_manifest_limit(tmp_path: Path) -> None:
    pkg = '[[package]]\nname = "p{i}"\nversion = "1.0"\nwheels = [\n    {{ url = "https://x/{pad}", hash = "h" }},\n]\n\n'
    text = "version = 1\n" + "".join(pkg.format(i=i, pad="x" * 200) for i in range(12_000))
    assert len(text) > 2_000_000  # larger than the limit for declaration manifests
    ms = parse_files(tmp_path, {"uv.lock": text})
    assert len(ms.locked["."]) == 12_000 and ms.notifications == []


@pytest.mark.parametrize("text", [
    '[project]\nname = "x"\ndependencies = "openai"\n',
    '[dependency-groups]\ndev = "pytest"\n',
])
def test_a_dependency_list_written_as_a_string_is_said(tmp_path: Path, text: str) -> None:
    write(tmp_path, "pyproject.toml", text)
    ms = parse(tmp_path, "pyproject.toml")
    [note] = ms.notifications
    assert "must be an array of strings" in note.message and note.path == "pyproject.toml"
    assert ms.requirements == []

def _naive_scope(ms: ManifestSet, folder: str, inherit: bool = True) -> tuple[list[str], list[tuple[str, str, int]]]:
    """What a scope lookup must answer, computed the slow way: a filter over the whole set."""
    from pathlib import PurePosixPath

    from agentable.cpg.manifests.model import governing_dir

    by_dir: dict[str, list[str]] = {}
    for m in ms.manifests:
        by_dir.setdefault(governing_dir(m), []).append(m)
    declaring = {r.path for r in ms.requirements}
    levels: list[set[str]] = []
    cur = PurePosixPath(folder)
    while True:
        if str(cur) in by_dir:
            chosen, todo = set(), list(by_dir[str(cur)])
            while todo:
                m = todo.pop()
                if m not in chosen:
                    chosen.add(m)
                    todo.extend(ms.includes.get(m, ()))
            levels.append(chosen)
            if not inherit or any(PurePosixPath(m).name == "pyproject.toml" and m in declaring for m in by_dir[str(cur)]):
                break
        if str(cur) in (".", "") or cur.parent == cur:
            break
        cur = cur.parent
    reqs: list = []
    for chosen in levels:
        nearer = {r.dist for r in reqs}
        reqs += [r for r in ms.requirements if r.path in chosen and r.dist not in nearer]
    order = list(dict.fromkeys(m for chosen in levels for m in ms.manifests if m in chosen))
    return order, [(r.dist, r.path, r.line) for r in reqs]


def test_for_path_in_a_monorepo_of_small_apps_matches_a_filter_over_the_whole_set(tmp_path: Path) -> None:
    # many apps, each with its own manifest (the scope index is built once for all of them)
    files = {"requirements.txt": "-r shared/base.txt\nrich>=13\n", "shared/base.txt": "httpx>=0.27\nopenai>=1\n"}
    for i in range(12):
        if i % 3 == 0:
            files[f"apps/app{i}/pyproject.toml"] = (f'[project]\nname = "app{i}"\n'
                                                    f'dependencies = ["openai>=1.{i}", "anthropic"]\n')
        else:
            files[f"apps/app{i}/requirements.txt"] = f"openai=={i}.0.0\n-r ../../shared/base.txt\npydantic\n"
    ms = parse_files(tmp_path, files)
    for folder in [".", "shared", "apps", "apps/app0", "apps/app1/sub", "apps/app3/src/x", "apps/app11", "other"]:
        for inherit in (True, False):
            scope = ms.for_path(f"{folder}/agent.py" if folder != "." else "agent.py", inherit=inherit)
            manifests, reqs = _naive_scope(ms, folder, inherit)
            assert scope.manifests == manifests, (folder, inherit)
            assert [(r.dist, r.path, r.line) for r in scope.requirements] == reqs, (folder, inherit)
    assert ms.for_path("apps/app4/agent.py").declared("OpenAI") == ms.for_path("apps/app4/x.py").declared("openai")
    # its own pin and the shared file's range, in the order the set read them
    assert [(r.path, r.specifier) for r in ms.for_path("apps/app4/agent.py").declared("openai")] == [
        ("shared/base.txt", ">=1"), ("apps/app4/requirements.txt", "==4.0.0")]


def test_scanned_folder_inherits_the_enclosing_projects_manifests(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo, "pyproject.toml", '[project]\nname = "Acme-Agents"\ndependencies = ["colorama>=0.4", "openai"]\n')
    write(repo, "requirements.txt", "aiofiles\n")
    write(repo, "setup.py", 'from setuptools import setup\nsetup(name="acme_agents", install_requires=["mistune"])\n')
    write(repo, "multi/requirements.txt", "langgraph\n")
    ms = parse(repo / "multi", "requirements.txt")
    assert sorted(ms.manifests) == ["../pyproject.toml", "../requirements.txt", "../setup.py", "requirements.txt"]
    scope = ms.for_path("agents/writer.py")
    assert {r.dist for r in scope.requirements} == {"langgraph", "colorama", "openai", "aiofiles", "mistune"}
    assert set(scope.project_names.values()) == {"acme-agents"}
    assert not ms.notifications


def test_enclosing_manifests_stop_at_a_repository_top_and_two_levels(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "outer"\ndependencies = ["openai"]\n')
    write(tmp_path, "a/b/c/requirements.txt", "httpx\n")
    assert parse(tmp_path / "a/b/c", "requirements.txt").manifests == ["requirements.txt"]  # three levels up
    (tmp_path / "a/.git").mkdir()
    write(tmp_path, "a/pyproject.toml", '[project]\nname = "inner"\ndependencies = ["rich"]\n')
    write(tmp_path, "a/b/requirements.txt", "httpx\n")
    assert parse(tmp_path / "a/b", "requirements.txt").manifests == ["../pyproject.toml", "requirements.txt"]
    assert parse(tmp_path / "a", "pyproject.toml").manifests == ["pyproject.toml"]  # a repository's top


def test_enclosing_manifests_only_for_a_folder_with_requirements_of_its_own(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "openai\n")
    write(tmp_path, "cases/one/pyproject.toml", '[project]\nname = "one"\ndependencies = ["rich"]\n')
    assert parse(tmp_path / "cases").manifests == []  # a folder of projects, no manifest of its own
    assert parse(tmp_path / "cases/one", "pyproject.toml").manifests == ["pyproject.toml"]  # a project of its own


# ----------------------------------------------------------------------------- Modal images


def test_a_modal_image_declares_what_its_app_and_functions_run_with(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {
        "requirements.txt": "modal\n",
        "jobs/digest.py": """\
            import modal
            from modal import Image as Img

            base = modal.Image.debian_slim().pip_install("openai>=1.40", ["httpx", "tiktoken==0.7.0"])
            app = modal.App("digest")

            @app.function(image=base)
            def run() -> None: ...

            @app.function(image=Img.debian_slim().uv_pip_install("anthropic"))
            def other() -> None: ...
            """,
        # an image handed to a sandbox runs other code: the file is not governed by it
        "sandbox.py": """\
            import modal
            sb = modal.Sandbox.create(image=modal.Image.debian_slim().pip_install("jupyter"), app=None)
            """,
    })
    assert ms.script_manifests == {"jobs/digest.py": "jobs/digest.py"}
    assert ms.script_kinds == {"jobs/digest.py": "modal"}
    scope = ms.for_path("jobs/digest.py")
    assert sorted(r.dist for r in scope.requirements) == ["anthropic", "httpx", "modal", "openai", "tiktoken"]
    openai = one(scope, "openai")
    assert (openai.specifier, openai.line, openai.col) == (">=1.40", 4, 47)  # inside the quotes, 1-based
    assert ms.for_path("sandbox.py").manifests == ["requirements.txt"]


def test_a_modal_image_with_packages_not_written_out_is_unknown(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {
        "reqs.txt": "pandas\n",
        "a.py": """\
            import modal
            PKGS = ["openai"]
            app = modal.App(image=modal.Image.debian_slim().pip_install(*PKGS))
            """,
        "b.py": """\
            import modal
            app = modal.App(image=modal.Image.debian_slim().pip_install_from_requirements("reqs.txt"))
            """,
    })
    assert "a.py" in ms.unknown_dependencies
    assert "b.py" not in ms.unknown_dependencies
    assert sorted(r.dist for r in ms.for_path("b.py").requirements) == ["modal", "pandas"]


@pytest.mark.parametrize(("text", "published"), [
    # a build backend and Poetry's explicit packages: a library users pip-install
    ('[tool.poetry]\nname = "notes-bot"\npackages = [{include = "notes"}]\n'
     '[build-system]\nbuild-backend = "poetry.core.masonry.api"\n', True),
    # Poetry's application mode, or no `packages` list: the lock is what installs it
    ('[tool.poetry]\nname = "notes-bot"\npackage-mode = false\npackages = [{include = "notes"}]\n'
     '[build-system]\nbuild-backend = "poetry.core.masonry.api"\n', False),
    ('[tool.poetry]\nname = "notes-bot"\n[build-system]\nbuild-backend = "poetry.core.masonry.api"\n', False),
    # PEP 621 with a backend is built; without one (a uv application) it is not
    ('[project]\nname = "notes-bot"\ndependencies = []\n[build-system]\nbuild-backend = "hatchling.build"\n', True),
    ('[project]\nname = "notes-bot"\ndependencies = []\n', False),
])
def test_published_distributions(tmp_path: Path, text: str, published: bool) -> None:
    write(tmp_path, "pyproject.toml", text)
    assert ("pyproject.toml" in parse(tmp_path, "pyproject.toml").published) is published


def test_declared_python_versions_of_each_manifest_kind(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {
        "a/pyproject.toml": '[project]\nname = "a"\nrequires-python = ">=3.9"\ndependencies = []\n',
        "b/pyproject.toml": '[tool.poetry]\nname = "b"\n[tool.poetry.dependencies]\npython = "^3.10"\nhttpx = "*"\n',
        "c/setup.py": 'from setuptools import setup\nsetup(\n    name="c",\n    python_requires=">=3.8",\n)\n',
        "d/setup.cfg": "[metadata]\nname = d\n[options]\npython_requires = >=3.11\ninstall_requires = httpx\n",
        "e/pyproject.toml": '[project]\nname = "e"\nrequires-python = "three"\n',
    })
    got = {p: (r.specifier, r.line, r.col, r.end_col) for p, r in ms.python_ranges.items()}
    assert got == {"a/pyproject.toml": (">=3.9", 3, 20, 25),
                   "b/pyproject.toml": (">=3.10,<4.0", 4, 11, 16),  # Poetry's caret, located as written
                   "c/setup.py": (">=3.8", 4, 22, 27),
                   "d/setup.cfg": (">=3.11", 4, 19, 25)}
    assert any("'three'" in n.message and n.path == "e/pyproject.toml" for n in ms.notifications)


def test_vcs_url_without_egg_is_named_by_its_repository(tmp_path: Path) -> None:
    ms = parse_files(tmp_path, {"requirements.txt": """\
        git+https://github.com/org/Cerulean.git@v2
        -e git+ssh://git@gitlab.com/org/field-kit
        git+https://github.com/org/mono.git#subdirectory=pkgs/core
        git+https://github.com/org/other.git#egg=other_dist
    """})
    assert [(r.dist, r.line, r.col) for r in ms.requirements] == [
        ("cerulean", 1, 28), ("field-kit", 2, 33), ("other-dist", 4, 42)]


def test_install_scripts_declare_what_their_pip_commands_install(tmp_path: Path) -> None:
    """A shell script or Dockerfile governs its folder with the packages its `pip install`
    commands name; options and their values, `-r` files, paths, URLs, variables, echoed text and
    comments declare nothing, and a script that installs nothing by name is no manifest."""
    write(tmp_path, "tools/reader/install.sh", """\
        #!/bin/bash
        /opt/py/bin/python3 -m pip install --no-cache-dir -i https://mirror.example/simple \\
            flask "bs4>=0.0.2" \\
            ./vendored_pkg
        echo "optional: pip install pypdf"
        # pip install lxml
        if [ -n "$GPU" ]; then pip3 install -U torch==2.3.1; fi
        uv pip install --system $EXTRA_PACKAGE -r requirements.txt
        """)
    write(tmp_path, "svc/Dockerfile", """\
        FROM python:3.12
        RUN MAX_JOBS=4 pip install --no-cache-dir redis \\
            && sudo pip install "aizynthfinder[all]" https://example.org/wheels/x-1.0-py3-none-any.whl
        """)
    write(tmp_path, "run.sh", "pip install -r requirements.txt\npython main.py\n")
    write(tmp_path, "requirements.txt", "openai>=1\n")
    ms = parse(tmp_path, "tools/reader/install.sh", "svc/Dockerfile", "run.sh", "requirements.txt")
    assert rows(ms, "tools/reader/install.sh") == [
        ("flask", "", (), "", 3, "main"), ("bs4", ">=0.0.2", (), "", 3, "main"),
        ("torch", "==2.3.1", (), "", 7, "main")]
    assert rows(ms, "svc/Dockerfile") == [("redis", "", (), "", 2, "main"),
                                          ("aizynthfinder", "", ("all",), "", 3, "main"),
                                          ("x", "==1.0", (), "", 3, "main")]  # the wheel's file name
    assert ms.manifests == ["requirements.txt", "svc/Dockerfile", "tools/reader/install.sh"]
    assert [r.dist for r in ms.for_path("tools/reader/lib/server.py").requirements] == [
        "flask", "bs4", "torch", "openai"]


def test_an_install_script_of_installer_tools_only_is_no_manifest(tmp_path: Path) -> None:
    write(tmp_path, "deploy.sh", "pip install --upgrade pip setuptools wheel\npip install -r requirements.txt\n")
    write(tmp_path, "Dockerfile", "FROM python:3.12\nRUN pip install uv && uv pip install --system playwright\n")
    write(tmp_path, "requirements.txt", "openai>=1\n")
    ms = parse(tmp_path, "deploy.sh", "Dockerfile", "requirements.txt")
    assert ms.manifests == ["Dockerfile", "requirements.txt"]
    assert rows(ms, "Dockerfile") == [("uv", "", (), "", 2, "main"), ("playwright", "", (), "", 2, "main")]


def test_an_install_script_counts_only_where_a_manifest_governs(tmp_path: Path) -> None:
    """A Dockerfile beside loose scripts that no manifest governs does not become their declaration."""
    write(tmp_path, "backend/pyproject.toml", '[project]\nname = "app"\nversion = "1"\ndependencies = ["fastapi"]\n')
    write(tmp_path, "backend/tools/install.sh", "pip install playwright\n")
    write(tmp_path, "ops/Dockerfile", "FROM python:3.12\nRUN pip install asyncpg\n")
    ms = parse(tmp_path, "backend/pyproject.toml", "backend/tools/install.sh", "ops/Dockerfile")
    assert ms.manifests == ["backend/pyproject.toml", "backend/tools/install.sh"]
    assert [r.dist for r in ms.requirements] == ["fastapi", "playwright"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_requirements_saved_with_a_utf16_or_utf32_byte_order_mark_are_read_as_pip_reads_them(
        tmp_path: Path, encoding: str) -> None:
    text = "langchain==0.0.183\nscholarly\n"
    data = text.encode(encoding) if encoding != "utf-16-be" else b"\xfe\xff" + text.encode("utf-16-be")
    (tmp_path / "requirements.txt").write_bytes(data)
    ms = parse(tmp_path, "requirements.txt")
    assert [(r.dist, str(r.specifier)) for r in ms.requirements] == [("langchain", "==0.0.183"), ("scholarly", "")]
    assert ms.notifications == []


def test_install_scripts_follow_copied_files_and_checkouts(tmp_path: Path) -> None:
    """A `-r` file the image copies from elsewhere in the project is included; a checkout of another
    repository that the script installs is a requirement named after it, and one on PYTHONPATH is
    kept as a source checkout; a `-r` file from a checkout makes what the script installs unknown."""
    write(tmp_path, "requirements.txt", "openai>=1\n")
    write(tmp_path, "deploy/worker-reqs.txt", "celery>=5\n")
    write(tmp_path, "worker/Dockerfile", """\
        FROM python:3.12
        WORKDIR /srv
        COPY deploy/worker-reqs.txt /srv/reqs.txt
        RUN --mount=type=cache,target=/root/.cache/pip pip install -r /srv/reqs.txt
        ADD https://github.com/acme/ShopSim.git#0f1e2d3 /usr/src/shopsim
        ENV PYTHONPATH="/usr/src/shopsim"
        """)
    write(tmp_path, "sim/Dockerfile", """\
        FROM python:3.10
        ADD https://github.com/acme/gridworld.git#3b9c0e1 /opt/gridworld
        RUN pip install -r /opt/gridworld/requirements.txt /opt/gridworld
        """)
    write(tmp_path, "geo/setup.sh", """\
        git clone --depth 1 https://github.com/acme/geoparse-kit.git vendor/geo
        cd vendor/geo && pip install -e .
        pip install "git+https://github.com/acme/Tiles.git@v2" "maps @ git+https://github.com/acme/maps-core"
        """)
    ms = parse(tmp_path, "requirements.txt", "deploy/worker-reqs.txt", "worker/Dockerfile", "sim/Dockerfile",
               "geo/setup.sh")
    assert ms.includes["worker/Dockerfile"] == ["deploy/worker-reqs.txt"]
    assert [r.dist for r in ms.for_path("worker/jobs.py").requirements] == ["celery", "openai"]
    assert ms.source_checkouts["worker/Dockerfile"] == ("https://github.com/acme/ShopSim.git#0f1e2d3",)
    assert "sim/Dockerfile" in ms.unknown_dependencies
    assert [r.dist for r in ms.requirements if r.path == "sim/Dockerfile"] == ["gridworld"]
    assert [(r.dist, r.line) for r in ms.requirements if r.path == "geo/setup.sh"] == [
        ("geoparse-kit", 2), ("tiles", 3), ("maps", 3)]


def test_a_script_that_clones_the_project_itself_installs_no_other_repository(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "harbor-agent"\nversion = "1"\ndependencies = ["openai"]\n')
    write(tmp_path, "Dockerfile", """\
        FROM python:3.12
        RUN git clone https://github.com/acme/harbor-agent.git /harbor-agent
        WORKDIR /harbor-agent
        RUN pip install -r requirements-extra.txt && pip install . rich
        """)
    ms = parse(tmp_path, "pyproject.toml", "Dockerfile")
    assert ms.source_checkouts == {} and ms.unknown_dependencies == {}
    assert [r.dist for r in ms.requirements if r.path == "Dockerfile"] == ["harbor-agent", "rich"]


def test_a_clone_named_like_the_scanned_folder_is_the_project(tmp_path: Path) -> None:
    root = tmp_path / "acme__PaperDesk"
    write(root, "requirements.txt", "openai>=1\n")
    write(root, "Dockerfile", """\
        FROM python:3.11
        WORKDIR /app
        RUN git clone --depth=1 https://github.com/acme/PaperDesk.git .
        RUN pip3 install -r requirements.txt
        """)
    ms = parse(root, "requirements.txt", "Dockerfile")
    assert ms.unknown_dependencies == {} and ms.source_checkouts == {}
