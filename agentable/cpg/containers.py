"""Items a list gains after it is made: `self.judges = []` in `__init__`, then
`self.judges.append(Judge(n))` in another method, then `for judge in self.judges: return judge`.
The value resolution reads a container's literal; these are the project objects added to it by a
method call (python.toml `item_adders`), so iterating the list finds the objects put in it and
their methods resolve."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from agentable.catalog import python_facts
from agentable.cpg import ir
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Instance, Value

if TYPE_CHECKING:
    from agentable.cpg.graph_api import ValueResolver

_ADDERS = python_facts().item_adders  # method -> index of the item argument


def appended_items(res: "ValueResolver", e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> set[Value]:
    """The project objects added with `append`/`insert`/`add` to the list `e` (a local name, in its
    function; `self.x`, in every method of the class). Other items are left out: a parsed reply
    appended is most often one whose fields the appending code already read, and what a list of
    functions or text holds is read where it is built."""
    out: set[Value] = set()
    for call, owner, s in _adder_calls(res, e, func):
        idx = _ADDERS[call.func.attr]  # type: ignore[attr-defined]
        if idx < len(call.args):
            out |= {v for v in res.values(call.args[idx], owner, s) if isinstance(v, Instance)}
    return out


def _adder_calls(res: "ValueResolver", e: Optional[ir.Expr], func: FunctionInfo
                 ) -> Iterator[tuple[ir.Call, FunctionInfo, ir.Stmt]]:
    key = _key(e)
    if key is None:
        return
    if key[0] == "self":
        if func.cls is None:
            return
        scopes = [m for cls in res.g.mro(func.cls.qualname) for m in cls.methods.values()]
    else:
        scopes = [func]
    for f in scopes:
        for call, s in f.exprs.get(ir.Call, ()):
            if isinstance(call, ir.Call) and isinstance(call.func, ir.Attribute) and call.func.attr in _ADDERS \
                    and _key(call.func.value) == key:
                yield call, f, s


def _key(e: Optional[ir.Expr]) -> Optional[tuple[str, str]]:
    """("name", x) for a local `x`, ("self", x) for `self.x`, else None."""
    if isinstance(e, ir.Name):
        return ("name", e.id)
    if isinstance(e, ir.Attribute) and isinstance(e.value, ir.Name) and e.value.id == "self":
        return ("self", e.attr)
    return None


def item_store_scopes(func: FunctionInfo, name: str) -> list[FunctionInfo]:
    """The functions whose `name[k] = v` stores fill the dict `name` read in `func`: `func` and its
    module's top level, and, for a module-level dict (`_clients = {}` that `func` does not rebind),
    every function and method of that module (a registry filled by `register(kind, client)`)."""
    top = func.module.toplevel
    scopes = [func] if func is top else [func, top]
    if (name in func.defs and func is not top) or name not in top.defs:
        return scopes
    module = func.module
    for f in [*module.functions.values(), *(m for c in module.classes.values() for m in c.methods.values())]:
        if f not in scopes and name not in f.defs:
            scopes.append(f)
    return scopes
