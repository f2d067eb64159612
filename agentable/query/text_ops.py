"""Text operations the data-flow engine (agentable/query/dataflow.py) asks about: what a regex
matches, how text is split and indexed, where a bound name is used next (LOPE)."""

from __future__ import annotations

import re
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.flow import enclosing_handlers, locally_protected
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Const, ExtRef
from agentable.query.facts import EvalAt
from agentable.query.guards import expr_parents
from agentable.query.taint import config as taint_config


def int_index(e: ir.Expr) -> Optional[int]:
    if isinstance(e, ir.Constant) and type(e.value) is int:
        return e.value
    if isinstance(e, ir.UnaryOp) and e.op == "-" and isinstance(e.operand, ir.Constant) and type(e.operand.value) is int:
        return -e.operand.value
    return None


def uses_of(g: ProjectGraph, func: FunctionInfo, def_stmt: ir.Stmt,
            name: str) -> list[tuple[ir.Stmt, ir.Name, dict[int, ir.Expr]]]:
    """Reads of `name` that the binding at `def_stmt` reaches, with each statement's expression parents."""
    out: list[tuple[ir.Stmt, ir.Name, dict[int, ir.Expr]]] = []
    rd = g.reaching(func)
    for s in ir.walk_stmts(func.body):
        names = [e for root in ir.stmt_exprs(s) for e in ir.walk_expr(root) if isinstance(e, ir.Name) and e.id == name]
        if not names:
            continue
        defs = rd.at(s, name)
        if s is def_stmt:
            # a walrus binds inside its own statement: `if (m := re.search(..)) and m.group(1)`
            if not any(isinstance(e, ir.NamedExpr) for root in ir.stmt_exprs(s) for e in ir.walk_expr(root)):
                continue
        elif not defs or not any(d.stmt is def_stmt for d in defs):
            continue
        parents = expr_parents(s)
        for n in names:
            p = parents.get(id(n))
            if isinstance(p, ir.NamedExpr) and p.target is n:
                continue
            out.append((s, n, parents))
    return out


def regex_patterns(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: EvalAt) -> list[str]:
    """The pattern strings of a regex call: `re.search(P, …)` or `PAT.search(…)` with
    `PAT = re.compile(P)` (resolved through names, module constants and attributes)."""
    paths = [v.path for v in g.values(call.func, func, stmt) if isinstance(v, ExtRef)]
    pat_expr: Optional[ir.Expr] = None
    if any(p.startswith("re.") and not p.startswith("re.compile()") for p in paths) and call.args:
        pat_expr = call.args[0]
    elif isinstance(call.func, ir.Attribute):
        for v in g.values(call.func.value, func, stmt):
            site = getattr(v, "site", None)
            if isinstance(v, ExtRef) and site is not None and isinstance(site[1], ir.Call) and site[1].args:
                pat_expr = site[1].args[0]
                owner = g.function_of(site[0], site[1].pos)
                if owner is not None:
                    func, stmt = owner, None
                break
    if pat_expr is None:
        return []
    return [v.value for v in g.values(pat_expr, func, stmt) if isinstance(v, Const) and isinstance(v.value, str)]


def regex_always_matches(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: EvalAt, path: str) -> bool:
    """A pattern such as `r".*"` that matches every text (so the Match is never None)."""
    pats = regex_patterns(g, call, func, stmt)
    if not pats:
        return False
    method = path.rsplit(".", 1)[-1]
    try:
        return all(all(getattr(re.compile(p), method)(t) for t in ("", "zq\n#", "{}")) for p in pats)
    except re.error:
        return False


def splits_on_whitespace(call: ir.Call) -> bool:
    """`text.split()`, `text.split(None, 1)`, `text.rsplit(maxsplit=1)`, `text.splitlines()`: a
    split whose result is empty for an empty (or blank) text."""
    f = call.func
    if not isinstance(f, ir.Attribute):
        return False
    if f.attr == "splitlines":
        return True
    if f.attr not in ("split", "rsplit"):
        return False
    sep = call.kwarg("sep") if call.kwarg("sep") is not None else (call.args[0] if call.args else None)
    return sep is None or (isinstance(sep, ir.Constant) and sep.value is None)


