"""Model text handed to something that runs or interprets it (taint.toml [code], LOPE012): put
between quote characters in a shell command, used as a `re.sub` replacement template, or written
as a Python module. Model text is the data-flow engine's (`dataflow.model_text`); this module finds
the sinks and the pieces of a composed command that hold the text."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef, FuncRef, LLMOutput
from agentable.query.dataflow import model_text
from agentable.query.facts import EvalAt, per_graph
from agentable.query.literals import param_argument, strings_in
from agentable.query.taint import CodeSink, code_config

_QUOTES = "'\""
_SHORT = 80  # characters: a cleaning pattern or marker, not a prompt
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")


@dataclass(eq=False)
class CodeFlow:
    """Model text reaching a code sink. `expr` is where to report (the quoted command piece, the
    replacement, the write); `detail` is the quote character (shell) or the file path's text (module)."""

    kind: str  # shell | template | module
    sink: CodeSink
    call: ir.Call
    func: FunctionInfo
    stmt: ir.Stmt
    expr: ir.Expr
    expr_func: FunctionInfo
    text: ir.Expr  # the expression holding the model text
    source: LLMOutput
    detail: str = ""


@per_graph
def code_flows(g: ProjectGraph) -> list[CodeFlow]:
    """Every flow of model text into a [code] sink with no barrier, in the agent modules. Memoised."""
    out: list[CodeFlow] = []
    seen: set[tuple[str, ir.Pos]] = set()
    for func in g.agent.functions():
        for site in func.calls:
            sink = _sink_of(g, site.call, func, site.stmt)
            if sink is None:
                continue
            handler = {"shell": _shell, "template": _template_sink, "module": _module}[sink.kind]
            for f in handler(g, func, site.stmt, site.call, sink):
                key = (f.expr_func.path, f.expr.pos)
                if key not in seen:
                    seen.add(key)
                    out.append(f)
    return out


def _sink_of(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: EvalAt) -> Optional[CodeSink]:
    cfg = code_config()
    f = call.func
    if isinstance(f, ir.Attribute) and f.attr in cfg.methods:
        return cfg.methods[f.attr]
    for v in g.values(f, func, stmt):
        if v.__class__ is ExtRef and v.path in cfg.calls:
            sink = cfg.calls[v.path]
            if sink.when_keyword:
                flag = call.kwarg(sink.when_keyword)
                if not (isinstance(flag, ir.Constant) and flag.value is True):
                    return None
            return sink
    return None


def _argument(call: ir.Call, sink: CodeSink) -> Optional[ir.Expr]:
    if len(call.args) > sink.arg:
        return call.args[sink.arg]
    return call.kwarg(sink.keyword) if sink.keyword else None


# ---------------------------------------------------------------- shell: quoted pieces of a command

@dataclass(frozen=True)
class _Hole:
    expr: ir.Expr  # the interpolated value
    func: FunctionInfo
    stmt: EvalAt
    quote: str
    at: ir.Expr  # the string expression it is interpolated into


def _shell(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, call: ir.Call, sink: CodeSink) -> list[CodeFlow]:
    cmd = _argument(call, sink)
    out: list[CodeFlow] = []
    for hole in _quoted_holes(g, cmd, func, stmt, 3, set()):
        src = model_text(g, hole.expr, hole.func, hole.stmt)
        if src is None or _rewrites(g, hole.expr, hole.func, hole.stmt, hole.quote):
            continue
        out.append(CodeFlow("shell", sink, call, func, stmt, hole.at, hole.func, hole.expr, src, hole.quote))
    return out


def _quoted_holes(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt, depth: int,
                  seen: set[int]) -> Iterator[_Hole]:
    """The values interpolated between two equal quote characters in the text `e` is built from
    (f-strings, `+`, `%` and `.format()` templates), following names and parameters."""
    if e is None or depth < 0 or id(e) in seen:
        return
    seen.add(id(e))
    parts = _parts(e)
    if parts is not None:
        for i, p in enumerate(parts):
            if not isinstance(p, ir.Expr):
                continue
            before, after = parts[i - 1] if i > 0 else "", parts[i + 1] if i + 1 < len(parts) else ""
            left = before if isinstance(before, str) else ""
            right = after if isinstance(after, str) else ""
            if left and right and left[-1] in _QUOTES and right[0] == left[-1]:
                yield _Hole(p, func, stmt, left[-1], e)
        return
    if isinstance(e, ir.Name):
        owner, defs = g.name_bindings(func, e.id, stmt)
        for d in defs:
            if d.how in ("assign", "walrus") and d.value is not None:
                yield from _quoted_holes(g, d.value, owner, d.stmt, depth - 1, seen)
            elif d.how == "param":
                for site in g.argument_sites(owner)[:8]:
                    arg = param_argument(site.call, owner, e.id)
                    yield from _quoted_holes(g, arg, site.func, site.stmt, depth - 1, seen)


