"""A pre-commit run names a few files and analyses the slice of the project connected to them
(`cpg/focus.py`); what it reports in the named files must be what a scan of the whole project
reports there. The dependency rules (EPDD) weigh facts of the whole project (every module's name,
the other root scripts, an extra's feature code elsewhere), so a finding they make on a slice is
judged again on every module (`scan._judged_on_slice`)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentable.cli import main
from agentable.config import Config
from agentable.scan import ScanOptions, scan

# Two folders each with their own `helpers.py`; the root script imports `helpers` by its bare
# name (which one runs depends on sys.path). A slice of main.py used to lack every module named
# `helpers` (the import fits two), so EPDD001 took `helpers` for an undeclared package.
SAME_NAMES = {
    "requirements.txt": "anthropic>=0.30\n",
    "billing/helpers.py": """
        def cents(amount: float) -> int:
            return round(amount * 100)
    """,
    "catalog/helpers.py": """
        def sku(name: str) -> str:
            return name.upper().replace(" ", "-")
    """,
    "catalog/listing.py": """
        from helpers import sku

        def label(name: str) -> str:
            return sku(name)
    """,
    "main.py": """
        import anthropic
        import helpers

        client = anthropic.Anthropic()

        def quote(item: str) -> str:
            reply = client.messages.create(model="claude-3-5-haiku-latest", max_tokens=200,
                                           messages=[{"role": "user", "content": f"Price of {item}?"}])
            return str(helpers.cents(float(reply.content[0].text)))
    """,
}

# Root scripts, and a manifest only in a sub-folder: the undeclared package is reported once, at
# the first root script (path order), not at each script that imports it.
ROOT_SCRIPTS = {
    "dashboard/requirements.txt": "streamlit>=1.30\n",
    "dashboard/app.py": """
        import streamlit as st

        st.title("Runs")
    """,
    "collect.py": """
        import httpx

        def fetch(url: str) -> str:
            return httpx.get(url, timeout=10).text
    """,
    "summarise.py": """
        import httpx

        def summary(url: str) -> str:
            return httpx.get(url, timeout=10).text[:200]
    """,
}

# An extra (ocr: torch, which brings sympy) whose feature code imports sympy too: EPDD001 counts
# sympy as the extra's for check.py as well (see epdd/packages.feature_scope). A slice of check.py
# alone lacks that feature code.
EXTRA_FEATURE = {
    "pyproject.toml": """
        [project]
        name = "tutor"
        version = "0.2.0"
        dependencies = ["openai>=1.40"]

        [project.optional-dependencies]
        ocr = ["torch>=2.3"]
    """,
    "tutor/__init__.py": "",
    "tutor/check.py": """
        import sympy
        from openai import OpenAI

        def same(question: str, expected: str) -> bool:
            reply = OpenAI().chat.completions.create(model="gpt-4o-mini",
                                                     messages=[{"role": "user", "content": question}])
            try:
                return sympy.sympify(reply.choices[0].message.content or "") == sympy.sympify(expected)
            except (sympy.SympifyError, TypeError):
                return False
    """,
    "tutor/scan_page.py": """
        import sympy
        import torch

        def polynomial(t: torch.Tensor) -> sympy.Expr:
            x = sympy.Symbol("x")
            return sum(float(c) * x**i for i, c in enumerate(t.flatten().tolist()))
    """,
}

# A src layout whose scripts import `src.` paths from the repository root.
SRC_LAYOUT = {
    "pyproject.toml": """
        [project]
        name = "notes"
        version = "0.1.0"
        dependencies = ["openai>=1.40"]
    """,
    "src/store/journal.py": """
        def append(path: str, text: str) -> None:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(text + "\\n")
    """,
    "src/agent/writer.py": """
        from openai import OpenAI
        from src.store.journal import append

        def write(topic: str) -> None:
            reply = OpenAI().chat.completions.create(model="gpt-4o-mini",
                                                     messages=[{"role": "user", "content": topic}])
            append("journal.txt", reply.choices[0].message.content or "")
    """,
    "src/cli.py": """
        import sys
        from src.agent.writer import write

        write(sys.argv[1])
    """,
}

# A setup.py (a manifest that is also a module) whose install_requires leaves out what the
# requirements file declares: the finding is at setup.py, and naming setup.py must keep it.
SETUP_PY = {
    "requirements.txt": "openai>=1.40\nrich>=13\n",
    "setup.py": """
        from setuptools import find_packages, setup

        setup(
            name="reviewer",
            version="0.3.0",
            packages=find_packages(),
            install_requires=["openai>=1.40"],
        )
    """,
    "reviewer/__init__.py": "",
    "reviewer/show.py": """
        from rich.console import Console

        def show(text: str) -> None:
            Console().print(text)
    """,
}

PROJECTS = {"same_names": SAME_NAMES, "root_scripts": ROOT_SCRIPTS, "extra_feature": EXTRA_FEATURE,
            "src_layout": SRC_LAYOUT, "setup_py": SETUP_PY}


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, src in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(src).lstrip("\n"), encoding="utf-8")
    (root / ".git").mkdir()
    return root


def _found(root: Path, only: set[str] | None, cache: Path | None = None) -> list[tuple[str, str, int]]:
    config = Config().merge_cli(respect_gitignore=False)
    result = scan([root], config, ScanOptions(only_files=only, cache_dir=cache))
    return sorted((f.rule_id, f.span.path, f.span.line) for f in result.findings)


def test_precommit_run_does_not_take_a_module_named_twice_for_a_package(tmp_path: Path) -> None:
    root = _write(tmp_path / "shop", SAME_NAMES)
    runner = CliRunner()
    for cache in ("--no-cache", f"--cache-dir={tmp_path / 'cache'}", f"--cache-dir={tmp_path / 'cache'}"):
        out = runner.invoke(main, ["scan", "--no-llm", "--no-respect-gitignore", "--exit-zero", cache,
                                   str(root / "main.py")])
        assert out.exit_code == 0, out.output
        assert "EPDD001" not in out.output, out.output
    assert not [f for f in _found(root, None) if f[0] == "EPDD001"]


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_named_files_get_the_findings_of_a_whole_scan(tmp_path: Path, name: str) -> None:
    root = _write(tmp_path / name, PROJECTS[name])
    whole = _found(root, None)
    for rel in sorted(PROJECTS[name]):
        expected = [f for f in whole if f[1] == rel]
        assert _found(root, {rel}) == expected, rel
    # with the module index (a pre-commit run after a first scan), each named file again
    cache = tmp_path / "cache"
    _found(root, None, cache)
    for rel in sorted(r for r in PROJECTS[name] if r.endswith(".py")):
        assert _found(root, {rel}, cache) == [f for f in whole if f[1] == rel], rel
