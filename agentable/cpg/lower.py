"""Parse a file with tree-sitter and lower its tree into the IR of `agentable.cpg.ir`.

tree-sitter recovers from syntax errors, so a broken file still yields every statement it
could make sense of; ERROR nodes are skipped and their lines recorded on the Module.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

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


def lower_source(source: bytes, path: str, module_name: str) -> ir.Module:
    if b"\r" in source:  # old Mac line endings: Python accepts them, tree-sitter does not (same byte length)
        source = _LONE_CR.sub(b"\n", source)
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


_ESCAPE_RE = re.compile(rb"\\")
_PREFIX_RE = re.compile(r"^([rRbBuUfFtT]*)")


class _Lowerer:
    def __init__(self, src: bytes) -> None:
        self.src = src
        self.error_lines: list[int] = []

    def text(self, n: TSNode) -> str:
        return self.src[n.start_byte : n.end_byte].decode("utf-8", errors="replace")

    # ------------------------------------------------------------------ statements

    def block(self, n: Optional[TSNode]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        if n is None:
            return out
        for child in n.named_children:
            self._stmt_into(child, out)
        return out

    def _stmt_into(self, n: TSNode, out: list[ir.Stmt]) -> None:
        t = n.type
        if t == "comment":
            return
        if t == "ERROR" or n.is_missing:
            self.error_lines.append(n.start_point[0] + 1)
            # Keep whatever statements tree-sitter recognised inside the error region.
            for child in n.named_children:
                if child.type.endswith("statement") or child.type in _COMPOUND:
                    self._stmt_into(child, out)
            return
        handler = _STMT_HANDLERS.get(t)
        if handler is not None:
            stmt = handler(self, n)
            if stmt is not None:
                out.append(stmt)
            return
        if t == "block":
            out.extend(self.block(n))
            return
        # An expression in statement position after error recovery.
        out.append(ir.ExprStmt(_pos(n), self.expr(n)))

    def expression_statement(self, n: TSNode) -> Optional[ir.Stmt]:
        kids = n.named_children
        if not kids:
            return None
        first = kids[0]
        if first.type == "assignment":
            return self.assignment(first, _pos(n))
        if first.type == "augmented_assignment":
            op = first.child_by_field_name("operator")
            return ir.AugAssign(
                _pos(n),
                self.expr(first.child_by_field_name("left")),
                self.text(op) if op is not None else "+=",
                self.expr(first.child_by_field_name("right")),
            )
        if len(kids) > 1:
            return ir.ExprStmt(_pos(n), ir.Seq(_pos(n), "tuple", [self.expr(k) for k in kids]))
        return ir.ExprStmt(_pos(n), self.expr(first))

    def assignment(self, n: TSNode, pos: ir.Pos) -> ir.Assign:
        targets: list[ir.Expr] = []
        annotation = None
        cur: Optional[TSNode] = n
        value: Optional[ir.Expr] = None
        while cur is not None and cur.type == "assignment":
            targets.append(self.expr(cur.child_by_field_name("left")))
            ann = cur.child_by_field_name("type")
            if ann is not None:
                annotation = self.expr(ann)
            right = cur.child_by_field_name("right")
            if right is not None and right.type == "assignment":
                cur = right
                continue
            value = self.expr(right) if right is not None else None
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
        test = self.expr(n.child_by_field_name("condition"))
        body = self.block(n.child_by_field_name("consequence"))
        orelse: list[ir.Stmt] = []
        clauses = [c for c in n.children_by_field_name("alternative")]
        # elif chains nest as If statements in the else branch
        tail = orelse
        for clause in clauses:
            if clause.type == "elif_clause":
                nested = ir.If(
                    _pos(clause),
                    self.expr(clause.child_by_field_name("condition")),
                    self.block(clause.child_by_field_name("consequence")),
                    [],
                )
                tail.append(nested)
                tail = nested.orelse
            elif clause.type == "else_clause":
                tail.extend(self.block(clause.child_by_field_name("body")))
        return ir.If(_pos(n), test, body, orelse)

    def _else(self, n: TSNode) -> list[ir.Stmt]:
        alt = n.child_by_field_name("alternative")
        return self.block(alt.child_by_field_name("body")) if alt is not None else []

    def while_statement(self, n: TSNode) -> ir.Stmt:
        return ir.While(
            _pos(n), self.expr(n.child_by_field_name("condition")), self.block(n.child_by_field_name("body")), self._else(n)
        )

    def for_statement(self, n: TSNode) -> ir.Stmt:
        is_async = n.child(0) is not None and n.child(0).type == "async"
        return ir.For(
            _pos(n),
            self.expr(n.child_by_field_name("left")),
            self.expr(n.child_by_field_name("right")),
            self.block(n.child_by_field_name("body")),
            self._else(n),
            is_async,
        )

    def try_statement(self, n: TSNode) -> ir.Stmt:
        body = self.block(n.child_by_field_name("body"))
        handlers: list[ir.Handler] = []
        orelse: list[ir.Stmt] = []
        final: list[ir.Stmt] = []
        for c in n.named_children:
            if c.type in ("except_clause", "except_group_clause"):
                handlers.append(self.except_clause(c))
            elif c.type == "else_clause":
                orelse = self.block(c.child_by_field_name("body"))
            elif c.type == "finally_clause":
                blocks = [k for k in c.named_children if k.type == "block"]
                final = self.block(blocks[0]) if blocks else []
        return ir.Try(_pos(n), body, handlers, orelse, final)

    def except_clause(self, n: TSNode) -> ir.Handler:
        types: list[ir.Expr] = []
        name: Optional[str] = None
        body: list[ir.Stmt] = []
        for c in n.named_children:
            if c.type == "block":
                body = self.block(c)
            elif c.type == "comment":
                continue
            elif c.type == "as_pattern":
                inner = c.named_children[0]
                types = self._exc_types(inner)
                alias = c.child_by_field_name("alias")
                if alias is not None:
                    name = self.text(alias).strip()
            else:
                types.extend(self._exc_types(c))
        return ir.Handler(_pos(n), types, name, body)

    def _exc_types(self, n: TSNode) -> list[ir.Expr]:
        if n.type in ("tuple", "parenthesized_expression", "expression_list"):
            out: list[ir.Expr] = []
            for k in n.named_children:
                out.extend(self._exc_types(k))
            return out
        return [self.expr(n)]

    def with_statement(self, n: TSNode) -> ir.Stmt:
        items: list[ir.WithItem] = []
        is_async = n.child(0) is not None and n.child(0).type == "async"
        for c in n.named_children:
            if c.type == "with_clause":
                for item in c.named_children:
                    if item.type != "with_item":
                        continue
                    v = item.child_by_field_name("value")
                    if v is not None and v.type == "as_pattern":
                        target = v.child_by_field_name("alias")
                        tgt = self.expr(target.named_children[0]) if target is not None and target.named_children else None
                        items.append(ir.WithItem(self.expr(v.named_children[0]), tgt))
                    elif v is not None:
                        items.append(ir.WithItem(self.expr(v), None))
        return ir.With(_pos(n), items, self.block(n.child_by_field_name("body")), is_async)

    def function_definition(self, n: TSNode, decorators: Optional[list[ir.Expr]] = None) -> ir.Stmt:
        name_node = n.child_by_field_name("name")
        body_node = n.child_by_field_name("body")
        body = self.block(body_node)
        ret = n.child_by_field_name("return_type")
        return ir.FunctionDef(
            _pos(n),
            self.text(name_node) if name_node is not None else "<anonymous>",
            self.parameters(n.child_by_field_name("parameters")),
            body,
            decorators or [],
            self.expr(ret) if ret is not None else None,
            _docstring(body),
            n.child(0) is not None and n.child(0).type == "async",
            _pos(name_node) if name_node is not None else _pos(n),
        )

    def parameters(self, n: Optional[TSNode]) -> list[ir.Param]:
        out: list[ir.Param] = []
        if n is None:
            return out
        kwonly = False
        for c in n.named_children:
            t = c.type
            if t == "identifier":
                out.append(ir.Param(self.text(c), _pos(c), kind="kwonly" if kwonly else "normal"))
            elif t in ("typed_parameter", "default_parameter", "typed_default_parameter"):
                name_node = c.child_by_field_name("name")
                if name_node is None and c.named_children and c.named_children[0].type == "identifier":
                    name_node = c.named_children[0]  # typed_parameter has no "name" field
                if name_node is None:  # typed *args / **kwargs
                    inner = c.named_children[0] if c.named_children else None
                    if inner is not None and inner.type in ("list_splat_pattern", "dictionary_splat_pattern"):
                        kind = "vararg" if inner.type == "list_splat_pattern" else "kwarg"
                        nm = self.text(inner).lstrip("*")
                        ann = c.child_by_field_name("type")
                        out.append(ir.Param(nm, _pos(c), self.expr(ann) if ann else None, None, kind))
                        kwonly = kwonly or kind == "vararg"
                    continue
                ann = c.child_by_field_name("type")
                default = c.child_by_field_name("value")
                out.append(
                    ir.Param(
                        self.text(name_node),
                        _pos(c),
                        self.expr(ann) if ann is not None else None,
                        self.expr(default) if default is not None else None,
                        "kwonly" if kwonly else "normal",
                    )
                )
            elif t == "list_splat_pattern":
                out.append(ir.Param(self.text(c).lstrip("*"), _pos(c), kind="vararg"))
                kwonly = True
            elif t == "dictionary_splat_pattern":
                out.append(ir.Param(self.text(c).lstrip("*"), _pos(c), kind="kwarg"))
            elif t == "keyword_separator":
                kwonly = True
            elif t == "positional_separator":
                for p in out:
                    p.kind = "posonly"
        return out

    def class_definition(self, n: TSNode, decorators: Optional[list[ir.Expr]] = None) -> ir.Stmt:
        name_node = n.child_by_field_name("name")
        bases: list[ir.Expr] = []
        keywords: list[ir.Keyword] = []
        sup = n.child_by_field_name("superclasses")
        if sup is not None:
            for c in sup.named_children:
                if c.type == "keyword_argument":
                    keywords.append(self.keyword(c))
                elif c.type != "comment":
                    bases.append(self.expr(c))
        body = self.block(n.child_by_field_name("body"))
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
            if c.type == "decorator":
                inner = [k for k in c.named_children if k.type != "comment"]
                if inner:
                    decorators.append(self.expr(inner[0]))
        definition = n.child_by_field_name("definition")
        if definition is None:
            return None
        if definition.type == "class_definition":
            stmt = self.class_definition(definition, decorators)
        else:
            stmt = self.function_definition(definition, decorators)
        stmt.pos = (_pos(n)[0], _pos(n)[1], stmt.pos[2], stmt.pos[3])
        return stmt

    def import_statement(self, n: TSNode) -> ir.Stmt:
        names = [self._alias(c) for c in n.children_by_field_name("name")]
        return ir.Import(_pos(n), names)

    def import_from_statement(self, n: TSNode) -> ir.Stmt:
        mod = n.child_by_field_name("module_name")
        module, level = "", 0
        if mod is not None:
            if mod.type == "relative_import":
                for c in mod.named_children:
                    if c.type == "import_prefix":
                        level = self.text(c).count(".")
                    else:
                        module = self.text(c)
            else:
                module = self.text(mod)
        names = [self._alias(c) for c in n.children_by_field_name("name")]
        if any(c.type == "wildcard_import" for c in n.named_children):
            names.append(ir.Alias("*", None))
        return ir.ImportFrom(_pos(n), module.replace(" ", ""), level, names)

    def _alias(self, c: TSNode) -> ir.Alias:
        if c.type == "aliased_import":
            name = c.child_by_field_name("name")
            alias = c.child_by_field_name("alias")
            return ir.Alias(self.text(name).replace(" ", "") if name else "", self.text(alias) if alias else None)
        return ir.Alias(self.text(c).replace(" ", ""), None)

    def match_statement(self, n: TSNode) -> ir.Stmt:
        subject = n.child_by_field_name("subject")
        cases: list[list[ir.Stmt]] = []
        body = n.child_by_field_name("body")
        if body is not None:
            for c in body.named_children:
                if c.type == "case_clause":
                    cases.append(self.block(c.child_by_field_name("consequence")))
        return ir.Match(_pos(n), self.expr(subject) if subject is not None else ir.Other(_pos(n), "none", []), cases)

    def simple(self, n: TSNode) -> ir.Stmt:
        kind = n.type.replace("_statement", "")
        return ir.Simple(_pos(n), kind, [self.expr(c) for c in n.named_children if c.type != "comment"])

    def future_import(self, n: TSNode) -> ir.Stmt:
        return ir.Simple(_pos(n), "future")

    def type_alias(self, n: TSNode) -> ir.Stmt:
        return ir.Simple(_pos(n), "type_alias")

    # ------------------------------------------------------------------ expressions

    def expr(self, n: Optional[TSNode]) -> ir.Expr:
        if n is None:
            return ir.Other((0, 0, 0, 0), "missing", [])
        handler = _EXPR_HANDLERS.get(n.type)
        if handler is not None:
            return handler(self, n)
        return ir.Other(_pos(n), n.type, [self.expr(c) for c in n.named_children if c.type != "comment"])

    def identifier(self, n: TSNode) -> ir.Expr:
        return ir.Name(_pos(n), self.text(n))

    def attribute(self, n: TSNode) -> ir.Expr:
        attr = n.child_by_field_name("attribute")
        return ir.Attribute(_pos(n), self.expr(n.child_by_field_name("object")), self.text(attr) if attr else "")

    def call(self, n: TSNode) -> ir.Expr:
        func = self.expr(n.child_by_field_name("function"))
        args_node = n.child_by_field_name("arguments")
        args: list[ir.Expr] = []
        keywords: list[ir.Keyword] = []
        if args_node is not None:
            if args_node.type == "generator_expression":
                args.append(self.expr(args_node))
            else:
                for c in args_node.named_children:
                    t = c.type
                    if t == "keyword_argument":
                        keywords.append(self.keyword(c))
                    elif t == "dictionary_splat":
                        inner = c.named_children
                        keywords.append(ir.Keyword(None, self.expr(inner[0]) if inner else ir.Other(_pos(c), "missing", [])))
                    elif t != "comment":
                        args.append(self.expr(c))
        return ir.Call(_pos(n), func, args, keywords)

    def keyword(self, c: TSNode) -> ir.Keyword:
        name = c.child_by_field_name("name")
        return ir.Keyword(self.text(name) if name is not None else None, self.expr(c.child_by_field_name("value")))

    def subscript(self, n: TSNode) -> ir.Expr:
        subs = n.children_by_field_name("subscript")
        if len(subs) == 1:
            index = self.expr(subs[0])
        else:
            index = ir.Seq(_pos(n), "tuple", [self.expr(s) for s in subs])
        return ir.Subscript(_pos(n), self.expr(n.child_by_field_name("value")), index)

    def string(self, n: TSNode) -> ir.Expr:
        start = n.child(0)
        prefix_text = self.text(start) if start is not None else '"'
        prefix = _PREFIX_RE.match(prefix_text).group(1).lower()  # type: ignore[union-attr]
        raw = "r" in prefix
        is_bytes = "b" in prefix
        parts: list = []
        buf: list[bytes] = []
        has_interp = False
        for c in n.children:
            t = c.type
            if t == "string_content":
                # string_content may contain escape_sequence children; take the raw bytes.
                buf.append(self.src[c.start_byte : c.end_byte])
            elif t == "escape_sequence":
                buf.append(self.src[c.start_byte : c.end_byte])
            elif t == "interpolation":
                has_interp = True
                if buf:
                    parts.append(_decode(b"".join(buf), raw))
                    buf = []
                inner = c.named_children
                parts.append(self.expr(inner[0]) if inner else ir.Other(_pos(c), "missing", []))
        if buf:
            parts.append(_decode(b"".join(buf), raw))
        if "f" in prefix or "t" in prefix or has_interp:
            return ir.FString(_pos(n), parts)
        value = "".join(p for p in parts if isinstance(p, str))
        if is_bytes:
            return ir.Constant(_pos(n), value.encode("utf-8", "replace"))
        return ir.Constant(_pos(n), value)

    def concatenated_string(self, n: TSNode) -> ir.Expr:
        parts = [self.expr(c) for c in n.named_children if c.type != "comment"]
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
        keys: list[Optional[ir.Expr]] = []
        values: list[ir.Expr] = []
        for c in n.named_children:
            if c.type == "pair":
                keys.append(self.expr(c.child_by_field_name("key")))
                values.append(self.expr(c.child_by_field_name("value")))
            elif c.type == "dictionary_splat":
                keys.append(None)
                inner = c.named_children
                values.append(self.expr(inner[0]) if inner else ir.Other(_pos(c), "missing", []))
        return ir.Dict(_pos(n), keys, values)

    def _seq(self, n: TSNode, kind: str) -> ir.Expr:
        return ir.Seq(_pos(n), kind, [self.expr(c) for c in n.named_children if c.type != "comment"])

    def list_(self, n: TSNode) -> ir.Expr:
        return self._seq(n, "list")

    def tuple_(self, n: TSNode) -> ir.Expr:
        return self._seq(n, "tuple")

    def set_(self, n: TSNode) -> ir.Expr:
        return self._seq(n, "set")

    def parenthesized_expression(self, n: TSNode) -> ir.Expr:
        kids = [c for c in n.named_children if c.type != "comment"]
        if len(kids) == 1:
            return self.expr(kids[0])
        return ir.Seq(_pos(n), "tuple", [self.expr(c) for c in kids])

    def binary_operator(self, n: TSNode) -> ir.Expr:
        op = n.child_by_field_name("operator")
        return ir.BinOp(
            _pos(n),
            self.text(op) if op is not None else "?",
            self.expr(n.child_by_field_name("left")),
            self.expr(n.child_by_field_name("right")),
        )

    def boolean_operator(self, n: TSNode) -> ir.Expr:
        op = n.child_by_field_name("operator")
        return ir.BoolOp(
            _pos(n),
            self.text(op) if op is not None else "and",
            [self.expr(n.child_by_field_name("left")), self.expr(n.child_by_field_name("right"))],
        )

    def not_operator(self, n: TSNode) -> ir.Expr:
        return ir.UnaryOp(_pos(n), "not", self.expr(n.child_by_field_name("argument")))

    def unary_operator(self, n: TSNode) -> ir.Expr:
        op = n.child_by_field_name("operator")
        return ir.UnaryOp(_pos(n), self.text(op) if op is not None else "-", self.expr(n.child_by_field_name("argument")))

    def comparison_operator(self, n: TSNode) -> ir.Expr:
        operands: list[ir.Expr] = []
        ops: list[str] = []
        pending: list[str] = []
        for c in n.children:
            if c.is_named and c.type != "comment":
                if operands and pending:
                    ops.append(" ".join(pending))
                pending = []
                operands.append(self.expr(c))
            elif not c.is_named:
                pending.append(self.text(c))
        return ir.Compare(_pos(n), operands[0] if operands else ir.Other(_pos(n), "missing", []), ops, operands[1:])

    def conditional_expression(self, n: TSNode) -> ir.Expr:
        kids = [c for c in n.named_children if c.type != "comment"]
        if len(kids) != 3:
            return ir.Other(_pos(n), n.type, [self.expr(k) for k in kids])
        return ir.IfExp(_pos(n), self.expr(kids[1]), self.expr(kids[0]), self.expr(kids[2]))

    def lambda_(self, n: TSNode) -> ir.Expr:
        return ir.Lambda(_pos(n), self.parameters(n.child_by_field_name("parameters")), self.expr(n.child_by_field_name("body")))

    def comprehension(self, n: TSNode) -> ir.Expr:
        kind = {
            "list_comprehension": "list",
            "set_comprehension": "set",
            "dictionary_comprehension": "dict",
            "generator_expression": "generator",
        }[n.type]
        body = n.child_by_field_name("body")
        targets: list[ir.Expr] = []
        iters: list[ir.Expr] = []
        conds: list[ir.Expr] = []
        for c in n.named_children:
            if c.type == "for_in_clause":
                targets.append(self.expr(c.child_by_field_name("left")))
                iters.append(self.expr(c.child_by_field_name("right")))
            elif c.type == "if_clause":
                kids = c.named_children
                if kids:
                    conds.append(self.expr(kids[0]))
        if body is not None and body.type == "pair":
            elt: ir.Expr = ir.Seq(
                _pos(body), "tuple", [self.expr(body.child_by_field_name("key")), self.expr(body.child_by_field_name("value"))]
            )
        else:
            elt = self.expr(body)
        return ir.Comp(_pos(n), kind, elt, targets, iters, conds)

    def await_(self, n: TSNode) -> ir.Expr:
        kids = n.named_children
        return ir.Await(_pos(n), self.expr(kids[0]) if kids else ir.Other(_pos(n), "missing", []))

    def yield_(self, n: TSNode) -> ir.Expr:
        kids = [c for c in n.named_children if c.type != "comment"]
        is_from = any(not c.is_named and c.type == "from" for c in n.children)
        return ir.Yield(_pos(n), self.expr(kids[0]) if kids else None, is_from)

    def list_splat(self, n: TSNode) -> ir.Expr:
        kids = n.named_children
        return ir.Starred(_pos(n), self.expr(kids[0]) if kids else ir.Other(_pos(n), "missing", []))

    def named_expression(self, n: TSNode) -> ir.Expr:
        return ir.NamedExpr(_pos(n), self.expr(n.child_by_field_name("name")), self.expr(n.child_by_field_name("value")))

    def slice_(self, n: TSNode) -> ir.Expr:
        return ir.Slice(_pos(n), [self.expr(c) for c in n.named_children if c.type != "comment"])

    def keyword_argument(self, n: TSNode) -> ir.Expr:  # only outside calls, after error recovery
        return ir.Other(_pos(n), "keyword_argument", [self.expr(n.child_by_field_name("value"))])


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
    "identifier": _Lowerer.identifier,
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
