"""Named-file (pre-commit) scans analyse only the modules connected to those files, and find
exactly what a full scan finds in them."""

from __future__ import annotations

import textwrap
from pathlib import Path

from agentable.config import Config
from agentable.cpg.focus import focus_modules
from agentable.cpg.lower import lower_source
from agentable.scan import ScanOptions, scan

FILES = {
    "app/llm.py": """
        from openai import OpenAI

        client = OpenAI()

        def ask(prompt):
            return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]).choices[0].message.content
    """,  # noqa: E501 - a program whose lines are asserted
    "app/parse.py": """
        import json

        def as_plan(text):
            return json.loads(text)
    """,
    "app/main.py": """
        from app.llm import ask
        from app.parse import as_plan

        def run(goal):
            return as_plan(ask(goal))
    """,
    "tools/unrelated.py": """
        import json

        def load(path):
            with open(path) as fh:
                return json.load(fh)
    """,
}


def _write(root: Path) -> None:
    for rel, src in FILES.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(src), encoding="utf-8")


def test_focus_keeps_importers_and_their_imports_but_not_unrelated_modules() -> None:
    mods = [lower_source(textwrap.dedent(src).encode(), rel, rel.removesuffix(".py").replace("/", "."))
            for rel, src in FILES.items()]
    assert focus_modules(mods, {"app/parse.py"}) == {"app/parse.py", "app/main.py", "app/llm.py"}
    assert focus_modules(mods, {"requirements.txt"}) is None  # a manifest governs every module


def test_named_file_scan_finds_what_the_full_scan_finds_there(tmp_path: Path) -> None:
    _write(tmp_path)
    full = scan([tmp_path], Config())
    focused = scan([tmp_path], Config(), ScanOptions(only_files={"app/parse.py"}))
    expected = [(f.rule_id, f.span.path, f.span.line) for f in full.active if f.span.path == "app/parse.py"]
    assert expected == [("LOPE001", "app/parse.py", 5)]  # the model's text flows in from main.py
    assert [(f.rule_id, f.span.path, f.span.line) for f in focused.active] == expected


def test_focus_keeps_every_module_a_bare_import_may_name() -> None:
    """`import helpers` beside billing/helpers.py and catalog/helpers.py: sys.path decides which
    one runs, so the slice keeps both (and what imports them)."""
    files = {"billing/helpers.py": "def cents(x):\n    return x\n",
             "catalog/helpers.py": "def sku(x):\n    return x\n",
             "main.py": "import helpers\n",
             "other/unrelated.py": "import json\n"}
    mods = [lower_source(src.encode(), rel, rel.removesuffix(".py").replace("/", ".")) for rel, src in files.items()]
    assert focus_modules(mods, {"main.py"}) == {"main.py", "billing/helpers.py", "catalog/helpers.py"}
    assert focus_modules(mods, {"catalog/helpers.py"}) == {"main.py", "billing/helpers.py", "catalog/helpers.py"}
