"""Manifest details beyond the format tour in test_manifests.py: positions of options, hashes and
URLs, Poetry optional entries, setup.py columns after non-ASCII text, constraints and monorepos."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from agentable.cpg.manifests import ManifestSet, parse_manifests, poetry_to_pep440


def parse(root: Path, files: dict[str, str | bytes]) -> ManifestSet:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else textwrap.dedent(text).encode("utf-8"))
    return parse_manifests(root, [root / rel for rel in files])


def cols(ms: ManifestSet) -> list[tuple]:
    return [(r.raw_name, r.specifier, r.marker, r.line, r.col, r.end_col, r.group) for r in ms.requirements]


def test_requirement_lines_with_options_hashes_and_urls(tmp_path: Path) -> None:
    ms = parse(tmp_path, {"requirements.txt": """\
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


@pytest.mark.parametrize("poetry, pep440", [
    ("^0.2.3", ">=0.2.3,<0.3.0"),
    ("^1.2", ">=1.2,<2.0"),
    ("^1.2.3", ">=1.2.3,<2.0.0"),
    ("^0.0.3", ">=0.0.3,<0.0.4"),
    ("~1.2", ">=1.2,<1.3"),
    ("*", ""),
    ("1.4.2", "==1.4.2"),
    (">=1,<2", ">=1,<2"),
    (">=1.0 <2.0", ">=1.0,<2.0"),
    ("^1.0 || ^2.0", None),
])
def test_poetry_constraints(poetry: str, pep440: str | None) -> None:
    assert poetry_to_pep440(poetry) == pep440


def test_poetry_optional_entry_does_not_make_the_next_one_optional(tmp_path: Path) -> None:
    ms = parse(tmp_path, {"pyproject.toml": """\
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


def test_setup_py_columns_count_characters_and_lists_are_followed(tmp_path: Path) -> None:
    ms = parse(tmp_path, {"setup.py": """\
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


def test_setup_py_that_does_not_parse_is_a_notification(tmp_path: Path) -> None:
    ms = parse(tmp_path, {"setup.py": "setup(install_requires=[\n"})
    assert ms.requirements == [] and ms.manifests == []
    assert [(n.path, n.kind) for n in ms.notifications] == [("setup.py", "manifest")]
    assert ms.notifications[0].message.startswith("line 1: setup.py does not parse")


def test_broken_toml_beside_a_requirements_file(tmp_path: Path) -> None:
    ms = parse(tmp_path, {
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


def test_constraints_and_monorepo_scopes(tmp_path: Path) -> None:
    ms = parse(tmp_path, {
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