_SAME_LENGTH_CALLS = frozenset(taint_config().kinds["pieces"]["same_length"])


def same_length_view(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, pieces: ir.Expr,
                      parents: dict[int, ir.Expr]) -> ir.Expr:
    """The outermost expression that holds one item per piece of `pieces` (a split/findall call):
    `[p.strip() for p in text.split(",")]`, `list(map(str.strip, text.split(",")))`,
    `tuple(text.split())`. Indexing it at a fixed position has the same risk as indexing the split
    itself. A filtering comprehension (`if p`) only drops items, so it counts too."""
    def builtin(call: ir.Call) -> Optional[str]:
        paths = {v.path for v in g.values(call.func, func, stmt) if isinstance(v, ExtRef)}
        return next(iter(paths)) if len(paths) == 1 else None

    cur = pieces
    while True:
        p = parents.get(id(cur))
        if isinstance(p, ir.Comp) and p.kind == "list" and len(p.iters) == 1 and p.iters[0] is cur:
            cur = p
        elif isinstance(p, ir.Call) and not p.keywords and len(p.args) == 1 and p.args[0] is cur \
                and builtin(p) in _SAME_LENGTH_CALLS:
            cur = p
        elif isinstance(p, ir.Call) and not p.keywords and len(p.args) == 2 and p.args[1] is cur \
                and builtin(p) == "map" and isinstance(outer := parents.get(id(p)), ir.Call) \
                and builtin(outer) in _SAME_LENGTH_CALLS:
            cur = p  # map(f, pieces) inside list()/tuple(): a map object itself cannot be indexed
        else:
            return cur


def fixed_unpack(target: ir.Expr, maxsplit: Optional[int], any_index: bool) -> bool:
    if not isinstance(target, ir.Seq) or len(target.elts) < 2:
        return False
    return not any(isinstance(e, ir.Starred) for e in target.elts)


def text_kept_on_parse_failure(func: FunctionInfo, stmt: ir.Stmt, call: ir.Call, raised: tuple[str, ...]) -> bool:
    """Does the handler of a parse give back the unparsed text (`except JSONDecodeError: return
    reply`)? Then the reply may be prose as well as JSON, and prose such as `42`, `true` or `null`
    parses into a number, a boolean or None, not the object the code then tests (`"tool" in data`)."""
    if not call.args:
        return False
    texts = {n.id for n in ir.walk_expr(call.args[0]) if isinstance(n, ir.Name)}
    handler = locally_protected(func, stmt, raised)
    handlers = [handler] if handler is not None else enclosing_handlers(func, stmt)
    for h in handlers:
        for s in ir.walk_stmts(h.body):
            value = s.value if isinstance(s, (ir.Return, ir.Assign)) else None
            if isinstance(value, ir.Name) and value.id in texts:
                return True
    return False


def position_call(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: ir.Stmt, depth: int,
                  methods: frozenset[str]) -> Optional[tuple[ir.Call, set[str], Optional[int]]]:
    """The `text.find(s)` call (a str method in `methods`) that a slice bound or index `e` is
    computed from: the call itself, arithmetic on it (`pos - 1`, `end + 1`), or a local name bound
    to either (up to `depth` names). With it, the names passed through (`{"pos"}`) and the constant
    `e` adds to the call's result (`find("[") + 1` -> 1, `+ len("Answer:")` -> 7, `pos - 1` -> -1,
    the call itself -> 0; None when not a constant)."""
    if e is None or depth < 0:
        return None
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr in methods:
        return e, set(), 0
    if isinstance(e, ir.BinOp):
        for part, other, sign in ((e.left, e.right, 1), (e.right, e.left, 0)):
            hit = position_call(g, part, func, stmt, depth, methods)
            if hit is not None:
                v = _int_value(other)
                step = v if e.op == "+" and v is not None else -v if e.op == "-" and sign and v is not None else None
                return hit[0], hit[1], hit[2] + step if hit[2] is not None and step is not None else None
        return None
    if isinstance(e, ir.Name):
        for d in g.reaching(func).at(stmt, e.id) or ():
            if d.how == "assign" and isinstance(d.stmt, ir.Stmt):
                hit = position_call(g, d.value, func, d.stmt, depth - 1, methods)
                if hit is not None:
                    return hit[0], hit[1] | {e.id}, hit[2]
    return None


