"""ruff-style fixture tests: every case folder under fixtures/<rule id>/ is scanned with all the rules
of that rule's category, and the findings must be exactly the `# expect: RULE` markers in its files.

Case folders sit under the rule they were written for, in lower case (`fixtures/lope001/<case>/`);
a folder named by a category alone (`fixtures/lope/<case>/`) is read the same way. A case may expect
other rules of its category too (fixtures/README.md lists those). A positive case expects its
folder's rule at least once.

A marker names the rule(s) expected on its own line: `x = json.loads(text)  # expect: LOPE001`.
A marker on a line of its own (`# expect-next: RULE`) expects the finding on the next line.
Folders whose name starts with `ok_` are near misses and must have no markers and no findings.

Non-Python files carry the marker in their own comment syntax: `# expect: LARD005` in YAML, TOML,
INI and `.env` files, `{# expect: LARD007 #}` in Jinja2, `<!-- expect: LARD007 -->` in Markdown (in a
plain `.txt` prompt the `# expect:` text simply stays part of the prompt). A format without
comments (JSON) is listed in the case's `EXPECTED` file, one `path:line: RULE` a line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentable.config import Config
from agentable.scan import scan

FIXTURES = Path(__file__).parent / "fixtures"
_MARK = re.compile(r"(?:#|<!--)\s*expect(-next)?:\s*([A-Z]+[0-9]{3}(?:\s*,\s*[A-Z]+[0-9]{3})*)")
_FOLDER = re.compile(r"^([a-z]+)([0-9]{3})?$")  # a rule id or a category, in lower case


_MARKED_SUFFIXES = (".py", ".txt", ".toml", ".cfg", ".ini", "", ".yaml", ".yml", ".j2", ".jinja", ".jinja2", ".md", ".prompty",
                    ".example", ".template", ".sample", ".env")
_LISTED = re.compile(r"^(\S+):(\d+):\s*([A-Z]+[0-9]{3})$")


def _cases() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*/*") if p.is_dir() and not p.name.startswith("."))  # not caches


def folder_rule(case: Path) -> tuple[str, str | None]:
    """(category, rule id or None) named by the folder holding `case`: `lope001` -> ("LOPE", "LOPE001")."""
    m = _FOLDER.match(case.parent.name)
    assert m, f"fixture folder {case.parent.name!r} is neither a rule id nor a category in lower case"
    category = m.group(1).upper()
    return category, category + m.group(2) if m.group(2) else None


def expected_findings(case: Path) -> set[tuple[str, str, int]]:
    out: set[tuple[str, str, int]] = set()
    for f in sorted(case.rglob("*")):
        if not f.is_file() or f.suffix not in _MARKED_SUFFIXES:
            continue
        rel = f.relative_to(case).as_posix()
        if rel == "EXPECTED":
            for line in f.read_text(encoding="utf-8").splitlines():
                m = _LISTED.match(line.strip())
                if m:
                    out.add((m.group(3), m.group(1), int(m.group(2))))
            continue
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
            m = _MARK.search(line)
            if m:
                target = i + 1 if m.group(1) else i
                for rule in m.group(2).split(","):
                    out.add((rule.strip(), rel, target))
    return out


def actual_findings(case: Path, category: str) -> set[tuple[str, str, int]]:
    config = Config().merge_cli(select=[category], respect_gitignore=False)
    result = scan([case], config)
    crashes = [n.message for n in result.notifications if n.kind in ("rule", "parse")]
    assert not crashes, crashes
    return {(f.rule_id, f.span.path, f.span.line) for f in result.active}


@pytest.mark.parametrize("case", _cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(case: Path) -> None:
    category, rule = folder_rule(case)
    expected = expected_findings(case)
    if case.name.startswith("ok_"):
        assert not expected, "near-miss fixtures carry no expect markers"
    elif rule is not None:
        assert rule in {r for r, _path, _line in expected}, f"a case under {case.parent.name}/ expects {rule}"
    assert actual_findings(case, category) == expected
