"""Fault tolerance of model calls (MNFT010): how many times the client re-sends a failed request
by itself (catalog `[[retry_default]]`, a `max_retries` setting, a framework model's default or a
`with_retry` binder), and the chain of callers up to an entry point along which nothing catches
the error (a try here or in a caller, a retry decorator)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.catalog.loader import top_module
from agentable.catalog.specs import LLMCallSpec, ModelErrorsSpec, RetryDefaultSpec
from agentable.cpg import ir
from agentable.cpg.agent_model import LLMCall
from agentable.cpg.flow import enclosing_handlers, exception_catches, handler_catches_any, handler_type_names
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ClassRef, Const, ExtRef, FuncRef
from agentable.query.facts import per_graph
from agentable.query.guards import HandlerTest, decorated_with_retry, decorator_values, registered_function
from agentable.query.tool_failures import handler_reraises
from agentable.query.versions import VersionSource, version_source, versions_disjoint


@dataclass(frozen=True)
class Retries:
    """The automatic retries of one model call: `count`, and where it comes from (`why`)."""

    count: int
    why: str  # "openai<1.0 sends it once, with no retry" / "`max_retries=0` at agent.py:12"
    declared: Optional[VersionSource] = None  # the SDK version that picked the catalog row


def call_retries(g: ProjectGraph, call: LLMCall) -> Optional[Retries]:
    """How many times `call` is re-sent by the client when it fails; None when not known (no
    catalog row, a setting that is not a literal, rows that disagree over the declared versions)
    or when the call form does not exist in the declared SDK version (another failure: LARD001)."""
    spec = call.spec
    binders = getattr(spec, "retry_binders", ())
    for _, bind in call.binds:
        if isinstance(bind.func, ir.Attribute) and bind.func.attr in binders:
            return Retries(1, f"`.{bind.func.attr}()` re-sends it")
    setting = call.setting("max_retries")
    if setting is not None:
        values = g.values(setting.expr, setting.func, setting.stmt)
        counts = {v.value for v in values if isinstance(v, Const) and isinstance(v.value, int)}
        if len(counts) != 1 or len(values) != 1:
            return None
        n = counts.pop()
        return Retries(n, f"`max_retries={n}` at {setting.path}:{setting.expr.pos[0]}")
    if not isinstance(spec, LLMCallSpec):
        default = getattr(spec, "defaults", {}).get("max_retries")
        if not isinstance(default, int):
            return None
        return Retries(default, f"`{call.path.split('(')[0]}` re-sends a failed request {default} times by default")
    return _default_retries(g, call, spec)


def _default_retries(g: ProjectGraph, call: LLMCall, spec: LLMCallSpec) -> Optional[Retries]:
    root = top_module(call.path)
    # a row names the import root (`openai`) or a package under it (`google.genai`, not every `google.*`)
    rows = [r for r in g.catalog.retry_defaults if any(call.path.startswith(m + ".") for m in r.modules)]
    if spec.available:
        rows = [r for r in rows if not (r.versions and versions_disjoint(r.versions, spec.available))]
    declared: Optional[VersionSource] = None
    sdk = next((r.sdk for r in rows if r.sdk), None)
    if sdk is not None:
        declared = version_source(g, call.func.path, sdk)
        if declared is not None:
            if spec.available and declared.excludes(spec.available):
                return None  # the call form is not in the installed SDK: it fails another way
            rows = [r for r in rows if not (r.versions and declared.excludes(r.versions))]
    counts = {r.retries for r in rows}
    if len(counts) != 1:
        return None
    row = rows[0]
    return Retries(row.retries, _row_text(row, root), declared)


def _row_text(row: RetryDefaultSpec, root: str) -> str:
    name = f"{row.sdk}{row.versions or ''}" if row.sdk else f"`{root}`"
    return f"{name} re-sends a failed request {row.retries} times" if row.retries else f"{name} sends it once, with no retry"


@dataclass(frozen=True)
class Unguarded:
    """A path from a model call up to an entry point with nothing that catches its error: the
    call sites from the function holding the call to the root (`chain`, innermost first) and the
    root (a function nothing in the project calls, or a module's `<module>` code)."""

    chain: tuple[CallSite, ...]
    root: FunctionInfo


def unguarded_path(g: ProjectGraph, call: LLMCall, depth: int = 8) -> Optional[Unguarded]:
    """A chain of callers from `call` up to an entry point (module code, or a function no project
    code outside tests calls) with no try that catches the SDK's errors and no retry decorator on
    the way; None when every path is guarded, or leads to a function something else runs (a tool,
    a graph node, a handler registered by decorator, a function handed to a call as
    `tools=[f]`/`target=f`, whose runner decides), or is longer than `depth` (not known)."""
    return unguarded_from(g, call.func, call.site.stmt, call.path, depth)


def unguarded_from(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, call_path: str,
                   depth: int = 8) -> Optional[Unguarded]:
    """`unguarded_path` for any call into the library of `call_path` made at `stmt` in `func`."""
    return unguarded_by(g, func, stmt, _model_error_handler(g, call_path), depth)


def unguarded_by(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, catches: HandlerTest,
                 depth: int = 8) -> Optional[Unguarded]:
    """`unguarded_path` for an error that the handlers `catches` accepts would stop."""
    if _caught(g, func, stmt, catches):
        return None
    memo: dict[str, Optional[tuple[CallSite, ...]]] = {}
    framework_run = _framework_run_functions(g)
    chain = _path_up(g, func, catches, depth, memo, framework_run)
    if chain is None:
        return None
    root = chain[-1].func if chain else func
    return Unguarded(chain, root)


def _path_up(g: ProjectGraph, func: FunctionInfo, catches: HandlerTest, depth: int,
             memo: dict[str, Optional[tuple[CallSite, ...]]], framework_run: frozenset[str]) -> Optional[tuple[CallSite, ...]]:
    """The caller sites from `func` to a root with no guard, () when `func` is itself a root."""
    q = func.qualname
    if q in memo:
        return memo[q]
    memo[q] = None  # a cycle is not a path to a root
    if decorated_with_retry(g, func) or _catching_decorator(g, func, catches) or q in framework_run:
        return None
    if func.is_module:
        memo[q] = ()
        return ()
    if registered_function(g, func) or _passed_to_a_call(g, func):
        return None
    callers = g.callers(func)
    if not g.is_test_code(func.path):
        callers = [s for s in callers if not g.is_test_code(s.func.path)]
    # a module's own `if __name__ == "__main__":` block that tries its functions out is not how
    # the rest of the project runs them: when the project calls them elsewhere, those calls count
    app = [s for s in callers if not _self_test_call(s, func)]
    if app:
        callers = app
    if not callers:
        if g.callers(func) or _overrides_project_method(g, func):
            return None  # only tests call it, or it runs through a base class's method (callers not known)
        memo[q] = ()
        return ()
    if depth <= 0:
        return None
    found: Optional[tuple[CallSite, ...]] = None
    for site in callers:
        if _caught(g, site.func, site.stmt, catches):
            continue
        rest = _path_up(g, site.func, catches, depth - 1, memo, framework_run)
        if rest is None:
            continue
        chain = (site, *rest)
        if chain[-1].func.is_module:  # a script's own code: the plainest entry point to cite
            found = chain
            break
        found = found or chain
    memo[q] = found
    return found


def _overrides_project_method(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Is `func` a method that overrides one of a project base class that the project calls
    (`session.stream_turn()` on a `ProviderSession` runs the subclass's)? Those calls reach the
    override, but the call graph stops at the base's method, so "nothing in the project calls it"
    is not known."""
    cls = func.cls
    if cls is None:
        return False
    return any(func.name in base.methods and g.callers(base.methods[func.name])
               for base in g.mro(cls.qualname)[1:])


def _self_test_call(site: CallSite, func: FunctionInfo) -> bool:
    """Is `site` in the `if __name__ == "__main__":` block of the module that defines `func`?"""
    if not site.func.is_module or site.func.path != func.path:
        return False
    return any(isinstance(a, ir.If) and ir.is_main_guard(a.test) for a in site.func.ancestors(site.stmt))


def caught_at(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, call_path: str) -> bool:
    """Does a handler around `stmt` catch the errors of a call into `call_path`'s library?"""
    return _caught(g, func, stmt, _model_error_handler(g, call_path))


def run_by_framework(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Is `func` run by an agent framework (a tool, a graph node), which judges its errors?"""
    return func.qualname in _framework_run_functions(g)


def _caught(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, catches: HandlerTest) -> bool:
    """A handler around `stmt` that catches the error and does not pass it on (a `raise` in its
    body, re-raising or raising another error, still ends the run)."""
    return any(catches(func, stmt, h) and not handler_reraises(h) for h in enclosing_handlers(func, stmt))


def _model_error_handler(g: ProjectGraph, call_path: str) -> HandlerTest:
    """A handler test for the errors of a call into `call_path`'s library: a bare `except`,
    `Exception`/`BaseException`, any class of that library (`openai.error.RateLimitError`,
    `requests.exceptions.Timeout`), or a builtin base of its errors (`OSError` for requests)."""
    cat = g.catalog
    root = top_module(call_path)
    lineage = {b for e in cat.errors_raised_by(call_path) for b in cat.exception_lineage(e)}

    def catches(func: FunctionInfo, stmt: ir.Stmt, h: ir.Handler) -> bool:
        if handler_catches_any(h, ("Exception",)):
            return True
        if any(n in lineage for n in handler_type_names(h)):
            return True
        for t in h.types:
            for v in g.values(t, func, stmt):
                if isinstance(v, ExtRef):
                    p = cat.exception_aliases.get(v.path, v.path)
                    if top_module(p) == root or p in lineage:
                        return True
        return False

    return catches


def _catching_decorator(g: ProjectGraph, func: FunctionInfo, catches: HandlerTest) -> bool:
    """Is `func` wrapped by a decorator of the project that calls it inside a try catching the
    error (a hand-written `@retry_on_rate_limit` or `@log_errors`)?"""
    for v in decorator_values(g, func):
        if not isinstance(v, FuncRef):
            continue
        inner = [f for f in g.functions.values() if f.qualname == v.qualname or f.qualname.startswith(v.qualname + ".")]
        if any(_caught(g, f, s.stmt, catches) for f in inner for s in f.calls):
            return True
    return False


@per_graph
def _framework_run_functions(g: ProjectGraph) -> frozenset[str]:
    """Functions an agent framework runs, which handles (or reports) their errors itself and has
    rules of its own: tool implementations (MNFT002/MNFT005) and state-graph nodes (MNFT008)."""
    out = {t.func.qualname for t in g.agent.tools if t.func is not None}
    for sg in g.agent.state_graphs:
        out.update(f.qualname for f in sg.node_functions)
    return frozenset(out)


def _passed_to_a_call(g: ProjectGraph, func: FunctionInfo) -> bool:
    """Is `func` handed to a call as an argument, alone or in a list, tuple or dict literal
    (`Agent(tools=[f])`, `Thread(target=f)`, `setup(handler)`)? Whoever receives it runs it."""
    return any(isinstance(v, FuncRef) and v.qualname == func.qualname
               for owner, stmt, e in _callable_arguments(g).get(func.name, ())
               for v in g.values(e, owner, stmt))


@per_graph
def _callable_arguments(g: ProjectGraph) -> dict[str, list[tuple[FunctionInfo, ir.Stmt, ir.Expr]]]:
    """Names (and attributes, by their last part) given as call arguments, directly or as elements
    of a literal list, tuple, set or dict: name -> (function, statement, expression)."""
    out: dict[str, list[tuple[FunctionInfo, ir.Stmt, ir.Expr]]] = {}
    for func in g.functions.values():
        for site in func.calls:
            todo = [*site.call.args, *(k.value for k in site.call.keywords)]
            while todo:
                e = todo.pop()
                if isinstance(e, ir.Starred):
                    todo.append(e.value)
                elif isinstance(e, ir.Seq):
                    todo += e.elts
                elif isinstance(e, ir.Dict):
                    todo += e.values
                elif isinstance(e, (ir.Name, ir.Attribute)):
                    out.setdefault(e.id if isinstance(e, ir.Name) else e.attr, []).append((func, site.stmt, e))
    return out


# ---------------------------------------------------------------- transient model errors

def handler_class_kinds(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, h: ir.Handler) -> list[str]:
    """What each class a handler names is, for a model SDK's errors: "all" (a bare `except`,
    `Exception`, `BaseException`), "transient" or "narrow" (catalog `[[model_errors]]`), "builtin"
    (a builtin class no model SDK error derives from: `ValueError`, `KeyError`; the `OSError` family
    is not one, as the errors of `requests` derive from it) or "other" (not known)."""
    if not h.types:
        return ["all"]
    out: list[str] = []
    for t in h.types:
        for e in (t.elts if isinstance(t, ir.Seq) else [t]):
            out.append(_class_kind(g, func, stmt, e))
    return out


def misses_rate_limit(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, handlers: list[ir.Handler]) -> bool:
    """Do the handlers name only model SDK classes (and builtins), some of them transient, none of
    which a rate-limit error is (catalog `rate_limit`): `except openai.error.APIConnectionError`
    alone lets a 429 through."""
    transient = False
    for h in handlers:
        for e in (x for t in h.types for x in (t.elts if isinstance(t, ir.Seq) else [t])):
            kind = _class_kind(g, func, stmt, e)
            if kind == "transient":
                spec, last = _sdk_class(g, func, stmt, e) or (None, "")
                if spec is None or not spec.rate_limit or last in spec.rate_limit:
                    return False
                transient = True
            elif kind not in ("narrow", "builtin"):
                return False  # `Exception`, a bare except, a class not known: it may catch a 429
        if not h.types:
            return False
    return transient


def _sdk_class(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr) -> Optional[tuple[ModelErrorsSpec, str]]:
    """The model SDK (catalog `[[model_errors]]`) a handler's class belongs to, and its last name."""
    path = _class_path(g, func, stmt, e)
    if path is None:
        return None
    root, last = top_module(path), path.rsplit(".", 1)[-1]
    spec = next((s for s in g.catalog.model_errors if root in s.modules), None)
    return (spec, last) if spec is not None else None


def _class_path(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr) -> Optional[str]:
    """The external class a handler names, by its catalog path (a builtin by its name), or None."""
    values = g.values(e, func, stmt)
    if any(isinstance(v, ClassRef) for v in values):
        return None  # a project class
    paths = {v.path for v in values if isinstance(v, ExtRef) and "(" not in v.path}
    if not paths and isinstance(e, ir.Name):
        paths = {e.id}  # a builtin the resolver does not list (`KeyboardInterrupt`)
    return paths.pop() if len(paths) == 1 else None


def _class_kind(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, e: ir.Expr) -> str:
    name = ir.dotted(e) or ""
    if name in ("Exception", "BaseException"):
        return "all"
    path = _class_path(g, func, stmt, e)
    if path is None:
        return "other"
    root, last = top_module(path), path.rsplit(".", 1)[-1]
    for spec in g.catalog.model_errors:
        if root in spec.modules:
            return "transient" if last in spec.transient else "narrow" if last in spec.narrow else "other"
    py = g.catalog.python
    if "." in path and root not in py.stdlib_modules:
        return "other"
    base = py.exception_aliases.get(last, last)
    if base in py.exception_bases and not exception_catches("OSError", base) and not exception_catches(base, "OSError"):
        return "builtin"  # `ValueError`, `json.JSONDecodeError`, `KeyboardInterrupt`
    return "other"


def catches_transient(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, h: ir.Handler) -> bool:
    """May the handler catch a model SDK's rate-limit, connection or timeout error? (A class that
    is not known counts: it may.)"""
    return any(k in ("all", "transient", "other") for k in handler_class_kinds(g, func, stmt, h))


def transient_unguarded(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, depth: int = 8) -> Optional[Unguarded]:
    """`unguarded_path` for a model SDK's transient error (rate limit, dropped connection, timeout)
    raised at `stmt`: a path to an entry point on which no handler may catch one."""
    return unguarded_by(g, func, stmt, lambda f, s, h: catches_transient(g, f, s, h), depth)
