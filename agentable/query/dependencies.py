"""Imports vs declared distributions (EPDD): what an import statement brings in. Whether it is
declared, locked or optional is EPDD001's alone: agentable/rules/epdd/helpers.py."""

from __future__ import annotations

from agentable.cpg import ir
from agentable.query.facts import EvalAt


def import_targets(stmt: EvalAt) -> list[str]:
    """Absolute dotted names an import statement brings in: `import a.b` -> a.b, `from a import b`
    -> a.b (relative imports give nothing)."""
    out: list[str] = []
    if isinstance(stmt, ir.Import):
        out.extend(a.name for a in stmt.names)
    elif isinstance(stmt, ir.ImportFrom) and stmt.level == 0 and stmt.module:
        out.extend(f"{stmt.module}.{a.name}" if a.name != "*" else stmt.module for a in stmt.names)
    return out
