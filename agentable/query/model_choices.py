"""The model ids a model field can take by the project's own listing, beyond the default: a
`Literal[...]` or string Enum annotation of the parameter or field the id comes from, a literal
table the same value is looked up in (`SUPPORTED_MODELS[model]`, a KeyError for any other id), the
`choices=` of the argparse option it is read from, or an allow-list that guards it
(`if model in ["gpt-4o", "gpt-4-turbo"]: return Engine(model=model)`). ADAL pairs a fixed token
budget with each of them, not only with the default model; LARD reports a retired one at its entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import ClassInfo, FunctionInfo
from agentable.cpg.values import ClassRef
from agentable.query.facts import EvalAt, per_graph
from agentable.query.config import argparse_choices
from agentable.query.literals import dict_values_for_key, literal_of, param_argument
from agentable.query.model_forwarding import feeding_sites, forwarded_keywords
from agentable.query.models import ModelUse, model_uses


@dataclass(frozen=True)
class ListedId:
    """A model id the project lists for a field, and where it is listed."""

    model_id: str
    path: str
    pos: ir.Pos
    how: str  # "annotation" | "table" | "choices" | "allowlist"


def listed_model_ids(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object,
                     depth: int = 6) -> list[ListedId]:
    """The ids the project lists for the value `e` (a model slot): found on the way back from `e`
    through local and module bindings, parameters (and the arguments every call site passes),
    `self.x` / `config.x` fields (and the keyword or `**dict` entry a construction gives them).
    `stmt` is an EvalAt, typed `object` like cpg's `Setting.stmt`."""
    out: dict[str, ListedId] = {}
    seen: set[int] = set()

    def add(found: list[ListedId]) -> None:
        for x in found:
            out.setdefault(x.model_id, x)

    def walk(x: Optional[ir.Expr], f: FunctionInfo, st: EvalAt, d: int, recv: Optional[str] = None) -> None:
        if x is None or d < 0 or id(x) in seen:
            return
        seen.add(id(x))
        if isinstance(x, (ir.IfExp, ir.BoolOp)):
            for part in ([x.body, x.orelse] if isinstance(x, ir.IfExp) else x.values):
                walk(part, f, st, d, recv)
        elif isinstance(x, ir.Name):
            add(_allow_list(g, f, x.id, st))
            owner, defs = g.name_bindings(f, x.id, st)
            for dfn in defs:
                if dfn.how in ("assign", "walrus"):
                    walk(dfn.value, owner, dfn.stmt, d - 1)
                elif dfn.how == "param":
                    _param(owner, x.id, d, recv)
        elif isinstance(x, ir.Call) and (ir.dotted(x.func) or "").rsplit(".", 2)[-2:] in _RANDOM_PICKS and x.args:
            add(_entries(g, x.args[0], f, st, "random"))  # `random.choice(["gpt-4o", ...])`
        elif isinstance(x, ir.Subscript) and ir.string_value(x.index) is not None:
            add(_registry_lookups(g, f, x))  # `settings["model"]`, also the key of `REGISTRY[settings["model"]]`
        elif isinstance(x, ir.Attribute):
            if x.attr == "value" and isinstance(x.value, ir.Name):  # `name.value` of an Enum member
                walk(x.value, f, st, d, recv)
            for v in g.shallow.values(x.value, f, st):
                q = getattr(v, "qualname", None)
                if q in g.classes and not isinstance(v, ClassRef):
                    for cls in g.mro(q):
                        _field(cls, x.attr, d, q)
                    _constructed(q, x.attr, d)

    def _param(owner: FunctionInfo, name: str, d: int, recv: Optional[str] = None) -> None:
        p = next((p for p in owner.params if p.name == name), None)
        if p is None:
            return
        ruled_out = _asserted_not(owner, name)
        add([x for x in _annotation_ids(g, p.annotation, owner) + _table_lookups(g, owner, name)
             if x.model_id not in ruled_out])
        for site in feeding_sites(g, owner, recv):
            arg = param_argument(site.call, owner, name)
            if arg is not None:
                walk(arg, site.func, site.stmt, d - 1)
            else:  # `super().__init__(**kwargs)`: the keyword the caller's own callers give
                for fe, f2, st2 in forwarded_keywords(g, site.call, site.func, [name]):
                    walk(fe, f2, st2, d - 1)

    def _field(cls: ClassInfo, attr: str, d: int, recv: str) -> None:
        for value, s, method in cls.attrs.get(attr, []):
            if method is None and isinstance(s, ir.Assign):
                add(_annotation_ids(g, s.annotation, cls.module.toplevel))
            walk(value, method or cls.module.toplevel, s, d - 1, recv)

    def _constructed(q: str, attr: str, d: int) -> None:
        """A field set by the construction: `Config(model=m)` or `Config(**settings)`."""
        if any("__init__" in c.methods for c in g.mro(q)):
            return  # an own constructor: its parameters are followed through `self.x = x`
        for site in g.constructions(q)[:8]:
            given = site.call.kwarg(attr)
            if given is not None:
                walk(given, site.func, site.stmt, d - 1)
            for kw in site.call.keywords:
                if kw.name is None:
                    for v, owner, at in dict_values_for_key(g, kw.value, site.func, site.stmt, attr, 2):
                        walk(v, owner, at, d - 1)
                    for v, owner, at in _returned_dict_values(g, kw.value, site.func, site.stmt, attr):
                        walk(v, owner, at, d - 1)

    for v in g.values(e, func, stmt):  # `args.model` of an option with `choices=AVAILABLE_LLMS`
        found = argparse_choices(g, v)
        if found is not None:
            add(_entries(g, found[0], found[1], found[2], "choices"))
    walk(e, func, stmt, depth)  # type: ignore[arg-type]
    return list(out.values())


