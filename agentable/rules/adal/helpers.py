"""Helpers of the ADAL rules that only one rule uses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.agent_model import LLMCall
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Const, ExtRef, FuncRef
from agentable.query.facts import per_graph
from agentable.query.literals import literal_site
from agentable.query.models import int_setting


# A budget is named for what it limits: tokens of the context / prompt / history sent as input.
# Names about the generated side, or about pieces of the input, are other limits.
_INPUT_WORDS = ("context", "window", "prompt", "input", "history", "conversation", "memory")


_OTHER_WORDS = ("output", "reply", "response", "completion", "generat", "answer", "new_tokens", "summary",
                "chunk", "per_", "_per", "overlap", "doc", "tool")


# the settings of an LLM call that carry the text the budget limits
_INPUT_ROLES = ("messages", "prompt", "input")


def is_context_budget_name(name: str) -> bool:
    """Does the name say it is a token limit for the model's input (`MAX_CONTEXT_TOKENS`,
    `history_token_limit`, `PROMPT_TOKEN_BUDGET`)?"""
    n = name.lower()
    return "token" in n and any(w in n for w in _INPUT_WORDS) and not any(w in n for w in _OTHER_WORDS)


@per_graph
def context_budgets(g: ProjectGraph) -> list[ContextBudget]:
    """Context budgets that limit the input of an LLM call: an int constant named as a context
    budget (`is_context_budget_name`), directly or as the first term of a subtraction
    (`budget = MAX_CONTEXT_TOKENS - REPLY_TOKENS`), compared in the function that makes the call
    or in a project function whose result (or argument) becomes the call's messages or prompt."""
    out: list[ContextBudget] = []
    if not _budget_names_bound(g):
        return out  # no name in the project is a context budget: nothing to find
    seen: set[tuple[int, str, ir.Pos]] = set()
    for c in g.agent.llm_calls:
        for role in _INPUT_ROLES:
            s = c.setting(role)
            if s is None:
                continue
            for f in _input_builders(g, s.expr, s.func, s.stmt):
                for cmp, stmt in f.exprs.get(ir.Compare, ()):
                    if not isinstance(cmp, ir.Compare):
                        continue
                    for operand in (cmp.left, *cmp.comparators):
                        for name, value, lit in _budget_constants(g, operand, f, stmt, 3):
                            key = (id(c), lit[0], lit[1])
                            if key not in seen:
                                seen.add(key)
                                out.append(ContextBudget(name, value, lit, f, cmp, c))
    return out


def _budget_names_bound(g: ProjectGraph) -> bool:
    """Does the project bind any name a context budget can have (a local, global, parameter or
    class attribute, `self.x` included)?"""
    return any(is_context_budget_name(n) for f in g.functions.values() for n in f.defs) or \
        any(is_context_budget_name(n) for c in g.classes.values() for n in c.attrs)


def _input_builders(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: object) -> list[FunctionInfo]:
    """The function that sends `e` and the project functions that build it: called in `e` (or in
    the names it is bound from), or called on one of those names before (`trim(history)`)."""
    out: dict[str, FunctionInfo] = {func.qualname: func}
    names: set[str] = set()
    seen: set[int] = set()

    def walk(x: Optional[ir.Expr], f: FunctionInfo, st: object, depth: int) -> None:
        if x is None or depth < 0 or id(x) in seen:
            return
        seen.add(id(x))
        if isinstance(x, (ir.Starred, ir.Await)):
            walk(x.value, f, st, depth)
        elif isinstance(x, ir.Seq):
            for elt in x.elts:
                walk(elt, f, st, depth)
        elif isinstance(x, ir.Dict):
            for v in x.values:
                walk(v, f, st, depth)
        elif isinstance(x, ir.BinOp):
            walk(x.left, f, st, depth)
            walk(x.right, f, st, depth)
        elif isinstance(x, ir.Subscript):
            walk(x.value, f, st, depth)
        elif isinstance(x, ir.Call):
            for val in g.values(x.func, f, st):
                target = g.functions.get(val.qualname) if isinstance(val, FuncRef) else None
                if target is not None and target.node is not None:
                    out.setdefault(target.qualname, target)
        elif isinstance(x, ir.Name) and f is func:
            names.add(x.id)
            owner, defs = g.name_bindings(f, x.id, st)
            for d in defs:
                if d.how in ("assign", "walrus") and d.value is not None and owner is func:
                    walk(d.value, owner, d.stmt, depth - 1)

    walk(e, func, stmt, 3)
    for site in func.calls:  # `trim_history(history)` before the call: trims the list in place
        if any(isinstance(a, ir.Name) and a.id in names for a in site.call.args):
            for v in g.values(site.call.func, func, site.stmt):
                target = g.functions.get(v.qualname) if isinstance(v, FuncRef) else None
                if target is not None and target.node is not None:
                    out.setdefault(target.qualname, target)
    return list(out.values())


