"""Schema generators that add one kind of parameters only inside the branch for another kind:

    if len(api["required_parameters"]) > 0:
        for p in api["required_parameters"]: schema["properties"][p["name"]] = ...
        for p in api["optional_parameters"]: schema["properties"][p["name"]] = ...   # indented one level too deep

An API with optional parameters and no required one is offered with no parameters at all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.facts import per_graph

_PROPERTIES = "properties"  # the JSON Schema key the loops fill


@dataclass(frozen=True)
class BranchedParameters:
    path: str
    branch: ir.If      # the `if` that tests the first kind
    tested: str        # the key its test reads ("required_parameters")
    loop: ir.For       # the loop over the other kind, inside that branch
    other: str         # the key it iterates ("optional_parameters")


def _keys_read(e: Optional[ir.Expr]) -> set[str]:
    """The constant keys an expression reads: `x["k"]`, `x.get("k")`, `"k" in x`."""
    out: set[str] = set()
    for sub in ir.walk_expr(e):
        if isinstance(sub, ir.Subscript):
            k = ir.string_value(sub.index)
            out |= {k} if k else set()
        elif isinstance(sub, ir.Call) and isinstance(sub.func, ir.Attribute) and sub.func.attr == "get" and sub.args:
            k = ir.string_value(sub.args[0])
            out |= {k} if k else set()
        elif isinstance(sub, ir.Compare) and any(op in ("in", "not in") for op in sub.ops):
            k = ir.string_value(sub.left)
            out |= {k} if k else set()
    return out


def _iterated_key(loop: ir.For) -> Optional[str]:
    keys = _keys_read(loop.iter)
    return next(iter(keys)) if len(keys) == 1 else None


def _fills_properties(loop: ir.For) -> bool:
    """Does the loop store into a `...["properties"][name]` chain?"""
    for s in ir.walk_stmts(loop.body):
        if isinstance(s, ir.Assign):
            for t in s.targets:
                if isinstance(t, ir.Subscript) and _PROPERTIES in _keys_read(t.value):
                    return True
    return False


def _in_function(func: FunctionInfo) -> Iterator[BranchedParameters]:
    body = func.node.body if func.node is not None else []
    loops_by_key: dict[str, int] = {}
    for s in ir.walk_stmts(body):
        if isinstance(s, ir.For) and _fills_properties(s):
            k = _iterated_key(s)
            if k:
                loops_by_key[k] = loops_by_key.get(k, 0) + 1
    for s in ir.walk_stmts(body):
        if not isinstance(s, ir.If):
            continue
        tested = _keys_read(s.test)
        loops = [(st, _iterated_key(st)) for st in s.body if isinstance(st, ir.For) and _fills_properties(st)]
        firsts = [k for _, k in loops if k in tested]
        for loop, k in loops:
            # the other kind is iterated only here, and the branch does not test it
            if firsts and k and k not in tested and loops_by_key.get(k) == 1:
                yield BranchedParameters(func.path, s, firsts[0], loop, k)


@per_graph
def branched_parameters(g: ProjectGraph) -> list[BranchedParameters]:
    out: list[BranchedParameters] = []
    for func in g.functions.values():
        if func.node is None or g.is_test_code(func.path):
            continue
        if _PROPERTIES not in {ir.string_value(e) for e, _ in func.walk(ir.Constant)}:
            continue
        out.extend(_in_function(func))
    return out