def _int_value(e: ir.Expr) -> Optional[int]:
    """An int literal, or `len("...")` of a string literal."""
    if isinstance(e, ir.Call) and ir.dotted(e.func) == "len" and len(e.args) == 1 \
            and isinstance(e.args[0], ir.Constant) and isinstance(e.args[0].value, str):
        return len(e.args[0].value)
    return int_index(e)


def split_separator(call: ir.Call) -> Optional[str]:
    """The literal separator of `text.split(sep)` / `rsplit(sep)` ("\\n" for `splitlines()`), or
    None: a whitespace split, a separator in a variable, or another pieces call (findall)."""
    f = call.func
    if not isinstance(f, ir.Attribute):
        return None
    if f.attr == "splitlines":
        return "\n"
    if f.attr not in ("split", "rsplit"):
        return None
    sep = call.argument("sep", 0)
    return sep.value if isinstance(sep, ir.Constant) and isinstance(sep.value, str) and sep.value else None


_MARKER_TESTS = frozenset(("startswith", "endswith", "find", "rfind", "index", "rindex", "count"))


def _text_base(e: ir.Expr) -> Optional[str]:
    """The name a text expression is read from, through str methods that keep its separators
    (`reply.strip().lower()` -> "reply")."""
    carriers = {"strip", "lstrip", "rstrip", "lower", "upper", "casefold"}
    while isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr in carriers and not e.args:
        e = e.func.value
    return ir.dotted(e)


def _literals(e: Optional[ir.Expr]) -> Optional[list[str]]:
    if isinstance(e, ir.Constant) and isinstance(e.value, str):
        return [e.value]
    if isinstance(e, ir.Seq) and all(isinstance(x, ir.Constant) and isinstance(x.value, str) for x in e.elts):
        return [x.value for x in e.elts if isinstance(x, ir.Constant) and isinstance(x.value, str)]
    return None


def tests_separator(test: ir.Expr, text: str, sep: str) -> bool:
    """Can the condition `test` on the text named `text` tell whether it holds the separator `sep`
    of a split? A test of a literal marker holding `sep` can (`"Action:" in text`,
    `text.startswith("Answer:")` before `split(":")[1]`), and so can any test this cannot read (a
    variable marker, `len(text)`, a call taking the text). A truthiness or None test, or a literal
    marker without `sep` (`text.startswith("Action")` before `splitlines()[1]`), cannot: the text
    passes it with one piece."""
    for x in ir.walk_expr(test):
        if isinstance(x, ir.Compare):
            ops = list(zip([x.left, *x.comparators[:-1]], x.ops, x.comparators, strict=True))
            for left, op, right in ops:
                if op in ("in", "not in") and _text_base(right) == text:
                    lits = _literals(left)
                    if lits is None or any(sep in s for s in lits):
                        return True
        elif isinstance(x, ir.Call):
            f = x.func
            if isinstance(f, ir.Attribute) and _text_base(f.value) == text:
                if f.attr in _MARKER_TESTS:
                    lits = _literals(x.args[0] if x.args else None)
                    if lits is None or any(sep in s for s in lits):
                        return True
                elif f.attr not in ("strip", "lstrip", "rstrip", "lower", "upper", "casefold"):
                    return True  # a test this does not read
            elif any(_text_base(a) == text for a in x.args):
                return True  # len(text), re.search(p, text), a validator
    return False


def cut_from_marker(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, text: Optional[ir.Expr], sep: str) -> bool:
    """Is `text` a name bound to a slice that starts at a literal marker holding `sep`
    (`rest = reply[reply.find("SCORES:"):]` before `rest.split(":", 1)[1]`)? The slice then holds
    the separator (a missing marker is LOPE010's)."""
    if not isinstance(text, ir.Name):
        return False
    finders = frozenset(("find", "index"))
    defs = g.reaching(func).at(stmt, text.id) or ()
    if not defs:
        return False
    for d in defs:
        v = d.value if d.how == "assign" else None
        if not (isinstance(v, ir.Subscript) and isinstance(v.index, ir.Slice) and v.index.parts
                and isinstance(d.stmt, ir.Stmt)):
            return False
        hit = position_call(g, v.index.parts[0], func, d.stmt, 2, finders)
        if hit is None or hit[2] != 0:
            return False
        lits = _literals(hit[0].args[0] if hit[0].args else None)
        if lits is None or not any(sep in s for s in lits):
            return False
    return True