@per_graph
def model_candidates(g: ProjectGraph) -> list[tuple[ModelUse, Optional[ListedId]]]:
    """Each model use (with None), then each other id the project lists for its model slot (a
    `Literal` annotation, a string Enum, a table the id is looked up in, argparse `choices`, an
    allow-list) with that use: a fixed limit or a requested capability must suit each of them."""
    out: list[tuple[ModelUse, Optional[ListedId]]] = []
    slots: dict[int, tuple[ModelUse, set[str]]] = {}
    for use in model_uses(g):
        out.append((use, None))
        slots.setdefault(id(use.expr), (use, set()))[1].add(use.model_id)
    for use, ids in slots.values():
        out += [(use, x) for x in listed_model_ids(g, use.expr, use.func, use.stmt) if x.model_id not in ids]
    return out


def _entries(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt, how: str) -> list[ListedId]:
    """The string entries of the list/tuple/set literal `e` is (or is bound to)."""
    lit = literal_of(g, e, func, stmt)
    if lit is None or not isinstance(lit[0], ir.Seq):
        return []
    return [ListedId(c.value, lit[1].path, c.pos, how) for c in lit[0].elts
            if isinstance(c, ir.Constant) and isinstance(c.value, str)]


def _allow_list(g: ProjectGraph, func: FunctionInfo, name: str, stmt: EvalAt) -> list[ListedId]:
    """The entries of a literal list that admits `name` where `stmt` runs: `stmt` is in the body
    of `if name in [...]:`, or follows `if name not in [...]: raise ...` in the same function."""
    if not isinstance(stmt, ir.Stmt):
        return []
    out: list[ListedId] = []
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.If) and any(x is stmt for s in anc.body for x in ir.walk_stmts([s])):
            listed = _membership(anc.test, name, "in")
            if listed is not None:
                out += _entries(g, listed, func, anc, "allowlist")
    for s in ir.walk_stmts(func.body):
        if isinstance(s, ir.If) and s.body and isinstance(s.body[-1], ir.Raise) and s.pos < stmt.pos:
            listed = _membership(s.test, name, "not in")
            if listed is not None:
                out += _entries(g, listed, func, s, "allowlist")
    return out


def _membership(test: ir.Expr, name: str, op: str) -> Optional[ir.Expr]:
    """The container of `name <op> container` (`model in MODELS`), or None."""
    if isinstance(test, ir.Compare) and test.ops == [op] and len(test.comparators) == 1 \
            and isinstance(test.left, ir.Name) and test.left.id == name:
        return test.comparators[0]
    return None


def _returned_dict_values(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt,
                          key: str) -> list[tuple[ir.Expr, FunctionInfo, EvalAt]]:
    """`key`'s values in the dict literal a project function returns, when `e` is bound to its
    call (`settings = make_settings(...)`)."""
    out: list[tuple[ir.Expr, FunctionInfo, EvalAt]] = []
    if not isinstance(e, ir.Name):
        return out
    owner, defs = g.name_bindings(func, e.id, stmt)
    for dfn in defs:
        site = next((s for s in owner.calls if s.call is dfn.value), None) if dfn.how == "assign" else None
        for q in g.callees(site) if site is not None else ():
            callee = g.functions.get(q)
            if callee is not None:
                for ret in callee.returns:
                    out += dict_values_for_key(g, ret.value, callee, ret, key, 2)
    return out


