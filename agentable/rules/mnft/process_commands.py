"""Does a tool's child process run a command the model wrote (MNFT011)? A shell command made of the
model's text, or an interpreter run on the model's code, script or file: commands that may never
end. A fixed program given a model-chosen argument (`git diff <ref>`) is not one."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.query.processes import ProcessCall
from agentable.rules.mnft.tool_inputs import carried_param, model_params


def _params_down(g: ProjectGraph, tool_func: FunctionInfo, tool: object, pc: ProcessCall) -> set[str]:
    """The parameters of `pc.func` that carry text of a model-filled parameter of the tool, mapped
    through the project calls that lead from the tool to it."""
    visible = {p.name for p in getattr(tool, "params", None) or ()}
    params = set(model_params(g, tool_func, visible))
    chain = [*pc.via]
    for i, site in enumerate(chain):
        callee = chain[i + 1].func if i + 1 < len(chain) else pc.func
        if callee.node is None or not params:
            return set()
        cparams = [p for p in callee.node.params if p.name not in ("self", "cls")]
        bound = list(zip(cparams, site.call.args, strict=False)) + [
            (p, k.value) for k in site.call.keywords for p in cparams if p.name == k.name]
        params = {p.name for p, a in bound if not isinstance(a, ir.Starred)
                  and carried_param(g, a, site.func, site.stmt, params)}
    return params


def _interpreter(g: ProjectGraph, e: object, func: FunctionInfo, stmt: ir.Stmt) -> bool:
    names = g.catalog.process_interpreters
    if isinstance(e, str):
        words = e.split()
        return bool(words) and words[0].rsplit("/", 1)[-1] in names
    if isinstance(e, ir.Constant):
        return isinstance(e.value, str) and _interpreter(g, e.value, func, stmt)
    return isinstance(e, ir.Expr) and any(isinstance(v, ExtRef) and v.path in names for v in g.values(e, func, stmt))


def _followed(func: FunctionInfo, e: ir.Expr, depth: int = 3) -> ir.Expr:
    """A local name bound once by an assignment, replaced by the value it was bound to."""
    while depth > 0 and isinstance(e, ir.Name):
        defs = func.defs.get(e.id, [])
        if len(defs) != 1 or defs[0].how != "assign" or defs[0].value is None:
            break
        e, depth = defs[0].value, depth - 1
    return e


def _program_and_rest(func: FunctionInfo, parts: list[ir.Expr], shell: bool) -> Optional[tuple[object, list[object]]]:
    """The command's program (an expression, or the first word of its text) and its other parts."""
    if len(parts) > 1 or (parts and isinstance(_followed(func, parts[0]), ir.Seq)):
        seq = _followed(func, parts[0])
        elts = list(seq.elts) if len(parts) == 1 and isinstance(seq, ir.Seq) else parts
        return (elts[0], list(elts[1:])) if elts else None
    if not parts or not shell:
        return None
    text = _followed(func, parts[0])
    if isinstance(text, ir.FString):
        pieces: list[object] = list(text.parts)
    elif isinstance(text, ir.Concat):
        pieces = list(text.parts)
    elif isinstance(text, ir.BinOp) and text.op == "+":
        pieces = [text.left, text.right]
    else:
        return text, []
    return (pieces[0], pieces[1:]) if pieces else None


def model_written_command(g: ProjectGraph, tool_func: FunctionInfo, tool: object, pc: ProcessCall) -> Optional[str]:
    """The tool parameter whose text the process runs as its command (through a shell) or as the
    code, script or file of an interpreter; None when the command is fixed or not readable."""
    start = pc.site.call if "()." not in pc.path else pc.process
    if start is None or pc.func.call_statement(start) is None:
        return None
    stmt = pc.func.call_statement(start)
    assert stmt is not None
    params = _params_down(g, tool_func, tool, pc)
    if not params or start.has_kwargs_splat():
        return None
    cat = g.catalog
    path = next((v.path for v in g.values(start.func, pc.func, stmt) if isinstance(v, ExtRef)), "")
    shell = path in cat.process_shell_calls or any(
        kw.name == cat.process_shell_keyword and isinstance(kw.value, ir.Constant) and kw.value.value is True
        for kw in start.keywords)
    parts = [*start.args, *(kw.value for kw in start.keywords if kw.name == "args")]
    split = _program_and_rest(pc.func, parts, shell)
    if split is None:
        return None
    program, rest = split
    if isinstance(program, ir.Expr):
        hit = carried_param(g, program, pc.func, stmt, params)
        if hit:
            return hit  # the model chooses what runs
    if not _interpreter(g, program, pc.func, stmt):
        return None
    for r in rest:
        hit = carried_param(g, r, pc.func, stmt, params) if isinstance(r, ir.Expr) else None
        if hit:
            return hit
    return None


def model_written_argument(g: ProjectGraph, tool_func: FunctionInfo, tool: object, pc: ProcessCall,
                           e: ir.Expr) -> Optional[str]:
    """The tool parameter an argument `e` of the process call carries (`cwd=folder`), or None."""
    params = _params_down(g, tool_func, tool, pc)
    return carried_param(g, e, pc.func, pc.site.stmt, params) if params else None