# ---------------------------------------------------------------- a regex piece that opens with a brace

# what may precede the opener in a pattern: whitespace escapes or a space, or a class of them, each
# with an optional quantifier, and anchors (a JSON parser skips leading whitespace)
_SPACE_TOKEN = re.compile(r"(?:\\[snrt]|\\A|\^| |\[(?:\\[snrt]| )+\])(?:[*+?]|\{\d*,?\d*\})?\??")
# a code fence (```json) the code removes with `replace`
_FENCE_TOKEN = re.compile(r"(?:`|\\`){3}[A-Za-z]*")


def regex_piece_opens(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt,
                      openers: frozenset[str], depth: int = 2) -> bool:
    """Is text `e` a piece a regex took (`m.group(1)`, `re.findall(P, reply)[0]`, cleaned with
    `strip`/`replace`) whose pattern puts one of `openers` first: `r"\\{.*\\}"`, or
    r"```json\\s*(\\{.*\\})```" read as group 1? Then valid JSON in it is an object. A fence before the
    opener counts only when the code replaces it away."""
    fence_removed = False
    while isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr in ("strip", "lstrip", "replace"):
        if e.func.attr == "replace":
            old, new = [*e.args, None, None][:2]
            if not (isinstance(old, ir.Constant) and isinstance(old.value, str) and "```" in old.value
                    and isinstance(new, ir.Constant) and new.value == ""):
                return False
            fence_removed = True
        elif e.args or e.keywords:
            return False  # strip("{") may take the opener away
        e = e.func.value
    found = _regex_piece(g, e, func, stmt, depth)
    if found is None:
        return False
    pats, group = found
    return bool(pats) and all(_pattern_opens(p, group, openers, fence_removed) for p in pats)


def _regex_piece(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt,
                 depth: int) -> Optional[tuple[list[str], Optional[int]]]:
    """The patterns of the regex call `e` reads a piece of, and which group (0 the whole match,
    None: findall's item, the whole match or its one group)."""
    if isinstance(e, ir.Name) and depth > 0:
        vals = _assigned(g, e, func, stmt)
        found = [_regex_piece(g, v, func, stmt, depth - 1) for v in vals]
        if not vals or any(f is None for f in found):
            return None
        pats = [p for f in found for p in f[0]]  # type: ignore[index]
        groups = {f[1] for f in found}  # type: ignore[index]
        return (pats, groups.pop()) if len(groups) == 1 else None
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr == "group" and len(e.args) <= 1:
        n = int_index(e.args[0]) if e.args else 0
        call = _regex_call(g, e.func.value, func, stmt, ("search", "match", "fullmatch"))
        return (regex_patterns(g, call, func, stmt), n) if call is not None and n is not None and n >= 0 else None
    if isinstance(e, ir.Subscript) and int_index(e.index) is not None:
        call = _regex_call(g, e.value, func, stmt, ("findall",))
        return (regex_patterns(g, call, func, stmt), None) if call is not None else None
    return None


def _regex_call(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt,
                methods: tuple[str, ...]) -> Optional[ir.Call]:
    """`e`, or the one value assigned to the name `e`, as a call of a regex function or method of `methods`."""
    if isinstance(e, ir.Name):
        vals = _assigned(g, e, func, stmt)
        e = vals[0] if len(vals) == 1 else e
    if not isinstance(e, ir.Call):
        return None
    paths = [v.path for v in g.values(e.func, func, stmt) if isinstance(v, ExtRef)]
    return e if any(p.startswith("re.") and p.rsplit(".", 1)[-1] in methods for p in paths) else None


def _assigned(g: ProjectGraph, name: ir.Name, func: FunctionInfo, stmt: EvalAt) -> list[ir.Expr]:
    defs = (g.reaching(func).at(stmt, name.id) or []) if stmt is not None else []
    if not defs or any(d.how != "assign" or d.value is None for d in defs):
        return []
    return [d.value for d in defs]  # type: ignore[misc]