def _parts(e: ir.Expr) -> Optional[list[object]]:
    """`e` as literal text (str) and interpolated values (expressions), or None when it is not a
    composed string."""
    if isinstance(e, ir.FString):
        return list(e.parts)
    if isinstance(e, ir.Concat):
        out: list[object] = []
        for p in e.parts:
            sub = _parts(p) if isinstance(p, ir.FString) else [ir.string_value(p) or ""]
            out += sub or []
        return _merged(out)
    if isinstance(e, ir.BinOp) and e.op == "+":
        flat: list[object] = []
        for x in (e.left, e.right):
            sub = _parts(x) if isinstance(x, (ir.BinOp, ir.FString, ir.Concat)) else None
            lit = ir.string_value(x) if isinstance(x, ir.Constant) else None
            flat += sub if sub is not None else ([lit] if lit is not None else [x])
        return _merged(flat)
    if isinstance(e, ir.BinOp) and e.op == "%" and isinstance(ir.string_value(e.left), str):
        values = e.right.elts if isinstance(e.right, ir.Seq) else [e.right]
        return _split_template(str(ir.string_value(e.left)), _PERCENT.split, values)
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Attribute) and e.func.attr == "format":
        template = ir.string_value(e.func.value)
        if isinstance(e.func.value, ir.Constant) and template is not None:
            return _format_parts(template, e)
    return None


def _merged(parts: list[object]) -> list[object]:
    out: list[object] = []
    for p in parts:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] = out[-1] + p
        else:
            out.append(p)
    return out


def _split_template(text: str, split, values: list[ir.Expr]) -> list[object]:
    pieces = split(text)
    out: list[object] = []
    for i, lit in enumerate(pieces):
        out.append(lit)
        if i + 1 < len(pieces):
            out.append(values[i] if i < len(values) else ir.Constant(pos=(0, 0, 0, 0), value=""))
    return _merged(out)


def _format_parts(template: str, call: ir.Call) -> Optional[list[object]]:
    out: list[object] = []
    auto = 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    for lit, field, _spec, _conv in parsed:
        out.append(lit)
        if field is None:
            continue
        name = field.split(".")[0].split("[")[0]
        if name == "":
            value = call.args[auto] if auto < len(call.args) else None
            auto += 1
        elif name.isdigit():
            value = call.args[int(name)] if int(name) < len(call.args) else None
        else:
            value = call.kwarg(name)
        out.append(value if value is not None else "")
    return _merged(out)


def _rewrites(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt, char: str) -> bool:
    """A str `replace` of `char` in `e`, or in what a name in it is bound to here: the code
    escapes that character before the use."""
    def escapes(x: ir.Expr) -> bool:
        for c in ir.walk_expr(x):
            if isinstance(c, ir.Call) and isinstance(c.func, ir.Attribute) and c.func.attr == "replace" \
                    and c.args and char in (ir.string_value(c.args[0]) or ""):
                return True
        return False

    if escapes(e):
        return True
    for x in ir.walk_expr(e):
        if isinstance(x, ir.Name):
            _owner, defs = g.name_bindings(func, x.id, stmt)
            if any(d.how == "assign" and d.value is not None and escapes(d.value) for d in defs):
                return True
    return False


# ---------------------------------------------------------------- re.sub replacement template

def _template_sink(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, call: ir.Call,
                   sink: CodeSink) -> list[CodeFlow]:
    repl = _argument(call, sink)
    if repl is None or isinstance(repl, ir.Lambda):
        return []
    src = model_text(g, repl, func, stmt)
    if src is None or _rewrites(g, repl, func, stmt, "\\"):
        return []
    return [CodeFlow("template", sink, call, func, stmt, repl, func, repl, src)]



# ---------------------------------------------------------------- a reply written as a module

def _module(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, call: ir.Call, sink: CodeSink) -> list[CodeFlow]:
    if not call.args or not isinstance(call.func, ir.Attribute):
        return []
    cfg = code_config()
    path = _written_path(g, call.func.value, func, stmt, sink.method)
    if path is None:
        return []
    names = [s for s in strings_in(g, path, func, stmt) if s.strip().endswith(cfg.suffixes)]
    if not names:
        return []
    src = model_text(g, call.args[0], func, stmt)
    if src is None or _cleaned_or_checked(g, src, func, stmt, call.args[0]):
        return []
    return [CodeFlow("module", sink, call, func, stmt, call, func, call.args[0], src, names[0].strip())]


def _written_path(g: ProjectGraph, target: ir.Expr, func: FunctionInfo, stmt: EvalAt,
                  method: str) -> Optional[ir.Expr]:
    """The path a `write` (to a file opened on it) or `write_text` (on it) writes."""
    if method == "write_text":
        return target
    if isinstance(target, ir.Call):
        return _opened_path(g, target, func, stmt)
    if not isinstance(target, ir.Name):
        return None
    for s in func.ancestors(stmt) if isinstance(stmt, ir.Stmt) else ():
        if isinstance(s, ir.With):
            for item in s.items:
                if isinstance(item.target, ir.Name) and item.target.id == target.id \
                        and isinstance(item.context, ir.Call):
                    return _opened_path(g, item.context, func, s)
    _owner, defs = g.name_bindings(func, target.id, stmt)
    for d in defs:
        if d.how == "assign" and isinstance(d.value, ir.Call):
            return _opened_path(g, d.value, func, d.stmt)
    return None


