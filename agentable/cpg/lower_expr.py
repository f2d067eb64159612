"""Lowering of expressions (and of parameter lists, which both `def` and `lambda` have) from
tree-sitter nodes into the IR. Statements are lowered in `lower.py`, whose lowerer extends this
one: an expression never contains a statement, so this half needs nothing from that one. See
`lower.py` for why the hot paths read nodes the way they do.
"""

from __future__ import annotations

import sys
from typing import Callable, Optional, cast

from tree_sitter import Node as TSNode

from agentable.cpg import ir
from agentable.cpg.grammar import (
    F_ARGUMENT, F_ARGUMENTS, F_ATTRIBUTE, F_BODY, F_FUNCTION, F_KEY, F_LEFT, F_NAME, F_OBJECT, F_OPERATOR,
    F_PARAMETERS, F_RIGHT, F_SUBSCRIPT, F_TYPE, F_VALUE, KS_DICTIONARY_SPLAT_PATTERN, KS_FROM,
    KS_KEYWORD_SEPARATOR, KS_LIST_SPLAT_PATTERN, KS_PARAM_WITH_FIELDS, KS_POSITIONAL_SEPARATOR, K_COMMENT,
    K_DICTIONARY_SPLAT, K_ESCAPE_SEQUENCE, K_FOR_IN_CLAUSE, K_GENERATOR_EXPRESSION, K_IDENTIFIER, K_IF_CLAUSE,
    K_INTERPOLATION, K_KEYWORD_ARGUMENT, K_PAIR, K_STRING_CONTENT, LANGUAGE, LINES, kind_ids, node_pos,
)

_PREFIX_CHARS = b"rRbBuUfFtT"