def _budget_constants(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: object,
                      depth: int, seen: Optional[set[int]] = None) -> list[tuple[str, int, tuple[str, ir.Pos]]]:
    """(name, value, where the value is written) of the context-budget constants that bound `e`
    from above: the budget itself, or the first term of a subtraction from it, through local names
    (`budget = MAX - RESERVED`, then `budget -= used`, which only lowers it)."""
    seen = set() if seen is None else seen
    if depth < 0 or id(e) in seen:
        return []
    seen.add(id(e))
    if isinstance(e, ir.BinOp) and e.op == "-":
        return _budget_constants(g, e.left, func, stmt, depth, seen)
    name = e.id if isinstance(e, ir.Name) else (e.attr if isinstance(e, ir.Attribute) else None)
    if name is None:
        return []
    if is_context_budget_name(name):
        value = int_setting(g, e, func, stmt)
        lit = literal_site(g, e, func, stmt, value) if value is not None else None
        return [(name, value, lit)] if value is not None and lit is not None else []
    if not isinstance(e, ir.Name):
        return []
    out: list[tuple[str, int, tuple[str, ir.Pos]]] = []
    owner, defs = g.name_bindings(func, e.id, stmt)
    if owner is not func:
        return out
    for d in defs:
        if d.how == "assign" and d.value is not None:
            out += _budget_constants(g, d.value, owner, d.stmt, depth - 1, seen)
        elif d.how == "augassign" and isinstance(d.stmt, ir.AugAssign) and d.stmt.op.startswith("-") \
                and isinstance(d.stmt.target, ir.Name):  # the value before the decrement bounds it
            out += _budget_constants(g, d.stmt.target, owner, d.stmt, depth - 1, seen)
    return out


_ENV_READS = frozenset({"os.getenv()", "os.environ.get()"})


def is_env_read(v: object) -> bool:
    """Is this value an environment variable read (`os.getenv(...)`, `os.environ.get(...)`)?"""
    return isinstance(v, ExtRef) and v.site is not None and v.path in _ENV_READS


def env_default_empty(v: object) -> bool:
    """Is this value an environment read (`os.getenv(NAME, "")`, `os.environ.get(NAME, "")`) whose
    fallback is the empty string?"""
    if not is_env_read(v):
        return False
    call = v.site[1]  # type: ignore[attr-defined]
    default = call.args[1] if len(call.args) > 1 else call.kwarg("default")
    return isinstance(default, ir.Constant) and default.value == ""


@dataclass(eq=False)
class ContextBudget:
    """A context-budget constant that bounds what an LLM call sends: `name = value` written at
    `literal`, compared against the input's size at `compare` in `func`, before `llm_call`."""

    name: str
    value: int
    literal: tuple[str, ir.Pos]
    func: FunctionInfo
    compare: ir.Compare
    llm_call: object


def set_for_other_models(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, model_id: str,
                         model_names: frozenset[str] = frozenset()) -> bool:
    """Is `stmt` (where a setting is given) inside the body of an `if "sonnet" in model:` /
    `if model.startswith("o1"):` whose model expression is the one the call is given (named as in
    `model_names`) or may hold `model_id`, with a name test that `model_id` fails? Then the setting
    is for other models, never sent with this one."""
    for anc in func.ancestors(stmt):
        if not isinstance(anc, ir.If) or not any(x is stmt for s in anc.body for x in ir.walk_stmts([s])):
            continue
        test = _name_test(anc.test)
        if test is None:
            continue
        fragment, subject, starts = test
        held = {v.value for v in g.values(subject, func, stmt) if isinstance(v, Const) and isinstance(v.value, str)}
        passes = model_id.startswith(fragment) if starts else fragment in model_id
        if (model_id in held or ir.dotted(subject) in model_names) and not passes:
            return True
    return False


def _name_test(test: ir.Expr) -> Optional[tuple[str, ir.Expr, bool]]:
    """(fragment, model expression, is a prefix test) of `"x" in model` or `model.startswith("x")`."""
    if isinstance(test, ir.Compare) and test.ops == ["in"] and len(test.comparators) == 1:
        fragment = ir.string_value(test.left)
        if fragment:
            return fragment, test.comparators[0], False
    if isinstance(test, ir.Call) and isinstance(test.func, ir.Attribute) and test.func.attr == "startswith" \
            and len(test.args) == 1:
        fragment = ir.string_value(test.args[0])
        if fragment:
            return fragment, test.func.value, True
    return None


