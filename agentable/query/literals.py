"""Literal values written in code: strings reaching an expression, literal bindings, where a value
is written, and the source text of an expression for messages."""

from __future__ import annotations

from typing import Iterable, Optional, Sequence, cast

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.resolve import argument_for
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.text_parts import call_text_parts
from agentable.cpg.values import Const, FuncRef, ordered
from agentable.query.config import config_default
from agentable.query.facts import EvalAt


def strings_in(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt, depth: int = 4) -> list[str]:
    """Literal text that flows into an expression: literals, f-string parts, `.format()`
    templates, `+` operands, list/dict literals and named constants (prompts, stop lists)."""
    out: list[str] = []
    TextWalker(g).strings(e, func, stmt, depth, out)
    return out


class TextWalker:
    """The walk behind `strings_in`. A parameter is followed to its call sites' arguments by
    `param`; a subclass picks those call sites (`callers`) and what a call leaving the argument
    out sends (`not_passed`): query/reply_prompt binds a call chain's parameters to that chain's
    arguments."""

    def __init__(self, g: ProjectGraph) -> None:
        self.g = g
        self._seen: set[int] = set()

    def strings(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt, depth: int, out: list[str]) -> None:
        if e is None or depth < 0 or not self.first_visit(e, depth):
            return
        if isinstance(e, ir.Constant) and isinstance(e.value, str):
            out.append(e.value)
        elif isinstance(e, ir.FString):
            out.append(e.literal_text())
            for p in e.parts:
                if not isinstance(p, str):
                    self.strings(p, func, stmt, depth - 1, out)
        elif isinstance(e, ir.Concat):
            for p in e.parts:
                self.strings(p, func, stmt, depth, out)
        elif isinstance(e, ir.BinOp):
            self.strings(e.left, func, stmt, depth, out)
            self.strings(e.right, func, stmt, depth, out)
        elif isinstance(e, ir.Seq):
            for x in e.elts:
                self.strings(x, func, stmt, depth, out)
        elif isinstance(e, ir.Dict):
            for k, v in zip(e.keys, e.values, strict=False):
                if not (isinstance(k, ir.Constant) and k.value in ("role", "type", "name")):
                    self.strings(v, func, stmt, depth, out)
        elif isinstance(e, ir.Call):  # a template's .format(), a join, a project function building the prompt
            for part, owner, at in call_text_parts(self.g, e, func, stmt, follow_helpers=depth > 0):
                self.strings(part, owner, cast(EvalAt, at), depth - 1, out)
        elif isinstance(e, ir.Name):
            self.name(e, func, stmt, depth, out)
        elif isinstance(e, ir.Attribute):
            out += const_strs(self.g, e, func, stmt)

    def first_visit(self, e: ir.Expr, depth: int) -> bool:
        """Is `e` walked now: the first time it is reached."""
        if id(e) in self._seen:
            return False
        self._seen.add(id(e))
        return True

    def name(self, e: ir.Name, func: FunctionInfo, stmt: EvalAt, depth: int, out: list[str]) -> None:
        owner, defs = self.g.name_bindings(func, e.id, stmt)
        for d in defs:
            if d.how in ("assign", "walrus") and d.value is not None:
                self.strings(d.value, owner, d.stmt, depth - 1, out)
            elif d.how == "import":
                out += const_strs(self.g, e, func, stmt)
            elif d.how == "param":
                self.param(owner, e.id, depth, out)

    def param(self, owner: FunctionInfo, name: str, depth: int, out: list[str]) -> None:
        """A parameter's text: what the call sites `callers` picks pass for it (a prompt passed
        into a project wrapper), or what `not_passed` says a call leaving it out sends."""
        for site in self.callers(owner, depth):
            arg = param_argument(site.call, owner, name)
            if arg is not None:
                self.argument(arg, site, depth, out)
            else:
                self.not_passed(owner, name, site, depth, out)

    def argument(self, arg: ir.Expr, site: CallSite, depth: int, out: list[str]) -> None:
        """The text of the argument a call site passes for a parameter."""
        self.strings(arg, site.func, site.stmt, depth - 1, out)

    def callers(self, owner: FunctionInfo, depth: int) -> Sequence[CallSite]:
        """The call sites a parameter of `owner` is read at: the first 8, while depth is left."""
        return self.g.argument_sites(owner)[:8] if depth > 0 else ()

    def not_passed(self, owner: FunctionInfo, name: str, site: CallSite, depth: int, out: list[str]) -> None:
        """A call site that does not pass the parameter: no text here."""


