"""Where generated text is consumed by operations that fail on text of the wrong shape (LOPE, ALS):
the helpers of the data-flow engine (agentable/query/dataflow.py, sinks in catalog/taint.toml)."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Const, ExtRef, LLMOutput, Typed
from agentable.query.facts import per_graph
from agentable.query.guards import (
    _names_in,
    checked_before,
    guarded_in_expr,
    tested_before,
)
from agentable.query.literals import (
    dict_values_for_key,
    literal_of,
)

from agentable.query.dataflow import (  # noqa: F401  (the engine; these names are its historical home)
    Flow,
    TextUse,
    _decorated_with_retry,
    _suppressed_here,
    config as _taint_config,
    failure_guard,
    flows as text_uses,
    model_text,
)

# Views of the sinks declared in agentable/catalog/taint.toml, for code that reads the tables.
_CFG = _taint_config()
# Parsers of text and what they raise on text that is not in the expected format.
TEXT_PARSERS: dict[str, tuple[str, ...]] = {p: s.raises for p, s in _CFG.calls.items() if s.kind == "parse"}
# Regex functions returning a Match or None: path -> index of the string argument.
REGEX_MATCHERS: dict[str, int] = {p: s.arg for p, s in _CFG.calls.items() if s.kind == "match"}
# Regex functions returning a (possibly empty) list: path -> index of the string argument.
REGEX_LISTS: dict[str, int] = {p: s.arg for p, s in _CFG.calls.items() if s.kind == "pieces"}
MATCH_READERS = frozenset(_CFG.kinds["match"]["readers"])
# str methods returning a list of pieces
SPLITTERS = frozenset(_CFG.methods)
_STRUCTURED_FIELDS = _CFG.structured_fields
_INDEX_ERRORS = _CFG.raises("pieces")
_MATCH_ERRORS = _CFG.raises("match")
_KEY_ERRORS = _CFG.raises("key")


def describe_llm_source(g: ProjectGraph, out: LLMOutput) -> str:
    """"`client.chat.completions.create` at agent.py:12" for messages."""
    path, call = out.site
    name = ir.dotted(call.func) or "the model call"
    return f"`{name}` at {path}:{call.pos[0]}"


@per_graph
def _structured_names(g: ProjectGraph) -> frozenset[str]:
    names: set[str] = set()
    for spec in g.catalog.llm_calls:
        names.update(spec.structured_params or ())
        rf = (spec.params or {}).get("response_format")
        if rf:
            names.add(rf)
    return frozenset(names)


def _requests_structure(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: object) -> bool:
    """Does a structured-output argument ask for JSON / a schema (not plain text)?"""
    from agentable.cpg.values import ClassRef as _CR
    from agentable.cpg.values import ExtRef as _ER
    from agentable.cpg.values import Instance as _I

    node = literal_of(g, e, func, stmt)
    target = node[0] if node is not None else e
    owner, s = (node[1], node[2]) if node is not None else (func, stmt)
    if isinstance(target, ir.Call) and not target.keywords:
        return True  # e.g. format=Answer.model_json_schema()
    if isinstance(target, (ir.Dict, ir.Call)):
        keys: list[str] = []
        texts: list[str] = []
        for x in ir.walk_expr(target):
            if isinstance(x, ir.Dict):
                keys += [k.value for k in x.keys if isinstance(k, ir.Constant) and isinstance(k.value, str)]
            elif isinstance(x, ir.Call):
                keys += [kw.name for kw in x.keywords if kw.name]
            elif isinstance(x, ir.Constant) and isinstance(x.value, str):
                texts.append(x.value.lower())
        if any("json" in t for t in texts):
            return True
        return any("schema" in k or "mime" in k for k in keys)
    vals = g.values(e, func, stmt)
    if not vals:
        return True
    if all(isinstance(v, Const) for v in vals):
        return any(isinstance(v.value, str) and ("json" in v.value.lower() or v.value.startswith("{")) for v in vals)  # type: ignore[union-attr]
    return any(isinstance(v, (_CR, _ER, _I, Typed)) or not isinstance(v, Const) for v in vals)


def structured_output(g: ProjectGraph, out: LLMOutput) -> Optional[str]:
    """The structured-output option (`response_format=…`, `format="json"`, a response schema in
    a generation config, …) of the LLM call that produced `out`, on the call itself, a bound
    setting or the client/model constructor; None when the call asks for free text."""
    c = g.agent.llm_call_at(out.site[1])
    if c is None:
        return None
    names = _structured_names(g)
    places: list[tuple[ir.Call, FunctionInfo, object]] = [(c.call, c.func, c.site.stmt)]
    for path, call in tuple(c.binds) + ((c.client_site,) if c.client_site else ()):
        f = g.function_of(path, call.pos)
        if f is not None:
            places.append((call, f, None))
    config = _config_requests_structure(g, c)
    for call, f, s in places:
        for kw in call.keywords:
            if call is c.call and config is not None and kw.name == getattr(c.spec, "config_param", None):
                if config:
                    return kw.name
                continue
            if kw.name in names and _requests_structure(g, kw.value, f, s):
                return kw.name
            if kw.name is not None and kw.name not in names:  # e.g. model_kwargs={"response_format": …}
                for n in names:
                    for v, owner, s2 in dict_values_for_key(g, kw.value, f, s, n, depth=2):
                        if _requests_structure(g, v, owner, s2):
                            return n
    return None


# Settings inside a config argument (catalog `config_keys` roles) that constrain the reply to a
# schema, and the one naming the reply's MIME type: google-genai's GenerateContentConfig documents
# response_schema / response_json_schema, and response_mime_type "application/json" for JSON
# (the default "text/plain" is free text, "text/x.enum" one enum value).
_CONFIG_SCHEMA_ROLES = ("response_schema", "response_json_schema")
_CONFIG_MIME_ROLE = "response_mime_type"


def _config_requests_structure(g: ProjectGraph, c: object) -> Optional[bool]:
    """For an SDK that takes the structured-output settings inside one config argument
    (`config=types.GenerateContentConfig(...)`, a dict, or a name bound to either): does the
    config ask for JSON or a schema (True also when keys are splatted in and may)? None when the
    call has no such argument or it is not a literal (the caller then judges the argument as a
    whole, and an unreadable one counts as asking)."""
    spec = c.spec  # type: ignore[attr-defined]
    param = getattr(spec, "config_param", None)
    roles = getattr(spec, "config_keys", None) or {}
    if not param or param not in (getattr(spec, "structured_params", ()) or ()) or _CONFIG_MIME_ROLE not in roles:
        return None
    found = c.config_literal()  # type: ignore[attr-defined]
    if found is None:
        return None
    node, owner, s = found
    if isinstance(node, ir.Call) and not any(
            isinstance(v, ExtRef) and v.path in (getattr(spec, "config_classes", ()) or ())
            for v in g.values(node.func, owner, s)):
        return None  # built by a helper (`config=make_config()`): not readable here
    if any(kw.name is None for kw in node.keywords) if isinstance(node, ir.Call) else any(k is None for k in node.keys):
        return True  # `GenerateContentConfig(**settings)`: the settings may ask for JSON
    for role in _CONFIG_SCHEMA_ROLES:
        st = c.setting(role) if role in roles else None  # type: ignore[attr-defined]
        if st is not None and st.where == "config" and not (isinstance(st.expr, ir.Constant) and st.expr.value is None):
            return True
    st = c.setting(_CONFIG_MIME_ROLE)  # type: ignore[attr-defined]
    if st is None or st.where != "config":
        return False
    vals = g.values(st.expr, st.func, st.stmt)
    if vals and all(isinstance(v, Const) for v in vals):
        return any(isinstance(v.value, str) and "json" in v.value.lower() for v in vals)  # type: ignore[union-attr]
    return True  # a MIME type computed at run time: may be JSON


def _expr_parents(stmt: ir.Stmt) -> dict[int, ir.Expr]:
    parents: dict[int, ir.Expr] = {}
    for root in ir.stmt_exprs(stmt):
        for e in ir.walk_expr(root):
            for c in ir.iter_child_exprs(e):
                parents[id(c)] = e
    return parents


def _int_index(e: ir.Expr) -> Optional[int]:
    if isinstance(e, ir.Constant) and type(e.value) is int:
        return e.value  # type: ignore[return-value]
    if isinstance(e, ir.UnaryOp) and e.op == "-" and isinstance(e.operand, ir.Constant) and type(e.operand.value) is int:
        return -e.operand.value  # type: ignore[operator]
    return None


def _guard_in_expr(node: ir.Expr, parents: dict[int, ir.Expr], names: set[str]) -> bool:
    """`x.group(1) if x else …`, `x and x.group(1)`, `[… for … if len(x) > 1]`: a test on one
    of `names` that must pass before `node` is evaluated, within the same expression."""
    return guarded_in_expr(node, parents, lambda t: bool(names & _names_in(t)))


def _key_guard_in_expr(node: ir.Expr, parents: dict[int, ir.Expr], names: set[str]) -> bool:
    """`d["k"] if "k" in d else …`, `"k" in d and d["k"]`, `[d["k"] for d in ds if "k" in d]`: a
    membership test in the same expression."""
    return guarded_in_expr(node, parents, lambda t: any(_membership_test(t, n) for n in names))


def _checked(func: FunctionInfo, stmt: ir.Stmt, names: set[str]) -> bool:
    return any(checked_before(func, stmt, n) for n in names if n)


def _uses_of(g: ProjectGraph, func: FunctionInfo, def_stmt: ir.Stmt, name: str) -> list[tuple[ir.Stmt, ir.Name, dict[int, ir.Expr]]]:
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
        parents = _expr_parents(s)
        for n in names:
            p = parents.get(id(n))
            if isinstance(p, ir.NamedExpr) and p.target is n:
                continue
            out.append((s, n, parents))
    return out


def regex_patterns(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: object) -> list[str]:
    """The pattern strings of a regex call: `re.search(P, …)` or `PAT.search(…)` with
    `PAT = re.compile(P)` (resolved through names, module constants and attributes)."""
    from agentable.cpg.values import ExtRef as _ER

    paths = [v.path for v in g.values(call.func, func, stmt) if isinstance(v, _ER)]
    pat_expr: Optional[ir.Expr] = None
    if any(p.startswith("re.") and not p.startswith("re.compile()") for p in paths) and call.args:
        pat_expr = call.args[0]
    elif isinstance(call.func, ir.Attribute):
        for v in g.values(call.func.value, func, stmt):
            site = getattr(v, "site", None)
            if isinstance(v, _ER) and site is not None and isinstance(site[1], ir.Call) and site[1].args:
                pat_expr = site[1].args[0]
                owner = g.function_of(site[0], site[1].pos)
                if owner is not None:
                    func, stmt = owner, None
                break
    if pat_expr is None:
        return []
    return [v.value for v in g.values(pat_expr, func, stmt) if isinstance(v, Const) and isinstance(v.value, str)]


def _regex_always_matches(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: object, path: str) -> bool:
    """A pattern such as `r".*"` that matches every text (so the Match is never None)."""
    import re as _re

    pats = regex_patterns(g, call, func, stmt)
    if not pats:
        return False
    method = path.rsplit(".", 1)[-1]
    try:
        return all(all(getattr(_re.compile(p), method)(t) for t in ("", "zq\n#", "{}")) for p in pats)
    except _re.error:
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


_SAME_LENGTH_CALLS = frozenset(_CFG.kinds["pieces"]["same_length"])


def _same_length_view(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, pieces: ir.Expr,
                      parents: dict[int, ir.Expr]) -> ir.Expr:
    """The outermost expression that holds one item per piece of `pieces` (a split/findall call):
    `[p.strip() for p in text.split(",")]`, `list(map(str.strip, text.split(",")))`,
    `tuple(text.split())`. Indexing it at a fixed position has the same risk as indexing the split
    itself. A filtering comprehension (`if p`) only drops items, so it counts too."""
    from agentable.cpg.values import ExtRef as _ER

    def builtin(call: ir.Call) -> Optional[str]:
        paths = {v.path for v in g.values(call.func, func, stmt) if isinstance(v, _ER)}
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
                and builtin(p) == "map" and isinstance(parents.get(id(p)), ir.Call) \
                and builtin(parents[id(p)]) in _SAME_LENGTH_CALLS:
            cur = p  # map(f, pieces) inside list()/tuple(): a map object itself cannot be indexed
        else:
            return cur


def _fixed_unpack(target: ir.Expr, maxsplit: Optional[int], any_index: bool) -> bool:
    if not isinstance(target, ir.Seq) or len(target.elts) < 2:
        return False
    return not any(isinstance(e, ir.Starred) for e in target.elts)


def _membership_test(test: Optional[ir.Expr], name: str) -> bool:
    """Does the test check keys of `name`: `"k" in name`, `name.keys() >= {...}`, `name.get(...)`,
    `all(k in name for …)`? (A None/truthiness/isinstance test does not.)"""
    for x in ir.walk_expr(test):
        if isinstance(x, ir.Compare) and any(op in ("in", "not in") for op in x.ops) and \
                any(name in _names_in(c) for c in x.comparators):
            return True
        if isinstance(x, ir.Call) and isinstance(x.func, ir.Attribute) and x.func.attr in ("get", "keys", "issubset", "issuperset") \
                and name in _names_in(x.func.value):
            return True
    return False


def membership_checked(func: FunctionInfo, stmt: ir.Stmt, name: str) -> bool:
    """Are keys of `name` tested before `stmt`: an enclosing if/while with a membership test, or an
    earlier `if "k" not in name: return/raise/continue` (see `_membership_test`)."""
    return tested_before(func, stmt, lambda t: _membership_test(t, name))