class ExpressionLowerer:
    """Lowers expressions and parameter lists; `lower._Lowerer` adds the statements."""

    def __init__(self, src: bytes) -> None:
        self.src = src
        self.error_lines: list[int] = []

    def text(self, n: TSNode) -> str:
        return self.src[n.start_byte : n.end_byte].decode("utf-8", "replace")

    def ident(self, n: TSNode) -> str:
        """The text of a name (identifier, dotted module): interned, as the same few names recur
        on every line of a project and each copy would cost ~55 bytes of IR."""
        return sys.intern(self.src[n.start_byte : n.end_byte].decode("utf-8", "replace"))

    # ------------------------------------------------------------------ parameters (def and lambda)

    def parameters(self, n: Optional[TSNode]) -> list[ir.Param]:
        out: list[ir.Param] = []
        if n is None:
            return out
        kwonly = False
        for c in n.named_children:
            kind = c.kind_id
            if kind == K_IDENTIFIER:
                out.append(ir.Param(self.ident(c), node_pos(c), kind="kwonly" if kwonly else "normal"))
            elif kind in KS_PARAM_WITH_FIELDS:
                param, is_vararg = self._param_with_fields(c, kwonly)
                if param is not None:
                    out.append(param)
                kwonly = kwonly or is_vararg
            elif kind in KS_LIST_SPLAT_PATTERN:
                out.append(ir.Param(sys.intern(self.text(c).lstrip("*")), node_pos(c), kind="vararg"))
                kwonly = True
            elif kind in KS_DICTIONARY_SPLAT_PATTERN:
                out.append(ir.Param(sys.intern(self.text(c).lstrip("*")), node_pos(c), kind="kwarg"))
            elif kind in KS_KEYWORD_SEPARATOR:
                kwonly = True
            elif kind in KS_POSITIONAL_SEPARATOR:
                for p in out:
                    p.kind = "posonly"
        return out

    def _param_with_fields(self, c: TSNode, kwonly: bool) -> tuple[Optional[ir.Param], bool]:
        """A typed and/or defaulted parameter, and whether it is a typed *args."""
        name_node = c.child_by_field_id(F_NAME)
        kids = c.named_children
        if name_node is None and kids and kids[0].kind_id == K_IDENTIFIER:
            name_node = kids[0]  # typed_parameter has no "name" field
        if name_node is None:  # typed *args / **kwargs
            inner = kids[0] if kids else None
            if inner is None:
                return None, False
            if inner.kind_id in KS_LIST_SPLAT_PATTERN:
                kind = "vararg"
            elif inner.kind_id in KS_DICTIONARY_SPLAT_PATTERN:
                kind = "kwarg"
            else:
                return None, False
            ann = c.child_by_field_id(F_TYPE)
            param = ir.Param(sys.intern(self.text(inner).lstrip("*")), node_pos(c), self.expr(ann) if ann else None, None, kind)
            return param, kind == "vararg"
        ann = c.child_by_field_id(F_TYPE)
        default = c.child_by_field_id(F_VALUE)
        param = ir.Param(
            self.ident(name_node),
            node_pos(c),
            self.expr(ann) if ann is not None else None,
            self.expr(default) if default is not None else None,
            "kwonly" if kwonly else "normal",
        )
        return param, False

    # ------------------------------------------------------------------ expressions

    def expr(self, n: Optional[TSNode]) -> ir.Expr:
        if n is None:
            return ir.Other((0, 0, 0, 0), "missing", [])
        kind = n.kind_id
        if kind == K_IDENTIFIER:
            # 40% of all expressions: built here, without a handler call. A name is one token on
            # one line, so its end is its start plus its byte length (saves an end_point Point).
            point = n.start_point  # a Point: indexing it is cheaper than unpacking it
            row = LINES[point[0]]
            col = point[1]
            start, end = n.start_byte, n.end_byte
            return ir.Name((row, col, row, col + end - start), sys.intern(self.src[start:end].decode("utf-8", "replace")))
        return _EXPR_BY_KIND[kind](self, n)

    def other(self, n: TSNode) -> ir.Expr:
        """Any other expression node (ERROR, type, ...): its kind and its lowered children."""
        return ir.Other(node_pos(n), n.type, self._exprs(n))

    def _exprs(self, n: TSNode) -> list[ir.Expr]:
        """The named children of `n` but comments, lowered."""
        expr = self.expr
        out = []
        for c in n.named_children:  # a loop, not a comprehension: lists are short, and a comprehension is a call
            if c.kind_id != K_COMMENT:
                out.append(expr(c))
        return out

    def attribute(self, n: TSNode) -> ir.Expr:
        attr = n.child_by_field_id(F_ATTRIBUTE)
        first, last = n.start_point, n.end_point
        return ir.Attribute(
            (LINES[first[0]], first[1], LINES[last[0]], last[1]),
            self.expr(n.child_by_field_id(F_OBJECT)),
            self.ident(attr) if attr is not None else "",
        )

    def call(self, n: TSNode) -> ir.Expr:
        expr = self.expr
        func = expr(n.child_by_field_id(F_FUNCTION))
        args_node = n.child_by_field_id(F_ARGUMENTS)
        args: list[ir.Expr] = []
        keywords: list[ir.Keyword] = []
        if args_node is not None:
            if args_node.kind_id == K_GENERATOR_EXPRESSION:
                args.append(expr(args_node))
            else:
                for c in args_node.named_children:
                    kind = c.kind_id
                    if kind == K_KEYWORD_ARGUMENT:
                        keywords.append(self.keyword(c))
                    elif kind == K_DICTIONARY_SPLAT:
                        inner = c.named_children
                        keywords.append(ir.Keyword(None, expr(inner[0]) if inner else ir.Other(node_pos(c), "missing", [])))
                    elif kind != K_COMMENT:
                        args.append(expr(c))
        first, last = n.start_point, n.end_point
        return ir.Call((LINES[first[0]], first[1], LINES[last[0]], last[1]), func, args, keywords)

    def keyword(self, c: TSNode) -> ir.Keyword:
        name = c.child_by_field_id(F_NAME)
        return ir.Keyword(
            self.ident(name) if name is not None else None,
            self.expr(c.child_by_field_id(F_VALUE)),
        )

    def subscript(self, n: TSNode) -> ir.Expr:
        subs = n.children_by_field_id(F_SUBSCRIPT)
        if len(subs) == 1:
            index = self.expr(subs[0])
        else:
            index = ir.Seq(node_pos(n), "tuple", [self.expr(s) for s in subs])
        return ir.Subscript(node_pos(n), self.expr(n.child_by_field_id(F_VALUE)), index)

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
            if kind == K_STRING_CONTENT or kind == K_ESCAPE_SEQUENCE:
                # string_content may contain escape_sequence children; take the raw bytes.
                buf.append(src[c.start_byte : c.end_byte])
            elif kind == K_INTERPOLATION:
                has_interp = True
                if buf:
                    parts.append(_decode(b"".join(buf), raw))
                    buf = []
                inner = c.named_children
                parts.append(self.expr(inner[0]) if inner else ir.Other(node_pos(c), "missing", []))
        if buf:
            parts.append(_decode(b"".join(buf), raw))
        first, last = n.start_point, n.end_point
        pos = (LINES[first[0]], first[1], LINES[last[0]], last[1])
        if has_interp or "f" in prefix or "t" in prefix:
            return ir.FString(pos, parts)
        value = "".join(parts)  # no interpolation: parts holds at most one str
        if "b" in prefix:
            return ir.Constant(pos, value.encode("utf-8", "replace"))
        return ir.Constant(pos, value)

    def concatenated_string(self, n: TSNode) -> ir.Expr:
        parts = self._exprs(n)
        texts = [p.value for p in parts if isinstance(p, ir.Constant) and isinstance(p.value, str)]
        if len(texts) == len(parts):  # every part a str literal: one constant
            return ir.Constant(node_pos(n), "".join(texts))
        return ir.Concat(node_pos(n), parts)

    def integer(self, n: TSNode) -> ir.Expr:
        txt = self.text(n).replace("_", "")
        try:
            value: object = int(txt, 0)
        except ValueError:
            try:
                value = complex(txt.replace("J", "j")) if txt.lower().endswith("j") else int(txt.rstrip("lL"), 0)
            except ValueError:
                value = txt
        return ir.Constant(node_pos(n), value)

    def float_(self, n: TSNode) -> ir.Expr:
        txt = self.text(n).replace("_", "")
        try:
            value: object = complex(txt) if txt.lower().endswith("j") else float(txt)
        except ValueError:
            value = txt
        return ir.Constant(node_pos(n), value)

    def true(self, n: TSNode) -> ir.Expr:
        return ir.Constant(node_pos(n), True)

    def false(self, n: TSNode) -> ir.Expr:
        return ir.Constant(node_pos(n), False)

    def none(self, n: TSNode) -> ir.Expr:
        return ir.Constant(node_pos(n), None)

    def ellipsis(self, n: TSNode) -> ir.Expr:
        return ir.Constant(node_pos(n), Ellipsis)

    def dictionary(self, n: TSNode) -> ir.Expr:
        expr = self.expr
        keys: list[Optional[ir.Expr]] = []
        values: list[ir.Expr] = []
        for c in n.named_children:
            kind = c.kind_id
            if kind == K_PAIR:
                keys.append(expr(c.child_by_field_id(F_KEY)))
                values.append(expr(c.child_by_field_id(F_VALUE)))
            elif kind == K_DICTIONARY_SPLAT:
                keys.append(None)
                inner = c.named_children
                values.append(expr(inner[0]) if inner else ir.Other(node_pos(c), "missing", []))
        return ir.Dict(node_pos(n), keys, values)

    def _seq(self, n: TSNode, kind: str) -> ir.Expr:
        return ir.Seq(node_pos(n), kind, self._exprs(n))

    def list_(self, n: TSNode) -> ir.Expr:
        return self._seq(n, "list")

    def tuple_(self, n: TSNode) -> ir.Expr:
        return self._seq(n, "tuple")

    def set_(self, n: TSNode) -> ir.Expr:
        return self._seq(n, "set")

    def parenthesized_expression(self, n: TSNode) -> ir.Expr:
        kids = [c for c in n.named_children if c.kind_id != K_COMMENT]
        if len(kids) == 1:
            return self.expr(kids[0])
        return ir.Seq(node_pos(n), "tuple", [self.expr(c) for c in kids])

    def binary_operator(self, n: TSNode) -> ir.Expr:
        op = n.child_by_field_id(F_OPERATOR)
        return ir.BinOp(
            node_pos(n),
            self.text(op) if op is not None else "?",
            self.expr(n.child_by_field_id(F_LEFT)),
            self.expr(n.child_by_field_id(F_RIGHT)),
        )

    def boolean_operator(self, n: TSNode) -> ir.Expr:
        op = n.child_by_field_id(F_OPERATOR)
        return ir.BoolOp(
            node_pos(n),
            self.text(op) if op is not None else "and",
            [self.expr(n.child_by_field_id(F_LEFT)), self.expr(n.child_by_field_id(F_RIGHT))],
        )

    def not_operator(self, n: TSNode) -> ir.Expr:
        return ir.UnaryOp(node_pos(n), "not", self.expr(n.child_by_field_id(F_ARGUMENT)))

    def unary_operator(self, n: TSNode) -> ir.Expr:
        op = n.child_by_field_id(F_OPERATOR)
        return ir.UnaryOp(node_pos(n), self.text(op) if op is not None else "-", self.expr(n.child_by_field_id(F_ARGUMENT)))

    def comparison_operator(self, n: TSNode) -> ir.Expr:
        operands: list[ir.Expr] = []
        ops: list[str] = []
        pending: list[str] = []
        for c in n.children:
            if not c.is_named:
                pending.append(self.text(c))
            elif c.kind_id != K_COMMENT:
                if operands and pending:
                    ops.append(" ".join(pending))
                pending = []
                operands.append(self.expr(c))
        return ir.Compare(node_pos(n), operands[0] if operands else ir.Other(node_pos(n), "missing", []), ops, operands[1:])

    def conditional_expression(self, n: TSNode) -> ir.Expr:
        kids = [c for c in n.named_children if c.kind_id != K_COMMENT]
        if len(kids) != 3:
            return ir.Other(node_pos(n), n.type, [self.expr(k) for k in kids])
        return ir.IfExp(node_pos(n), self.expr(kids[1]), self.expr(kids[0]), self.expr(kids[2]))

    def lambda_(self, n: TSNode) -> ir.Expr:
        return ir.Lambda(node_pos(n), self.parameters(n.child_by_field_id(F_PARAMETERS)), self.expr(n.child_by_field_id(F_BODY)))

    def comprehension(self, n: TSNode) -> ir.Expr:
        kind = _COMPREHENSION_KIND[n.kind_id]
        body = n.child_by_field_id(F_BODY)
        targets: list[ir.Expr] = []
        iters: list[ir.Expr] = []
        conds: list[ir.Expr] = []
        for c in n.named_children:
            clause = c.kind_id
            if clause == K_FOR_IN_CLAUSE:
                targets.append(self.expr(c.child_by_field_id(F_LEFT)))
                iters.append(self.expr(c.child_by_field_id(F_RIGHT)))
            elif clause == K_IF_CLAUSE:
                kids = c.named_children
                if kids:
                    conds.append(self.expr(kids[0]))
        if body is not None and body.kind_id == K_PAIR:
            elt: ir.Expr = ir.Seq(
                node_pos(body), "tuple", [self.expr(body.child_by_field_id(F_KEY)), self.expr(body.child_by_field_id(F_VALUE))]
            )
        else:
            elt = self.expr(body)
        return ir.Comp(node_pos(n), kind, elt, targets, iters, conds)

    def await_(self, n: TSNode) -> ir.Expr:
        kids = n.named_children
        return ir.Await(node_pos(n), self.expr(kids[0]) if kids else ir.Other(node_pos(n), "missing", []))

    def yield_(self, n: TSNode) -> ir.Expr:
        kids = [c for c in n.named_children if c.kind_id != K_COMMENT]
        is_from = any(not c.is_named and c.kind_id in KS_FROM for c in n.children)
        return ir.Yield(node_pos(n), self.expr(kids[0]) if kids else None, is_from)

    def list_splat(self, n: TSNode) -> ir.Expr:
        kids = n.named_children
        return ir.Starred(node_pos(n), self.expr(kids[0]) if kids else ir.Other(node_pos(n), "missing", []))

    def named_expression(self, n: TSNode) -> ir.Expr:
        return ir.NamedExpr(node_pos(n), self.expr(n.child_by_field_id(F_NAME)), self.expr(n.child_by_field_id(F_VALUE)))

    def slice_(self, n: TSNode) -> ir.Expr:
        return ir.Slice(node_pos(n), cast(list[Optional[ir.Expr]], self._exprs(n)))  # a list is invariant

    def keyword_argument(self, n: TSNode) -> ir.Expr:  # only outside calls, after error recovery
        return ir.Other(node_pos(n), "keyword_argument", [self.expr(n.child_by_field_id(F_VALUE))])