class PromptWalker(TextWalker):
    """The text of a prompt: `TextWalker`, also reading what is appended to a list named on the
    way (`messages.append({...})` before the call) when `sent` says the model reads it as
    instructions (every addition here). Through the first `wrappers` project wrappers on a path
    (a prompt passed down as a parameter) the walk of the caller's argument starts afresh with
    `depth` left: a wrapper does not use up the budget for building the text."""

    def __init__(self, g: ProjectGraph, wrappers: int = 0, depth: int = 0) -> None:
        super().__init__(g)
        self.wrappers = wrappers
        self.fresh = depth
        self._depth_seen: dict[int, int] = {}

    def first_visit(self, e: ir.Expr, depth: int) -> bool:
        # an expression reached again with more depth left (through a wrapper) is walked again
        if self._depth_seen.get(id(e), -1) >= depth:
            return False
        self._depth_seen[id(e)] = depth
        return True

    def name(self, e: ir.Name, func: FunctionInfo, stmt: EvalAt, depth: int, out: list[str]) -> None:
        for a, at in list_additions(func, e.id):
            if self.sent(a):
                self.strings(a, func, at, depth - 1, out)
        super().name(e, func, stmt, depth, out)

    def sent(self, added: ir.Expr) -> bool:
        return True

    def argument(self, arg: ir.Expr, site: CallSite, depth: int, out: list[str]) -> None:
        if self.wrappers <= 0:
            super().argument(arg, site, depth, out)
            return
        self.wrappers -= 1
        try:
            self.strings(arg, site.func, site.stmt, max(depth - 1, self.fresh), out)
        finally:
            self.wrappers += 1


def param_named(func: FunctionInfo, name: str) -> Optional[tuple[int, ir.Param]]:
    """The parameter `name` of `func` with its positional index at a call (`self` not counted)."""
    params = func.params
    idx = next((i for i, p in enumerate(params) if p.name == name), None)
    if idx is None:
        return None
    return idx - (1 if func.cls is not None else 0), params[idx]


def param_argument(call: ir.Call, func: FunctionInfo, name: str) -> Optional[ir.Expr]:
    """The argument `call` passes for the parameter `name` of `func`, if it passes one."""
    found = param_named(func, name)
    return argument_for(call, found[1], found[0]) if found is not None else None


def list_additions(func: FunctionInfo, name: str) -> Iterable[tuple[ir.Expr, EvalAt]]:
    """What `name.append(...)` / `.extend(...)` / `.insert(...)` calls in `func` add to the list
    `name` (a prompt's messages built up before the call), with the statement of each call."""
    for site in func.calls:
        f = site.call.func
        if isinstance(f, ir.Attribute) and f.attr in ("append", "extend", "insert") and ir.dotted(f.value) == name:
            for a in site.call.args:
                yield a, site.stmt


def const_strs(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt) -> list[str]:
    return [v.value for v in g.values(e, func, stmt) if isinstance(v, Const) and isinstance(v.value, str)]


def literal_of(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
               depth: int = 3) -> Optional[tuple[ir.Expr, FunctionInfo, EvalAt]]:
    """The dict/list/tuple literal an expression is (directly, or through a local/global/`self.x`
    binding), with the scope to read its elements in; None when it is not a known literal.
    `stmt` is an EvalAt; it is typed `object` like the graph's own (cpg's `Setting.stmt`)."""
    # a quoted type: cast() would subscript Optional[tuple[...]] at run time on every call (hot)
    return cast("Optional[tuple[ir.Expr, FunctionInfo, EvalAt]]", g.bound_literal(e, func, stmt, (ir.Dict, ir.Seq), depth))


def dict_values_for_key(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt, key: str,
                        depth: int = 4) -> list[tuple[ir.Expr, FunctionInfo, EvalAt]]:
    """Values stored under `key` in a dict literal, searched through nested literal dicts and lists
    (e.g. `{"config_list": [{"model": ...}]}`)."""
    out: list[tuple[ir.Expr, FunctionInfo, EvalAt]] = []
    if depth < 0:
        return out
    lit = literal_of(g, e, func, stmt)
    if lit is None:
        return out
    node, owner, s = lit
    if isinstance(node, ir.Dict):
        for k, v in zip(node.keys, node.values, strict=False):
            if isinstance(k, ir.Constant) and k.value == key:
                out.append((v, owner, s))
            elif v is not None:
                out.extend(dict_values_for_key(g, v, owner, s, key, depth - 1))
    elif isinstance(node, ir.Seq):  # literal_of gives a Dict or a Seq
        for elt in node.elts:
            out.extend(dict_values_for_key(g, elt, owner, s, key, depth - 1))
    return out


