"""Modules, classes and functions of a project, with the per-function indexes every query uses.

Module-level code is modelled as a pseudo-function `<module>` so that rules treat script code and
function bodies alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, TypeVar, Union, cast, overload

from agentable.catalog import python_facts
from agentable.cpg import ir

Container = Union[ir.Stmt, ir.Handler]
_X = TypeVar("_X", bound=ir.Expr)
_ITEM_CALLBACKS = python_facts().item_callbacks  # name -> (where the function is, where the items are)


# (a class field named `ir` shadows the module inside ModuleInfo: the alias is spelled out here)
ImportStmt = Union[ir.Import, ir.ImportFrom]


@dataclass(eq=False, slots=True)  # one per call/binding of the project: no __dict__ each
class CallSite:
    call: ir.Call
    stmt: ir.Stmt
    func: "FunctionInfo"

    def __repr__(self) -> str:
        return f"CallSite({ir.dotted(self.call.func) or '<expr>'}() at {self.func.path}:{self.call.pos[0]})"


@dataclass(eq=False, slots=True)  # one per call/binding of the project: no __dict__ each
class DefSite:
    """A binding of a local name: `value` is what was bound, `how` says how to read it."""

    name: str
    stmt: Union[ir.Stmt, ir.Handler]
    value: Optional[ir.Expr]
    how: str  # assign | element | iter | with | param | import | def | class | except | augassign | walrus | global
    # the function a module-level binding is made in (`global _client; _client = Client()`), whose
    # names its value reads; None for a binding made in the scope that holds it
    scope: Optional[FunctionInfo] = None

    def __repr__(self) -> str:
        return f"DefSite({self.name}, {self.how}, line {self.stmt.pos[0]})"


@dataclass(eq=False, slots=True)  # one per function of the project: no __dict__ each
class FunctionInfo:
    qualname: str
    name: str
    module: "ModuleInfo"
    node: Optional[ir.FunctionDef]  # None for the <module> pseudo-function
    body: list[ir.Stmt]
    cls: Optional["ClassInfo"] = None
    parent: Optional["FunctionInfo"] = None
    # indexes, filled by _index_function
    calls: list[CallSite] = field(default_factory=list)
    defs: dict[str, list[DefSite]] = field(default_factory=dict)
    parents: dict[int, Container] = field(default_factory=dict)  # id(stmt) -> enclosing statement/handler
    returns: list[ir.Return] = field(default_factory=list)
    yields: list[ir.Yield] = field(default_factory=list)
    raises: list[ir.Raise] = field(default_factory=list)
    globals_declared: frozenset[str] = frozenset()  # `global` names; rare, so a shared empty default
    nested: dict[str, "FunctionInfo"] = field(default_factory=dict)
    passes_through: Optional[bool] = None  # cached by binding.passes_through_param
    # The function's own statements in `ir.walk_stmts(body)` order (class bodies, which walk_stmts
    # does not enter, excluded), and the expressions they evaluate in `stmt_exprs`/`walk_expr`
    # order, all of them and by IR class: [(expr, statement)]. Queries read these instead of
    # walking the tree again.
    stmts: list[ir.Stmt] = field(default_factory=list)
    expr_walk: list[tuple[ir.Expr, ir.Stmt]] = field(default_factory=list)
    exprs: dict[type, list[tuple[ir.Expr, ir.Stmt]]] = field(default_factory=dict)
    # `d[key] = value` stores: container name -> [(key expression, value, statement)]
    item_stores: dict[str, list[tuple[ir.Expr, ir.Expr, ir.Stmt]]] = field(default_factory=dict)
    # Names read inside a comprehension that its own `for` binds: id(Name) -> (target, iterable),
    # so `part.text for part in resp.content` reads `part` as an element of `resp.content`.
    comp_names: dict[int, tuple[ir.Expr, ir.Expr]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"FunctionInfo({self.qualname})"

    @property
    def is_module(self) -> bool:
        return self.node is None

    @property
    def params(self) -> list[ir.Param]:
        return self.node.params if self.node is not None else []

    @property
    def pos(self) -> ir.Pos:
        return self.node.pos if self.node is not None else (1, 0, 1, 0)

    @property
    def name_pos(self) -> ir.Pos:
        return self.node.name_pos if self.node is not None else (1, 0, 1, 0)

    @property
    def path(self) -> str:
        return self.module.path

    @overload
    def walk(self, kind: type[_X], /) -> list[tuple[_X, ir.Stmt]]: ...

    @overload
    def walk(self, *kinds: type) -> list[tuple[ir.Expr, ir.Stmt]]: ...

    def walk(self, *kinds: type) -> list[tuple[Any, ir.Stmt]]:  # Any: each overload says which expressions
        """(expression, statement) pairs of these IR classes, in walk order (see `expr_walk`)."""
        if len(kinds) == 1:
            return self.exprs.get(kinds[0], [])
        return [pair for pair in self.expr_walk if pair[0].__class__ in kinds]

    def call_statement(self, call: ir.Call) -> Optional[ir.Stmt]:
        """The statement of this function that makes `call` (None when the call is not its own)."""
        for site in self.calls:
            if site.call is call:
                return site.stmt
        return None

    def parent_of(self, node: Container) -> Optional[Container]:
        return self.parents.get(id(node))

    def ancestors(self, node: Container) -> Iterator[Container]:
        cur = self.parents.get(id(node))
        while cur is not None:
            yield cur
            cur = self.parents.get(id(cur))

    def inside(self, node: Container, outer: Container) -> bool:
        """Is `node` nested in `outer` (a loop, a try, a block's statement), not `outer` itself?"""
        return any(a is outer for a in self.ancestors(node))

    def source(self) -> str:
        if self.node is None:
            return ""
        return "\n".join(self.module.ir.line_range(self.node.pos[0], self.node.pos[2]))


@dataclass(eq=False, slots=True)
class ClassInfo:
    qualname: str
    name: str
    module: "ModuleInfo"
    node: ir.ClassDef
    methods: dict[str, FunctionInfo] = field(default_factory=dict)
    # class-level assignments and `self.x = ...` in methods: name -> [(value, stmt, func)]
    attrs: dict[str, list[tuple[Optional[ir.Expr], ir.Stmt, Optional[FunctionInfo]]]] = field(default_factory=dict)
    base_names: list[str] = field(default_factory=list)  # resolved qualified names of bases (filled by the project)

    def __repr__(self) -> str:
        return f"ClassInfo({self.qualname})"


@dataclass(eq=False, slots=True)
class ModuleInfo:
    ir: ir.Module
    toplevel: FunctionInfo = field(init=False)
    functions: dict[str, FunctionInfo] = field(default_factory=dict)  # top-level defs
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> dotted target (unresolved)
    import_stmts: list[ImportStmt] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"ModuleInfo({self.name})"

    @property
    def name(self) -> str:
        return self.ir.name

    @property
    def path(self) -> str:
        return self.ir.path

    @property
    def package(self) -> str:
        if self.ir.is_package:
            return self.ir.name
        return self.ir.name.rpartition(".")[0]


# ----------------------------------------------------------------------------- building


def build_module(mod: ir.Module) -> tuple[ModuleInfo, list[FunctionInfo], list[ClassInfo]]:
    info = ModuleInfo(mod)
    all_funcs: list[FunctionInfo] = []
    all_classes: list[ClassInfo] = []
    top = FunctionInfo(f"{mod.name}.<module>", "<module>", info, None, mod.body)
    info.toplevel = top
    all_funcs.append(top)
    _index_function(top, info, all_funcs, all_classes, None)
    for s in mod.body:
        if isinstance(s, ir.FunctionDef):
            info.functions[s.name] = top.nested[s.name]
    for cls in all_classes:
        if cls.module is info and cls.qualname == f"{mod.name}.{cls.name}":
            info.classes[cls.name] = cls
    return info, all_funcs, all_classes


def _resolve_relative(info: ModuleInfo, module: str, level: int) -> str:
    if level == 0:
        return module
    base = info.package.split(".") if info.package else []
    if level > 1:
        base = base[: max(0, len(base) - (level - 1))]
    parts = [p for p in base if p]
    if module:
        parts.append(module)
    return ".".join(parts)


def _record_import(s: Union[ir.Import, ir.ImportFrom], info: ModuleInfo, func: FunctionInfo) -> None:
    info.import_stmts.append(s)
    if isinstance(s, ir.Import):
        for a in s.names:
            if a.asname:
                target, local = a.name, a.asname
            else:
                local = a.name.split(".")[0]
                target = local
            _bind_import(info, func, local, target, s)
    else:
        base = _resolve_relative(info, s.module, s.level)
        for a in s.names:
            if a.name == "*":
                info.imports.setdefault("*" + base, base)
                continue
            target = f"{base}.{a.name}" if base else a.name
            _bind_import(info, func, a.asname or a.name, target, s)


def _bind_import(info: ModuleInfo, func: FunctionInfo, local: str, target: str, s: ir.Stmt) -> None:
    if func.is_module:
        info.imports[local] = target
    func.defs.setdefault(local, []).append(DefSite(local, s, ir.Constant(s.pos, target), "import"))


def _index_function(
    func: FunctionInfo,
    info: ModuleInfo,
    all_funcs: list[FunctionInfo],
    all_classes: list[ClassInfo],
    cls_for_methods: Optional[ClassInfo],
) -> None:
    """One pre-order walk over the function's own statements, in `ir.walk_stmts` order (nested
    defs get their own FunctionInfo): every index, `stmts` and `expr_walk` included, is filled in
    that one pass."""
    if func.node is not None:
        for p in func.node.params:
            func.defs.setdefault(p.name, []).append(DefSite(p.name, func.node, None, "param"))
    _index_block(func, func.body, None, info, all_funcs, all_classes)


def _index_block(
    func: FunctionInfo,
    block: list[ir.Stmt],
    parent: Optional[Container],
    info: ModuleInfo,
    all_funcs: list[FunctionInfo],
    all_classes: list[ClassInfo],
) -> None:
    """Pre-order over the block and its nested blocks, with a stack rather than recursion: an
    if/elif chain nests as deep as it has branches."""
    parents = func.parents
    stmts = func.stmts
    todo: list[tuple[Union[ir.Stmt, ir.Handler], Optional[Container]]] = [(s, parent) for s in reversed(block)]
    while todo:
        s, parent = todo.pop()
        if isinstance(s, ir.Handler):  # its turn comes after the try body, as in the source
            if parent is not None:  # always: a handler is pushed with its try
                parents[id(s)] = parent
            todo.extend((b, s) for b in reversed(s.body))
            continue
        if parent is not None:
            parents[id(s)] = parent
        stmts.append(s)
        _index_stmt(func, s, info, all_funcs, all_classes)
        if isinstance(s, ir.Try):
            inner: list[Union[ir.Stmt, ir.Handler]] = [*s.body, *s.handlers, *s.orelse, *s.finalbody]
        else:
            inner = [b for sub in ir.child_blocks(s) for b in sub]
        todo.extend((b, s) for b in reversed(inner))


def _index_stmt(
    func: FunctionInfo,
    s: ir.Stmt,
    info: ModuleInfo,
    all_funcs: list[FunctionInfo],
    all_classes: list[ClassInfo],
    owner_cls: Optional[ClassInfo] = None,
) -> None:
    """Index one statement; `owner_cls` is set for statements directly in a class body (their
    expressions are indexed for calls but are not the function's own: `walk_stmts` does not
    enter class bodies)."""
    defs = func.defs
    own = owner_cls is None
    if isinstance(s, ir.FunctionDef):
        _index_def(func, s, info, all_funcs, all_classes, owner_cls)
        return
    if isinstance(s, ir.ClassDef):
        _index_class(func, s, info, all_funcs, all_classes, own)
        return
    if isinstance(s, (ir.Import, ir.ImportFrom)):
        _record_import(s, info, func)
        return
    _index_exprs(func, s, ir.stmt_exprs(s), own)
    if isinstance(s, ir.Assign):
        if owner_cls is not None:
            return  # a class attribute (recorded on the class), not a local
        for t in s.targets:
            _bind_target(defs, t, s, s.value, "assign")
            if isinstance(t, ir.Subscript) and isinstance(t.value, ir.Name) and s.value is not None:
                func.item_stores.setdefault(t.value.id, []).append((t.index, s.value, s))
            if isinstance(t, ir.Name) and t.id in func.globals_declared and not func.is_module:
                # `global _client; _client = Client()`: a module-level binding made in a function
                info.toplevel.defs.setdefault(t.id, []).append(DefSite(t.id, s, s.value, "assign", func))
    elif isinstance(s, ir.AugAssign):
        _bind_target(defs, s.target, s, s.value, "augassign")
    elif isinstance(s, ir.For):
        _bind_target(defs, s.target, s, s.iter, "iter")
    elif isinstance(s, ir.With):
        for item in s.items:
            if item.target is not None:
                _bind_target(defs, item.target, s, item.context, "with")
    elif isinstance(s, ir.Return):
        func.returns.append(s)
    elif isinstance(s, ir.Raise):
        func.raises.append(s)
    elif isinstance(s, ir.Simple) and s.kind in ("global", "nonlocal"):
        for e in s.exprs:
            if isinstance(e, ir.Name):
                func.globals_declared = func.globals_declared | {e.id}
    elif isinstance(s, ir.Try):
        for h in s.handlers:
            if h.name:
                defs.setdefault(h.name, []).append(DefSite(h.name, h, None, "except"))


def _index_def(func: FunctionInfo, s: ir.FunctionDef, info: ModuleInfo, all_funcs: list[FunctionInfo],
               all_classes: list[ClassInfo], owner_cls: Optional[ClassInfo]) -> None:
    """A `def` in `func` (or in the body of `owner_cls`): a new function, indexed in turn."""
    defs = func.defs
    own = owner_cls is None
    _index_exprs(func, s, ir.stmt_exprs(s), own)
    qual = f"{func.qualname.removesuffix('.<module>')}.{s.name}" if owner_cls is None else f"{owner_cls.qualname}.{s.name}"
    child = FunctionInfo(qual, s.name, info, s, s.body, cls=owner_cls, parent=None if func.is_module else func)
    all_funcs.append(child)
    if owner_cls is not None:
        owner_cls.methods[s.name] = child
    else:
        func.nested[s.name] = child
        defs.setdefault(s.name, []).append(DefSite(s.name, s, None, "def"))
    _index_function(child, info, all_funcs, all_classes, None)
    if owner_cls is not None:
        _collect_self_attrs(child, owner_cls)


def _index_class(func: FunctionInfo, s: ir.ClassDef, info: ModuleInfo, all_funcs: list[FunctionInfo],
                 all_classes: list[ClassInfo], own: bool) -> None:
    """A `class` in `func`: a new class whose body is indexed as part of `func` (`own`: see
    `_index_stmt`)."""
    defs = func.defs
    _index_exprs(func, s, ir.stmt_exprs(s), own)
    prefix = func.qualname.removesuffix(".<module>")
    cls = ClassInfo(f"{prefix}.{s.name}", s.name, info, s)
    all_classes.append(cls)
    defs.setdefault(s.name, []).append(DefSite(s.name, s, None, "class"))
    # The class body runs in its own scope; index it as part of the enclosing pseudo-function
    # but record its assignments as class attributes.
    for cs in s.body:
        if isinstance(cs, ir.Assign):
            for t in cs.targets:
                if isinstance(t, ir.Name):
                    cls.attrs.setdefault(t.id, []).append((cs.value, cs, None))
    for cs in s.body:
        func.parents[id(cs)] = s
        _index_stmt(func, cs, info, all_funcs, all_classes, cls)


def _bind_target(defs: dict[str, list[DefSite]], t: ir.Expr, s: ir.Stmt, value: Optional[ir.Expr], how: str) -> None:
    if isinstance(t, ir.Name):
        defs.setdefault(t.id, []).append(DefSite(t.id, s, value, how))
    elif isinstance(t, ir.Seq):
        for e in t.elts:
            _bind_target(defs, e, s, value, "element" if how == "assign" else how)
    elif isinstance(t, ir.Starred):
        _bind_target(defs, t.value, s, value, "element" if how == "assign" else how)


def _index_exprs(func: FunctionInfo, s: ir.Stmt, roots: list[ir.Expr], own: bool) -> None:
    """Record the calls, yields and walrus bindings of a statement, and, for the function's own
    statements, every expression it evaluates in `expr_walk` and `exprs` (walk_expr order)."""
    walk = func.expr_walk
    by_type = func.exprs
    for root in roots:
        for e in ir.walk_expr(root):
            cls = e.__class__
            if own:
                pair = (e, s)
                walk.append(pair)
                bucket = by_type.get(cls)
                if bucket is None:
                    bucket = by_type[cls] = []
                bucket.append(pair)
            # `cls is` tests (the IR classes have no subclasses) in this hot loop; mypy cannot narrow
            # on them, hence the casts in the branches taken
            if cls is ir.Call:
                func.calls.append(CallSite(cast(ir.Call, e), s, func))
                if cast(ir.Call, e).keywords or len(cast(ir.Call, e).args) > 1:
                    _index_item_lambda(func, cast(ir.Call, e))
            elif cls is ir.Comp:
                _index_comprehension(func, cast(ir.Comp, e))
            elif cls is ir.Yield:
                func.yields.append(cast(ir.Yield, e))
            elif cls is ir.NamedExpr:
                named = cast(ir.NamedExpr, e)
                if isinstance(named.target, ir.Name):
                    func.defs.setdefault(named.target.id, []).append(DefSite(named.target.id, s, named.value, "walrus"))


def _index_comprehension(func: FunctionInfo, comp: ir.Comp) -> None:
    """Bind the names a comprehension's `for` clauses introduce where the comprehension reads them:
    in later clauses' iterables, the conditions and the element. Outer comprehensions are indexed
    first (pre-order), so an inner one that rebinds a name overrides it for its own reads."""
    bound: dict[str, tuple[ir.Expr, ir.Expr]] = {}
    for j, (target, iterable) in enumerate(zip(comp.targets, comp.iters, strict=False)):
        if j:
            _bind_comprehension_reads(func, iterable, bound)
        for x in ir.walk_expr(target):
            if x.__class__ is ir.Name:
                bound[x.id] = (target, iterable)
    for e in (comp.elt, *comp.conds):
        _bind_comprehension_reads(func, e, bound)


def _index_item_lambda(func: FunctionInfo, call: ir.Call) -> None:
    """`sorted(xs, key=lambda x: x["score"])`, `xs.sort(key=lambda x: ...)`, `map(lambda x: ..., xs)`
    (python.toml `item_callbacks`): the lambda's parameter is read as an item of `xs`, as a
    comprehension's loop variable is. Builtins by their bare name, methods (`sort`) by attribute."""
    f = call.func
    name = f.attr if isinstance(f, ir.Attribute) else f.id if isinstance(f, ir.Name) else ""
    spec = _ITEM_CALLBACKS.get(name)
    if spec is None or (spec[1] == "self") != isinstance(f, ir.Attribute):
        return

    def part(at: Union[int, str]) -> Optional[ir.Expr]:
        if at == "self":
            return f.value if isinstance(f, ir.Attribute) else None
        if isinstance(at, str):
            return call.kwarg(at)
        return call.args[at] if at < len(call.args) else None

    fn, items = part(spec[0]), part(spec[1])
    if isinstance(fn, ir.Lambda) and items is not None and len(fn.params) == 1 and fn.params[0].kind == "normal":
        p = fn.params[0]
        _bind_comprehension_reads(func, fn.body, {p.name: (ir.Name(p.pos, p.name), items)})


def _bind_comprehension_reads(func: FunctionInfo, e: ir.Expr, bound: dict[str, tuple[ir.Expr, ir.Expr]]) -> None:
    for x in ir.walk_expr(e):
        if x.__class__ is ir.Name and x.id in bound:
            func.comp_names[id(x)] = bound[x.id]


def _collect_self_attrs(method: FunctionInfo, cls: ClassInfo) -> None:
    if not method.params:
        return
    self_name = method.params[0].name
    for s in method.stmts:
        if isinstance(s, ir.Assign):
            for t in s.targets:
                if isinstance(t, ir.Attribute) and isinstance(t.value, ir.Name) and t.value.id == self_name:
                    cls.attrs.setdefault(t.attr, []).append((s.value, s, method))
        elif isinstance(s, ir.AugAssign):
            t = s.target
            if isinstance(t, ir.Attribute) and isinstance(t.value, ir.Name) and t.value.id == self_name:
                cls.attrs.setdefault(t.attr, []).append((s.value, s, method))


_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "functools.cached_property"})


def is_property(func: FunctionInfo) -> bool:
    """A method read as an attribute (`@property`, `@cached_property`)."""
    return func.node is not None and any(ir.dotted(d) in _PROPERTY_DECORATORS for d in func.node.decorators)


def stub_body(func: FunctionInfo) -> bool:
    """A method whose body only raises, passes or holds constants (a docstring, `...`): an
    interface method that subclasses implement."""
    body = list(func.body)
    if body and isinstance(body[0], ir.ExprStmt) and isinstance(body[0].value, ir.Constant):
        body = body[1:]  # the docstring
    return all(isinstance(s, ir.Raise) or (isinstance(s, ir.Simple) and s.kind == "pass")
               or (isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Constant)) for s in body)
