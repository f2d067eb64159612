"""Where the code uses a library's API: guards that make a missing name a handled case, and the
catalog paths of method calls (shared by EPDD002, EPDD005 and EPDD006)."""

from __future__ import annotations

from typing import Any, Optional

from agentable.cpg import ir
from agentable.cpg.flow import handler_type_names
from agentable.cpg.values import ClassRef, ExtRef, Instance
from agentable.query.facts import per_graph
from agentable.query.range_gaps import range_gap
from agentable.query.versions import api_unavailable

# Handlers that make a missing name a handled case (a fallback), not a crash.
_CATCHING = ("ImportError", "ModuleNotFoundError", "AttributeError", "Exception", "BaseException")


def use_is_guarded(func, stmt: ir.Stmt, attrs: tuple[str, ...]) -> bool:
    """Is the use inside a `try` that catches its failure, or under a `hasattr(..., "name")` test
    of one of `attrs` (a feature check that picks another path on older releases)?"""
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.Try) and any(
                not names or any(n.rpartition(".")[2] in _CATCHING for n in names)
                for names in (handler_type_names(h) for h in anc.handlers)):
            return True
    return use_is_guarded_by_test(func, stmt, attrs)


def use_has_fallback(func, stmt: ir.Stmt, attrs: tuple[str, ...], errors: tuple[str, ...],
                     memo: Optional[dict[int, Any]] = None) -> bool:
    """`use_is_guarded` for handlers that name one of `errors` itself (`except AttributeError:`),
    not `except Exception:` around a model call, which logs the failure and goes on broken.
    `memo` (for one `errors`, across the statements of `func`) keeps what each `try` and `if` says."""
    if memo is not None:
        return _has_fallback_memo(func, stmt, attrs, errors, memo)
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.Try) and any(n.rpartition(".")[2] in errors for h in anc.handlers
                                           for n in handler_type_names(h)):
            return True
    return use_is_guarded_by_test(func, stmt, attrs)


def _has_fallback_memo(func, stmt: ir.Stmt, attrs: tuple[str, ...], errors: tuple[str, ...],
                       memo: dict[int, Any]) -> bool:
    """`use_has_fallback`, each `try` (catches one of `errors`?) and `if` (the names its `hasattr`/
    `getattr` tests) read once per memo."""
    tested: list[Any] = []
    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.Try):
            hit = memo.get(id(anc))
            if hit is None:
                hit = memo[id(anc)] = any(n.rpartition(".")[2] in errors for h in anc.handlers
                                          for n in handler_type_names(h))
            if hit:
                return True
        elif isinstance(anc, ir.If):
            names = memo.get(id(anc))
            if names is None:
                names = memo[id(anc)] = tuple(
                    a.value for e in ir.walk_expr(anc.test)
                    if isinstance(e, ir.Call) and ir.dotted(e.func) in ("hasattr", "getattr")
                    for a in e.args if isinstance(a, ir.Constant))
            tested.extend(names)
    return any(v in attrs for v in tested)


def use_is_guarded_by_test(func, stmt: ir.Stmt, attrs: tuple[str, ...]) -> bool:
    """Is the use under a `hasattr(..., "name")` (or `getattr`) test of one of `attrs`?"""
    return any(isinstance(anc, ir.If) and any(
        isinstance(e, ir.Call) and ir.dotted(e.func) in ("hasattr", "getattr")
        and any(isinstance(a, ir.Constant) and a.value in attrs for a in e.args)
        for e in ir.walk_expr(anc.test)) for anc in func.ancestors(stmt))


@per_graph  # EPDD002 and EPDD006 each ask it for every call site of the project
def member_symbols(graph, site) -> list[str]:
    """Catalog paths of a method call on an instance (or class) of a project class derived from an
    external class: `obj.model_dump()` -> `pydantic.BaseModel().model_dump`, `M.model_validate(...)`
    -> `pydantic.BaseModel.model_validate`; and direct external attribute calls (`pydantic.X()`)."""
    fn = site.call.func
    if not isinstance(fn, ir.Attribute):
        return []
    out: list[str] = []
    vals = set(graph.shallow.values(fn.value, site.func, site.stmt))
    if isinstance(fn.value, ir.Name):
        for p in site.func.params:  # a parameter annotated with a project class
            if p.name == fn.value.id and p.annotation is not None:
                ann = ir.unwrap_type(p.annotation)
                for c in graph.shallow.values(ann, site.func.module.toplevel, None):
                    if isinstance(c, ClassRef):
                        vals.add(Instance(c.qualname))
    for v in vals:
        if isinstance(v, Instance) and v.qualname in graph.classes:
            out.extend(f"{b}().{fn.attr}" for b in graph.external_bases(v.qualname))
        elif isinstance(v, ClassRef) and v.qualname in graph.classes:
            out.extend(f"{b}.{fn.attr}" for b in graph.external_bases(v.qualname))
        elif isinstance(v, ExtRef) and "(" not in v.path:
            out.append(f"{v.path}.{fn.attr}")
        elif isinstance(v, ExtRef) and not constructor_unavailable(graph, site.func.path, v.path):
            out.append(f"{v.path}.{fn.attr}")  # a method of an SDK object: `client.messages.create`
    return out


def constructor_unavailable(graph, path: str, instance_path: str) -> bool:
    """Is the class that made this external object (`anthropic.Anthropic` of
    `anthropic.Anthropic().messages`) itself outside the versions a fresh install gets: by the
    catalog, or a callable the newest admitted release lacks (`pettingzoo.utils.agent_selector`,
    only a module from 1.25: EPDD006 reports where it is made)? Then its import or construction
    is the finding, not each of its method calls."""
    made = instance_path.split("(", 1)[0]
    return api_unavailable(graph, path, made) is not None or \
        ("(" in instance_path and range_gap(graph, path, made, True) is not None)