def _decode(raw_bytes: bytes, raw: bool) -> str:
    text = raw_bytes.decode("utf-8", errors="replace")
    if raw or "\\" not in text:
        return text
    try:
        return text.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except (UnicodeDecodeError, UnicodeEncodeError, ValueError):
        return text


_COMPREHENSION_KIND = {
    kind: name
    for type_, name in (
        ("list_comprehension", "list"),
        ("set_comprehension", "set"),
        ("dictionary_comprehension", "dict"),
        ("generator_expression", "generator"),
    )
    for kind in kind_ids(type_)
}

_EXPR_HANDLERS = {
    # identifier: built inline in ExpressionLowerer.expr
    "attribute": ExpressionLowerer.attribute,
    "call": ExpressionLowerer.call,
    "subscript": ExpressionLowerer.subscript,
    "string": ExpressionLowerer.string,
    "concatenated_string": ExpressionLowerer.concatenated_string,
    "integer": ExpressionLowerer.integer,
    "float": ExpressionLowerer.float_,
    "true": ExpressionLowerer.true,
    "false": ExpressionLowerer.false,
    "none": ExpressionLowerer.none,
    "ellipsis": ExpressionLowerer.ellipsis,
    "dictionary": ExpressionLowerer.dictionary,
    "list": ExpressionLowerer.list_,
    "tuple": ExpressionLowerer.tuple_,
    "expression_list": ExpressionLowerer.tuple_,
    "pattern_list": ExpressionLowerer.tuple_,
    "tuple_pattern": ExpressionLowerer.tuple_,
    "list_pattern": ExpressionLowerer.list_,
    "set": ExpressionLowerer.set_,
    "parenthesized_expression": ExpressionLowerer.parenthesized_expression,
    "binary_operator": ExpressionLowerer.binary_operator,
    "boolean_operator": ExpressionLowerer.boolean_operator,
    "not_operator": ExpressionLowerer.not_operator,
    "unary_operator": ExpressionLowerer.unary_operator,
    "comparison_operator": ExpressionLowerer.comparison_operator,
    "conditional_expression": ExpressionLowerer.conditional_expression,
    "lambda": ExpressionLowerer.lambda_,
    "list_comprehension": ExpressionLowerer.comprehension,
    "set_comprehension": ExpressionLowerer.comprehension,
    "dictionary_comprehension": ExpressionLowerer.comprehension,
    "generator_expression": ExpressionLowerer.comprehension,
    "await": ExpressionLowerer.await_,
    "yield": ExpressionLowerer.yield_,
    "list_splat": ExpressionLowerer.list_splat,
    "list_splat_pattern": ExpressionLowerer.list_splat,
    "named_expression": ExpressionLowerer.named_expression,
    "slice": ExpressionLowerer.slice_,
    "keyword_argument": ExpressionLowerer.keyword_argument,
}


def by_kind(handlers: dict[str, Callable]) -> dict[int, Callable]:
    """Re-key a handler table from node types to every kind id of that type."""
    return {kind: handler for type_, handler in handlers.items() for kind in kind_ids(type_)}


class _KindTable(dict):
    """kind id -> handler, `other` for every kind without one (ERROR, type, ...)."""

    def __missing__(self, kind: int) -> Callable:
        return ExpressionLowerer.other


_EXPR_BY_KIND = _KindTable({kind: ExpressionLowerer.other for kind in range(LANGUAGE.node_kind_count)})
_EXPR_BY_KIND.update(by_kind(_EXPR_HANDLERS))