# ---------------------------------------------------------------- the prompt's fixed text

# the settings of an LLM call that carry prompt text, and the message keys that hold it
_PROMPT_ROLES = ("messages", "prompt", "system")
_TEXT_KEYS = ("content", "text", "parts")
# list methods that shrink a list: after one, a literal's length is no lower bound
_SHRINKS = frozenset({"pop", "remove", "clear"})
_FIELD = re.compile(r"\{[^{}]*\}|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")


def prompt_floor_chars(g: ProjectGraph, call: LLMCall) -> int:
    """A lower bound on the characters of prompt text `call` sends: the string literals written in
    its messages / prompt / system settings (through local and module names, `+`, f-strings,
    `.format`), each unknown piece counted as empty."""
    seen: set[int] = set()
    total = 0
    for role in _PROMPT_ROLES:
        s = call.setting(role)
        if s is None or id(s.expr) in seen:
            continue
        seen.add(id(s.expr))
        total += _min_text(g, s.expr, s.func, s.stmt, 4)
    return total


def _min_text(g: ProjectGraph, e: Optional[ir.Expr], f: FunctionInfo, st: object, depth: int,
              fields: bool = False) -> int:
    """The fewest characters of text `e` certainly holds (0 when unknown). `fields`: `e` is a
    template whose `{x}` / `%s` fields are replaced, so they count as empty."""
    if e is None or depth < 0:
        return 0
    if isinstance(e, ir.Constant):
        return len(_FIELD.sub("", e.value) if fields else e.value) if isinstance(e.value, str) else 0
    if isinstance(e, ir.FString):
        return sum(len(p) if isinstance(p, str) else _min_text(g, p, f, st, depth - 1) for p in e.parts)
    if isinstance(e, (ir.Concat, ir.Seq)):
        return sum(_min_text(g, p, f, st, depth, fields) for p in (e.parts if isinstance(e, ir.Concat) else e.elts))
    if isinstance(e, (ir.Starred, ir.Await)):
        return _min_text(g, e.value, f, st, depth, fields)
    if isinstance(e, ir.BinOp) and e.op == "+":
        return _min_text(g, e.left, f, st, depth, fields) + _min_text(g, e.right, f, st, depth, fields)
    if isinstance(e, ir.BinOp) and e.op == "%":
        return _min_text(g, e.left, f, st, depth, True)
    if isinstance(e, ir.IfExp):
        return min(_min_text(g, e.body, f, st, depth, fields), _min_text(g, e.orelse, f, st, depth, fields))
    if isinstance(e, ir.Dict):
        return sum(_min_text(g, e.get(k), f, st, depth) for k in _TEXT_KEYS)
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr == "format":
        return _min_text(g, e.func.value, f, st, depth, True)
    if isinstance(e, ir.Name):
        owner, defs = g.name_bindings(f, e.id, st)
        if not defs or any(d.how != "assign" or d.value is None for d in defs) or _shrunk(owner, e.id):
            return 0
        return min(_min_text(g, d.value, owner, d.stmt, depth - 1, fields) for d in defs)
    return 0


def _shrunk(f: FunctionInfo, name: str) -> bool:
    """Is the list `name` shrunk in `f` (`name.pop()`, `del name[0]`)?"""
    for c, _ in f.exprs.get(ir.Call, ()):
        if isinstance(c, ir.Call) and isinstance(c.func, ir.Attribute) and c.func.attr in _SHRINKS \
                and isinstance(c.func.value, ir.Name) and c.func.value.id == name:
            return True
    return any(isinstance(s, ir.Simple) and s.kind == "del" and any(
        isinstance(x, ir.Name) and x.id == name for e in s.exprs for x in ir.walk_expr(e))
        for s in ir.walk_stmts(f.body))


# ---------------------------------------------------------------- tables of context sizes

# a table's value counts as the model's context size when it is at least this share of it
# (tables round down: `"gpt-4": 8000`)
_WINDOW_SHARE = 0.95


@dataclass(eq=False)
class WindowTable:
    """A dict literal from model ids to their context sizes, looked up for a reply budget."""

    name: str
    path: str
    entries: list[tuple[str, int, int, ir.Pos]]  # (model id, value, catalog context window, where)