def _opened_path(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: EvalAt) -> Optional[ir.Expr]:
    openers = code_config().openers
    if any(v.__class__ is ExtRef and v.path in openers for v in g.values(call.func, func, stmt)):
        return call.argument("file", 0)
    if isinstance(call.func, ir.Attribute) and call.func.attr == "open":  # Path(p).open("w")
        return call.func.value
    return None


def _cleaned_or_checked(g: ProjectGraph, src: LLMOutput, sink_func: FunctionInfo, stmt: EvalAt,
                        written: ir.Expr) -> bool:
    """The code between the reply and the write strips markdown fences (a call given a literal
    holding the fence character) or checks the text as Python (ast.parse, compile): anywhere in a
    helper the reply passes through, and in the writing function on the reply's own path (a step
    of it, or a call on the written name that is a test or rebinds that name)."""
    steps = {(path, pos) for path, pos, _msg in src.steps}
    names = {n.id for n in ir.walk_expr(written) if isinstance(n, ir.Name)}
    helpers = {id(f): f for f in [*_step_functions(g, src), *_building_helpers(g, sink_func, stmt, written)]
               if f is not sink_func}
    for func in [sink_func, *helpers.values()]:
        for site in func.calls:
            # a model call (its prompt may show a fenced example) is not a cleaning step
            if g.agent.calls_llm(site) or not _cleans(g, site.call, func, site.stmt):
                continue
            if func is not sink_func or (func.path, site.call.pos) in steps:
                return True
            used = {n.id for n in ir.walk_expr(site.call) if isinstance(n, ir.Name)}
            if names & used and _keeps_name(site.stmt, names):
                return True
    return False


def _building_helpers(g: ProjectGraph, func: FunctionInfo, stmt: EvalAt, e: ir.Expr) -> list[FunctionInfo]:
    """The project functions called in the expressions the written text is built from here (`e`
    and what its names are bound to, two bindings deep): `code = extract_code(reply)`."""
    out: list[FunctionInfo] = []
    todo: list[tuple[ir.Expr, EvalAt, int]] = [(e, stmt, 2)]
    while todo:
        x, at, depth = todo.pop()
        for c in ir.walk_expr(x):
            if isinstance(c, ir.Call):
                out += [g.functions[v.qualname] for v in g.values(c.func, func, at)
                        if isinstance(v, FuncRef) and v.qualname in g.functions]
            elif isinstance(c, ir.Name) and depth > 0:
                _owner, defs = g.name_bindings(func, c.id, at)
                todo += [(d.value, d.stmt, depth - 1) for d in defs if d.how == "assign" and d.value is not None]
    return out


def _cleans(g: ProjectGraph, c: ir.Call, func: FunctionInfo, stmt: EvalAt) -> bool:
    cfg = code_config()
    # a literal given to the call, or a named one (a pattern compiled elsewhere, `FENCE.search(t)`);
    # short ones only: a prompt that shows a fenced example is not a cleaning step
    given = [*c.args, *(k.value for k in c.keywords)]
    if isinstance(c.func, ir.Attribute):
        given.append(c.func.value)
    for a in given:
        texts = [ir.string_value(a)] if isinstance(a, (ir.Constant, ir.FString, ir.Concat)) else \
            strings_in(g, a, func, stmt, 2) if isinstance(a, (ir.Name, ir.Attribute)) else []
        if any(t is not None and cfg.fence in t and len(t) <= _SHORT for t in texts):
            return True
    return any(v.__class__ is ExtRef and v.path in cfg.checkers
               for v in g.values(c.func, func, stmt))


def _keeps_name(stmt: ir.Stmt, names: set[str]) -> bool:
    """`stmt` tests the text or rebinds the written name (not a copy under another name)."""
    if isinstance(stmt, ir.Assign):
        return any(isinstance(t, ir.Name) and t.id in names for t in stmt.targets)
    return True


def _step_functions(g: ProjectGraph, src: LLMOutput) -> list[FunctionInfo]:
    """The functions the reply's data-flow path goes through."""
    out: list[FunctionInfo] = []
    for path, pos, _msg in src.steps:
        mod = g.by_path.get(path)
        if mod is None:
            continue
        best: Optional[FunctionInfo] = None
        for f in g.functions.values():
            if f.path != path or f.node is None or not (f.node.pos[0] <= pos[0] <= f.node.pos[2]):
                continue
            if best is None or best.node is None or f.node.pos[0] > best.node.pos[0]:
                best = f
        out.append(best or mod.toplevel)
    return out
