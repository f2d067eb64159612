"""Parse a file with tree-sitter and lower its tree into the IR of `agentable.cpg.ir`.

tree-sitter recovers from syntax errors, so a broken file still yields every statement it
could make sense of; ERROR nodes are skipped and their lines recorded on the Module.

Speed: lowering runs once per file on every scan, so the hot paths below avoid the costly
parts of the py-tree-sitter API. `node.type` builds a new str on every access (and the dict
lookup then hashes it), so nodes are dispatched on their integer `kind_id`; fields are read by
id, not by name; `start_point`/`end_point` build a Point object each, so a node's position is
read once, inline in the hot handlers.

Memory: the IR of a project is held for the whole scan, so names are interned (`ident`) and
positions share one int object per line number (`grammar.LINES`) instead of allocating a copy
per node. Positions are still fresh tuples; the IR is equal to one built without the sharing
(its pickles are not byte-identical: pickle writes a shared object as a back-reference).

This module lowers statements; expressions are lowered in `lower_expr.py` and the grammar's ids
are read once in `grammar.py`.
"""

from __future__ import annotations

import re
import sys
from typing import Optional

from tree_sitter import Node as TSNode

from agentable.cpg import ir
from agentable.cpg.grammar import (
    ERROR_KIND, F_ALIAS, F_ALTERNATIVE, F_BODY, F_CONDITION, F_CONSEQUENCE, F_DEFINITION, F_LEFT,
    F_MODULE_NAME, F_NAME, F_OPERATOR, F_PARAMETERS, F_RETURN_TYPE, F_RIGHT, F_SUBJECT, F_SUPERCLASSES,
    F_TYPE, F_VALUE, KS_ALIASED_IMPORT, KS_ASYNC, KS_AS_PATTERN, KS_BLOCK, KS_EXCEPT, KS_EXC_TUPLE,
    KS_RELATIVE_IMPORT, KS_WILDCARD_IMPORT, K_ASSIGNMENT, K_AUGMENTED_ASSIGNMENT, K_CASE_CLAUSE,
    K_CLASS_DEFINITION, K_COMMENT, K_DECORATOR, K_ELIF_CLAUSE, K_ELSE_CLAUSE, K_FINALLY_CLAUSE,
    K_IMPORT_PREFIX, K_KEYWORD_ARGUMENT, K_WITH_CLAUSE, K_WITH_ITEM, LINES, node_pos, parse_bytes, reserve_lines,
)
from agentable.cpg.lower_expr import ExpressionLowerer, by_kind

_LONE_CR = re.compile(rb"\r(?!\n)")

# tree-sitter-python 0.25.0 corrupts memory and crashes the process on 511 or more nested
# indentation levels (its scanner state of two bytes a level overflows a 1 KB buffer); found by
# scripts/fuzz_scan.py. A level takes at least one character of indentation, so only a line
# indented this far makes the count worth taking. CPython itself stops at 100 levels.
MAX_INDENT_LEVELS = 500
_FAR_INDENTED = re.compile(rb"\n[ \t\f]{%d}" % MAX_INDENT_LEVELS)  # 6x faster than ^ with re.M


class NestingTooDeep(Exception):
    """The source is nested too deep to be parsed safely."""


def lower_source(source: bytes, path: str, module_name: str) -> ir.Module:
    if b"\r" in source:  # old Mac line endings: Python accepts them, tree-sitter does not (same byte length)
        source = _LONE_CR.sub(b"\n", source)
    if _FAR_INDENTED.search(source) or _FAR_INDENTED.match(b"\n" + source[:MAX_INDENT_LEVELS]):
        levels = indent_levels(source)
        if levels >= MAX_INDENT_LEVELS:
            raise NestingTooDeep(f"{levels:,} indentation levels")
    tree = parse_bytes(source)
    reserve_lines(source.count(b"\n") + 2)
    text = source.decode("utf-8", errors="replace")
    lowerer = _Lowerer(source)
    body = lowerer.block(tree.root_node)
    if tree.root_node.has_error:
        lowerer.error_lines.extend(_error_lines(tree.root_node))
    return ir.Module(
        path=path,
        name=module_name,
        body=body,
        source=text,
        has_error=tree.root_node.has_error,
        error_lines=sorted(set(lowerer.error_lines))[:50],
        is_package=path.endswith("__init__.py"),
    )


