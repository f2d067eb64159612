"""Tool schemas a project's own decorator builds from a function's signature, applied to a method:
the decorator runs on the function object in the class body, before any instance exists, so
`inspect.signature(func)` lists `self` and the schema offers the model a `self` parameter (which it
must fill and the bound call then receives twice)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef, FuncRef
from agentable.query.facts import per_graph

_RECEIVERS = ("self", "cls")
_SCHEMA_KEYS = frozenset({"properties", "parameters", "input_schema"})
# what code that drops the receiver reads: `ismethod`, a bound method's `__self__` / `__func__`
_RECEIVER_AWARE = frozenset({"ismethod", "__self__", "__func__", "isfunction"})
_WRAPPERS = frozenset({"staticmethod", "classmethod", "property"})


@dataclass(frozen=True)
class ReceiverInSchema:
    method: FunctionInfo   # the decorated method
    decorator: FunctionInfo  # the function that reads its signature into a schema
    receiver: str


def _keeps_receiver(g: ProjectGraph, func: FunctionInfo, param: str, readers: tuple[str, ...]) -> bool:
    """Does `func` read `param`'s signature into a schema and keep every parameter? (A string
    `"self"`/`"cls"`, a slice from 1 or a bound-method test anywhere in it drops the receiver.)"""
    reads = schema = False
    for e, s in func.expr_walk:
        if isinstance(e, ir.Constant) and isinstance(e.value, str):
            schema = schema or e.value in _SCHEMA_KEYS
        elif isinstance(e, ir.Call) and e.args and isinstance(e.args[0], ir.Name) and e.args[0].id == param \
                and any(isinstance(v, ExtRef) and v.path in readers for v in g.values(e.func, func, s)):
            reads = True
    if not (reads and schema):
        return False
    scope: Optional[FunctionInfo] = func
    while scope is not None:  # the decorator factory around it may set up the exclusion (`exclude.add("self")`)
        if _drops_receiver(scope):
            return False
        scope = scope.parent
    return True


def _drops_receiver(func: FunctionInfo) -> bool:
    """A string `"self"`/`"cls"`, a slice from 1 or a bound-method test: code that leaves the receiver out."""
    for e, _ in func.expr_walk:
        if isinstance(e, ir.Constant) and e.value in _RECEIVERS:
            return True
        if isinstance(e, ir.Slice) and e.parts and isinstance(e.parts[0], ir.Constant) and e.parts[0].value == 1:
            return True
        if (isinstance(e, ir.Attribute) and e.attr in _RECEIVER_AWARE) or (
                isinstance(e, ir.Name) and e.id in _RECEIVER_AWARE):
            return True
    return False


def _schema_decorator(g: ProjectGraph, dec: ir.Expr, site: FunctionInfo, readers: tuple[str, ...]
                      ) -> Optional[FunctionInfo]:
    """The project function behind a decorator (`@tool`, or the function a factory `@tool(...)`
    returns) that reads the decorated function's signature into a schema, keeping the receiver."""
    target = dec.func if isinstance(dec, ir.Call) else dec
    for v in g.values(target, site):
        if not isinstance(v, FuncRef) or v.qualname not in g.functions:
            continue
        f = g.functions[v.qualname]
        cands = [f] if not isinstance(dec, ir.Call) else list(f.nested.values())
        for c in cands:
            params = [p.name for p in c.node.params] if c.node is not None else []
            if params and _keeps_receiver(g, c, params[0], readers):
                return c
    return None


@per_graph
def receivers_in_schemas(g: ProjectGraph) -> list[ReceiverInSchema]:
    readers = tuple(g.catalog.own_function_tools.get("signature_readers", ()))
    out: list[ReceiverInSchema] = []
    for f in g.functions.values():
        node = f.node
        if node is None or f.cls is None or not node.decorators or not node.params or g.is_test_code(f.path):
            continue
        receiver = node.params[0].name
        if receiver not in _RECEIVERS or any(ir.dotted(d) in _WRAPPERS for d in node.decorators):
            continue
        scope = f.parent or f.module.toplevel
        for dec in node.decorators:
            found = _schema_decorator(g, dec, scope, readers)
            if found is not None:
                out.append(ReceiverInSchema(f, found, receiver))
                break
    return out