def _pattern_opens(pattern: str, group: Optional[int], openers: frozenset[str], fence_removed: bool) -> bool:
    try:
        groups = re.compile(pattern).groups
    except re.error:
        return False
    if group is None:
        group = 0 if groups == 0 else 1 if groups == 1 else -1
    if group not in (0, 1) or (group == 1 and groups < 1):
        return False
    piece = pattern if group == 0 else _first_group(pattern)
    if piece is None or _top_level_alternation(piece):
        return False
    i = 0
    while i < len(piece):
        m = _SPACE_TOKEN.match(piece, i)
        if m is None and fence_removed:
            m = _FENCE_TOKEN.match(piece, i)
        if m is None or m.end() == i:
            break
        i = m.end()
    for opener in openers:
        for form in ("\\" + opener, "[" + opener + "]", "[\\" + opener + "]"):
            if piece.startswith(form, i) and piece[i + len(form):i + len(form) + 1] not in ("?", "*", "{"):
                return True
    return False


def _first_group(pattern: str) -> Optional[str]:
    """The text of the first capturing group of `pattern`."""
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":  # a class: skip to its end
            j = i + 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
            continue
        if c == "(" and (not pattern.startswith("(?", i) or pattern.startswith("(?P<", i)):
            start = pattern.index(">", i) + 1 if pattern.startswith("(?P<", i) else i + 1
            depth, j = 1, start
            while j < n and depth:
                if pattern[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(pattern[j], 0)
                j += 1
            return pattern[start:j - 1] if depth == 0 else None
        i += 1
    return None


def _top_level_alternation(piece: str) -> bool:
    depth, i = 0, 0
    while i < len(piece):
        c = piece[i]
        if c == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(c, 0)
        if c == "|" and depth == 0:
            return True
        i += 1
    return False


def _text_key(e: Optional[ir.Expr]) -> Optional[tuple[str, object]]:
    """What a marker or a text is, to compare two mentions of it: a string literal by its value, a
    name or attribute chain by its spelling; None for anything else (a call, a subscript)."""
    if isinstance(e, ir.Constant) and isinstance(e.value, str):
        return ("const", e.value)
    d = ir.dotted(e) if isinstance(e, (ir.Name, ir.Attribute)) else None
    return ("name", d) if d else None


def marker_keyed(text: ir.Expr, marker: ir.Expr) -> bool:
    """Can a test of `marker` in `text` be told apart from other tests (`holds_marker`)?"""
    return _text_key(text) is not None and _text_key(marker) is not None


def holds_marker(t: Optional[ir.Expr], text: ir.Expr, marker: ir.Expr) -> bool:
    """Does the test `t` check that `text` holds `marker` (taint.toml [kinds.marker]): `marker in
    text`, `text.find(marker) >= 0`, `text.startswith(marker)`, with a marker that contains it, or on
    a copy of the text that holds whatever the text holds (`text.strip()`; `text.lower()` for a marker
    without letters)? A test of another marker, or of `text.lower()` for a marker with letters, does
    not: the text itself may lack it. `marker_keyed(text, marker)` must hold."""
    table = taint_config().kinds.get("marker", {})
    tests, keeps, cases = (frozenset(table.get(k, ())) for k in ("tests", "keeps", "cases"))
    want_text, want = _text_key(text), _text_key(marker)

    def same_text(e: ir.Expr) -> bool:
        while isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and not e.args \
                and (e.func.attr in keeps or (e.func.attr in cases and want is not None and want[0] == "const"
                                              and str(want[1]).lower() == str(want[1]).upper())):
            e = e.func.value
        return _text_key(e) == want_text

    def same_marker(e: ir.Expr) -> bool:
        got = _text_key(e)
        if got is None or want is None or got[0] != want[0]:
            return False
        return got == want or (got[0] == "const" and str(want[1]) in str(got[1]))

    for x in ir.walk_expr(t):
        if isinstance(x, ir.Compare) and any(op in ("in", "not in") for op in x.ops) \
                and same_marker(x.left) and any(same_text(c) for c in x.comparators):
            return True
        if isinstance(x, ir.Call) and isinstance(x.func, ir.Attribute) and x.func.attr in tests \
                and x.args and same_marker(x.args[0]) and same_text(x.func.value):
            return True
    return False
