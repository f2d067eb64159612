"""Where a module needs a newer Python than some interpreters have: standard-library modules and
names (catalog `python_added_in`) imported or used unguarded, and syntax (`python_syntax_added_in`):
`match` and `type` statements, and `X | Y` unions or builtin generics (`list[str]`) in annotations
Python evaluates (those of a `def`, and of variables at module or class level, unless the module
has `from __future__ import annotations`). Uses under a test of the interpreter or TYPE_CHECKING,
and imports an ImportError handler guards, do not count: they are how code supports both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.flow import handler_type_names
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import ModuleInfo
from agentable.query.dependencies import import_targets
from agentable.rules.epdd.helpers import environment_test, import_is_optional, import_owner

# what a newer name or keyword raises on an older Python, and the handlers that catch it
_FEATURE_ERRORS = frozenset({"AttributeError", "TypeError", "ValueError", "Exception", "BaseException"})
_BUILTIN_GENERICS = frozenset({"list", "dict", "tuple", "set", "frozenset", "type"})
_SYNTAX_SHOWN = {"builtin_generic_annotation": "a builtin generic in an evaluated annotation",
                 "union_annotation": "an `X | Y` union in an evaluated annotation",
                 "match_statement": "a `match` statement", "type_statement": "a `type` statement"}


@dataclass(frozen=True)
class FeatureUse:
    needs: tuple[int, int]  # (3, 10)
    what: str  # for the message: "`tomllib`", "a `match` statement"
    path: str
    line: int
    # a name or keyword used inside a `try` whose handler catches what it raises on an older Python
    # (AttributeError, TypeError, ValueError or any Exception): that Python reaches the handler
    caught: bool = False


def version_tuple(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor or 0)


def feature_uses(g: ProjectGraph, mod: ModuleInfo) -> list[FeatureUse]:
    """Every unguarded use in `mod` of a feature the catalog dates, in source order."""
    facts = g.catalog.python
    out = list(_imports(g, mod, facts.python_added_in))
    out.extend(_FeatureVisitor(mod, facts.python_added_in, facts.python_syntax_added_in,
                               facts.python_keywords_added_in).run())
    return sorted(out, key=lambda u: u.line)


def _imports(g: ProjectGraph, mod: ModuleInfo, added: dict[str, str]) -> Iterator[FeatureUse]:
    for stmt in mod.import_stmts:
        for dotted in import_targets(stmt):
            known = _dated(dotted, added)
            if known is not None and not import_is_optional(import_owner(g, mod, stmt), stmt):
                yield FeatureUse(version_tuple(added[known]), f"`{known}`", mod.path, stmt.pos[0])


def _dated(dotted: str, added: dict[str, str]) -> Optional[str]:
    """The longest prefix of `dotted` the catalog dates (`tomllib.loads` -> tomllib)."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in added:
            return name
    return None


