"""Returns of a tool whose value can be None although no `None` is written there: the result of a
project function that returns None on some path (`return lookup(q)`, or through a local that holds
it), of a library call that always returns None (`return speech.stream_to_file(path)`, catalog
tools.toml [none_returning]), or a local that still holds the None it was initialised with on some
path (`data = None`, set only in some branches). TRE001 reports them with the literal None paths."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef, FuncRef, LLMOutput, ordered
from agentable.query.guards import names_in
from agentable.rules.tre.helpers import bare_returns, implicit_none_exits, is_stub


def none_results(g: ProjectGraph, func: FunctionInfo) -> list[tuple[str, ir.Pos]]:
    """(explanation, where the None enters) per `return <expr>` of `func` whose value can be None
    (see the module doc): the helper's call, or the return of a local left None."""
    out: list[tuple[str, ir.Pos]] = []
    for r in func.returns:
        e = r.value
        if isinstance(e, ir.Await):
            e = e.value
        if e is None or (isinstance(e, ir.Constant) and e.value is None):
            continue
        if isinstance(e, ir.Call):
            why = _none_callee(g, func, e, r) or _none_library(g, func, e, r)
            if why is not None:
                out.append((f"`return {ir.dotted(e.func)}(...)` at line {r.pos[0]} passes on {why}", e.pos))
        elif isinstance(e, ir.Name) and not _tested(func, e.id, r):
            local = _none_local(g, func, e.id, r)
            if local is not None:
                out.append((f"`return {e.id}` at line {r.pos[0]}: {local[0]}", local[1]))
    return out


def _tested(func: FunctionInfo, name: str, ret: ir.Return) -> bool:
    """Is `name` tested on every path to `ret`: by an `if` or `while` around it, or one before it in
    an enclosing block (`if x is None: x = fallback()` replaces the None without leaving, which
    reaching definitions do not see)? A test in another branch (`elif` ...) does not count."""
    child: object = ret
    for anc in [*func.ancestors(ret), None]:
        if isinstance(anc, (ir.If, ir.While)) and child is not anc and name in names_in(anc.test):
            return True
        blocks = [func.body] if anc is None else [anc.body] if isinstance(anc, ir.Handler) else \
            ir.child_blocks(anc) if isinstance(anc, ir.Stmt) else []
        for block in blocks:
            if any(s is child for s in block):
                for s in block:
                    if s is child:
                        break
                    if isinstance(s, (ir.If, ir.While)) and name in names_in(s.test):
                        return True
        child = anc
    return False


def _none_local(g: ProjectGraph, func: FunctionInfo, name: str, ret: ir.Return) -> Optional[tuple[str, ir.Pos]]:
    """Why the local `name` can be None at `ret`: a `name = None` that reaches it (no branch on the
    way sets it), or a call to a project function that returns None."""
    for d in g.reaching(func).at(ret, name) or ():
        if d.how != "assign" or not isinstance(d.stmt, ir.Assign) or len(d.stmt.targets) != 1:
            continue
        value = d.value
        if isinstance(value, ir.Await):
            value = value.value
        if isinstance(value, ir.Constant) and value.value is None:
            return f"`{name}` is still None from line {d.stmt.pos[0]} on a path that does not set it", ret.pos
        if isinstance(value, ir.Call):
            why = _none_callee(g, func, value, d.stmt) or _none_library(g, func, value, d.stmt)
            if why is not None:
                return f"`{name}`, set at line {d.stmt.pos[0]}, holds {why}", value.pos
    return None


def _none_in_none_out(func: FunctionInfo, ret: ir.Return) -> bool:
    """Is `ret` the `if x is None: return None` (or `if not x: return`) of a parameter `x`: None only
    for a None or empty argument, which the tool's own call need not pass?"""
    params = {p.name for p in func.node.params} if func.node is not None else set()
    for anc in func.ancestors(ret):
        if not isinstance(anc, ir.If):
            continue
        test = anc.test
        if isinstance(test, ir.UnaryOp) and test.op == "not":
            test = test.operand
        elif isinstance(test, ir.Compare) and len(test.ops) == 1 and test.ops[0] in ("is", "=="):
            test = test.left
        return isinstance(test, ir.Name) and test.id in params
    return False


def _none_callee(g: ProjectGraph, func: FunctionInfo, call: ir.Call, stmt: object) -> Optional[str]:
    """'the result of `f`, which returns None at line N' when `call` runs a project function that
    returns None on some path and a value on another (a function that never returns a value is a
    procedure, and returning its result is a slip TRE001 words the same way)."""
    for v in ordered(g.values(call.func, func, stmt)):
        if not isinstance(v, FuncRef) or v.qualname not in g.functions:
            continue
        callee = g.functions[v.qualname]
        if callee.node is None or callee.yields or is_stub(callee) or callee is func:
            continue
        lines = [r.pos[0] for r in bare_returns(callee) if not _none_in_none_out(callee, r)]
        falls = [s.pos[0] for s in implicit_none_exits(g, callee) if isinstance(s, (ir.Stmt, ir.Handler))]
        if not lines and not falls:
            continue
        valued = any(r.value is not None and not (isinstance(r.value, ir.Constant) and r.value.value is None)
                     for r in callee.returns)
        if not valued:
            return f"the result of `{callee.name}`, which returns nothing (None)"
        if lines:
            return f"the result of `{callee.name}`, which returns None at line {lines[0]}"
        return (f"the result of `{callee.name}`, which returns None when it falls off its end after line "
                f"{falls[0]}")
    return None


def _none_library(g: ProjectGraph, func: FunctionInfo, call: ir.Call, stmt: object) -> Optional[str]:
    """'the result of `x`, which ...' when `call` is a library call whose result is always None
    (catalog tools.toml [none_returning]): a procedure such as `os.makedirs`, or a method of a model
    SDK response that writes the response to a file (`speech.stream_to_file(path)`)."""
    cat = g.catalog
    name = ir.dotted(call.func) or "the call"
    for v in ordered(g.values(call.func, func, stmt)):
        if isinstance(v, ExtRef) and v.path in cat.none_returning_calls:
            return f"the result of `{name}`, which always returns None"
        if isinstance(v, LLMOutput) and v.read and not v.text:
            llm = g.agent.llm_call_at(v.site[1])
            methods = cat.none_returning_response_methods.get(f"{llm.provider}.{llm.api}") if llm else None
            if methods and v.read[-1] in methods:
                return (f"the result of `{name}`, which writes the model's response to a file and gives back "
                        f"no value (None, or with an async client a coroutine of None), not the file's path")
    return None
