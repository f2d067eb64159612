"""Model-output derivation: which model reply (or structure parsed from it) a value is computed from,
following items, fields, data methods, parsers, local assignments and LangGraph state channels."""

from __future__ import annotations

from typing import Optional, Union

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.resolve import PARSERS
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef, LLMOutput, Parsed, Value, ordered
from agentable.query.facts import EvalAt
from agentable.query.graph_state import graph_nodes, returned_update, state_channel_read


def stmt_of(g: ProjectGraph, func: FunctionInfo, expr: ir.Expr) -> Optional[ir.Stmt]:
    """The statement of `func` (not of a nested def) whose own expressions contain `expr`, from an
    index of `func`'s expressions of that class built once per graph (a walk per ask was the
    costliest part of model_derived on large repositories)."""
    key = (stmt_of, id(func), expr.__class__)
    index: Optional[dict[int, ir.Stmt]] = g.facts.get(key)  # type: ignore[assignment]
    if index is None:
        index = {}
        for e, s in func.walk(expr.__class__):
            index.setdefault(id(e), s)  # the first statement, as a walk would find
        g.facts[key] = index
    return index.get(id(expr))


def model_derived(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt,
                  depth: int = 3, _steps: int = 9) -> Optional[Union[LLMOutput, Parsed]]:
    """See `_model_derived`. Kept per graph by its arguments, except while a state channel read is
    being followed (`_ACTIVE`): then an answer depends on which reads are in progress."""
    if e is None:
        return None
    if _ACTIVE:
        return _model_derived(g, e, func, stmt, depth, _steps)
    memo: Optional[dict[tuple[int, ...], Optional[Union[LLMOutput, Parsed]]]] = g.facts.get(model_derived)  # type: ignore[assignment]
    if memo is None:
        memo = {}
        g.facts[model_derived] = memo
    key = (id(e), id(func), id(stmt), depth, _steps)
    if key not in memo:
        memo[key] = _model_derived(g, e, func, stmt, depth, _steps)
    return memo[key]


def _model_derived(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt,
                   depth: int, _steps: int) -> Optional[Union[LLMOutput, Parsed]]:
    """The model output that `e` is computed from, or None: the response or its text (any field,
    e.g. `tool_call.function.name`, `block.name`), a structure parsed from it, or text extracted from
    it by a regex or string operation (`re.search(r"Action: (.*)", text).group(1).strip()`), an
    item of a structure parsed from such extracted text (`json.loads(m.group(1))["tool"]`), and what
    a graph node reads from a state channel its graph's nodes fill with model replies
    (`state["messages"][-1].tool_calls`, query.graph_state). Values validated by a schema
    (structured output, pydantic) do not count."""
    if e is None:
        return None
    vals = g.values(e, func, stmt)
    outputs = [v for v in vals if isinstance(v, LLMOutput) or (isinstance(v, Parsed) and not v.validated)]
    if outputs:
        return min(outputs, key=_output_order)
    if depth <= 0:
        return None
    if _steps > 0:
        channel = state_channel_read(g, e, func)
        if channel is not None:  # a graph node reading what the graph's nodes returned under this key
            return channel_model_output(g, func, channel)
        if not any(isinstance(v, ExtRef) and not _typed_read(v) for v in vals):
            return _derived_through_structure(g, e, func, stmt, depth, _steps - 1)
    for v in sorted((v for v in vals if isinstance(v, ExtRef)), key=_ext_order):
        if v.site is not None:
            path, call = v.site
            owner = g.function_of(path, call.pos)
            if owner is None:
                continue
            st = stmt_of(g, owner, call)
            subs: list[ir.Expr] = list(call.args) + [kw.value for kw in call.keywords]
            if isinstance(call.func, ir.Attribute):
                subs.insert(0, call.func.value)
            for sub in subs:
                hit = model_derived(g, sub, owner, st, depth - 1)
                if hit is not None:
                    return hit
    return None


def _typed_read(v: ExtRef) -> bool:
    """An item read from a typed dict (a graph state declared as a TypedDict: `state.get("k")`),
    which says nothing about what was stored under the key."""
    return v.path.endswith("TypedDict().get()")


# Methods whose result is still the receiver's data: a dict item (`action.get("tool")`) or the
# receiver's text (`name.strip()`).
_DATA_METHODS = frozenset({"get", "pop", "strip", "lstrip", "rstrip", "lower", "upper", "casefold", "replace"})


