"""Tools described in the prompt by their docstrings: a hand-written (ReAct-style) agent that lists
its tools for the model as text built from each function's `__doc__` (or `inspect.getdoc(fn)`).
The docstring is then all the model learns about the tool, exactly as for a framework that turns a
function into a tool, so these functions are function tools with the docstring as description."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.agent_model import AgentView
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.text_parts import Scoped, call_text_parts
from agentable.cpg.values import ExtRef, FuncRef

# the settings of an LLM call that carry text the model reads
_PROMPT_ROLES = ("messages", "prompt", "system", "input", "instructions")
_DOC_READERS = frozenset({"inspect.getdoc", "pydoc.getdoc"})



def prompt_described_functions(g: CodeGraph, layer: AgentView) -> list[tuple[FunctionInfo, Optional[str]]]:
    """The project functions whose docstring is written into the prompt of an LLM call, each with
    the name the prompt lists it under when that is a dict key (`for name, fn in TOOLS.items()`)."""
    out: dict[str, tuple[FunctionInfo, Optional[str]]] = {}
    for c in layer.llm_calls:
        reads: list[Scoped] = []
        seen: set[int] = set()
        for role in _PROMPT_ROLES:
            s = c.setting(role)
            if s is not None:
                _doc_reads(g, s.expr, s.func, s.stmt, 4, reads, seen)
        for target, func, stmt in reads:
            for impl, name in _functions_of(g, target, func, stmt):
                out.setdefault(impl.qualname, (impl, name))
    return list(out.values())


def _doc_reads(g: CodeGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, depth: int,
               out: list[Scoped], seen: set[int]) -> None:
    """Collect the objects whose docstring flows into `e` (`x.__doc__`, `inspect.getdoc(x)`),
    following the text through names, f-strings, `+`, joins and `.format()`, containers and the
    returns of project helpers. A docstring that is only one alternative (`a or fn.__doc__`,
    `x if c else fn.__doc__`) is not the certain description and is left out."""
    if e is None or depth < 0 or id(e) in seen:
        return
    seen.add(id(e))
    if isinstance(e, ir.Attribute):
        if e.attr == "__doc__":
            out.append((e.value, func, stmt))
    elif isinstance(e, ir.FString):
        for p in e.parts:
            if not isinstance(p, str):
                _doc_reads(g, p, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Concat):
        for p in e.parts:
            _doc_reads(g, p, func, stmt, depth, out, seen)
    elif isinstance(e, ir.BinOp):
        _doc_reads(g, e.left, func, stmt, depth, out, seen)
        _doc_reads(g, e.right, func, stmt, depth, out, seen)
    elif isinstance(e, ir.BoolOp):
        if all(isinstance(v, ir.Constant) or _reads_doc(v) for v in e.values):  # `fn.__doc__ or ""`
            for v in e.values:
                _doc_reads(g, v, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Seq):
        for x in e.elts:
            _doc_reads(g, x, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Dict):
        for v in e.values:
            _doc_reads(g, v, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Comp):
        _doc_reads(g, e.elt, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Call):
        _call_doc_reads(g, e, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Name):
        _name_doc_reads(g, e, func, stmt, depth, out, seen)


def _reads_doc(e: ir.Expr) -> bool:
    return (isinstance(e, ir.Attribute) and e.attr == "__doc__") or (
        isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr == "strip"
        and _reads_doc(e.func.value))


def _call_doc_reads(g: CodeGraph, e: ir.Call, func: FunctionInfo, stmt: object, depth: int,
                    out: list[Scoped], seen: set[int]) -> None:
    callee = {v.path for v in g.values(e.func, func, stmt) if isinstance(v, ExtRef)}
    if callee & _DOC_READERS and e.args:
        out.append((e.args[0], func, stmt))
        return
    for part, owner, at in call_text_parts(g, e, func, stmt, follow_helpers=depth > 0):
        _doc_reads(g, part, owner, at, depth - 1, out, seen)


def _name_doc_reads(g: CodeGraph, e: ir.Name, func: FunctionInfo, stmt: object, depth: int,
                    out: list[Scoped], seen: set[int]) -> None:
    owner, defs = g.name_bindings(func, e.id, stmt)
    for d in defs:
        if d.how in ("assign", "walrus", "augassign") and d.value is not None:
            _doc_reads(g, d.value, owner, d.stmt, depth - 1, out, seen)
    # text collected into a list the prompt is joined from: `lines.append(f"{n}: {fn.__doc__}")`
    for site in owner.calls:
        f = site.call.func
        if isinstance(f, ir.Attribute) and f.attr in ("append", "extend", "insert") and isinstance(f.value, ir.Name) \
                and f.value.id == e.id:
            for a in site.call.args:
                _doc_reads(g, a, owner, site.stmt, depth - 1, out, seen)


def _functions_of(g: CodeGraph, target: ir.Expr, func: FunctionInfo, stmt: object) -> list[tuple[FunctionInfo, Optional[str]]]:
    """The project functions an expression whose docstring is read may be, with their dict key:
    the expression's own function values, or for the loop variable of a comprehension or `for`
    over a dict's `.items()` / `.values()` or a list, that container's function entries."""
    direct = [g.functions[v.qualname] for v in g.values(target, func, stmt)
              if isinstance(v, FuncRef) and v.qualname in g.functions]
    if direct:
        return [(f, None) for f in direct if f.node is not None]
    iterable = _loop_iterable(g, target, func, stmt)
    if iterable is None:
        return []
    out: list[tuple[FunctionInfo, Optional[str]]] = []
    container, keyed = iterable, False
    if isinstance(iterable, ir.Call) and isinstance(iterable.func, ir.Attribute) and not iterable.args \
            and iterable.func.attr in ("items", "values"):
        container, keyed = iterable.func.value, iterable.func.attr == "items"
    for mapping in g.literal_mappings(container, func, stmt, g.resolver):
        for key, vs in mapping.items():
            for v in vs:
                if isinstance(v, FuncRef) and v.qualname in g.functions and g.functions[v.qualname].node is not None:
                    out.append((g.functions[v.qualname], key if keyed and isinstance(key, str) else None))
    if container is iterable:
        for elts in g.literal_containers(container, func, stmt, g.resolver):
            for vs in elts:
                for v in vs:
                    if isinstance(v, FuncRef) and v.qualname in g.functions and g.functions[v.qualname].node is not None:
                        out.append((g.functions[v.qualname], None))
    return out


def _loop_iterable(g: CodeGraph, target: ir.Expr, func: FunctionInfo, stmt: object) -> Optional[ir.Expr]:
    """What the loop variable `target` iterates over: a comprehension's iterable or a `for` loop's."""
    if not isinstance(target, ir.Name):
        return None
    comp = func.comp_names.get(id(target))
    if comp is not None:
        return comp[1]
    _owner, defs = g.name_bindings(func, target.id, stmt)
    iters = [d.value for d in defs if d.how == "iter" and d.value is not None]
    return iters[0] if len(iters) == 1 else None
