"""The syntax layer of the graph: a compact, picklable statement/expression tree.

tree-sitter's tree is not picklable and costs ~44 MB per 2 MB of source, so each file is
lowered once into these small objects (punctuation, comments and trivia dropped). They are
what the control-flow, data-flow, call and agent layers are built on, what `--jobs` workers
return and what the incremental cache stores.

Positions: `pos = (line, col, end_line, end_col)`, lines 1-based, columns 0-based UTF-8 byte
offsets as tree-sitter gives them; `Module.span(pos)` converts to a 1-based character Span.
Nodes compare by identity (eq=False), so they can be dict keys and graph nodes.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Iterator, Optional, Union

from agentable.findings import Span

Pos = tuple[int, int, int, int]


@dataclass(eq=False, slots=True)
class Node:
    pos: Pos


# ----------------------------------------------------------------------------- expressions


@dataclass(eq=False, slots=True)
class Expr(Node):
    pass


@dataclass(eq=False, slots=True)
class Name(Expr):
    id: str


@dataclass(eq=False, slots=True)
class Attribute(Expr):
    value: Expr
    attr: str


@dataclass(eq=False, slots=True)
class Keyword:
    name: Optional[str]  # None for **kwargs
    value: Expr


@dataclass(eq=False, slots=True)
class Call(Expr):
    func: Expr
    args: list[Expr]
    keywords: list[Keyword]

    def kwarg(self, name: str) -> Optional[Expr]:
        for kw in self.keywords:
            if kw.name == name:
                return kw.value
        return None

    def argument(self, name: str, index: int) -> Optional[Expr]:
        """The argument passed as `name=`, else the one at position `index`, else None."""
        return self.kwarg(name) or (self.args[index] if len(self.args) > index else None)

    def has_kwargs_splat(self) -> bool:
        return any(kw.name is None for kw in self.keywords) or any(isinstance(a, Starred) for a in self.args)


@dataclass(eq=False, slots=True)
class Subscript(Expr):
    value: Expr
    index: Expr


@dataclass(eq=False, slots=True)
class Constant(Expr):
    value: object  # str, bytes, int, float, bool, None, Ellipsis


@dataclass(eq=False, slots=True)
class FString(Expr):
    parts: list[Union[str, Expr]]

    def literal_text(self) -> str:
        return "".join(p if isinstance(p, str) else "{}" for p in self.parts)


@dataclass(eq=False, slots=True)
class Concat(Expr):
    """Implicitly concatenated string literals ("a" "b"), some of which may be f-strings."""

    parts: list[Expr]


@dataclass(eq=False, slots=True)
class Dict(Expr):
    keys: list[Optional[Expr]]  # None for **splat
    values: list[Expr]

    def get(self, key: str) -> Optional[Expr]:
        for k, v in zip(self.keys, self.values, strict=False):
            if isinstance(k, Constant) and k.value == key:
                return v
        return None


@dataclass(eq=False, slots=True)
class Seq(Expr):
    kind: str  # list | tuple | set
    elts: list[Expr]


@dataclass(eq=False, slots=True)
class BinOp(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(eq=False, slots=True)
class BoolOp(Expr):
    op: str  # and | or
    values: list[Expr]


@dataclass(eq=False, slots=True)
class UnaryOp(Expr):
    op: str  # not | - | + | ~
    operand: Expr


@dataclass(eq=False, slots=True)
class Compare(Expr):
    left: Expr
    ops: list[str]
    comparators: list[Expr]


@dataclass(eq=False, slots=True)
class IfExp(Expr):
    test: Expr
    body: Expr
    orelse: Expr


@dataclass(eq=False, slots=True)
class Lambda(Expr):
    params: list["Param"]
    body: Expr


@dataclass(eq=False, slots=True)
class Comp(Expr):
    kind: str  # list | set | dict | generator
    elt: Expr
    targets: list[Expr]
    iters: list[Expr]
    conds: list[Expr]


@dataclass(eq=False, slots=True)
class Await(Expr):
    value: Expr


@dataclass(eq=False, slots=True)
class Yield(Expr):
    value: Optional[Expr]
    is_from: bool = False


@dataclass(eq=False, slots=True)
class Starred(Expr):
    value: Expr


@dataclass(eq=False, slots=True)
class NamedExpr(Expr):
    target: Expr
    value: Expr


@dataclass(eq=False, slots=True)
class Slice(Expr):
    parts: list[Optional[Expr]]


@dataclass(eq=False, slots=True)
class Other(Expr):
    """Any expression kind the analyses do not model; children are kept for walking."""

    kind: str
    children: list[Expr]


# ----------------------------------------------------------------------------- statements


@dataclass(eq=False, slots=True)
class Stmt(Node):
    pass


@dataclass(eq=False, slots=True)
class Param:
    name: str
    pos: Pos
    annotation: Optional[Expr] = None
    default: Optional[Expr] = None
    kind: str = "normal"  # normal | vararg | kwarg | kwonly | posonly


@dataclass(eq=False, slots=True)
class FunctionDef(Stmt):
    name: str
    params: list[Param]
    body: list[Stmt]
    decorators: list[Expr]
    returns: Optional[Expr]
    docstring: Optional[str]
    is_async: bool
    name_pos: Pos


@dataclass(eq=False, slots=True)
class ClassDef(Stmt):
    name: str
    bases: list[Expr]
    keywords: list[Keyword]
    body: list[Stmt]
    decorators: list[Expr]
    docstring: Optional[str]
    name_pos: Pos


@dataclass(eq=False, slots=True)
class Assign(Stmt):
    targets: list[Expr]
    value: Optional[Expr]
    annotation: Optional[Expr] = None


@dataclass(eq=False, slots=True)
class AugAssign(Stmt):
    target: Expr
    op: str
    value: Expr


@dataclass(eq=False, slots=True)
class ExprStmt(Stmt):
    value: Expr


@dataclass(eq=False, slots=True)
class Return(Stmt):
    value: Optional[Expr]


@dataclass(eq=False, slots=True)
class Raise(Stmt):
    exc: Optional[Expr]


@dataclass(eq=False, slots=True)
class If(Stmt):
    test: Expr
    body: list[Stmt]
    orelse: list[Stmt]


@dataclass(eq=False, slots=True)
class While(Stmt):
    test: Expr
    body: list[Stmt]
    orelse: list[Stmt]


@dataclass(eq=False, slots=True)
class For(Stmt):
    target: Expr
    iter: Expr
    body: list[Stmt]
    orelse: list[Stmt]
    is_async: bool = False


@dataclass(eq=False, slots=True)
class Handler(Node):
    types: list[Expr]  # empty for a bare `except:`
    name: Optional[str]
    body: list[Stmt]


@dataclass(eq=False, slots=True)
class Try(Stmt):
    body: list[Stmt]
    handlers: list[Handler]
    orelse: list[Stmt]
    finalbody: list[Stmt]


@dataclass(eq=False, slots=True)
class WithItem:
    context: Expr
    target: Optional[Expr]


@dataclass(eq=False, slots=True)
class With(Stmt):
    items: list[WithItem]
    body: list[Stmt]
    is_async: bool = False


@dataclass(eq=False, slots=True)
class Alias:
    name: str  # dotted module or imported name
    asname: Optional[str]


@dataclass(eq=False, slots=True)
class Import(Stmt):
    names: list[Alias]


@dataclass(eq=False, slots=True)
class ImportFrom(Stmt):
    module: str  # may be "" for `from . import x`
    level: int
    names: list[Alias]  # name "*" for star imports


@dataclass(eq=False, slots=True)
class Match(Stmt):
    subject: Expr
    cases: list[list[Stmt]]


@dataclass(eq=False, slots=True)
class Simple(Stmt):
    """pass, break, continue, global, nonlocal, del, assert and anything unmodelled."""

    kind: str
    exprs: list[Expr] = field(default_factory=list)


# ----------------------------------------------------------------------------- module


@dataclass(eq=False, slots=True)
class Module:
    path: str  # relative to the scan root, forward slashes
    name: str  # dotted module name, e.g. "pkg.agent"
    body: list[Stmt]
    source: str
    has_error: bool = False
    error_lines: list[int] = field(default_factory=list)
    is_package: bool = False  # an __init__.py
    # where each line starts in `source`, made on first use: 4 bytes a line, where the split lines
    # kept for the whole scan cost ~65 bytes a line plus a second copy of the text
    _starts: Optional[array] = None

    def lines(self) -> list[str]:
        """Source lines split on "\n" only, as tree-sitter and GitHub count them (a new list on
        every call: for a slice, `line_range` splits only the lines asked for)."""
        return [ln.rstrip("\r") for ln in self.source.split("\n")]

    def line_count(self) -> int:
        """len(self.lines()), without splitting the module into lines."""
        return self.source.count("\n") + 1

    def _line_starts(self) -> array:
        if self._starts is None:
            self._starts = array("I", accumulate((len(ln) + 1 for ln in self.source.split("\n")), initial=0))
        return self._starts

    def line_text(self, line: int) -> str:
        starts = self._line_starts()
        if not 0 < line < len(starts):
            return ""
        return self.source[starts[line - 1]:starts[line] - 1].rstrip("\r")

    def line_range(self, first: int, last: int) -> list[str]:
        """Lines `first` to `last` (1-based, both included, clipped to the module), as `lines()[first - 1:last]`."""
        starts = self._line_starts()
        first, last = max(first, 1), min(last, len(starts) - 1)
        if first > last:
            return []
        return [ln.rstrip("\r") for ln in self.source[starts[first - 1]:starts[last] - 1].split("\n")]

    def _char_col(self, line: int, byte_col: int) -> int:
        text = self.line_text(line)
        if text.isascii():
            return byte_col + 1
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "ignore")) + 1

    def span(self, pos: Pos) -> Span:
        line, col, end_line, end_col = pos
        return Span(self.path, line, self._char_col(line, col), end_line, self._char_col(end_line, end_col))


# ----------------------------------------------------------------------------- walking

_EXPR_FIELDS: dict[type, tuple[str, ...]] = {
    Attribute: ("value",),
    Call: ("func", "args", "keywords"),
    Subscript: ("value", "index"),
    FString: ("parts",),
    Concat: ("parts",),
    Dict: ("keys", "values"),
    Seq: ("elts",),
    BinOp: ("left", "right"),
    BoolOp: ("values",),
    UnaryOp: ("operand",),
    Compare: ("left", "comparators"),
    IfExp: ("test", "body", "orelse"),
    Lambda: ("body",),
    Comp: ("elt", "iters", "conds"),
    Await: ("value",),
    Yield: ("value",),
    Starred: ("value",),
    NamedExpr: ("target", "value"),
    Slice: ("parts",),
    Other: ("children",),
}
# the same fields last first, as walk_expr pushes them (not reversed again for every node)
_EXPR_FIELDS_PUSHED: dict[type, tuple[str, ...]] = {cls: fields[::-1] for cls, fields in _EXPR_FIELDS.items()}


def iter_child_exprs(e: Expr) -> Iterator[Expr]:
    for fname in _EXPR_FIELDS.get(type(e), ()):
        v = getattr(e, fname)
        if isinstance(v, list):
            for item in v:
                if isinstance(item, Expr):
                    yield item
                elif isinstance(item, Keyword):
                    yield item.value
        elif isinstance(v, Expr):
            yield v


def walk_expr(e: Optional[Expr]) -> Iterator[Expr]:
    """Pre-order walk over an expression, lambdas included. Hot: every graph layer uses it."""
    if e is None:
        return
    stack = [e]
    pop, push, fields_of = stack.pop, stack.append, _EXPR_FIELDS_PUSHED.get
    while stack:
        cur = pop()
        yield cur
        fields = fields_of(cur.__class__)
        if not fields:
            continue
        for fname in fields:
            v = getattr(cur, fname)
            if v.__class__ is list:
                for item in reversed(v):
                    if item is None or item.__class__ is str:
                        continue
                    push(item.value if item.__class__ is Keyword else item)
            elif v is not None:
                push(v)


def stmt_exprs(s: Stmt) -> list[Expr]:
    """The expressions that a statement itself evaluates (not those of nested blocks)."""
    if isinstance(s, Assign):
        out = list(s.targets)
        if s.value is not None:
            out.append(s.value)
        return out
    if isinstance(s, AugAssign):
        return [s.target, s.value]
    if isinstance(s, (ExprStmt,)):
        return [s.value]
    if isinstance(s, Return):
        return [s.value] if s.value is not None else []
    if isinstance(s, Raise):
        return [s.exc] if s.exc is not None else []
    if isinstance(s, (If, While)):
        return [s.test]
    if isinstance(s, For):
        return [s.target, s.iter]
    if isinstance(s, With):
        out = []
        for it in s.items:
            out.append(it.context)
            if it.target is not None:
                out.append(it.target)
        return out
    if isinstance(s, Match):
        return [s.subject]
    if isinstance(s, Simple):
        return list(s.exprs)
    if isinstance(s, FunctionDef):
        return list(s.decorators) + [p.default for p in s.params if p.default is not None]
    if isinstance(s, ClassDef):
        return list(s.decorators) + list(s.bases) + [k.value for k in s.keywords]
    return []


def child_blocks(s: Stmt) -> list[list[Stmt]]:
    """Nested statement blocks of a compound statement (function/class bodies excluded)."""
    if isinstance(s, (If, While, For)):
        return [s.body, s.orelse]
    if isinstance(s, Try):
        return [s.body] + [h.body for h in s.handlers] + [s.orelse, s.finalbody]
    if isinstance(s, With):
        return [s.body]
    if isinstance(s, Match):
        return list(s.cases)
    return []


def walk_stmts(body: list[Stmt], into_defs: bool = False) -> Iterator[Stmt]:
    """Pre-order walk over statements; nested function/class bodies only when into_defs."""
    stack = list(reversed(body))
    while stack:
        s = stack.pop()
        yield s
        blocks = child_blocks(s)
        if into_defs and isinstance(s, (FunctionDef, ClassDef)):
            blocks = [s.body]
        for block in reversed(blocks):
            stack.extend(reversed(block))


def nesting_depth(mod: Module) -> int:
    """How many nodes deep the module's IR goes (statements, handlers, expressions; a parameter's
    default and annotation count as one level below its function). Iterative, for the scan to
    find the modules that are too deep to analyse."""
    deepest = 0
    stack: list[tuple[list, int]] = [(mod.body, 1)]
    while stack:
        nodes, depth = stack.pop()
        if nodes and depth > deepest:
            deepest = depth
        for node in nodes:
            stack.extend((kids, depth + 1) for kids in _child_lists(node) if kids)
    return deepest


def _child_lists(node: object) -> list[list]:
    """The nodes directly below `node`, as lists."""
    if isinstance(node, Keyword):
        node = node.value
    if isinstance(node, Expr):
        out = [[e for e in iter_child_exprs(node)]]
        if isinstance(node, Lambda):
            out.append(_param_exprs(node.params))
        return out
    if isinstance(node, Handler):
        return [list(node.types), node.body]
    if isinstance(node, (FunctionDef, ClassDef)):
        params = _param_exprs(node.params) if isinstance(node, FunctionDef) else []
        returns = [node.returns] if isinstance(node, FunctionDef) and node.returns is not None else []
        return [stmt_exprs(node), params, returns, node.body]
    if isinstance(node, Try):
        return [node.body, list(node.handlers), node.orelse, node.finalbody]
    if isinstance(node, Stmt):
        annotation = [node.annotation] if isinstance(node, Assign) and node.annotation is not None else []
        return [stmt_exprs(node), annotation, *child_blocks(node)]
    return []


def _param_exprs(params: list[Param]) -> list[Expr]:
    return [e for p in params for e in (p.annotation, p.default) if e is not None]


def unwrap_type(e: Optional[Expr]) -> Optional[Expr]:
    """The annotation itself: the lowering keeps tree-sitter's `type` node around an annotation
    (`x: Foo` gives Other("type", [Name("Foo")]))."""
    while isinstance(e, Other) and e.kind == "type" and len(e.children) == 1:
        e = e.children[0]
    return e


def dotted(e: Optional[Expr]) -> Optional[str]:
    """`a.b.c` for Name/Attribute chains, else None."""
    parts: list[str] = []
    while isinstance(e, Attribute):
        parts.append(e.attr)
        e = e.value
    if isinstance(e, Name):
        parts.append(e.id)
        return ".".join(reversed(parts))
    return None


def named_key(e: Optional[Expr]) -> Optional[tuple[str, str]]:
    """The key a dict entry written under a named constant (`{Provider.OPENAI: ...}`) is stored
    under, and a subscript with the same name (`table[Provider.OPENAI]`) reads: distinct from
    every literal key. None for other expressions."""
    name = dotted(e)
    return ("name", name) if name else None


def is_main_guard(test: Optional[Expr]) -> bool:
    """`__name__ == "__main__"` (either way round): the test of a script's own entry block."""
    if not (isinstance(test, Compare) and test.ops == ["=="] and len(test.comparators) == 1):
        return False
    sides = [test.left, test.comparators[0]]
    return any(isinstance(x, Name) and x.id == "__name__" for x in sides) and any(
        isinstance(x, Constant) and x.value == "__main__" for x in sides)


def string_value(e: Optional[Expr]) -> Optional[str]:
    """The text of a string literal; f-string holes become `{}`; None when not a string."""
    if isinstance(e, Constant) and isinstance(e.value, str):
        return e.value
    if isinstance(e, FString):
        return e.literal_text()
    if isinstance(e, Concat):
        pieces = [string_value(p) for p in e.parts]
        if all(p is not None for p in pieces):
            return "".join(pieces)  # type: ignore[arg-type]
    return None