def _derived_through_structure(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt, depth: int,
                               steps: int) -> Optional[Union[LLMOutput, Parsed]]:
    """model_derived for a value the resolver keeps only as a type: text the resolver does not
    follow (a regex group of the reply) parsed into a structure (`action = json.loads(m.group(1))`)
    and read by item (`action["tool"]`, `action.get("tool")`), and a graph node's read of a state
    channel its graph's nodes fill with model replies (`state["messages"][-1].tool_calls`).
    Follows the expression back through items, fields, data methods, parser calls and the local
    assignments and loop variables of names."""
    if isinstance(e, ir.Subscript) and not isinstance(e.index, ir.Slice):
        return model_derived(g, e.value, func, stmt, depth, steps)
    if isinstance(e, ir.Attribute):  # a field of a message (`last.tool_calls`)
        return model_derived(g, e.value, func, stmt, depth, steps)
    if isinstance(e, ir.Comp) and e.kind != "dict":
        # a list filtered from the reply (`[i for i in resp.output if i.type == "function_call"]`):
        # its elements are what the comprehension yields
        return model_derived(g, e.elt, func, stmt, depth, steps)
    if isinstance(e, ir.Call):
        f = e.func
        if isinstance(f, ir.Attribute) and f.attr in _DATA_METHODS:
            return model_derived(g, f.value, func, stmt, depth, steps)
        parser = next((PARSERS[v.path] for v in ordered(g.values(f, func, stmt))
                       if isinstance(v, ExtRef) and v.path in PARSERS), None)
        if parser is not None and e.args:
            src = model_derived(g, e.args[0], func, stmt, depth, steps)
            if isinstance(src, LLMOutput):
                return Parsed(src.with_step((func.path, e.pos, f"parsed with {parser}")), parser)
            return src
        return None
    if isinstance(e, ir.Name) and stmt is not None and e.id not in func.globals_declared:
        bound = func.comp_names.get(id(e))  # a comprehension's loop variable (indexed by cpg.structure)
        if bound is not None and isinstance(bound[0], ir.Name):
            # `[run(call["name"]) for call in msg.tool_calls]`: an element of what it iterates
            return model_derived(g, bound[1], func, stmt, depth, steps)
        for d in g.resolver.local_defs(func, e.id, stmt):
            # an assigned value, or an element of an iterated one (`for call in msg.tool_calls`); not an
            # unpacked one: `tool, arg = m.groups()` may come from a regex whose group lists the tools
            if d.how in ("assign", "walrus", "iter") and d.value is not None and d.value is not e:
                hit = model_derived(g, d.value, func, d.stmt, depth, steps)
                if hit is not None:
                    return hit
    return None


# A value set is a frozenset whose order follows hashes of object ids, which differ from run to run:
# when several model outputs reach an expression, pick one by content so every run reports the
# same one (the longest derivation, i.e. the most detailed flow, then by position).
def _output_order(v: Union[LLMOutput, Parsed]) -> tuple:
    src = v.source if isinstance(v, Parsed) else v
    steps = tuple((path, pos, msg) for path, pos, msg in src.steps)
    parsed = (1, v.how) if isinstance(v, Parsed) else (0, "")
    return (-len(steps), steps, src.site[0], src.site[1].pos, src.text, parsed)


def _ext_order(v: Value) -> tuple:
    site = getattr(v, "site", None)
    where = (site[0], site[1].pos) if site is not None else ("", (0, 0, 0, 0))
    return (where, getattr(v, "path", ""))


_ACTIVE: set[tuple[int, str, str]] = set()  # channel reads being resolved (a node re-returning its input)


def channel_model_output(g: ProjectGraph, func: FunctionInfo, key: str) -> Optional[Union[LLMOutput, Parsed]]:
    """The model output a node of the graph `func` belongs to returns under state channel `key`
    (`return {"messages": [llm.invoke(...)]}`): what `func` reads from `state[key]`."""
    nodes = graph_nodes(g)
    for builder in nodes.graphs_of.get(func.qualname, ()):
        mark = (id(g), str(builder), key)
        if mark in _ACTIVE:
            continue
        _ACTIVE.add(mark)
        try:
            for node in nodes.nodes.get(builder, ()):
                for r in node.returns:
                    update = returned_update(r.value)
                    value = update.get(key) if update is not None else None
                    if value is None:
                        continue
                    for item in (value.elts if isinstance(value, ir.Seq) else [value]):
                        hit = model_derived(g, item, node, r)
                        if isinstance(hit, LLMOutput):
                            return hit.with_step((func.path, func.node.pos if func.node else r.pos,
                                                  f"read back from the graph state's `{key}` channel"))
                        if hit is not None:
                            return hit
        finally:
            _ACTIVE.discard(mark)
    return None