def window_table(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: object,
                 depth: int = 3) -> Optional[WindowTable]:
    """The context-size table `e` is looked up in (`CONTEXT_SIZES[model]`, `.get(model)`, directly
    or through a local name): a dict literal whose every value for a model the catalog knows is
    that model's whole context window (rounded down at most 5%), with at least one such model."""
    if depth < 0:
        return None
    if isinstance(e, ir.Name):
        owner, defs = g.name_bindings(func, e.id, stmt)
        if owner is not func or len(defs) != 1 or defs[0].how != "assign" or defs[0].value is None:
            return None
        return window_table(g, defs[0].value, owner, defs[0].stmt, depth - 1)
    if isinstance(e, ir.Subscript):
        table = e.value
    elif isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr == "get":
        table = e.func.value
    elif isinstance(e, ir.Call):  # `context_length(model)`, a project function that looks it up
        return _returned_window_table(g, e, func, stmt, depth - 1)
    else:
        return None
    lit = g.bound_literal(table, func, stmt, (ir.Dict,))
    if lit is None or not isinstance(lit[0], ir.Dict):
        return None
    entries: list[tuple[str, int, int, ir.Pos]] = []
    for k, v in zip(lit[0].keys, lit[0].values, strict=False):
        key = k.value if isinstance(k, ir.Constant) and isinstance(k.value, str) else None
        info = g.catalog.model(key) if key is not None else None
        if key is None or info is None or info.context_window is None:
            continue
        if not (isinstance(v, ir.Constant) and isinstance(v.value, int) and not isinstance(v.value, bool)):
            return None
        if v.value < _WINDOW_SHARE * info.context_window:
            return None  # a table of other limits (output caps, budgets)
        entries.append((key, v.value, info.context_window, v.pos))
    if not entries:
        return None
    return WindowTable(ir.dotted(table) or "the table", lit[1].path, entries)


def _returned_window_table(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: object,
                           depth: int) -> Optional[WindowTable]:
    """The context-size table a project function returns a lookup of, on every `return`."""
    targets = [g.functions.get(v.qualname) for v in g.values(call.func, func, stmt) if isinstance(v, FuncRef)]
    if len(targets) != 1 or targets[0] is None or targets[0].node is None:
        return None
    f = targets[0]
    found = [(s, window_table(g, s.value, f, s, depth)) for s in ir.walk_stmts(f.body)
             if isinstance(s, ir.Return) and s.value is not None]
    if not found or any(t is None for _, t in found):
        return None
    return found[0][1]


_OVER_SHARE = 1.05  # a value this far above the window is not rounding (131072 for 128000 is)


@dataclass(eq=False)
class OversizedEntry:
    table: str
    path: str
    model_id: str
    value: int
    window: int
    pos: ir.Pos
    matching: int  # how many of the table's entries are their model's window
    key: str = ""  # in a registry of per-model settings: the settings key whose values are windows


@per_graph
def oversized_window_entries(g: ProjectGraph) -> list[OversizedEntry]:
    """Entries of the project's context-size tables (dict literals from model ids to ints, most of
    whose known models get their own context window) that give a model a larger window than it has:
    budgets computed from them let the request outgrow the model. A registry of per-model settings
    (`{"o3": {"max_token": 200000, ...}, ...}`) is read the same way, one settings key at a time."""
    out: list[OversizedEntry] = []
    for func in g.functions.values():
        if g.is_test_code(func.path):
            continue
        for d, stmt in func.walk(ir.Dict):
            name = _dict_name(stmt)
            out += _oversized(g, func.path, name, "", list(zip(d.keys, d.values, strict=False)), strict=True)
            for key, pairs in _settings_columns(d).items():
                out += _oversized(g, func.path, name, key, pairs, strict=False)
    return out


def _oversized(g: ProjectGraph, path: str, name: str, key: str,
               pairs: list[tuple[Optional[ir.Expr], Optional[ir.Expr]]], strict: bool) -> list[OversizedEntry]:
    """The entries of one column of model ids to ints that exceed their model's window, when most of
    the column's known models get exactly theirs (it is a column of context windows). `strict`: a
    known model with a value that is not an int means the column is not one of ints at all."""
    known: list[tuple[str, int, int, ir.Pos]] = []
    for k, v in pairs:
        mid = k.value if isinstance(k, ir.Constant) and isinstance(k.value, str) else None
        # the model itself or a dated snapshot of it (`gpt-4-0613`): a longer id the catalog only
        # matches by prefix (`gpt-4-vision-preview`) may have another window
        info = g.catalog.model_exact(mid) if mid else None
        if mid is None or info is None or info.context_window is None:
            continue
        if info.provider not in g.catalog.fixed_window_providers:
            continue
        n = _int_value(v)
        if n is None or v is None:
            if strict:
                return []
            continue
        known.append((mid, n, info.context_window, v.pos))
    matching = sum(1 for _k, n, w, _p in known if _WINDOW_SHARE * w <= n <= _OVER_SHARE * w)
    if len(known) < 3 or 2 * matching < len(known):
        return []  # not a column of context windows
    return [OversizedEntry(name, path, mid, n, w, p, matching, key) for mid, n, w, p in known if n > _OVER_SHARE * w]


