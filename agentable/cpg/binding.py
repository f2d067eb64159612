"""Binding a call's arguments to a function's parameters: which argument binds a parameter, which
parameter is a method's receiver, and whether a function's result depends on its arguments
(then the resolver binds them per call site instead of joining every caller's).

Why apart from `resolve`: these read the IR and the structure only, and other modules (queries,
tools) ask them too without needing the resolver.
"""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.structure import FunctionInfo


def param_index(func: FunctionInfo, name: str) -> Optional[int]:
    """The position of the parameter `name` in the function's parameter list, or None."""
    return next((i for i, p in enumerate(func.params) if p.name == name), None)


def explicit_param_index(func: FunctionInfo, name: str) -> Optional[tuple[int, int]]:
    """(position in the parameter list, position among a call's arguments) of the parameter
    `name`, or None when it is absent or is the receiver a bound method's call does not pass."""
    idx = param_index(func, name)
    offset = 1 if func.cls is not None and not is_staticmethod(func) else 0
    return None if idx is None or idx < offset else (idx, idx - offset)


def self_param(func: FunctionInfo) -> Optional[str]:
    """The name of a method's receiver parameter (None for functions, static and class methods)."""
    if func.cls is None or not func.params or func.params[0].kind not in ("normal", "posonly"):
        return None
    if is_staticmethod(func) or is_classmethod(func):
        return None
    return func.params[0].name


def passes_through_param(func: FunctionInfo) -> bool:
    """Does the function return a parameter, or the result of calling one (directly or via a
    local variable)? Then its result depends on what each caller passes."""
    if func.passes_through is not None:
        return func.passes_through
    params = {p.name for p in func.params}
    if func.cls is not None and func.params:
        params.discard(func.params[0].name)

    def rooted_in_param(e: Optional[ir.Expr], depth: int = 0) -> bool:
        while isinstance(e, (ir.Call, ir.Await, ir.Attribute)):
            e = e.func if isinstance(e, ir.Call) else e.value
        if isinstance(e, ir.Name):
            if e.id in params:
                return True
            if depth < 2:
                for d in func.defs.get(e.id, []):
                    if d.how == "assign" and rooted_in_param(d.value, depth + 1):
                        return True
        return False

    func.passes_through = bool(params) and any(rooted_in_param(r.value) for r in func.returns if r.value is not None)
    return func.passes_through


def lookup_key_param(func: FunctionInfo) -> Optional[ir.Param]:
    """The parameter a getter looks its result up by (`def fetch(name): return session[name]`, or
    `store.get(name)`): what it returns depends on the key each caller names. None otherwise."""
    names = {p.name for p in func.params}
    if func.cls is not None and func.params:
        names.discard(func.params[0].name)
    for r in func.returns:
        e = r.value
        key = e.index if isinstance(e, ir.Subscript) else (
            e.args[0] if isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr == "get"
            and e.args else None)
        if isinstance(key, ir.Name) and key.id in names and len(func.defs.get(key.id, ())) == 1:
            return next(p for p in func.params if p.name == key.id)
    return None


def argument_for(call: ir.Call, param: ir.Param, index: int) -> Optional[ir.Expr]:
    """The argument expression that binds `param` (at positional `index`) at this call."""
    kw = call.kwarg(param.name)
    if kw is not None:
        return kw
    if param.kind in ("normal", "posonly") and 0 <= index < len(call.args):
        arg = call.args[index]
        if not any(isinstance(a, ir.Starred) for a in call.args[: index + 1]):
            return arg
    return None


def decorator_names(func: FunctionInfo) -> set[str]:
    if func.node is None:
        return set()
    return {ir.dotted(d) or "" for d in func.node.decorators}


def is_staticmethod(func: FunctionInfo) -> bool:
    return "staticmethod" in decorator_names(func)


def is_classmethod(func: FunctionInfo) -> bool:
    return "classmethod" in decorator_names(func)