def indent_levels(source: bytes) -> int:
    """The most indentation levels open at once, counted as the tokenizer does (a stack of
    widths; tabs to multiples of 8), over every non-blank line: lines inside brackets or strings
    count too, so this may overcount, never undercount."""
    stack = [0]
    deepest = 0
    for line in source.split(b"\n"):
        body = line.lstrip(b" \t\f")
        if not body.strip() or body.startswith(b"#"):
            continue
        width = len(line[: len(line) - len(body)].expandtabs(8))
        while width < stack[-1]:
            stack.pop()
        if width > stack[-1]:
            stack.append(width)
            deepest = max(deepest, len(stack) - 1)
    return deepest


def _error_lines(root: TSNode) -> list[int]:
    """Lines of ERROR and MISSING nodes, visiting only subtrees that contain errors."""
    out: list[int] = []
    stack = [root]
    while stack and len(out) < 50:
        n = stack.pop()
        if n.type == "ERROR" or n.is_missing:
            out.append(n.start_point[0] + 1)
            continue
        stack.extend(c for c in n.children if c.has_error or c.is_missing)
    return out


class _Lowerer(ExpressionLowerer):
    """Lowers statements; expressions and parameter lists are lowered by the base class."""

    def _is_async(self, n: TSNode) -> bool:
        first = n.child(0)
        return first is not None and first.kind_id in KS_ASYNC

    # ------------------------------------------------------------------ statements

    def block(self, n: Optional[TSNode]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        if n is None:
            return out
        for child in n.named_children:
            # the common case inline: one call less per statement
            handler = _STMT_BY_KIND.get(child.kind_id)
            if handler is not None and not child.is_missing:
                stmt = handler(self, child)
                if stmt is not None:
                    out.append(stmt)
            else:
                self._stmt_into(child, out)
        return out

    def _stmt_into(self, n: TSNode, out: list[ir.Stmt]) -> None:
        kind = n.kind_id
        if kind == K_COMMENT:
            return
        if kind == ERROR_KIND or n.is_missing:
            self.error_lines.append(n.start_point[0] + 1)
            # Keep whatever statements tree-sitter recognised inside the error region.
            for child in n.named_children:
                if child.type.endswith("statement") or child.type in _COMPOUND:
                    self._stmt_into(child, out)
            return
        handler = _STMT_BY_KIND.get(kind)
        if handler is not None:
            stmt = handler(self, n)
            if stmt is not None:
                out.append(stmt)
            return
        if kind in KS_BLOCK:
            out.extend(self.block(n))
            return
        # An expression in statement position after error recovery.
        out.append(ir.ExprStmt(node_pos(n), self.expr(n)))

    def expression_statement(self, n: TSNode) -> Optional[ir.Stmt]:
        kids = n.named_children
        if not kids:
            return None
        first = kids[0]
        kind = first.kind_id
        if kind == K_ASSIGNMENT:
            return self.assignment(first, node_pos(n))
        if kind == K_AUGMENTED_ASSIGNMENT:
            op = first.child_by_field_id(F_OPERATOR)
            return ir.AugAssign(
                node_pos(n),
                self.expr(first.child_by_field_id(F_LEFT)),
                self.text(op) if op is not None else "+=",
                self.expr(first.child_by_field_id(F_RIGHT)),
            )
        if len(kids) > 1:
            return ir.ExprStmt(node_pos(n), ir.Seq(node_pos(n), "tuple", [self.expr(k) for k in kids]))
        return ir.ExprStmt(node_pos(n), self.expr(first))

    def assignment(self, n: TSNode, pos: ir.Pos) -> ir.Assign:
        expr = self.expr
        targets: list[ir.Expr] = []
        annotation = None
        cur: Optional[TSNode] = n
        value: Optional[ir.Expr] = None
        while cur is not None and cur.kind_id == K_ASSIGNMENT:
            targets.append(expr(cur.child_by_field_id(F_LEFT)))
            ann = cur.child_by_field_id(F_TYPE)
            if ann is not None:
                annotation = expr(ann)
            right = cur.child_by_field_id(F_RIGHT)
            if right is not None and right.kind_id == K_ASSIGNMENT:
                cur = right
                continue
            value = expr(right) if right is not None else None
            cur = None
        return ir.Assign(pos, targets, value, annotation)

    def return_statement(self, n: TSNode) -> ir.Stmt:
        kids = n.named_children
        value = None
        if len(kids) == 1:
            value = self.expr(kids[0])
        elif kids:
            value = ir.Seq(node_pos(n), "tuple", [self.expr(k) for k in kids])
        return ir.Return(node_pos(n), value)

    def raise_statement(self, n: TSNode) -> ir.Stmt:
        kids = n.named_children
        return ir.Raise(node_pos(n), self.expr(kids[0]) if kids else None)

    def if_statement(self, n: TSNode) -> ir.Stmt:
        test = self.expr(n.child_by_field_id(F_CONDITION))
        body = self.block(n.child_by_field_id(F_CONSEQUENCE))
        orelse: list[ir.Stmt] = []
        # elif chains nest as If statements in the else branch
        tail = orelse
        for clause in n.children_by_field_id(F_ALTERNATIVE):
            kind = clause.kind_id
            if kind == K_ELIF_CLAUSE:
                nested = ir.If(
                    node_pos(clause),
                    self.expr(clause.child_by_field_id(F_CONDITION)),
                    self.block(clause.child_by_field_id(F_CONSEQUENCE)),
                    [],
                )
                tail.append(nested)
                tail = nested.orelse
            elif kind == K_ELSE_CLAUSE:
                tail.extend(self.block(clause.child_by_field_id(F_BODY)))
        return ir.If(node_pos(n), test, body, orelse)

    def _else(self, n: TSNode) -> list[ir.Stmt]:
        alt = n.child_by_field_id(F_ALTERNATIVE)
        return self.block(alt.child_by_field_id(F_BODY)) if alt is not None else []

    def while_statement(self, n: TSNode) -> ir.Stmt:
        return ir.While(
            node_pos(n), self.expr(n.child_by_field_id(F_CONDITION)), self.block(n.child_by_field_id(F_BODY)), self._else(n)
        )

    def for_statement(self, n: TSNode) -> ir.Stmt:
        is_async = self._is_async(n)
        return ir.For(
            node_pos(n),
            self.expr(n.child_by_field_id(F_LEFT)),
            self.expr(n.child_by_field_id(F_RIGHT)),
            self.block(n.child_by_field_id(F_BODY)),
            self._else(n),
            is_async,
        )

    def try_statement(self, n: TSNode) -> ir.Stmt:
        body = self.block(n.child_by_field_id(F_BODY))
        handlers: list[ir.Handler] = []
        orelse: list[ir.Stmt] = []
        final: list[ir.Stmt] = []
        for c in n.named_children:
            kind = c.kind_id
            if kind in KS_EXCEPT:
                handlers.append(self.except_clause(c))
            elif kind == K_ELSE_CLAUSE:
                orelse = self.block(c.child_by_field_id(F_BODY))
            elif kind == K_FINALLY_CLAUSE:
                blocks = [k for k in c.named_children if k.kind_id in KS_BLOCK]
                final = self.block(blocks[0]) if blocks else []
        return ir.Try(node_pos(n), body, handlers, orelse, final)

    def except_clause(self, n: TSNode) -> ir.Handler:
        types: list[ir.Expr] = []
        name: Optional[str] = None
        body: list[ir.Stmt] = []
        for c in n.named_children:
            kind = c.kind_id
            if kind in KS_BLOCK:
                body = self.block(c)
            elif kind == K_COMMENT:
                continue
            elif kind in KS_AS_PATTERN:
                inner = c.named_children[0]
                types = self._exc_types(inner)
                alias = c.child_by_field_id(F_ALIAS)
                if alias is not None:
                    name = self.text(alias).strip()
            else:
                types.extend(self._exc_types(c))
        return ir.Handler(node_pos(n), types, name, body)

    def _exc_types(self, n: TSNode) -> list[ir.Expr]:
        if n.kind_id in KS_EXC_TUPLE:
            out: list[ir.Expr] = []
            for k in n.named_children:
                out.extend(self._exc_types(k))
            return out
        return [self.expr(n)]

    def with_statement(self, n: TSNode) -> ir.Stmt:
        items: list[ir.WithItem] = []
        is_async = self._is_async(n)
        for c in n.named_children:
            if c.kind_id == K_WITH_CLAUSE:
                for item in c.named_children:
                    if item.kind_id != K_WITH_ITEM:
                        continue
                    v = item.child_by_field_id(F_VALUE)
                    if v is not None and v.kind_id in KS_AS_PATTERN:
                        target = v.child_by_field_id(F_ALIAS)
                        target_kids = target.named_children if target is not None else None
                        tgt = self.expr(target_kids[0]) if target_kids else None
                        items.append(ir.WithItem(self.expr(v.named_children[0]), tgt))
                    elif v is not None:
                        items.append(ir.WithItem(self.expr(v), None))
        return ir.With(node_pos(n), items, self.block(n.child_by_field_id(F_BODY)), is_async)

    def function_definition(self, n: TSNode, decorators: Optional[list[ir.Expr]] = None) -> ir.Stmt:
        name_node = n.child_by_field_id(F_NAME)
        body = self.block(n.child_by_field_id(F_BODY))
        ret = n.child_by_field_id(F_RETURN_TYPE)
        return ir.FunctionDef(
            node_pos(n),
            self.ident(name_node) if name_node is not None else "<anonymous>",
            self.parameters(n.child_by_field_id(F_PARAMETERS)),
            body,
            decorators or [],
            self.expr(ret) if ret is not None else None,
            _docstring(body),
            self._is_async(n),
            node_pos(name_node) if name_node is not None else node_pos(n),
        )

    def class_definition(self, n: TSNode, decorators: Optional[list[ir.Expr]] = None) -> ir.Stmt:
        name_node = n.child_by_field_id(F_NAME)
        bases: list[ir.Expr] = []
        keywords: list[ir.Keyword] = []
        sup = n.child_by_field_id(F_SUPERCLASSES)
        if sup is not None:
            for c in sup.named_children:
                kind = c.kind_id
                if kind == K_KEYWORD_ARGUMENT:
                    keywords.append(self.keyword(c))
                elif kind != K_COMMENT:
                    bases.append(self.expr(c))
        body = self.block(n.child_by_field_id(F_BODY))
        return ir.ClassDef(
            node_pos(n),
            self.ident(name_node) if name_node is not None else "<anonymous>",
            bases,
            keywords,
            body,
            decorators or [],
            _docstring(body),
            node_pos(name_node) if name_node is not None else node_pos(n),
        )

    def decorated_definition(self, n: TSNode) -> Optional[ir.Stmt]:
        decorators: list[ir.Expr] = []
        for c in n.named_children:
            if c.kind_id == K_DECORATOR:
                inner = [k for k in c.named_children if k.kind_id != K_COMMENT]
                if inner:
                    decorators.append(self.expr(inner[0]))
        definition = n.child_by_field_id(F_DEFINITION)
        if definition is None:
            return None
        if definition.kind_id == K_CLASS_DEFINITION:
            stmt = self.class_definition(definition, decorators)
        else:
            stmt = self.function_definition(definition, decorators)
        row, col = n.start_point
        stmt.pos = (LINES[row], col, stmt.pos[2], stmt.pos[3])
        return stmt

    def import_statement(self, n: TSNode) -> ir.Stmt:
        names = [self._alias(c) for c in n.children_by_field_id(F_NAME)]
        return ir.Import(node_pos(n), names)

    def import_from_statement(self, n: TSNode) -> ir.Stmt:
        mod = n.child_by_field_id(F_MODULE_NAME)
        module, level = "", 0
        if mod is not None:
            if mod.kind_id in KS_RELATIVE_IMPORT:
                for c in mod.named_children:
                    if c.kind_id == K_IMPORT_PREFIX:
                        level = self.text(c).count(".")
                    else:
                        module = self.ident(c)
            else:
                module = self.ident(mod)
        names = [self._alias(c) for c in n.children_by_field_id(F_NAME)]
        if any(c.kind_id in KS_WILDCARD_IMPORT for c in n.named_children):
            names.append(ir.Alias("*", None))
        return ir.ImportFrom(node_pos(n), sys.intern(module.replace(" ", "")), level, names)

    def _alias(self, c: TSNode) -> ir.Alias:
        if c.kind_id in KS_ALIASED_IMPORT:
            name = c.child_by_field_id(F_NAME)
            alias = c.child_by_field_id(F_ALIAS)
            return ir.Alias(sys.intern(self.text(name).replace(" ", "")) if name else "", self.ident(alias) if alias else None)
        return ir.Alias(sys.intern(self.text(c).replace(" ", "")), None)

    def match_statement(self, n: TSNode) -> ir.Stmt:
        subject = n.child_by_field_id(F_SUBJECT)
        cases: list[list[ir.Stmt]] = []
        body = n.child_by_field_id(F_BODY)
        if body is not None:
            for c in body.named_children:
                if c.kind_id == K_CASE_CLAUSE:
                    cases.append(self.block(c.child_by_field_id(F_CONSEQUENCE)))
        return ir.Match(node_pos(n), self.expr(subject) if subject is not None else ir.Other(node_pos(n), "none", []), cases)

    def simple(self, n: TSNode) -> ir.Stmt:
        kind = n.type.replace("_statement", "")
        return ir.Simple(node_pos(n), kind, self._exprs(n))

    def future_import(self, n: TSNode) -> ir.Stmt:
        return ir.Simple(node_pos(n), "future")

    def type_alias(self, n: TSNode) -> ir.Stmt:
        return ir.Simple(node_pos(n), "type_alias")


def _docstring(body: list[ir.Stmt]) -> Optional[str]:
    if body and isinstance(body[0], ir.ExprStmt):
        v = body[0].value
        if isinstance(v, ir.Constant) and isinstance(v.value, str):
            return v.value
    return None


_COMPOUND = {
    "function_definition",
    "class_definition",
    "decorated_definition",
    "if_statement",
    "for_statement",
    "while_statement",
    "try_statement",
    "with_statement",
    "match_statement",
    "expression_statement",
}

_STMT_HANDLERS = {
    "expression_statement": _Lowerer.expression_statement,
    "return_statement": _Lowerer.return_statement,
    "raise_statement": _Lowerer.raise_statement,
    "if_statement": _Lowerer.if_statement,
    "while_statement": _Lowerer.while_statement,
    "for_statement": _Lowerer.for_statement,
    "try_statement": _Lowerer.try_statement,
    "with_statement": _Lowerer.with_statement,
    "function_definition": _Lowerer.function_definition,
    "class_definition": _Lowerer.class_definition,
    "decorated_definition": _Lowerer.decorated_definition,
    "import_statement": _Lowerer.import_statement,
    "import_from_statement": _Lowerer.import_from_statement,
    "future_import_statement": _Lowerer.future_import,
    "match_statement": _Lowerer.match_statement,
    "pass_statement": _Lowerer.simple,
    "break_statement": _Lowerer.simple,
    "continue_statement": _Lowerer.simple,
    "global_statement": _Lowerer.simple,
    "nonlocal_statement": _Lowerer.simple,
    "delete_statement": _Lowerer.simple,
    "assert_statement": _Lowerer.simple,
    "print_statement": _Lowerer.simple,
    "exec_statement": _Lowerer.simple,
    "type_alias_statement": _Lowerer.type_alias,
}

_STMT_BY_KIND = by_kind(_STMT_HANDLERS)