def construction_arg(call: ir.Call, names: Iterable[str], positional: Optional[int]) -> Optional[ir.Expr]:
    """The argument of a construction call given by keyword (first of `names`) or position."""
    for n in names:
        if n:
            v = call.kwarg(n)
            if v is not None:
                return v
    if positional is not None and positional < len(call.args) and not any(
            isinstance(a, ir.Starred) for a in call.args[: positional + 1]):
        return call.args[positional]
    return None


def literal_site(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, value: object,
                 depth: int = 6) -> Optional[tuple[str, ir.Pos]]:
    """Where the literal `value` that `e` evaluates to is written: follows local and module
    bindings, parameters (defaults and every call site's argument), `self.x` assignments and
    imported constants. None when it cannot be found (e.g. it comes from a config file).
    `stmt` is an EvalAt, typed `object` like cpg's `Setting.stmt`."""
    return _search_literal(g, e, func, cast(EvalAt, stmt), value, depth, None)


def literal_sites(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt, value: object,
                  depth: int = 6) -> list[tuple[str, ir.Pos]]:
    """Every place the literal `value` that `e` may evaluate to is written (literal_site finds
    the first): a parameter's default and a caller's argument are two places to change."""
    found: list[tuple[str, ir.Pos]] = []
    _search_literal(g, e, func, stmt, value, depth, found)
    return list(dict.fromkeys(found))


def _search_literal(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt, value: object,
                    depth: int, every: Optional[list[tuple[str, ir.Pos]]]) -> Optional[tuple[str, ir.Pos]]:
    """The first site of the literal; with `every`, the search goes on and collects all sites there."""
    seen: set[int] = set()

    def find(x: Optional[ir.Expr], f: FunctionInfo, st: EvalAt, d: int) -> Optional[tuple[str, ir.Pos]]:
        if x is None or d < 0 or id(x) in seen:
            return None
        seen.add(id(x))
        if isinstance(x, ir.Constant):
            if x.value != value:
                return None
            if every is not None:
                every.append((f.path, x.pos))
                return None
            return (f.path, x.pos)
        if isinstance(x, (ir.IfExp, ir.BoolOp, ir.Seq)):
            parts = [x.body, x.orelse] if isinstance(x, ir.IfExp) else (x.values if isinstance(x, ir.BoolOp) else x.elts)
            for part in parts:
                hit = find(part, f, st, d)
                if hit:
                    return hit
            return None
        if isinstance(x, ir.Call):  # os.getenv("MODEL", "gpt-4o") and similar: the default
            for a in list(x.args[1:]) + [kw.value for kw in x.keywords if kw.name in ("default",)]:
                hit = find(a, f, st, d - 1)
                if hit:
                    return hit
            for callee in _project_callees(g, x, f, st):  # `return "gpt-3.5-turbo"` in a helper it calls
                for ret in callee.returns:
                    hit = find(ret.value, callee, ret, d - 1)
                    if hit:
                        return hit
            return None
        if isinstance(x, ir.Subscript):  # an entry of a literal table: `MODELS[kind]`, `MODELS["fast"]`
            for part, owner, at in _table_entries(g, x, f, st):
                hit = find(part, owner, at, d - 1)
                if hit:
                    return hit
            return None
        if isinstance(x, ir.Name):
            owner, defs = g.name_bindings(f, x.id, st)
            for dfn in defs:
                if dfn.how in ("assign", "walrus"):
                    hit = find(dfn.value, owner, dfn.stmt, d - 1)
                elif dfn.how == "param":
                    hit = _param_literal(owner, x.id, find, d - 1)
                elif dfn.how == "import":
                    hit = _imported_literal(g, dfn, find, d - 1)
                else:
                    hit = None
                if hit:
                    return hit
            return None
        if isinstance(x, ir.Attribute):
            for v in ordered(g.values(x, f, st)):  # `args.model`, `settings.model` (a Field): the default
                found = config_default(g, v)
                hit = find(*found, d - 1) if found is not None and found[1] is not None else None
                if hit:
                    return hit
            for v in ordered(g.shallow.values(x.value, f, st)):
                q = getattr(v, "qualname", None)
                mod_name = getattr(v, "name", None)
                if q in g.classes and not _runs_elsewhere(g, q, f):
                    for cls in g.mro(q):
                        for val, s2, method in cls.attrs.get(x.attr, []):
                            hit = find(val, method or cls.module.toplevel, s2, d - 1)
                            if hit:
                                return hit
                elif mod_name in g.modules:
                    top = g.modules[mod_name].toplevel
                    for dfn in top.defs.get(x.attr, []):
                        if dfn.how == "assign":
                            hit = find(dfn.value, top, dfn.stmt, d - 1)
                            if hit:
                                return hit
            return None
        return None

    def _param_literal(f: FunctionInfo, name: str, finder, d: int):
        found = param_named(f, name)
        if found is None:
            return None
        idx, p = found
        for site in g.argument_sites(f):
            arg = argument_for(site.call, p, idx)
            hit = finder(arg, site.func, site.stmt, d)
            if hit:
                return hit
        return finder(p.default, f, f.node, d) if p.default is not None else None

    def _imported_literal(graph: ProjectGraph, dfn, finder, d: int):
        target = dfn.value.value if isinstance(dfn.value, ir.Constant) else None
        if not target or "." not in str(target):
            return None
        mod_name, _, attr = str(target).rpartition(".")
        mod = graph.find_module(mod_name)
        if mod is None:
            return None
        for inner in mod.toplevel.defs.get(attr, []):
            if inner.how == "assign":
                hit = finder(inner.value, mod.toplevel, inner.stmt, d)
                if hit:
                    return hit
        return None

    return find(e, func, stmt, depth)


