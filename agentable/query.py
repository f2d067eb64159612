"""The query library: reusable predicates over the project graph that keep rules short.

Rules ask questions such as "does this value come from an LLM call?" or "is this statement
protected by a handler, here or in every caller?"; the answers live here, once.
"""

from __future__ import annotations

from typing import Iterable, Optional, Union

from agentable.cpg import ir
from agentable.cpg.flow import EXIT, locally_protected
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import Const, LLMOutput, Parsed, Typed, Value
from agentable.findings import FlowStep

# ----------------------------------------------------------------------------- LLM output


def llm_outputs(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, *, text_only: bool = True) -> list[LLMOutput]:
    """LLM outputs that `e` may evaluate to (the generated text, or also raw responses)."""
    out: list[LLMOutput] = []
    for v in g.values(e, func, stmt):
        if isinstance(v, LLMOutput) and (v.text or not text_only):
            out.append(v)
    return sorted(out, key=lambda v: (len(v.steps), v.site[0], v.site[1].pos))


def parsed_outputs(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> list[Parsed]:
    return [v for v in g.values(e, func, stmt) if isinstance(v, Parsed) and not v.validated]


def flow_steps(g: ProjectGraph, value: Union[LLMOutput, Parsed], last: Optional[tuple[str, ir.Pos, str]] = None) -> tuple[FlowStep, ...]:
    """A value's data-flow path as FlowSteps (for messages and SARIF codeFlows)."""
    src = value.source if isinstance(value, Parsed) else value
    steps = list(src.steps)
    if last is not None:
        steps.append(last)
    out: list[FlowStep] = []
    seen: set[tuple[str, int]] = set()
    for path, pos, msg in steps:
        key = (path, pos[0])
        if key in seen:
            continue
        seen.add(key)
        out.append(FlowStep(g.span(path, pos), msg))
    return tuple(out)


# ----------------------------------------------------------------------------- fault tolerance


def is_protected(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...], depth: int = 4,
                 _seen: Optional[set[str]] = None) -> bool:
    """Is `stmt` inside a try that catches one of `raised`, in this function or (for every call
    path) in its callers? Functions nobody in the project calls count as unprotected."""
    if locally_protected(func, stmt, raised) is not None:
        return True
    if depth <= 0 or func.is_module:
        return False
    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return False
    seen.add(func.qualname)
    callers = g.callers(func)
    if not callers:
        return False
    return all(is_protected(g, site.func, site.stmt, raised, depth - 1, seen) for site in callers)


def protecting_handler_names(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt) -> list[str]:
    from agentable.cpg.flow import enclosing_handlers, handler_type_names

    names: list[str] = []
    for h in enclosing_handlers(func, stmt):
        names.extend(handler_type_names(h) or ["<bare except>"])
    return names


# ----------------------------------------------------------------------------- checks before use


def _names_in(e: ir.Expr) -> set[str]:
    out: set[str] = set()
    for x in ir.walk_expr(e):
        d = ir.dotted(x)
        if d:
            out.add(d)
    return out


def _exits(block: list[ir.Stmt]) -> bool:
    return bool(block) and (isinstance(block[-1], (ir.Return, ir.Raise)) or
                            (isinstance(block[-1], ir.Simple) and block[-1].kind in ("continue", "break")))


def checked_before(func: FunctionInfo, stmt: ir.Stmt, name: str) -> bool:
    """Is `name` tested before `stmt` runs: an enclosing `if`/`while` whose test mentions it, an
    earlier `if not name: return/raise/continue`, an `assert name`, or a walrus in the test."""
    child: object = stmt
    for anc in func.ancestors(stmt):
        if isinstance(anc, (ir.If, ir.While)) and name in _names_in(anc.test):
            return True
        block = _block_containing(anc, child)
        if block is not None and _guard_in_prefix(block, child, name):
            return True
        child = anc
    return _guard_in_prefix(func.body, child, name)


def _block_containing(anc: object, child: object) -> Optional[list[ir.Stmt]]:
    blocks: list[list[ir.Stmt]] = []
    if isinstance(anc, ir.Handler):
        blocks = [anc.body]
    elif isinstance(anc, ir.Stmt):
        blocks = ir.child_blocks(anc)
        if isinstance(anc, (ir.FunctionDef, ir.ClassDef)):
            blocks = [anc.body]
    for b in blocks:
        if any(s is child for s in b):
            return b
    return None