class _FeatureVisitor:
    """Walks a module's statements knowing whether annotations there are evaluated (module and
    class bodies, `def` signatures) and whether an interpreter test guards them."""

    def __init__(self, mod: ModuleInfo, added: dict[str, str], syntax: dict[str, str],
                 keywords: dict[str, dict[str, str]]) -> None:
        self.mod, self.added, self.syntax, self.keywords = mod, added, syntax, keywords
        self.lazy_annotations = any(  # the IR keeps `from __future__ import ...` as a bare statement
            isinstance(s, ir.Simple) and s.kind == "future"
            and "annotations" in " ".join(mod.ir.line_text(n) for n in range(s.pos[0], s.pos[2] + 1))
            for s in mod.ir.body)
        self.uses: list[FeatureUse] = []
        self.caught = False  # inside the body of such a `try` (see FeatureUse.caught)

    def run(self) -> list[FeatureUse]:
        self._block(self.mod.ir.body, evaluated=True, guarded=False)
        return self.uses

    def _block(self, body: list[ir.Stmt], evaluated: bool, guarded: bool) -> None:
        for s in body:
            self._stmt(s, evaluated, guarded)

    def _stmt(self, s: ir.Stmt, evaluated: bool, guarded: bool) -> None:
        if isinstance(s, ir.Match):  # a SyntaxError on older Pythons, guarded or not
            self._syntax("match_statement", s.pos[0])
        elif isinstance(s, ir.Simple) and s.kind == "type_alias":
            self._syntax("type_statement", s.pos[0])
        if not guarded:
            for e in ir.stmt_exprs(s):
                self._attributes(e)
        if isinstance(s, ir.FunctionDef):
            if not guarded:
                for p in s.params:
                    self._annotation(p.annotation)
                self._annotation(s.returns)
            saved, self.caught = self.caught, False  # the body runs when called, not inside the `try`
            self._block(s.body, evaluated=False, guarded=guarded)
            self.caught = saved
            return
        if isinstance(s, ir.ClassDef):
            self._block(s.body, evaluated=True, guarded=guarded)
            return
        if isinstance(s, ir.Assign) and evaluated and not guarded:
            self._annotation(s.annotation)
        inner = guarded or (isinstance(s, ir.If) and environment_test(s.test))
        catching = isinstance(s, ir.Try) and any(
            not names or any(n.rpartition(".")[2] in _FEATURE_ERRORS for n in names)
            for names in (handler_type_names(h) for h in s.handlers))
        for i, block in enumerate(ir.child_blocks(s)):
            saved = self.caught
            self.caught = saved or (catching and i == 0)
            self._block(block, evaluated, inner)
            self.caught = saved

    def _syntax(self, feature: str, line: int) -> None:
        if feature in self.syntax:
            self.uses.append(FeatureUse(version_tuple(self.syntax[feature]), _SYNTAX_SHOWN[feature], self.mod.path, line))

    def _keywords(self, call: ir.Call) -> None:
        fn = call.func
        if isinstance(fn, ir.Name):
            callee = self.mod.imports.get(fn.id)
        elif isinstance(fn, ir.Attribute) and isinstance(fn.value, ir.Name) and fn.value.id in self.mod.imports:
            callee = f"{self.mod.imports[fn.value.id]}.{fn.attr}"
        else:
            return
        dated = self.keywords.get(callee or "")
        if not dated:
            return
        for kw in call.keywords:
            if kw.name in dated:
                self.uses.append(FeatureUse(version_tuple(dated[kw.name]), f"`{callee}` with the keyword `{kw.name}`",
                                            self.mod.path, kw.value.pos[0], self.caught))

    def _annotation(self, ann: Optional[ir.Expr]) -> None:
        if ann is None or self.lazy_annotations:
            return
        for e in ir.walk_expr(ann):  # tree-sitter gives `union_type`/`generic_type` nodes, or a BinOp/Subscript
            if (isinstance(e, ir.BinOp) and e.op == "|") or (isinstance(e, ir.Other) and e.kind == "union_type"):
                self._syntax("union_annotation", e.pos[0])
                return
            generic = e.value if isinstance(e, ir.Subscript) else (
                e.children[0] if isinstance(e, ir.Other) and e.kind == "generic_type" and e.children else None)
            if isinstance(generic, ir.Name) and generic.id in _BUILTIN_GENERICS and generic.id not in self.mod.imports:
                self._syntax("builtin_generic_annotation", e.pos[0])
                return

    def _attributes(self, e: ir.Expr) -> None:
        """`asyncio.TaskGroup()` where `asyncio` is the imported module, and a dated keyword of an
        imported callable: `logging.basicConfig(encoding=...)`, `@dataclass(kw_only=True)`."""
        for sub in ir.walk_expr(e):
            if isinstance(sub, ir.Call) and sub.keywords and self.keywords:
                self._keywords(sub)
            if isinstance(sub, ir.Attribute) and isinstance(sub.value, ir.Name):
                target = self.mod.imports.get(sub.value.id)
                if target is not None and f"{target}.{sub.attr}" in self.added:
                    name = f"{target}.{sub.attr}"
                    self.uses.append(FeatureUse(version_tuple(self.added[name]), f"`{name}`", self.mod.path, sub.pos[0],
                                                self.caught))