def _settings_columns(d: ir.Dict) -> dict[str, list[tuple[Optional[ir.Expr], Optional[ir.Expr]]]]:
    """A dict literal from string keys to settings dict literals, as columns: each settings key with
    the (model key, value) pairs of the entries that set it. Empty for any other dict."""
    if not d.values or not all(isinstance(v, ir.Dict) for v in d.values):
        return {}
    cols: dict[str, list[tuple[Optional[ir.Expr], Optional[ir.Expr]]]] = {}
    for k, v in zip(d.keys, d.values, strict=False):
        if not isinstance(k, ir.Constant) or not isinstance(v, ir.Dict):
            continue
        for sk, sv in zip(v.keys, v.values, strict=False):
            if isinstance(sk, ir.Constant) and isinstance(sk.value, str):
                cols.setdefault(sk.value, []).append((k, sv))
    return cols


def _int_value(e: Optional[ir.Expr]) -> Optional[int]:
    """An int literal, or a product of int literals (`1024 * 200`)."""
    if isinstance(e, ir.Constant) and isinstance(e.value, int) and not isinstance(e.value, bool):
        return e.value
    if isinstance(e, ir.BinOp) and e.op == "*":
        left, right = _int_value(e.left), _int_value(e.right)
        return left * right if left is not None and right is not None else None
    return None


def _dict_name(stmt: ir.Stmt) -> str:
    if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1:
        return ir.dotted(stmt.targets[0]) or "the table"
    return "the table"


def none_model_fails(slot: object) -> bool:
    """Does a None model fail in this slot: an API call with no default model of its own, where
    `model` is required (a chat-model class, or an API with a default, picks one)? `slot` is a
    `query.models.ModelSlot`."""
    spec = getattr(slot, "spec", None)
    if getattr(spec, "default_model", None):
        return False
    c = getattr(slot, "llm_call", None)
    if isinstance(c, LLMCall) and not c.is_chat_model:
        return "model" in (getattr(spec, "required", ()) or ())
    return False


def passed_model_fails_on_none(slot: object) -> bool:
    """Does a None written as the model argument of this API call fail: an API call (not a
    chat-model class, not a call that picks a default model) whose model the call passes itself?
    (openai<1.0's `ChatCompletion.create` requires `model` or Azure's `engine`, so the catalog
    does not list `model` as required; a `model=None` written there still fails.)"""
    spec = getattr(slot, "spec", None)
    c = getattr(slot, "llm_call", None)
    if getattr(spec, "default_model", None) or not isinstance(c, LLMCall) or c.is_chat_model:
        return False
    return none_model_fails(slot) or getattr(slot, "where", "") == "call"


def value_tested(func: FunctionInfo, name: Optional[str], attr: Optional[str]) -> bool:
    """Does `func` test the variable `name` (or the attribute `self.<attr>`), give it a fallback
    (`name or DEFAULT`, `x if name else y`), compare it, or bind it again (`name = ...`)?"""
    def hit(e: Optional[ir.Expr]) -> bool:
        return any((name is not None and isinstance(x, ir.Name) and x.id == name)
                   or (attr is not None and isinstance(x, ir.Attribute) and x.attr == attr
                       and isinstance(x.value, ir.Name) and x.value.id == "self")
                   for x in ir.walk_expr(e))
    for e, _st in func.walk(ir.BoolOp, ir.IfExp, ir.Compare, ir.UnaryOp):
        if isinstance(e, ir.BoolOp) and any(hit(v) for v in e.values):
            return True
        if isinstance(e, ir.IfExp) and hit(e.test):
            return True
        if isinstance(e, ir.Compare) and (hit(e.left) or any(hit(c) for c in e.comparators)):
            return True
        if isinstance(e, ir.UnaryOp) and e.op == "not" and hit(e.operand):
            return True
    assigned = 0
    for st in func.stmts:
        if isinstance(st, (ir.If, ir.While)) and hit(st.test):
            return True
        if isinstance(st, (ir.Assign, ir.AugAssign)):
            targets = st.targets if isinstance(st, ir.Assign) else [st.target]
            for t in targets:
                if (name is not None and isinstance(t, ir.Name) and t.id == name) or (
                        attr is not None and isinstance(t, ir.Attribute) and t.attr == attr):
                    assigned += 1
    # a parameter bound again, or an attribute bound twice (its first value may be replaced)
    return assigned > (0 if name is not None else 1)
