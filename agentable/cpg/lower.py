"""Parse a file with tree-sitter and lower its tree into the IR of `agentable.cpg.ir`.

tree-sitter recovers from syntax errors, so a broken file still yields every statement it
could make sense of; ERROR nodes are skipped and their lines recorded on the Module.

Speed: lowering runs once per file on every scan, so the hot paths below avoid the costly
parts of the py-tree-sitter API. `node.type` builds a new str on every access (and the dict
lookup then hashes it), so nodes are dispatched on their integer `kind_id`; fields are read by
id, not by name; `start_point`/`end_point` build a Point object each, so a node's position is
read once, inline in the hot handlers. The IR must stay bit-identical (it is pickled into the
cache): positions are always fresh tuples and texts fresh strings, exactly as before, because
pickle writes an object shared by two fields differently from two equal objects.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Optional

import tree_sitter_python
from tree_sitter import Language, Node as TSNode, Parser

from agentable.cpg import ir

_LANGUAGE = Language(tree_sitter_python.language())


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(_LANGUAGE)


def parse_bytes(source: bytes):
    """Parse alone (used by the benchmark to time tree-sitter without the rest)."""
    return _parser().parse(source)


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


def _pos(n: TSNode) -> ir.Pos:
    s, e = n.start_point, n.end_point
    return (s[0] + 1, s[1], e[0] + 1, e[1])


# ---------------------------------------------------------------------------- grammar ids


def _kind_ids(name: str) -> frozenset[int]:
    """Every kind id whose `node.type` is `name` (a grammar may give one name several ids)."""
    return frozenset(i for i in range(_LANGUAGE.node_kind_count) if _LANGUAGE.node_kind_for_id(i) == name)


def _kind_id(name: str) -> int:
    """The kind id of `name`, for a name the grammar gives exactly one id (checked at import)."""
    (kind,) = _kind_ids(name)
    return kind


def _field_id(name: str) -> int:
    field = _LANGUAGE.field_id_for_name(name)
    assert field is not None, name
    return field


_ERROR = 0xFFFF  # ts_builtin_sym_error: outside node_kind_count, its type is "ERROR"

_K_ASSIGNMENT = _kind_id("assignment")
_K_ATTRIBUTE = _kind_id("attribute")
_K_AUGMENTED_ASSIGNMENT = _kind_id("augmented_assignment")
_K_CASE_CLAUSE = _kind_id("case_clause")
_K_CLASS_DEFINITION = _kind_id("class_definition")
_K_COMMENT = _kind_id("comment")
_K_DECORATOR = _kind_id("decorator")
_K_DICTIONARY_SPLAT = _kind_id("dictionary_splat")
_K_ELIF_CLAUSE = _kind_id("elif_clause")
_K_ELSE_CLAUSE = _kind_id("else_clause")
_K_ESCAPE_SEQUENCE = _kind_id("escape_sequence")
_K_FINALLY_CLAUSE = _kind_id("finally_clause")
_K_FOR_IN_CLAUSE = _kind_id("for_in_clause")
_K_GENERATOR_EXPRESSION = _kind_id("generator_expression")
_K_IDENTIFIER = _kind_id("identifier")
_K_IF_CLAUSE = _kind_id("if_clause")
_K_IMPORT_PREFIX = _kind_id("import_prefix")
_K_INTERPOLATION = _kind_id("interpolation")
_K_KEYWORD_ARGUMENT = _kind_id("keyword_argument")
_K_PAIR = _kind_id("pair")
_K_STRING_CONTENT = _kind_id("string_content")
_K_WITH_CLAUSE = _kind_id("with_clause")
_K_WITH_ITEM = _kind_id("with_item")

_KS_ALIASED_IMPORT = _kind_ids("aliased_import")
_KS_AS_PATTERN = _kind_ids("as_pattern")
_KS_ASYNC = _kind_ids("async")
_KS_BLOCK = _kind_ids("block")
_KS_DICTIONARY_SPLAT_PATTERN = _kind_ids("dictionary_splat_pattern")
_KS_EXCEPT = _kind_ids("except_clause") | _kind_ids("except_group_clause")
_KS_EXC_TUPLE = _kind_ids("tuple") | _kind_ids("parenthesized_expression") | _kind_ids("expression_list")
_KS_FROM = _kind_ids("from")
_KS_KEYWORD_SEPARATOR = _kind_ids("keyword_separator")
_KS_LIST_SPLAT_PATTERN = _kind_ids("list_splat_pattern")
_KS_PARAM_WITH_FIELDS = _kind_ids("typed_parameter") | _kind_ids("default_parameter") | _kind_ids("typed_default_parameter")
_KS_POSITIONAL_SEPARATOR = _kind_ids("positional_separator")
_KS_RELATIVE_IMPORT = _kind_ids("relative_import")
_KS_WILDCARD_IMPORT = _kind_ids("wildcard_import")

_F_ALIAS = _field_id("alias")
_F_ALTERNATIVE = _field_id("alternative")
_F_ARGUMENT = _field_id("argument")
_F_ARGUMENTS = _field_id("arguments")
_F_ATTRIBUTE = _field_id("attribute")
_F_BODY = _field_id("body")
_F_CONDITION = _field_id("condition")
_F_CONSEQUENCE = _field_id("consequence")
_F_DEFINITION = _field_id("definition")
_F_FUNCTION = _field_id("function")
_F_KEY = _field_id("key")
_F_LEFT = _field_id("left")
_F_MODULE_NAME = _field_id("module_name")
_F_NAME = _field_id("name")
_F_OBJECT = _field_id("object")
_F_OPERATOR = _field_id("operator")
_F_PARAMETERS = _field_id("parameters")
_F_RETURN_TYPE = _field_id("return_type")
_F_RIGHT = _field_id("right")
_F_SUBJECT = _field_id("subject")
_F_SUBSCRIPT = _field_id("subscript")
_F_SUPERCLASSES = _field_id("superclasses")
_F_TYPE = _field_id("type")
_F_VALUE = _field_id("value")

_PREFIX_CHARS = b"rRbBuUfFtT"


class _Lowerer:
    def __init__(self, src: bytes) -> None:
        self.src = src
        self.error_lines: list[int] = []

    def text(self, n: TSNode) -> str:
        return self.src[n.start_byte : n.end_byte].decode("utf-8", "replace")

    def _is_async(self, n: TSNode) -> bool:
        first = n.child(0)
        return first is not None and first.kind_id in _KS_ASYNC

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
        if kind == _K_COMMENT:
            return
        if kind == _ERROR or n.is_missing:
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
        if kind in _KS_BLOCK:
            out.extend(self.block(n))
            return
        # An expression in statement position after error recovery.
        out.append(ir.ExprStmt(_pos(n), self.expr(n)))

    def expression_statement(self, n: TSNode) -> Optional[ir.Stmt]:
        kids = n.named_children
        if not kids:
            return None
        first = kids[0]
        kind = first.kind_id
        if kind == _K_ASSIGNMENT:
            return self.assignment(first, _pos(n))
        if kind == _K_AUGMENTED_ASSIGNMENT:
            op = first.child_by_field_id(_F_OPERATOR)
            return ir.AugAssign(
                _pos(n),
                self.expr(first.child_by_field_id(_F_LEFT)),
                self.text(op) if op is not None else "+=",
                self.expr(first.child_by_field_id(_F_RIGHT)),
            )
        if len(kids) > 1:
            return ir.ExprStmt(_pos(n), ir.Seq(_pos(n), "tuple", [self.expr(k) for k in kids]))
        return ir.ExprStmt(_pos(n), self.expr(first))

    def assignment(self, n: TSNode, pos: ir.Pos) -> ir.Assign:
        expr = self.expr
        targets: list[ir.Expr] = []
        annotation = None
        cur: Optional[TSNode] = n
        value: Optional[ir.Expr] = None
        while cur is not None and cur.kind_id == _K_ASSIGNMENT:
            targets.append(expr(cur.child_by_field_id(_F_LEFT)))
            ann = cur.child_by_field_id(_F_TYPE)
            if ann is not None:
                annotation = expr(ann)
            right = cur.child_by_field_id(_F_RIGHT)
            if right is not None and right.kind_id == _K_ASSIGNMENT:
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
            value = ir.Seq(_pos(n), "tuple", [self.expr(k) for k in kids])
        return ir.Return(_pos(n), value)

    def raise_statement(self, n: TSNode) -> ir.Stmt:
        kids = n.named_children
        return ir.Raise(_pos(n), self.expr(kids[0]) if kids else None)

    def if_statement(self, n: TSNode) -> ir.Stmt:
        test = self.expr(n.child_by_field_id(_F_CONDITION))
        body = self.block(n.child_by_field_id(_F_CONSEQUENCE))
        orelse: list[ir.Stmt] = []
        # elif chains nest as If statements in the else branch
        tail = orelse
        for clause in n.children_by_field_id(_F_ALTERNATIVE):
            kind = clause.kind_id
            if kind == _K_ELIF_CLAUSE:
                nested = ir.If(
                    _pos(clause),
                    self.expr(clause.child_by_field_id(_F_CONDITION)),
                    self.block(clause.child_by_field_id(_F_CONSEQUENCE)),
                    [],
                )
                tail.append(nested)
                tail = nested.orelse
            elif kind == _K_ELSE_CLAUSE:
                tail.extend(self.block(clause.child_by_field_id(_F_BODY)))
        return ir.If(_pos(n), test, body, orelse)

    def _else(self, n: TSNode) -> list[ir.Stmt]:
        alt = n.child_by_field_id(_F_ALTERNATIVE)
        return self.block(alt.child_by_field_id(_F_BODY)) if alt is not None else []

    def while_statement(self, n: TSNode) -> ir.Stmt:
        return ir.While(
            _pos(n), self.expr(n.child_by_field_id(_F_CONDITION)), self.block(n.child_by_field_id(_F_BODY)), self._else(n)
        )

    def for_statement(self, n: TSNode) -> ir.Stmt:
        is_async = self._is_async(n)
        return ir.For(
            _pos(n),
            self.expr(n.child_by_field_id(_F_LEFT)),
            self.expr(n.child_by_field_id(_F_RIGHT)),
            self.block(n.child_by_field_id(_F_BODY)),
            self._else(n),
            is_async,
        )

    def try_statement(self, n: TSNode) -> ir.Stmt:
        body = self.block(n.child_by_field_id(_F_BODY))
        handlers: list[ir.Handler] = []
        orelse: list[ir.Stmt] = []
        final: list[ir.Stmt] = []
        for c in n.named_children:
            kind = c.kind_id
            if kind in _KS_EXCEPT:
                handlers.append(self.except_clause(c))
            elif kind == _K_ELSE_CLAUSE:
                orelse = self.block(c.child_by_field_id(_F_BODY))
            elif kind == _K_FINALLY_CLAUSE:
                blocks = [k for k in c.named_children if k.kind_id in _KS_BLOCK]
                final = self.block(blocks[0]) if blocks else []
        return ir.Try(_pos(n), body, handlers, orelse, final)

    def except_clause(self, n: TSNode) -> ir.Handler:
        types: list[ir.Expr] = []
        name: Optional[str] = None
        body: list[ir.Stmt] = []
        for c in n.named_children:
            kind = c.kind_id
            if kind in _KS_BLOCK:
                body = self.block(c)
            elif kind == _K_COMMENT:
                continue
            elif kind in _KS_AS_PATTERN:
                inner = c.named_children[0]
                types = self._exc_types(inner)
                alias = c.child_by_field_id(_F_ALIAS)
                if alias is not None:
                    name = self.text(alias).strip()
            else:
                types.extend(self._exc_types(c))
        return ir.Handler(_pos(n), types, name, body)

    def _exc_types(self, n: TSNode) -> list[ir.Expr]:
        if n.kind_id in _KS_EXC_TUPLE:
            out: list[ir.Expr] = []
            for k in n.named_children:
                out.extend(self._exc_types(k))
            return out
        return [self.expr(n)]

    def with_statement(self, n: TSNode) -> ir.Stmt:
        items: list[ir.WithItem] = []
        is_async = self._is_async(n)
        for c in n.named_children:
            if c.kind_id == _K_WITH_CLAUSE:
                for item in c.named_children:
                    if item.kind_id != _K_WITH_ITEM:
                        continue
                    v = item.child_by_field_id(_F_VALUE)
                    if v is not None and v.kind_id in _KS_AS_PATTERN:
                        target = v.child_by_field_id(_F_ALIAS)
                        target_kids = target.named_children if target is not None else None
                        tgt = self.expr(target_kids[0]) if target_kids else None
                        items.append(ir.WithItem(self.expr(v.named_children[0]), tgt))
                    elif v is not None:
                        items.append(ir.WithItem(self.expr(v), None))
        return ir.With(_pos(n), items, self.block(n.child_by_field_id(_F_BODY)), is_async)

    def function_definition(self, n: TSNode, decorators: Optional[list[ir.Expr]] = None) -> ir.Stmt:
        name_node = n.child_by_field_id(_F_NAME)
        body = self.block(n.child_by_field_id(_F_BODY))
        ret = n.child_by_field_id(_F_RETURN_TYPE)
        return ir.FunctionDef(
            _pos(n),
            self.text(name_node) if name_node is not None else "<anonymous>",
            self.parameters(n.child_by_field_id(_F_PARAMETERS)),
            body,
            decorators or [],
            self.expr(ret) if ret is not None else None,
            _docstring(body),
            self._is_async(n),
            _pos(name_node) if name_node is not None else _pos(n),
        )

    def parameters(self, n: Optional[TSNode]) -> list[ir.Param]:
        out: list[ir.Param] = []
        if n is None:
            return out
        kwonly = False
        for c in n.named_children:
            kind = c.kind_id
            if kind == _K_IDENTIFIER:
                out.append(ir.Param(self.text(c), _pos(c), kind="kwonly" if kwonly else "normal"))
            elif kind in _KS_PARAM_WITH_FIELDS:
                param, is_vararg = self._param_with_fields(c, kwonly)
                if param is not None:
                    out.append(param)
                kwonly = kwonly or is_vararg
            elif kind in _KS_LIST_SPLAT_PATTERN:
                out.append(ir.Param(self.text(c).lstrip("*"), _pos(c), kind="vararg"))
                kwonly = True
            elif kind in _KS_DICTIONARY_SPLAT_PATTERN:
                out.append(ir.Param(self.text(c).lstrip("*"), _pos(c), kind="kwarg"))
            elif kind in _KS_KEYWORD_SEPARATOR:
                kwonly = True
            elif kind in _KS_POSITIONAL_SEPARATOR:
                for p in out:
                    p.kind = "posonly"
        return out

    def _param_with_fields(self, c: TSNode, kwonly: bool) -> tuple[Optional[ir.Param], bool]:
        """A typed and/or defaulted parameter, and whether it is a typed *args."""
        name_node = c.child_by_field_id(_F_NAME)
        kids = c.named_children
        if name_node is None and kids and kids[0].kind_id == _K_IDENTIFIER:
            name_node = kids[0]  # typed_parameter has no "name" field
        if name_node is None:  # typed *args / **kwargs
            inner = kids[0] if kids else None
            if inner is None:
                return None, False
            if inner.kind_id in _KS_LIST_SPLAT_PATTERN:
                kind = "vararg"
            elif inner.kind_id in _KS_DICTIONARY_SPLAT_PATTERN:
                kind = "kwarg"
            else:
                return None, False
            ann = c.child_by_field_id(_F_TYPE)
            param = ir.Param(self.text(inner).lstrip("*"), _pos(c), self.expr(ann) if ann else None, None, kind)
            return param, kind == "vararg"
        ann = c.child_by_field_id(_F_TYPE)
        default = c.child_by_field_id(_F_VALUE)
        param = ir.Param(
            self.text(name_node),
            _pos(c),
            self.expr(ann) if ann is not None else None,
            self.expr(default) if default is not None else None,
            "kwonly" if kwonly else "normal",
        )
        return param, False

    def class_definition(self, n: TSNode, decorators: Optional[list[ir.Expr]] = None) -> ir.Stmt:
        name_node = n.child_by_field_id(_F_NAME)
        bases: list[ir.Expr] = []
        keywords: list[ir.Keyword] = []
        sup = n.child_by_field_id(_F_SUPERCLASSES)
        if sup is not None:
            for c in sup.named_children:
                kind = c.kind_id
                if kind == _K_KEYWORD_ARGUMENT:
                    keywords.append(self.keyword(c))
                elif kind != _K_COMMENT:
                    bases.append(self.expr(c))
        body = self.block(n.child_by_field_id(_F_BODY))
        return ir.ClassDef(
            _pos(n),
            self.text(name_node) if name_node is not None else "<anonymous>",
            bases,
            keywords,
            body,
            decorators or [],
            _docstring(body),
            _pos(name_node) if name_node is not None else _pos(n),
        )

    def decorated_definition(self, n: TSNode) -> Optional[ir.Stmt]:
        decorators: list[ir.Expr] = []
        for c in n.named_children:
            if c.kind_id == _K_DECORATOR:
                inner = [k for k in c.named_children if k.kind_id != _K_COMMENT]
                if inner:
                    decorators.append(self.expr(inner[0]))
        definition = n.child_by_field_id(_F_DEFINITION)
        if definition is None:
            return None
        if definition.kind_id == _K_CLASS_DEFINITION:
            stmt = self.class_definition(definition, decorators)
        else:
            stmt = self.function_definition(definition, decorators)
        row, col = n.start_point
        stmt.pos = (row + 1, col, stmt.pos[2], stmt.pos[3])
        return stmt

    def import_statement(self, n: TSNode) -> ir.Stmt:
        names = [self._alias(c) for c in n.children_by_field_id(_F_NAME)]
        return ir.Import(_pos(n), names)

    def import_from_statement(self, n: TSNode) -> ir.Stmt:
        mod = n.child_by_field_id(_F_MODULE_NAME)
        module, level = "", 0
        if mod is not None:
            if mod.kind_id in _KS_RELATIVE_IMPORT:
                for c in mod.named_children:
                    if c.kind_id == _K_IMPORT_PREFIX:
                        level = self.text(c).count(".")
                    else:
                        module = self.text(c)
            else:
                module = self.text(mod)
        names = [self._alias(c) for c in n.children_by_field_id(_F_NAME)]
        if any(c.kind_id in _KS_WILDCARD_IMPORT for c in n.named_children):
            names.append(ir.Alias("*", None))
        return ir.ImportFrom(_pos(n), module.replace(" ", ""), level, names)

    def _alias(self, c: TSNode) -> ir.Alias:
        if c.kind_id in _KS_ALIASED_IMPORT:
            name = c.child_by_field_id(_F_NAME)
            alias = c.child_by_field_id(_F_ALIAS)
            return ir.Alias(self.text(name).replace(" ", "") if name else "", self.text(alias) if alias else None)
        return ir.Alias(self.text(c).replace(" ", ""), None)

    def match_statement(self, n: TSNode) -> ir.Stmt:
        subject = n.child_by_field_id(_F_SUBJECT)
        cases: list[list[ir.Stmt]] = []
        body = n.child_by_field_id(_F_BODY)
        if body is not None:
            for c in body.named_children:
                if c.kind_id == _K_CASE_CLAUSE:
                    cases.append(self.block(c.child_by_field_id(_F_CONSEQUENCE)))
        return ir.Match(_pos(n), self.expr(subject) if subject is not None else ir.Other(_pos(n), "none", []), cases)

    def simple(self, n: TSNode) -> ir.Stmt:
        kind = n.type.replace("_statement", "")
        return ir.Simple(_pos(n), kind, self._exprs(n))

    def future_import(self, n: TSNode) -> ir.Stmt:
        return ir.Simple(_pos(n), "future")

    def type_alias(self, n: TSNode) -> ir.Stmt:
        return ir.Simple(_pos(n), "type_alias")

    # ------------------------------------------------------------------ expressions

    def expr(self, n: Optional[TSNode]) -> ir.Expr:
        if n is None:
            return ir.Other((0, 0, 0, 0), "missing", [])
        kind = n.kind_id
        if kind == _K_IDENTIFIER:
            # 40% of all expressions: built here, without a handler call. A name is one token on
            # one line, so its end is its start plus its byte length (saves an end_point Point).
            point = n.start_point  # a Point: indexing it is cheaper than unpacking it
            row = point[0] + 1
            col = point[1]
            start, end = n.start_byte, n.end_byte
            return ir.Name((row, col, row, col + end - start), self.src[start:end].decode("utf-8", "replace"))
        return _EXPR_BY_KIND[kind](self, n)

    def other(self, n: TSNode) -> ir.Expr:
        """Any other expression node (ERROR, type, ...): its kind and its lowered children."""
        return ir.Other(_pos(n), n.type, self._exprs(n))

    def _exprs(self, n: TSNode) -> list[ir.Expr]:
        """The named children of `n` but comments, lowered."""
        expr = self.expr
        out = []
        for c in n.named_children:  # a loop, not a comprehension: lists are short, and a comprehension is a call
            if c.kind_id != _K_COMMENT:
                out.append(expr(c))
        return out

    def attribute(self, n: TSNode) -> ir.Expr:
        attr = n.child_by_field_id(_F_ATTRIBUTE)
        first, last = n.start_point, n.end_point
        return ir.Attribute(
            (first[0] + 1, first[1], last[0] + 1, last[1]),
            self.expr(n.child_by_field_id(_F_OBJECT)),
            self.src[attr.start_byte : attr.end_byte].decode("utf-8", "replace") if attr is not None else "",
        )

    def call(self, n: TSNode) -> ir.Expr:
        expr = self.expr
        func = expr(n.child_by_field_id(_F_FUNCTION))
        args_node = n.child_by_field_id(_F_ARGUMENTS)
        args: list[ir.Expr] = []
        keywords: list[ir.Keyword] = []
        if args_node is not None:
            if args_node.kind_id == _K_GENERATOR_EXPRESSION:
                args.append(expr(args_node))
            else:
                for c in args_node.named_children:
                    kind = c.kind_id
                    if kind == _K_KEYWORD_ARGUMENT:
                        keywords.append(self.keyword(c))
                    elif kind == _K_DICTIONARY_SPLAT:
                        inner = c.named_children
                        keywords.append(ir.Keyword(None, expr(inner[0]) if inner else ir.Other(_pos(c), "missing", [])))
                    elif kind != _K_COMMENT:
                        args.append(expr(c))
        first, last = n.start_point, n.end_point
        return ir.Call((first[0] + 1, first[1], last[0] + 1, last[1]), func, args, keywords)

    def keyword(self, c: TSNode) -> ir.Keyword:
        name = c.child_by_field_id(_F_NAME)
        return ir.Keyword(
            self.src[name.start_byte : name.end_byte].decode("utf-8", "replace") if name is not None else None,
            self.expr(c.child_by_field_id(_F_VALUE)),
        )

    def subscript(self, n: TSNode) -> ir.Expr:
        subs = n.children_by_field_id(_F_SUBSCRIPT)
        if len(subs) == 1:
            index = self.expr(subs[0])
        else:
            index = ir.Seq(_pos(n), "tuple", [self.expr(s) for s in subs])
        return ir.Subscript(_pos(n), self.expr(n.child_by_field_id(_F_VALUE)), index)

    def string(self, n: TSNode) -> ir.Expr:
        src = self.src
        children = n.children
        opener_node = children[0]  # string_start, e.g. `"`, `'''` or `rb"`
        opener = src[opener_node.start_byte : opener_node.end_byte]
        # The prefix letters, as the regex ^[rRbBuUfFtT]* gave them. (A str: `b"r" in some_bytes`
        # raises and swallows a TypeError inside CPython before it searches.)
        prefix = opener[: len(opener) - len(opener.lstrip(_PREFIX_CHARS))].decode("ascii").lower()
        raw = "r" in prefix
        parts: list = []
        buf: list[bytes] = []
        has_interp = False
        for c in children:
            kind = c.kind_id
            if kind == _K_STRING_CONTENT or kind == _K_ESCAPE_SEQUENCE:
                # string_content may contain escape_sequence children; take the raw bytes.
                buf.append(src[c.start_byte : c.end_byte])
            elif kind == _K_INTERPOLATION:
                has_interp = True
                if buf:
                    parts.append(_decode(b"".join(buf), raw))
                    buf = []
                inner = c.named_children
                parts.append(self.expr(inner[0]) if inner else ir.Other(_pos(c), "missing", []))
        if buf:
            parts.append(_decode(b"".join(buf), raw))
        first, last = n.start_point, n.end_point
        pos = (first[0] + 1, first[1], last[0] + 1, last[1])
        if has_interp or "f" in prefix or "t" in prefix:
            return ir.FString(pos, parts)
        value = "".join(parts)  # no interpolation: parts holds at most one str
        if "b" in prefix:
            return ir.Constant(pos, value.encode("utf-8", "replace"))
        return ir.Constant(pos, value)

    def concatenated_string(self, n: TSNode) -> ir.Expr:
        parts = self._exprs(n)
        if all(isinstance(p, ir.Constant) and isinstance(p.value, str) for p in parts):
            return ir.Constant(_pos(n), "".join(p.value for p in parts))  # type: ignore[union-attr,misc]
        return ir.Concat(_pos(n), parts)

    def integer(self, n: TSNode) -> ir.Expr:
        txt = self.text(n).replace("_", "")
        try:
            value: object = int(txt, 0)
        except ValueError:
            try:
                value = complex(txt.replace("J", "j")) if txt.lower().endswith("j") else int(txt.rstrip("lL"), 0)
            except ValueError:
                value = txt
        return ir.Constant(_pos(n), value)

    def float_(self, n: TSNode) -> ir.Expr:
        txt = self.text(n).replace("_", "")
        try:
            value: object = complex(txt) if txt.lower().endswith("j") else float(txt)
        except ValueError:
            value = txt
        return ir.Constant(_pos(n), value)

    def true(self, n: TSNode) -> ir.Expr:
        return ir.Constant(_pos(n), True)

    def false(self, n: TSNode) -> ir.Expr:
        return ir.Constant(_pos(n), False)

    def none(self, n: TSNode) -> ir.Expr:
        return ir.Constant(_pos(n), None)

    def ellipsis(self, n: TSNode) -> ir.Expr:
        return ir.Constant(_pos(n), Ellipsis)

    def dictionary(self, n: TSNode) -> ir.Expr:
        expr = self.expr
        keys: list[Optional[ir.Expr]] = []
        values: list[ir.Expr] = []
        for c in n.named_children:
            kind = c.kind_id
            if kind == _K_PAIR:
                keys.append(expr(c.child_by_field_id(_F_KEY)))
                values.append(expr(c.child_by_field_id(_F_VALUE)))
            elif kind == _K_DICTIONARY_SPLAT:
                keys.append(None)
                inner = c.named_children
                values.append(expr(inner[0]) if inner else ir.Other(_pos(c), "missing", []))
        return ir.Dict(_pos(n), keys, values)

    def _seq(self, n: TSNode, kind: str) -> ir.Expr:
        return ir.Seq(_pos(n), kind, self._exprs(n))

    def list_(self, n: TSNode) -> ir.Expr:
        return self._seq(n, "list")

    def tuple_(self, n: TSNode) -> ir.Expr:
        return self._seq(n, "tuple")

    def set_(self, n: TSNode) -> ir.Expr:
        return self._seq(n, "set")

    def parenthesized_expression(self, n: TSNode) -> ir.Expr:
        kids = [c for c in n.named_children if c.kind_id != _K_COMMENT]
        if len(kids) == 1:
            return self.expr(kids[0])
        return ir.Seq(_pos(n), "tuple", [self.expr(c) for c in kids])

    def binary_operator(self, n: TSNode) -> ir.Expr:
        op = n.child_by_field_id(_F_OPERATOR)
        return ir.BinOp(
            _pos(n),
            self.text(op) if op is not None else "?",
            self.expr(n.child_by_field_id(_F_LEFT)),
            self.expr(n.child_by_field_id(_F_RIGHT)),
        )

    def boolean_operator(self, n: TSNode) -> ir.Expr:
        op = n.child_by_field_id(_F_OPERATOR)
        return ir.BoolOp(
            _pos(n),
            self.text(op) if op is not None else "and",
            [self.expr(n.child_by_field_id(_F_LEFT)), self.expr(n.child_by_field_id(_F_RIGHT))],
        )

    def not_operator(self, n: TSNode) -> ir.Expr:
        return ir.UnaryOp(_pos(n), "not", self.expr(n.child_by_field_id(_F_ARGUMENT)))

    def unary_operator(self, n: TSNode) -> ir.Expr:
        op = n.child_by_field_id(_F_OPERATOR)
        return ir.UnaryOp(_pos(n), self.text(op) if op is not None else "-", self.expr(n.child_by_field_id(_F_ARGUMENT)))

    def comparison_operator(self, n: TSNode) -> ir.Expr:
        operands: list[ir.Expr] = []
        ops: list[str] = []
        pending: list[str] = []
        for c in n.children:
            if not c.is_named:
                pending.append(self.text(c))
            elif c.kind_id != _K_COMMENT:
                if operands and pending:
                    ops.append(" ".join(pending))
                pending = []
                operands.append(self.expr(c))
        return ir.Compare(_pos(n), operands[0] if operands else ir.Other(_pos(n), "missing", []), ops, operands[1:])

    def conditional_expression(self, n: TSNode) -> ir.Expr:
        kids = [c for c in n.named_children if c.kind_id != _K_COMMENT]
        if len(kids) != 3:
            return ir.Other(_pos(n), n.type, [self.expr(k) for k in kids])
        return ir.IfExp(_pos(n), self.expr(kids[1]), self.expr(kids[0]), self.expr(kids[2]))

    def lambda_(self, n: TSNode) -> ir.Expr:
        return ir.Lambda(_pos(n), self.parameters(n.child_by_field_id(_F_PARAMETERS)), self.expr(n.child_by_field_id(_F_BODY)))

    def comprehension(self, n: TSNode) -> ir.Expr:
        kind = _COMPREHENSION_KIND[n.kind_id]
        body = n.child_by_field_id(_F_BODY)
        targets: list[ir.Expr] = []
        iters: list[ir.Expr] = []
        conds: list[ir.Expr] = []
        for c in n.named_children:
            clause = c.kind_id
            if clause == _K_FOR_IN_CLAUSE:
                targets.append(self.expr(c.child_by_field_id(_F_LEFT)))
                iters.append(self.expr(c.child_by_field_id(_F_RIGHT)))
            elif clause == _K_IF_CLAUSE:
                kids = c.named_children
                if kids:
                    conds.append(self.expr(kids[0]))
        if body is not None and body.kind_id == _K_PAIR:
            elt: ir.Expr = ir.Seq(
                _pos(body), "tuple", [self.expr(body.child_by_field_id(_F_KEY)), self.expr(body.child_by_field_id(_F_VALUE))]
            )
        else:
            elt = self.expr(body)
        return ir.Comp(_pos(n), kind, elt, targets, iters, conds)

    def await_(self, n: TSNode) -> ir.Expr:
        kids = n.named_children
        return ir.Await(_pos(n), self.expr(kids[0]) if kids else ir.Other(_pos(n), "missing", []))

    def yield_(self, n: TSNode) -> ir.Expr:
        kids = [c for c in n.named_children if c.kind_id != _K_COMMENT]
        is_from = any(not c.is_named and c.kind_id in _KS_FROM for c in n.children)
        return ir.Yield(_pos(n), self.expr(kids[0]) if kids else None, is_from)

    def list_splat(self, n: TSNode) -> ir.Expr:
        kids = n.named_children
        return ir.Starred(_pos(n), self.expr(kids[0]) if kids else ir.Other(_pos(n), "missing", []))

    def named_expression(self, n: TSNode) -> ir.Expr:
        return ir.NamedExpr(_pos(n), self.expr(n.child_by_field_id(_F_NAME)), self.expr(n.child_by_field_id(_F_VALUE)))

    def slice_(self, n: TSNode) -> ir.Expr:
        return ir.Slice(_pos(n), self._exprs(n))

    def keyword_argument(self, n: TSNode) -> ir.Expr:  # only outside calls, after error recovery
        return ir.Other(_pos(n), "keyword_argument", [self.expr(n.child_by_field_id(_F_VALUE))])


def _decode(raw_bytes: bytes, raw: bool) -> str:
    text = raw_bytes.decode("utf-8", errors="replace")
    if raw or "\\" not in text:
        return text
    try:
        return text.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except (UnicodeDecodeError, UnicodeEncodeError, ValueError):
        return text


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

_COMPREHENSION_KIND = {
    kind: name
    for type_, name in (
        ("list_comprehension", "list"),
        ("set_comprehension", "set"),
        ("dictionary_comprehension", "dict"),
        ("generator_expression", "generator"),
    )
    for kind in _kind_ids(type_)
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

_EXPR_HANDLERS = {
    # identifier: built inline in _Lowerer.expr
    "attribute": _Lowerer.attribute,
    "call": _Lowerer.call,
    "subscript": _Lowerer.subscript,
    "string": _Lowerer.string,
    "concatenated_string": _Lowerer.concatenated_string,
    "integer": _Lowerer.integer,
    "float": _Lowerer.float_,
    "true": _Lowerer.true,
    "false": _Lowerer.false,
    "none": _Lowerer.none,
    "ellipsis": _Lowerer.ellipsis,
    "dictionary": _Lowerer.dictionary,
    "list": _Lowerer.list_,
    "tuple": _Lowerer.tuple_,
    "expression_list": _Lowerer.tuple_,
    "pattern_list": _Lowerer.tuple_,
    "tuple_pattern": _Lowerer.tuple_,
    "list_pattern": _Lowerer.list_,
    "set": _Lowerer.set_,
    "parenthesized_expression": _Lowerer.parenthesized_expression,
    "binary_operator": _Lowerer.binary_operator,
    "boolean_operator": _Lowerer.boolean_operator,
    "not_operator": _Lowerer.not_operator,
    "unary_operator": _Lowerer.unary_operator,
    "comparison_operator": _Lowerer.comparison_operator,
    "conditional_expression": _Lowerer.conditional_expression,
    "lambda": _Lowerer.lambda_,
    "list_comprehension": _Lowerer.comprehension,
    "set_comprehension": _Lowerer.comprehension,
    "dictionary_comprehension": _Lowerer.comprehension,
    "generator_expression": _Lowerer.comprehension,
    "await": _Lowerer.await_,
    "yield": _Lowerer.yield_,
    "list_splat": _Lowerer.list_splat,
    "list_splat_pattern": _Lowerer.list_splat,
    "named_expression": _Lowerer.named_expression,
    "slice": _Lowerer.slice_,
    "keyword_argument": _Lowerer.keyword_argument,
}


def _by_kind(handlers: dict[str, Callable]) -> dict[int, Callable]:
    """Re-key a handler table from node types to every kind id of that type."""
    return {kind: handler for type_, handler in handlers.items() for kind in _kind_ids(type_)}


_STMT_BY_KIND = _by_kind(_STMT_HANDLERS)
class _KindTable(dict):
    """kind id -> handler, `other` for every kind without one (ERROR, type, ...)."""

    def __missing__(self, kind: int) -> Callable:
        return _Lowerer.other


_EXPR_BY_KIND = _KindTable({kind: _Lowerer.other for kind in range(_LANGUAGE.node_kind_count)})
_EXPR_BY_KIND.update(_by_kind(_EXPR_HANDLERS))
