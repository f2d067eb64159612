"""Keys a registry lookup can only take from the registry itself: `reg[key]` where `key` is a loop
variable over `reg` (`for key, x in reg.items()`), or a regex group over a pattern built from
`reg`'s own keys (`re.search(f"({'|'.join(reg)})", text).group(1)`), directly, through local
assignments, or returned by a project function (`kind, body = self.detect(text)`). Such a lookup
cannot miss, and the model did not choose from a list it was shown: it is not a model-chosen
tool dispatch even when the text matched is a model reply."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import FuncRef
from agentable.query.facts import EvalAt

# str methods whose result is still one of the keys the text held (whitespace around it only)
_KEEP_KEY = frozenset({"strip", "lstrip", "rstrip"})
_REGEX_SEARCHES = frozenset({"re.search", "re.match", "re.fullmatch", "re.finditer"})
_KEY_VIEWS = frozenset({"keys", "items"})


def _signature(e: Optional[ir.Expr]) -> Optional[str]:
    """`self.reg` / `reg` as a comparable name (the same attribute of self in another method of
    the class, or the same module-level name)."""
    if isinstance(e, ir.Attribute) and isinstance(e.value, ir.Name) and e.value.id in ("self", "cls"):
        return "self." + e.attr
    return e.id if isinstance(e, ir.Name) else None


def _names_registry(e: ir.Expr, reg: str) -> bool:
    """`reg`, `reg.keys()` or `reg.items()`."""
    if isinstance(e, ir.Call) and not e.args and isinstance(e.func, ir.Attribute) and e.func.attr in _KEY_VIEWS:
        e = e.func.value
    return _signature(e) == reg


def _mentions_registry(e: Optional[ir.Expr], reg: str) -> bool:
    return e is not None and any(_signature(x) == reg for x in ir.walk_expr(e))


class _OwnKeys:
    def __init__(self, g: ProjectGraph, reg: str, keys: frozenset[str]) -> None:
        self.g = g
        self.reg = reg
        self.keys = keys  # the registry's literal keys, where the graph can read them
        self.seen: set[int] = set()

    def expr(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt, depth: int) -> bool:
        if e is None or depth < 0 or id(e) in self.seen:
            return False
        self.seen.add(id(e))
        if isinstance(e, ir.Name):
            return self.name(e, func, stmt, depth)
        if isinstance(e, ir.Constant):  # a default that is one of the keys (`return "text", reply`)
            return isinstance(e.value, str) and e.value in self.keys
        if not isinstance(e, ir.Call):
            return False
        f = e.func
        if isinstance(f, ir.Attribute) and f.attr in _KEEP_KEY:
            return self.expr(f.value, func, stmt, depth)
        if isinstance(f, ir.Attribute) and f.attr == "group":
            return self.regex_over_keys(f.value, func, stmt, depth)
        return self.returned(e, func, stmt, depth, None)

    def name(self, e: ir.Name, func: FunctionInfo, stmt: EvalAt, depth: int) -> bool:
        defs = self.g.reaching(func).at(stmt, e.id) or []
        if not defs:
            return False
        for d in defs:
            s = d.stmt
            if d.how == "iter" and isinstance(s, ir.For) and _names_registry(s.iter, self.reg):
                # `for k in reg`, `for k in reg.keys()`, `for k, v in reg.items()` (k only)
                items = isinstance(s.iter, ir.Call) and isinstance(s.iter.func, ir.Attribute) \
                    and s.iter.func.attr == "items"
                first = s.target.elts[0] if isinstance(s.target, ir.Seq) and s.target.elts else None
                if (not items and isinstance(s.target, ir.Name)) or (
                        items and isinstance(first, ir.Name) and first.id == e.id):
                    continue
                return False
            if d.how == "assign" and isinstance(s, ir.Stmt) and self.expr(d.value, func, s, depth - 1):
                continue
            if d.how == "element" and isinstance(s, ir.Assign) and isinstance(d.value, ir.Call):
                index = _element_index(s, e.id)
                if index is not None and self.returned(d.value, func, s, depth - 1, index):
                    continue
            return False
        return True

    def returned(self, call: ir.Call, func: FunctionInfo, stmt: EvalAt, depth: int, index: Optional[int]) -> bool:
        """Every return of the project function `call` calls is an own key (its item `index`)."""
        targets = [v for v in self.g.values(call.func, func, stmt) if isinstance(v, FuncRef)]
        callees = [self.g.functions[v.qualname] for v in targets if v.qualname in self.g.functions]
        if len(callees) != 1 or depth < 0:
            return False
        callee = callees[0]
        if callee.cls is not None and func.cls is not None and callee.cls is not func.cls \
                and self.reg.startswith("self."):
            return False  # another class's attribute of the same name
        values = [r.value for r in callee.returns]
        if not values:
            return False
        for v in values:
            if index is not None:
                if not (isinstance(v, ir.Seq) and index < len(v.elts)):
                    return False
                v = v.elts[index]
            ret = next((r for r in callee.returns if r.value is v or (isinstance(r.value, ir.Seq) and v in r.value.elts)), None)
            if not self.expr(v, callee, ret, depth - 1):
                return False
        return True

    def regex_over_keys(self, m: ir.Expr, func: FunctionInfo, stmt: EvalAt, depth: int) -> bool:
        """`m` is a match of a regex whose pattern is built from the registry's keys."""
        if isinstance(m, ir.Name):
            defs = self.g.reaching(func).at(stmt, m.id) or []
            if not defs or any(d.how not in ("assign", "walrus") for d in defs):
                return False
            return all(isinstance(d.value, ir.Call) and self.regex_over_keys(d.value, func, stmt, depth) for d in defs)
        if not (isinstance(m, ir.Call) and m.args and ir.dotted(m.func) in _REGEX_SEARCHES):
            return False
        return self.pattern_over_keys(m.args[0], func, stmt, depth)

    def pattern_over_keys(self, p: ir.Expr, func: FunctionInfo, stmt: EvalAt, depth: int) -> bool:
        if _mentions_registry(p, self.reg):
            return True
        names = [x for x in ir.walk_expr(p) if isinstance(x, ir.Name)]
        for n in names:
            for d in self.g.reaching(func).at(stmt, n.id) or []:
                if d.how == "assign" and depth > 0 and d.value is not None and isinstance(d.stmt, ir.Stmt) \
                        and self.pattern_over_keys(d.value, func, d.stmt, depth - 1):
                    return True
        return False


def _element_index(s: ir.Assign, name: str) -> Optional[int]:
    for t in s.targets:
        if isinstance(t, ir.Seq):
            for i, x in enumerate(t.elts):
                if isinstance(x, ir.Name) and x.id == name:
                    return i
    return None


def own_key(g: ProjectGraph, key: ir.Expr, container: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt) -> bool:
    """Can `key` only be one of `container`'s own keys (see the module docstring)?"""
    reg = _signature(container)
    if reg is None or container is None:
        return False
    keys = frozenset(k for m in g.literal_mappings(container, func, stmt, g.resolver) for k in m
                     if isinstance(k, str))
    return _OwnKeys(g, reg, keys).expr(key, func, stmt, 4)