def _guard_in_prefix(block: list[ir.Stmt], child: object, name: str) -> bool:
    for s in block:
        if s is child:
            return False
        if isinstance(s, ir.If) and name in _names_in(s.test) and (_exits(s.body) or _exits(s.orelse)):
            return True
        if isinstance(s, ir.Simple) and s.kind == "assert" and s.exprs and name in _names_in(s.exprs[0]):
            return True
    return False


# ----------------------------------------------------------------------------- returns


def implicit_none_exits(g: ProjectGraph, func: FunctionInfo) -> list[object]:
    """Statements after which control falls off the end of the function (returning None)."""
    if func.node is None:
        return []
    cfg = g.reaching(func).cfg
    return [p for p in cfg.predecessors(EXIT) if not isinstance(p, (ir.Return, ir.Raise))]


def bare_returns(func: FunctionInfo) -> list[ir.Return]:
    return [r for r in func.returns if r.value is None or (isinstance(r.value, ir.Constant) and r.value.value is None)]


def value_kinds(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> set[str]:
    """Coarse Python types an expression may have: str, dict, list, none, int, generator, …"""
    kinds: set[str] = set()
    for v in g.values(e, func, stmt):
        kinds.add(value_kind(v))
    return kinds


def value_kind(v: Value) -> str:
    if isinstance(v, Const):
        if v.value is None:
            return "none"
        return type(v.value).__name__
    if isinstance(v, Typed):
        return v.kind
    if isinstance(v, LLMOutput):
        return "str" if v.text else "response"
    return "unknown"


# ----------------------------------------------------------------------------- misc


def call_sites(g: ProjectGraph, funcs: Iterable[FunctionInfo]) -> Iterable[CallSite]:
    for f in funcs:
        yield from f.calls


def strings_in(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, depth: int = 4) -> list[str]:
    """Literal text that flows into an expression: literals, f-string parts, `.format()`
    templates, `+` operands, list/dict literals and named constants (prompts, stop lists)."""
    out: list[str] = []
    _strings(g, e, func, stmt, depth, out, set())
    return out


def _strings(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, depth: int, out: list[str], seen: set[int]) -> None:
    if e is None or depth < 0 or id(e) in seen:
        return
    seen.add(id(e))
    if isinstance(e, ir.Constant) and isinstance(e.value, str):
        out.append(e.value)
    elif isinstance(e, ir.FString):
        out.append(e.literal_text())
        for p in e.parts:
            if not isinstance(p, str):
                _strings(g, p, func, stmt, depth - 1, out, seen)
    elif isinstance(e, (ir.Concat,)):
        for p in e.parts:
            _strings(g, p, func, stmt, depth, out, seen)
    elif isinstance(e, ir.BinOp):
        _strings(g, e.left, func, stmt, depth, out, seen)
        _strings(g, e.right, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Seq):
        for x in e.elts:
            _strings(g, x, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Dict):
        for k, v in zip(e.keys, e.values):
            if isinstance(k, ir.Constant) and k.value in ("role", "type", "name"):
                continue
            _strings(g, v, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Call):
        if isinstance(e.func, ir.Attribute) and e.func.attr in ("format", "join", "format_map", "strip", "replace"):
            _strings(g, e.func.value, func, stmt, depth - 1, out, seen)
        for a in e.args:
            _strings(g, a, func, stmt, depth - 1, out, seen)
        for kw in e.keywords:
            _strings(g, kw.value, func, stmt, depth - 1, out, seen)
    elif isinstance(e, ir.Name):
        defs = g.resolver.local_defs(func, e.id, stmt)
        owner = func
        if not defs:
            owner = func.module.toplevel
            defs = owner.defs.get(e.id, [])
        for d in defs:
            if d.how in ("assign", "walrus") and d.value is not None:
                _strings(g, d.value, owner, d.stmt, depth - 1, out, seen)
            elif d.how == "import":
                for v in g.values(e, func, stmt):
                    if isinstance(v, Const) and isinstance(v.value, str):
                        out.append(v.value)
    elif isinstance(e, ir.Attribute):
        for v in g.values(e, func, stmt):
            if isinstance(v, Const) and isinstance(v.value, str):
                out.append(v.value)