_ENUM_BASES = frozenset({"Enum", "StrEnum"})


def _is_literal_type(x: ir.Expr) -> bool:
    """`Literal[...]`: a subscript, or the generic type node an annotation is lowered to."""
    head = x.value if isinstance(x, ir.Subscript) else (
        x.children[0] if isinstance(x, ir.Other) and x.kind == "generic_type" and x.children else None)
    return (ir.dotted(head) or "").rsplit(".", 1)[-1] == "Literal"


def _annotation_ids(g: ProjectGraph, ann: Optional[ir.Expr], func: FunctionInfo, alias: int = 1) -> list[ListedId]:
    """The strings of a `Literal["a", "b"]` annotation (also inside Optional[...], or through a
    type alias `Tier = Literal[...]`), or the string values of a project Enum class it names."""
    if ann is None:
        return []
    bare = ir.unwrap_type(ann)
    if isinstance(bare, ir.Name) and alias > 0:
        owner, defs = g.name_bindings(func, bare.id, func.node)
        for dfn in defs:
            if dfn.how == "assign" and dfn.value is not None and any(_is_literal_type(x) for x in ir.walk_expr(dfn.value)):
                return _annotation_ids(g, dfn.value, owner, alias - 1)
    out: list[ListedId] = []
    for x in ir.walk_expr(ann):
        if _is_literal_type(x):
            out += [ListedId(c.value, func.path, c.pos, "annotation") for c in ir.walk_expr(x)
                    if isinstance(c, ir.Constant) and isinstance(c.value, str)]
            break
    ann = ir.unwrap_type(ann)
    if out or not isinstance(ann, (ir.Name, ir.Attribute)):
        return out
    for v in g.shallow.values(ann, func, func.node):
        if isinstance(v, ClassRef) and v.qualname in g.classes:
            cls = g.classes[v.qualname]
            if any((ir.dotted(b) or "").rsplit(".", 1)[-1] in _ENUM_BASES for b in cls.node.bases):
                out += [ListedId(val.value, cls.module.path, val.pos, "annotation")
                        for vals in cls.attrs.values() for val, _s, m in vals
                        if m is None and isinstance(val, ir.Constant) and isinstance(val.value, str)]
    return out


def _table_lookups(g: ProjectGraph, func: FunctionInfo, name: str) -> list[ListedId]:
    """The string keys of a literal dict that `func` indexes with the parameter `name`
    (`TABLE[name]`): any other id raises KeyError there, so the table lists what `name` can be."""
    out: list[ListedId] = []
    for table, owner, _st in _looked_up_dicts(g, func, lambda i: isinstance(i, ir.Name) and i.id == name):
        out += [ListedId(k.value, owner.path, k.pos, "table") for k in table.keys
                if isinstance(k, ir.Constant) and isinstance(k.value, str)]
    return out


def _looked_up_dicts(g: ProjectGraph, func: FunctionInfo,
                     index: Callable[[ir.Expr], bool]) -> Iterator[tuple[ir.Dict, FunctionInfo, EvalAt]]:
    """The dict literals (with their scope) that `func` reads (`table[key]`, not `table[key] = ...`)
    with an index `index` accepts."""
    for sub, st in func.exprs.get(ir.Subscript, ()):
        if not (isinstance(sub, ir.Subscript) and index(sub.index)):
            continue
        if isinstance(st, ir.Assign) and any(t is sub for t in st.targets):
            continue  # `table[key] = ...` stores, it does not look up
        lit = literal_of(g, sub.value, func, st)
        if lit is not None and isinstance(lit[0], ir.Dict):
            yield lit[0], lit[1], lit[2]


_RANDOM_PICKS = (["random", "choice"], ["secrets", "choice"])
_MIN_REGISTRY_IDS = 2  # keys the catalog knows as model ids, for a dict to be read as a model registry


