"""Control flow within a function: the statement-level CFG, reaching definitions, which handlers
protect a statement, and whether a loop is bounded.

CFGs and reaching definitions are computed lazily, only for the functions a query touches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import networkx as nx

from agentable.cpg import ir
from agentable.cpg.structure import Container, DefSite, FunctionInfo

ENTRY = "ENTRY"
EXIT = "EXIT"


# ----------------------------------------------------------------------------- CFG


class _CFGBuilder:
    def __init__(self) -> None:
        self.g: nx.DiGraph = nx.DiGraph()
        self.loops: list[tuple[ir.Stmt, list[ir.Stmt]]] = []
        self.handler_stack: list[list[ir.Handler]] = []

    def block(self, stmts: list[ir.Stmt], preds: list) -> list:
        for s in stmts:
            preds = self.stmt(s, preds)
        return preds

    def _enter(self, node, preds: list) -> None:
        self.g.add_node(node)
        for p in preds:
            self.g.add_edge(p, node)
        if self.handler_stack:
            for h in self.handler_stack[-1]:
                self.g.add_edge(node, h, exceptional=True)

    def stmt(self, s: ir.Stmt, preds: list) -> list:
        self._enter(s, preds)
        if isinstance(s, ir.If):
            exits = self.block(s.body, [s])
            exits += self.block(s.orelse, [s]) if s.orelse else [s]
            return exits
        if isinstance(s, (ir.While, ir.For)):
            self.loops.append((s, []))
            body_exits = self.block(s.body, [s])
            for p in body_exits:
                self.g.add_edge(p, s)
            _, breaks = self.loops.pop()
            always = isinstance(s, ir.While) and is_always_true(s.test)
            falls = [] if always else (self.block(s.orelse, [s]) if s.orelse else [s])
            return falls + breaks
        if isinstance(s, ir.Try):
            self.handler_stack.append(list(s.handlers))
            body_exits = self.block(s.body, [s])
            self.handler_stack.pop()
            exits = self.block(s.orelse, body_exits) if s.orelse else body_exits
            for h in s.handlers:
                self._enter(h, [s])
                exits = exits + self.block(h.body, [h])
            return self.block(s.finalbody, exits) if s.finalbody else exits
        if isinstance(s, ir.With):
            return self.block(s.body, [s])
        if isinstance(s, ir.Match):
            exits: list = [s]
            for case in s.cases:
                exits += self.block(case, [s])
            return exits
        if isinstance(s, (ir.Return, ir.Raise)):
            self.g.add_edge(s, EXIT)
            return []
        if isinstance(s, ir.Simple) and s.kind == "break" and self.loops:
            self.loops[-1][1].append(s)
            return []
        if isinstance(s, ir.Simple) and s.kind == "continue" and self.loops:
            self.g.add_edge(s, self.loops[-1][0])
            return []
        return [s]


def build_cfg(func: FunctionInfo) -> nx.DiGraph:
    b = _CFGBuilder()
    b.g.add_node(ENTRY)
    exits = b.block(func.body, [ENTRY])
    for p in exits:
        b.g.add_edge(p, EXIT)
    b.g.add_node(EXIT)
    return b.g


def is_always_true(test: ir.Expr) -> bool:
    return isinstance(test, ir.Constant) and bool(test.value) and test.value is not Ellipsis


# ----------------------------------------------------------------------------- reaching definitions


@dataclass
class ReachingDefs:
    cfg: nx.DiGraph
    inputs: dict[object, dict[str, frozenset[int]]]  # node -> name -> indexes into `sites`
    sites: list[DefSite]

    def at(self, node: object, name: str) -> Optional[list[DefSite]]:
        """Definitions of `name` that reach `node`; None when the node is not in the CFG."""
        state = self.inputs.get(node)
        if state is None:
            return None
        return [self.sites[i] for i in sorted(state.get(name, ()))]


def reaching_definitions(func: FunctionInfo) -> ReachingDefs:
    cfg = build_cfg(func)
    sites: list[DefSite] = []
    gen: dict[object, dict[str, set[int]]] = {}
    for name, ds in func.defs.items():
        for d in ds:
            idx = len(sites)
            sites.append(d)
            node = ENTRY if d.how == "param" else d.stmt
            gen.setdefault(node, {}).setdefault(name, set()).add(idx)
    inputs: dict[object, dict[str, frozenset[int]]] = {n: {} for n in cfg.nodes}
    outputs: dict[object, dict[str, frozenset[int]]] = {}
    order = list(nx.dfs_preorder_nodes(cfg, ENTRY)) if ENTRY in cfg else list(cfg.nodes)
    order += [n for n in cfg.nodes if n not in set(order)]
    changed = True
    rounds = 0
    while changed and rounds < 50:
        changed = False
        rounds += 1
        for n in order:
            merged: dict[str, set[int]] = {}
            for p in cfg.predecessors(n):
                for name, idxs in outputs.get(p, {}).items():
                    merged.setdefault(name, set()).update(idxs)
            new_in = {k: frozenset(v) for k, v in merged.items()}
            inputs[n] = new_in
            out = dict(new_in)
            for name, idxs in gen.get(n, {}).items():
                out[name] = frozenset(idxs)  # a definition kills the earlier ones of that name
            if outputs.get(n) != out:
                outputs[n] = out
                changed = True
    return ReachingDefs(cfg, inputs, sites)


# ----------------------------------------------------------------------------- exception handlers

# Builtin exception hierarchy (child -> parent) for "does this handler catch that error".
_EXC_PARENT = {
    "JSONDecodeError": "ValueError",
    "UnicodeDecodeError": "ValueError",
    "UnicodeError": "ValueError",
    "ValueError": "Exception",
    "KeyError": "LookupError",
    "IndexError": "LookupError",
    "LookupError": "Exception",
    "TypeError": "Exception",
    "AttributeError": "Exception",
    "SyntaxError": "Exception",
    "ValidationError": "ValueError",
    "OutputParserException": "ValueError",
    "ConnectionError": "OSError",
    "TimeoutError": "OSError",
    "FileNotFoundError": "OSError",
    "PermissionError": "OSError",
    "OSError": "Exception",
    "IOError": "Exception",
    "RuntimeError": "Exception",
    "NotImplementedError": "RuntimeError",
    "Exception": "BaseException",
}


def exception_catches(handler_type: str, raised: str) -> bool:
    """Does `except handler_type` catch `raised`? Names compare on their last dotted part."""
    h = handler_type.rsplit(".", 1)[-1]
    cur: Optional[str] = raised.rsplit(".", 1)[-1]
    if h in ("Exception", "BaseException"):
        return True
    while cur is not None:
        if cur == h:
            return True
        cur = _EXC_PARENT.get(cur)
    return False


def handler_type_names(h: ir.Handler) -> list[str]:
    """Dotted names of the handler's exception types; [] for a bare except (catches all)."""
    out: list[str] = []
    for t in h.types:
        d = ir.dotted(t)
        out.append(d if d is not None else "Exception")
    return out