def _runs_elsewhere(g: ProjectGraph, cls_q: str, method: FunctionInfo) -> bool:
    """Is `cls_q` a subclass of `method`'s class that overrides it without calling it through
    `super()`? Then an instance of it never runs `method`, and what it stores in `self` does not
    reach this line."""
    own = method.cls
    if own is None or cls_q == own.qualname:
        return False
    for c in g.mro(cls_q):
        if c is own:
            return False
        override = c.methods.get(method.name)
        if override is not None:
            return not any(isinstance(s.call.func, ir.Attribute) and s.call.func.attr == method.name
                           and isinstance(s.call.func.value, ir.Call) and ir.dotted(s.call.func.value.func) == "super"
                           for s in override.calls)
    return False


def _project_callees(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: EvalAt) -> list[FunctionInfo]:
    """The project functions (not classes) a call invokes, read from its callee expression."""
    return [g.functions[v.qualname] for v in ordered(g.shallow.values(call.func, func, stmt))
            if isinstance(v, FuncRef) and v.qualname in g.functions]


def _table_entries(g: ProjectGraph, sub: ir.Subscript, func: FunctionInfo,
                   stmt: EvalAt) -> list[tuple[ir.Expr, FunctionInfo, EvalAt]]:
    """The entries of a literal dict/list a subscript may read: the one under a constant key,
    else every value."""
    lit = literal_of(g, sub.value, func, stmt)
    if lit is None:
        return []
    node, owner, at = lit
    key = sub.index.value if isinstance(sub.index, ir.Constant) else None
    if isinstance(node, ir.Dict):
        pairs = [(k, v) for k, v in zip(node.keys, node.values, strict=False) if v is not None]
        if key is not None:
            pairs = [(k, v) for k, v in pairs if isinstance(k, ir.Constant) and k.value == key]
        return [(v, owner, at) for _, v in pairs]
    if isinstance(node, ir.Seq):
        elts = node.elts
        if isinstance(key, int) and not isinstance(key, bool) and -len(elts) <= key < len(elts):
            elts = [elts[key]]
        return [(v, owner, at) for v in elts]
    return []


def bound_name(stmt: ir.Stmt, expr: ir.Expr) -> Optional[str]:
    """The name a statement binds to `expr`: `m = re.search(...)` or `if (m := re.search(...))`."""
    if isinstance(stmt, ir.Assign) and stmt.value is expr and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.Name):
        return stmt.targets[0].id
    for root in ir.stmt_exprs(stmt):
        for e in ir.walk_expr(root):
            if isinstance(e, ir.NamedExpr) and e.value is expr and isinstance(e.target, ir.Name):
                return e.target.id
    return None


def source_text(g: ProjectGraph, path: str, e: Optional[ir.Expr], limit: int = 60) -> str:
    """The source text of a one-line expression (shortened), for messages; "the value" otherwise."""
    mod = g.by_path.get(path)
    if mod is None or e is None:
        return "the value"
    line, col, end_line, end_col = e.pos
    if line != end_line:
        return "the value"
    text = mod.ir.line_text(line).encode("utf-8")[col:end_col].decode("utf-8", "ignore")
    return text if len(text) <= limit else text[: limit - 3] + "..."