def _registry_lookups(g: ProjectGraph, func: FunctionInfo, read: ir.Subscript) -> list[ListedId]:
    """The keys of a model registry that `func` looks up with the same value `read` reads
    (`MODELS[settings["model"]]["endpoint"]` beside `"model": settings["model"]`): a dict literal
    whose values are settings dicts and whose keys include model ids the catalog knows, with the
    keys its `.update({...})` calls add. Any other key raises KeyError there, so the registry
    lists what the model can be."""
    out: list[ListedId] = []
    for table, owner, st in _looked_up_dicts(g, func, lambda i: _same_access(i, read)):
        tables = [(table, {}), *_registry_updates(g, owner, st)]
        keys = [(k, v, gate) for d, gate in tables for k, v in zip(d.keys, d.values, strict=False)
                if isinstance(k, ir.Constant) and isinstance(k.value, str)]
        if not keys or not all(isinstance(v, ir.Dict) for _k, v, _g in keys) \
                or sum(1 for k, _v, _g in keys if g.catalog.model(str(k.value)) is not None) < _MIN_REGISTRY_IDS:
            continue  # not a registry of per-model settings
        path = owner.path
        for k, _v, gate in keys:
            # an entry registered only when a list names the id (`if any(m in claude_models for m in
            # configured)`) is reported at the list: one line lists the ids to change
            listed = gate.get(str(k.value))
            out.append(ListedId(str(k.value), *listed, "gate") if listed is not None
                       else ListedId(str(k.value), path, k.pos, "registry"))
    return out


def _registry_updates(g: ProjectGraph, scope: FunctionInfo,
                      stmt: EvalAt) -> list[tuple[ir.Dict, dict[str, tuple[str, ir.Pos]]]]:
    """The dict literals `NAME.update({...})` adds in `scope`, where `stmt` binds `NAME`, each with
    the ids of the list literal an enclosing `if` tests membership in (`if any(m in GATE ...)`,
    `if model in GATE`), and where each is written there."""
    target = stmt.targets[0] if isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 else None
    if not isinstance(target, ir.Name):
        return []
    out: list[tuple[ir.Dict, dict[str, tuple[str, ir.Pos]]]] = []
    for site in scope.calls:
        f = site.call.func
        if isinstance(f, ir.Attribute) and f.attr == "update" and isinstance(f.value, ir.Name) \
                and f.value.id == target.id and len(site.call.args) == 1 and isinstance(site.call.args[0], ir.Dict):
            out.append((site.call.args[0], _gate_ids(g, scope, site.stmt)))
    return out


def _gate_ids(g: ProjectGraph, scope: FunctionInfo, stmt: ir.Stmt) -> dict[str, tuple[str, ir.Pos]]:
    """The string items (and where each is written) of the list literals that the `if` statements
    around `stmt` test membership in (`x in GATE`, also inside `any(...)`)."""
    out: dict[str, tuple[str, ir.Pos]] = {}
    for anc in scope.ancestors(stmt):
        if not isinstance(anc, ir.If) or not any(x is stmt for s in anc.body for x in ir.walk_stmts([s])):
            continue
        for cmp in ir.walk_expr(anc.test):
            if isinstance(cmp, ir.Compare) and cmp.ops == ["in"] and len(cmp.comparators) == 1:
                for x in _entries(g, cmp.comparators[0], scope, anc, "gate"):
                    out.setdefault(x.model_id, (x.path, x.pos))
    return out


def _same_access(a: ir.Expr, b: ir.Expr) -> bool:
    """Do `a` and `b` read the same place: one name, or the same constant keys and attributes of it?"""
    if isinstance(a, ir.Name) and isinstance(b, ir.Name):
        return a.id == b.id
    if isinstance(a, ir.Attribute) and isinstance(b, ir.Attribute):
        return a.attr == b.attr and _same_access(a.value, b.value)
    if isinstance(a, ir.Subscript) and isinstance(b, ir.Subscript):
        ka, kb = ir.string_value(a.index), ir.string_value(b.index)
        return ka is not None and ka == kb and _same_access(a.value, b.value)
    return False


def _asserted_not(func: FunctionInfo, name: str) -> set[str]:
    """The strings `func` asserts `name` is not (`assert model != "text-davinci-003"`): a type
    shared with other functions may list them, but this one rejects them."""
    out: set[str] = set()
    for s in ir.walk_stmts(func.body):
        test = s.exprs[0] if isinstance(s, ir.Simple) and s.kind == "assert" and s.exprs else None
        if isinstance(test, ir.Compare) and isinstance(test.left, ir.Name) and test.left.id == name \
                and test.ops in (["!="], ["not in"]) and len(test.comparators) == 1:
            right = test.comparators[0]
            out |= {c.value for c in (right.elts if isinstance(right, ir.Seq) else [right])
                    if isinstance(c, ir.Constant) and isinstance(c.value, str)}
    return out