def handler_reraises_only(h: ir.Handler) -> bool:
    """`except X: raise` (optionally after logging) hands the error on unchanged."""
    body = [s for s in h.body if not (isinstance(s, ir.ExprStmt))]
    return bool(body) and all(isinstance(s, ir.Raise) and s.exc is None for s in body)


def handler_catches_any(h: ir.Handler, raised: tuple[str, ...]) -> bool:
    names = handler_type_names(h)
    if not names:
        return True
    return any(exception_catches(n, r) for n in names for r in raised)


def enclosing_handlers(func: FunctionInfo, node: Container) -> list[ir.Handler]:
    """Handlers of the `try` statements whose body (not handler/else/finally) contains node."""
    out: list[ir.Handler] = []
    child: Container = node
    for anc in func.ancestors(node):
        if isinstance(anc, ir.Try) and any(c is child for c in anc.body):
            out.extend(anc.handlers)
        child = anc
    return out


def locally_protected(func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...]) -> Optional[ir.Handler]:
    for h in enclosing_handlers(func, stmt):
        if handler_catches_any(h, raised) and not handler_reraises_only(h):
            return h
    return None


# ----------------------------------------------------------------------------- loops


@dataclass
class LoopInfo:
    stmt: Union[ir.While, ir.For]
    bounded: bool
    kind: str  # for-finite | for-unknown | counter | condition | while-true-counter | while-true | infinite
    reason: str
    exits: list[ir.Stmt] = field(default_factory=list)


_INFINITE_ITERS = {"itertools.count", "count", "itertools.cycle", "cycle", "itertools.repeat"}


