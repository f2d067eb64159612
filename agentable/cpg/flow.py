"""Control flow within a function: the statement-level CFG, reaching definitions, which handlers
protect a statement, and whether a loop is bounded.

CFGs and reaching definitions are computed lazily, only for the functions a query touches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional, Union


from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.structure import Container, DefSite, FunctionInfo

if TYPE_CHECKING:  # networkx is imported when a graph is built (it costs ~90 ms at start-up)
    import networkx as nx

ENTRY = "ENTRY"
EXIT = "EXIT"


# ----------------------------------------------------------------------------- CFG


class _CFGBuilder:
    """Builds successor lists; networkx is only materialised when a query asks for it."""

    def __init__(self) -> None:
        self.succ: dict[object, list[object]] = {}
        self.loops: list[tuple[ir.Stmt, list[ir.Stmt]]] = []
        self.handler_stack: list[list[ir.Handler]] = []

    def edge(self, a: object, b: object) -> None:
        self.succ.setdefault(a, []).append(b)
        self.succ.setdefault(b, [])

    def block(self, stmts: list[ir.Stmt], preds: list) -> list:
        for s in stmts:
            preds = self.stmt(s, preds)
        return preds

    def _enter(self, node, preds: list) -> None:
        self.succ.setdefault(node, [])
        for p in preds:
            self.edge(p, node)
        if self.handler_stack:
            for h in self.handler_stack[-1]:
                self.edge(node, h)

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
                self.edge(p, s)
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
            if not s.finalbody:
                return exits
            # the finally block also runs on the way out of a return or raise; when no path
            # completes normally, nothing continues after it
            final_exits = self.block(s.finalbody, exits or [s])
            return final_exits if exits else []
        if isinstance(s, ir.With):
            return self.block(s.body, [s])
        if isinstance(s, ir.Match):
            case_exits: list = [s]
            for case in s.cases:
                case_exits += self.block(case, [s])
            return case_exits
        if isinstance(s, (ir.Return, ir.Raise)):
            self.edge(s, EXIT)
            return []
        if isinstance(s, ir.Simple) and s.kind == "break" and self.loops:
            self.loops[-1][1].append(s)
            return []
        if isinstance(s, ir.Simple) and s.kind == "continue" and self.loops:
            self.edge(s, self.loops[-1][0])
            return []
        return [s]


def _successors(func: FunctionInfo) -> dict[object, list[object]]:
    b = _CFGBuilder()
    b.succ[ENTRY] = []
    exits = b.block(func.body, [ENTRY])
    for p in exits:
        b.edge(p, EXIT)
    b.succ.setdefault(EXIT, [])
    return b.succ


def build_cfg(func: FunctionInfo) -> nx.DiGraph:
    """The statement-level CFG as a networkx graph (ENTRY and EXIT are string nodes)."""
    import networkx as nx  # deferred, not for a cycle: networkx costs ~90 ms at start-up and many scans never need it

    g: nx.DiGraph[object] = nx.DiGraph()
    succ = _successors(func)
    g.add_nodes_from(succ)
    g.add_edges_from((a, b) for a, bs in succ.items() for b in bs)
    return g


def is_always_true(test: ir.Expr) -> bool:
    return isinstance(test, ir.Constant) and bool(test.value) and test.value is not Ellipsis


# ----------------------------------------------------------------------------- reaching definitions


class ReachingDefs:
    """Reaching definitions, answered per (statement, name) by a backward search over the CFG
    that stops at each definition of the name; answers are memoised. Cheaper than a whole-function
    fixpoint because rules ask about few names in few functions."""

    def __init__(self, func: FunctionInfo) -> None:
        self.func = func
        succ = _successors(func)
        self.preds: dict[object, list[object]] = {n: [] for n in succ}
        for a, bs in succ.items():
            for b in bs:
                self.preds[b].append(a)
        self._succ = succ
        self._defs_at: dict[tuple[int, str], list[DefSite]] = {}
        for name, ds in func.defs.items():
            for d in ds:
                node = ENTRY if d.how == "param" else d.stmt
                self._defs_at.setdefault((id(node), name), []).append(d)
        self._memo: dict[tuple[int, str], Optional[list[DefSite]]] = {}
        self._cfg: Optional[nx.DiGraph] = None

    @property
    def cfg(self) -> nx.DiGraph:
        if self._cfg is None:
            import networkx as nx  # deferred, not for a cycle: networkx costs ~90 ms at start-up and many scans never need it

            g: nx.DiGraph[object] = nx.DiGraph()
            g.add_nodes_from(self._succ)
            g.add_edges_from((a, b) for a, bs in self._succ.items() for b in bs)
            self._cfg = g
        return self._cfg

    def predecessors(self, node: object) -> list[object]:
        """Distinct CFG predecessors of `node`, in the order of `cfg.predecessors` (without
        building the networkx graph)."""
        return list(dict.fromkeys(self.preds[node]))

    def at(self, node: object, name: str) -> Optional[list[DefSite]]:
        """Definitions of `name` that reach `node`; None when the node is not in the CFG."""
        key = (id(node), name)
        if key in self._memo:
            return self._memo[key]
        if node not in self.preds:
            self._memo[key] = None
            return None
        found: list[DefSite] = []
        seen: set[int] = set()
        stack = list(self.preds[node])
        while stack:
            n = stack.pop()
            if id(n) in seen:
                continue
            seen.add(id(n))
            here = self._defs_at.get((id(n), name))
            if here:
                found.extend(here)
                continue
            stack.extend(self.preds.get(n, ()))
        order = {id(d): i for i, d in enumerate(self.func.defs.get(name, []))}
        found.sort(key=lambda d: order.get(id(d), 0))
        self._memo[key] = found
        return found


def reaching_definitions(func: FunctionInfo) -> ReachingDefs:
    return ReachingDefs(func)


# ----------------------------------------------------------------------------- exception handlers

# Builtin exception hierarchy (child -> parent) for "does this handler catch that error".
_EXC_PARENT = python_facts().exception_bases


# Python 3 names of one class: `except IOError` is `except OSError`.
_EXC_ALIAS = python_facts().exception_aliases


def _canonical_exception(name: str) -> str:
    return _EXC_ALIAS.get(name) or _EXC_ALIAS.get(name.rsplit(".", 1)[-1]) or name.rsplit(".", 1)[-1]


def exception_catches(handler_type: str, raised: str) -> bool:
    """Does `except handler_type` catch `raised`? Names compare on their last dotted part, aliases
    (IOError, EnvironmentError, socket.error) as the class they name."""
    h = _canonical_exception(handler_type)
    cur: Optional[str] = _canonical_exception(raised)
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
    kind: str  # for-finite | for-unknown | single-pass | counter | condition | while-true-counter | while-true | infinite
    reason: str
    exits: list[ir.Stmt] = field(default_factory=list)


_INFINITE_ITERS = python_facts().infinite_iterators


_MUTATORS = frozenset({"append", "extend", "pop", "add", "insert", "update", "popleft", "remove", "clear"})
_SHRINKERS = frozenset({"pop", "popleft", "remove", "clear"})


def emptied_test(test: ir.Expr, body: list[ir.Stmt]) -> bool:
    """`if not queue: break` where the body takes items out of `queue`: it empties, so the exit comes."""
    shrunk = _mutated_in_place(body, _SHRINKERS)
    return any(isinstance(e, ir.UnaryOp) and e.op == "not" and ir.dotted(e.operand) in shrunk
               for e in ir.walk_expr(test))


def assigned_names(body: list[ir.Stmt]) -> set[str]:
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
    return names | _mutated_in_place(body)  # list.append(...) etc. change len(list)


# Methods that read a clock (the last part of the catalog's clock calls): a test on the time elapsed
# ends the loop whatever the body computes.
_CLOCKS = frozenset(c.rsplit(".", 1)[-1] for c in python_facts().clock_calls)


def counted_names(body: list[ir.Stmt]) -> set[str]:
    """Names the body advances step by step: augmented (`n += 1`), rebound from themselves
    (`n = n + 1`, `node = node.next`), grown or shrunk in place (`history.append(...)`), loop
    variables of inner `for`s, read from a clock (`elapsed = time.time() - t0`), and names computed
    from those (`n = len(history)`). A name rebound each time from something else
    (`title = ask(prompt)`, `done = True`) counts nothing: a test on it depends on what the body
    computed, e.g. what a model replied."""
    counted = _mutated_in_place(body)
    rebound: list[tuple[set[str], ir.Expr]] = []
    for s in ir.walk_stmts(body):
        if isinstance(s, (ir.AugAssign, ir.For)):
            counted |= _target_names([s.target])
        elif isinstance(s, ir.Assign) and s.value is not None:
            names = _target_names(s.targets)
            if fixed_prefix_cut(s, body) is not None:
                continue  # `x = x[:limit]`: the same length every pass, no progress after the first
            if _mentions(s.value, names) or _reads_clock(s.value):
                counted |= names
            else:
                rebound.append((names, s.value))
    grew = True
    while grew:
        grew = False
        for names, value in rebound:
            if not names <= counted and _mentions(value, counted):
                counted |= names
                grew = True
    return counted


def fixed_prefix_cut(s: ir.Stmt, body: list[ir.Stmt]) -> Optional[str]:
    """The name `s` cuts to a fixed length, `x = x[:limit]` (or `x[0:limit]`), with `limit` a
    non-negative number or a name no statement of the loop `body` assigns: the first pass may shorten
    `x`, the next ones leave it as it is. None for any other statement (`x = x[:-1]`,
    `x = x[:len(x) - 100]` and `x = x[1:]` shrink it every pass)."""
    if not (isinstance(s, ir.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ir.Name)):
        return None
    name, value = s.targets[0].id, s.value
    if not (isinstance(value, ir.Subscript) and isinstance(value.value, ir.Name) and value.value.id == name
            and isinstance(value.index, ir.Slice)):
        return None
    upper = _slice_upper(value.index)
    if upper is None:
        return None
    if isinstance(upper, ir.Constant):
        return name if type(upper.value) is int and upper.value >= 0 else None
    if not isinstance(upper, (ir.Name, ir.Attribute)) or ir.dotted(upper) is None:
        return None
    assigned = {d for x in ir.walk_stmts(body) if isinstance(x, (ir.Assign, ir.AugAssign, ir.For))
                for d in _target_names(x.targets if isinstance(x, ir.Assign) else [x.target])}
    return name if ir.dotted(upper) not in assigned and name != ir.dotted(upper) else None


def _slice_upper(sl: ir.Slice) -> Optional[ir.Expr]:
    """`limit` of a slice written `[:limit]` or `[0:limit]`, else None. (The IR keeps only the parts
    that are written, so where each sits is read from the positions: the upper bound ends the slice,
    and alone it starts just after the colon.)"""
    parts = [p for p in sl.parts if p is not None]
    if len(parts) != len(sl.parts) or not parts or parts[-1].pos[2:] != sl.pos[2:]:
        return None
    if len(parts) == 1:
        start, first = sl.pos[:2], parts[0].pos[:2]
        return parts[0] if first == (start[0], start[1] + 1) else None
    if len(parts) == 2 and isinstance(parts[0], ir.Constant) and parts[0].value == 0:
        return parts[1]
    return None


def _target_names(targets: list[ir.Expr]) -> set[str]:
    return {d for t in targets for e in ir.walk_expr(t) if (d := ir.dotted(e))}


def _mutated_in_place(body: list[ir.Stmt], methods: frozenset[str] = frozenset()) -> set[str]:
    """Names whose length a method call changes: `history.append(...)`, `queue.pop()` (only
    `methods`' calls when given)."""
    names: set[str] = set()
    for s in ir.walk_stmts(body):
        for e in (x for root in ir.stmt_exprs(s) for x in ir.walk_expr(root)):
            if isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr in (methods or _MUTATORS):
                d = ir.dotted(e.func.value)
                if d:
                    names.add(d)
    return names


def _reads_clock(value: ir.Expr) -> bool:
    """Does the expression call a clock: `time.time()`, `loop.time()`, or a clock method of an object
    a call returns (`asyncio.get_event_loop().time()`)?"""
    for e in ir.walk_expr(value):
        if not (isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr in _CLOCKS):
            continue
        if isinstance(e.func.value, ir.Call) or "." in (ir.dotted(e.func) or ""):
            return True
    return False


def _mentions(expr: ir.Expr, names: set[str]) -> bool:
    for e in ir.walk_expr(expr):
        d = ir.dotted(e)
        if d and d in names:
            return True
    return False


def exits_of(loop: Union[ir.While, ir.For]) -> list[tuple[ir.Stmt, list[ir.Expr]]]:
    """break/return/raise statements that leave this loop, with the if-tests guarding each."""
    out: list[tuple[ir.Stmt, list[ir.Expr]]] = []

    def visit(block: list[ir.Stmt], tests: list[ir.Expr]) -> None:
        for s in block:
            if isinstance(s, (ir.Return, ir.Raise)) or (isinstance(s, ir.Simple) and s.kind == "break"):
                out.append((s, tests))
            elif isinstance(s, ir.If):
                visit(s.body, [*tests, s.test])
                visit(s.orelse, [*tests, s.test])
            elif isinstance(s, (ir.While, ir.For)):
                # a break in a nested loop leaves only that loop; returns/raises still leave ours
                for inner in ir.walk_stmts(s.body):
                    if isinstance(inner, (ir.Return, ir.Raise)):
                        out.append((inner, [*tests, s.test] if isinstance(s, ir.While) else tests))
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


def ends_by_leaving(block: list[ir.Stmt], jumps: tuple[str, ...] = ("break",), through_branches: bool = False,
                    leaves: Optional[Callable[[ir.Stmt], bool]] = None) -> bool:
    """Does the block end by leaving it: its last statement a `return`, a `raise` or one of `jumps`
    (`break`, `continue`), or one `leaves` accepts (a call the caller knows never returns), or, with
    `through_branches`, an `if`/`elif`/`else` every branch of which ends so (`if status == 401: raise
    A ... else: raise C`)?"""
    last = block[-1] if block else None
    if through_branches and isinstance(last, ir.If):
        return bool(last.orelse) and ends_by_leaving(last.body, jumps, True, leaves) \
            and ends_by_leaving(last.orelse, jumps, True, leaves)
    return isinstance(last, (ir.Return, ir.Raise)) or (isinstance(last, ir.Simple) and last.kind in jumps) \
        or (last is not None and leaves is not None and leaves(last))


def _single_pass(loop: ir.While) -> bool:
    """Does every pass end the loop: the body's last statement is a `break`, `return` or `raise`
    and no `continue` of this loop skips it (`while True: try: probe() except X: ... break`)?"""
    body = loop.body
    if not ends_by_leaving(body):
        return False

    def continues(block: list[ir.Stmt]) -> bool:
        for s in block:
            if isinstance(s, ir.Simple) and s.kind == "continue":
                return True
            if isinstance(s, (ir.While, ir.For)):
                if continues(s.orelse):  # an inner loop's `else:` continues this loop
                    return True
            elif not isinstance(s, (ir.FunctionDef, ir.ClassDef)) and any(continues(b) for b in ir.child_blocks(s)):
                return True
        return False

    return not continues(body)


def loop_info(loop: Union[ir.While, ir.For]) -> LoopInfo:
    if isinstance(loop, ir.For):
        it = loop.iter
        callee = ir.dotted(it.func) if isinstance(it, ir.Call) else None
        if callee in _INFINITE_ITERS or (callee == "iter" and isinstance(it, ir.Call) and len(it.args) == 2):
            exits = exits_of(loop)
            return LoopInfo(loop, False, "infinite", f"`for` over the unbounded iterator {callee}()", [e for e, _ in exits])
        return LoopInfo(loop, True, "for-finite", "a `for` loop ends with its iterable")
    changed = counted_names(loop.body)
    exits = exits_of(loop)
    if _single_pass(loop):
        return LoopInfo(loop, True, "single-pass", "the body ends with an unconditional exit and never continues",
                        [e for e, _ in exits])
    if not is_always_true(loop.test):
        if _mentions(loop.test, changed):
            return LoopInfo(loop, True, "counter", "the loop condition depends on a value the body updates",
                            [e for e, _ in exits])
        if is_counter_test(loop.test, changed):  # `while time.monotonic() < deadline:`
            return LoopInfo(loop, True, "counter", "the loop condition is a deadline on the clock",
                            [e for e, _ in exits])
        if any(any(is_counter_test(t, changed) for t in tests) for _e, tests in exits):
            # `while not job.done(): ... if time.time() - t0 > limit: raise ...`
            return LoopInfo(loop, True, "counter", "an exit is guarded by a counter or deadline the body updates",
                            [e for e, _ in exits])
        return LoopInfo(loop, False, "condition",
                        "the loop condition does not depend on anything the body counts", [e for e, _ in exits])
    counted = [e for e, tests in exits if any(is_counter_test(t, changed) for t in tests)]
    if counted:
        return LoopInfo(loop, True, "while-true-counter", "an exit is guarded by a counter the body updates",
                        [e for e, _ in exits])
    if not exits:
        return LoopInfo(loop, False, "infinite", "`while True` with no break, return or raise", [])
    return LoopInfo(loop, False, "while-true",
                    "`while True` whose only exits depend on what the body computes (e.g. model output), not on a step limit",
                    [e for e, _ in exits])


def is_counter_test(test: ir.Expr, changed: set[str]) -> bool:
    """An ordering comparison on something the body updates (`steps >= max_steps`,
    `len(history) > 20`) or on a clock reading (`time.time() - t0 > limit`), or equality with a
    number (`turn == 10`)."""
    for e in ir.walk_expr(test):
        if not isinstance(e, ir.Compare):
            continue
        operands = [e.left, *e.comparators]
        if any(op in ("<", "<=", ">", ">=") for op in e.ops) and any(_reads_clock(o) for o in operands):
            return True
        if not any(_mentions(o, changed) for o in operands):
            continue
        if any(op in ("<", "<=", ">", ">=") for op in e.ops):
            return True
        if "==" in e.ops and any(isinstance(o, ir.Constant) and type(o.value) is int for o in operands):
            return True
    return False


def enclosing_loops(func: FunctionInfo, node: Container) -> list[Union[ir.While, ir.For]]:
    return [a for a in func.ancestors(node) if isinstance(a, (ir.While, ir.For))]


def holds_loop_exit(body: list[ir.Stmt], jumps: frozenset[str], raises: bool) -> bool:
    """Does the loop body hold a statement that leaves this loop: a `return`, a `raise` when
    `raises`, or one of `jumps` (`break`, `continue`) not inside a nested loop or function, whose
    jumps are their own?"""
    stack = [(s, False) for s in body]
    while stack:
        s, nested = stack.pop()
        if isinstance(s, ir.Return) or (raises and isinstance(s, ir.Raise)) \
                or (isinstance(s, ir.Simple) and s.kind in jumps and not nested):
            return True
        if isinstance(s, (ir.FunctionDef, ir.ClassDef)):
            continue
        inner = nested or isinstance(s, (ir.While, ir.For))
        for block in ir.child_blocks(s):
            stack.extend((x, inner) for x in block)
    return False
