"""The modules a scan of a few named files needs: those files, every project module they import
(transitively: what they call), and every module that imports them (transitively: their callers,
whose handlers and arguments the rules consult). A pre-commit run on a few files of a large
project analyses this slice instead of the whole project; the findings that follow calls and
values in the named files are a full scan's because every module that can reach or be reached
from them is included. The dependency rules weigh what no import connects (every module's name,
the other root scripts, an extra's feature code elsewhere): a finding of theirs on a slice is
judged again on the whole project (`scan._judged_on_slice`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from agentable.cpg import ir


@dataclass(frozen=True)
class ModuleFacts:
    """What the slice needs of a module, small enough to keep for every file of a project between
    scans (agentable.module_index): a pre-commit run finds its slice without loading every
    module's IR."""

    path: str
    name: str
    is_package: bool
    imports: frozenset[str]  # imported_names(module)
    lines: int  # line_count(), for the scan's totals

    @classmethod
    def of(cls, mod: ir.Module) -> "ModuleFacts":
        return cls(mod.path, mod.name, mod.is_package, frozenset(imported_names(mod)), mod.line_count())


def imported_names(mod: ir.Module) -> set[str]:
    """Dotted module names a module imports (absolute form; relative imports resolved)."""
    package = mod.name if mod.is_package else mod.name.rpartition(".")[0]
    out: set[str] = set()
    for s in ir.walk_stmts(mod.body, into_defs=True):
        if isinstance(s, ir.Import):
            out.update(a.name for a in s.names)
        elif isinstance(s, ir.ImportFrom):
            base = s.module
            if s.level:
                parts = package.split(".") if package else []
                parts = parts[: max(0, len(parts) - (s.level - 1))]
                base = ".".join(p for p in parts + ([s.module] if s.module else []) if p)
            out.add(base)
            out.update(f"{base}.{a.name}" if base else a.name for a in s.names if a.name != "*")
    return out


def _resolve(name: str, importer: ModuleFacts, by_name: dict[str, ModuleFacts], by_suffix: dict[str, list[str]]
             ) -> list[str]:
    """The project modules an import may name: the one ProjectGraph.find_module picks, or every
    module a bare suffix fits when several do (`import utils` beside `shop/utils.py` and
    `blog/utils.py`: which one runs depends on sys.path, and the rules weigh them all)."""
    package = importer.name if importer.is_package else importer.name.rpartition(".")[0]
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        head = ".".join(parts[:i])
        for cand in (head, f"{package}.{head}" if package else head):
            if cand in by_name:
                return [cand]
        if by_suffix.get(head):
            return list(by_suffix[head])
    return []


def focus_modules(modules: Iterable[ir.Module], paths: set[str]) -> Optional[set[str]]:
    """Paths of the modules needed to analyse the files in `paths`; None when that is everything
    anyway (or a named path is not a Python module, e.g. a manifest that governs all modules)."""
    return focus_paths([ModuleFacts.of(m) for m in modules], paths)


def focus_paths(modules: Iterable[ModuleFacts], paths: set[str]) -> Optional[set[str]]:
    """focus_modules from the modules' facts."""
    modules = list(modules)
    by_path = {m.path: m for m in modules}
    if not paths or any(p not in by_path for p in paths):
        return None
    by_name = {m.name: m for m in modules}
    by_suffix: dict[str, list[str]] = {}
    for name in by_name:
        parts = name.split(".")
        for i in range(1, len(parts)):
            by_suffix.setdefault(".".join(parts[i:]), []).append(name)
    uses: dict[str, set[str]] = {}
    used_by: dict[str, set[str]] = {}
    for m in modules:
        for imported in m.imports:
            for target in _resolve(imported, m, by_name, by_suffix):
                if target != m.name:
                    uses.setdefault(m.name, set()).add(target)
                    used_by.setdefault(target, set()).add(m.name)
    start = {by_path[p].name for p in paths}
    keep = set(start)
    for edges in (uses, used_by):
        stack = list(start)
        while stack:
            for nxt in edges.get(stack.pop(), ()):
                if nxt not in keep:
                    keep.add(nxt)
                    stack.append(nxt)
    # callees of callers: a caller's other imports can matter for values passed in, so close
    # the set over imports once more
    stack = list(keep)
    while stack:
        for nxt in uses.get(stack.pop(), ()):
            if nxt not in keep:
                keep.add(nxt)
                stack.append(nxt)
    return {by_name[n].path for n in keep} if len(keep) < len(modules) else None