def _assigned_names(body: list[ir.Stmt]) -> set[str]:
    names: set[str] = set()
    for s in ir.walk_stmts(body):
        targets: list[ir.Expr] = []
        if isinstance(s, ir.Assign):
            targets = list(s.targets)
        elif isinstance(s, ir.AugAssign):
            targets = [s.target]
        elif isinstance(s, ir.For):
            targets = [s.target]
        for t in targets:
            for e in ir.walk_expr(t):
                d = ir.dotted(e)
                if d:
                    names.add(d)
        for e in (x for root in ir.stmt_exprs(s) for x in ir.walk_expr(root)):
            # list.append(...) etc. change len(list)
            if isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr in (
                "append", "extend", "pop", "add", "insert", "update", "popleft", "remove", "clear"
            ):
                d = ir.dotted(e.func.value)
                if d:
                    names.add(d)
    return names


def _mentions(expr: ir.Expr, names: set[str]) -> bool:
    for e in ir.walk_expr(expr):
        d = ir.dotted(e)
        if d and d in names:
            return True
    return False


def _exits_of(loop: Union[ir.While, ir.For]) -> list[tuple[ir.Stmt, list[ir.Expr]]]:
    """break/return/raise statements that leave this loop, with the if-tests guarding each."""
    out: list[tuple[ir.Stmt, list[ir.Expr]]] = []

    def visit(block: list[ir.Stmt], tests: list[ir.Expr]) -> None:
        for s in block:
            if isinstance(s, (ir.Return, ir.Raise)) or (isinstance(s, ir.Simple) and s.kind == "break"):
                out.append((s, tests))
            elif isinstance(s, ir.If):
                visit(s.body, tests + [s.test])
                visit(s.orelse, tests + [s.test])
            elif isinstance(s, (ir.While, ir.For)):
                # a break in a nested loop leaves only that loop; returns/raises still leave ours
                for inner in ir.walk_stmts(s.body):
                    if isinstance(inner, (ir.Return, ir.Raise)):
                        out.append((inner, tests + [s.test] if isinstance(s, ir.While) else tests))
            elif isinstance(s, ir.Try):
                visit(s.body, tests)
                for h in s.handlers:
                    visit(h.body, tests)
                visit(s.orelse, tests)
                visit(s.finalbody, tests)
            elif isinstance(s, ir.With):
                visit(s.body, tests)
            elif isinstance(s, ir.Match):
                for c in s.cases:
                    visit(c, tests)

    visit(loop.body, [])
    return out


def loop_info(loop: Union[ir.While, ir.For]) -> LoopInfo:
    if isinstance(loop, ir.For):
        it = loop.iter
        callee = ir.dotted(it.func) if isinstance(it, ir.Call) else None
        if callee in _INFINITE_ITERS or (callee == "iter" and isinstance(it, ir.Call) and len(it.args) == 2):
            exits = _exits_of(loop)
            return LoopInfo(loop, False, "infinite", f"`for` over the unbounded iterator {callee}()", [e for e, _ in exits])
        return LoopInfo(loop, True, "for-finite", "a `for` loop ends with its iterable")
    changed = _assigned_names(loop.body)
    exits = _exits_of(loop)
    if not is_always_true(loop.test):
        if _mentions(loop.test, changed):
            return LoopInfo(loop, True, "counter", "the loop condition depends on a value the body updates",
                            [e for e, _ in exits])
        return LoopInfo(loop, False, "condition",
                        "the loop condition does not depend on anything the body counts", [e for e, _ in exits])
    counted = [e for e, tests in exits if any(_is_counter_test(t, changed) for t in tests)]
    if counted:
        return LoopInfo(loop, True, "while-true-counter", "an exit is guarded by a counter the body updates",
                        [e for e, _ in exits])
    if not exits:
        return LoopInfo(loop, False, "infinite", "`while True` with no break, return or raise", [])
    return LoopInfo(loop, False, "while-true",
                    "`while True` whose only exits depend on what the body computes (e.g. model output), not on a step limit",
                    [e for e, _ in exits])


def _is_counter_test(test: ir.Expr, changed: set[str]) -> bool:
    """An ordering comparison on something the body updates (`steps >= max_steps`,
    `len(history) > 20`), or equality with a number (`turn == 10`)."""
    for e in ir.walk_expr(test):
        if not isinstance(e, ir.Compare):
            continue
        operands = [e.left] + e.comparators
        if not any(_mentions(o, changed) for o in operands):
            continue
        if any(op in ("<", "<=", ">", ">=") for op in e.ops):
            return True
        if "==" in e.ops and any(isinstance(o, ir.Constant) and type(o.value) is int for o in operands):
            return True
    return False


def enclosing_loops(func: FunctionInfo, node: Container) -> list[Union[ir.While, ir.For]]:
    return [a for a in func.ancestors(node) if isinstance(a, (ir.While, ir.For))]
