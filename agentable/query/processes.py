"""Child processes a tool runs: waits with nothing bounding them (MNFT) and started processes whose
error stream and exit status the tool captures and then drops (TRE); web requests with no time
limit (MNFT). Catalog tools.toml [process_waits], [process_output] and [request_waits]."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.query.guards import expr_parents


@dataclass(frozen=True)
class ProcessCall:
    """A call of a catalogued process function in `func`, reached from the tool through `via`
    (the project calls that lead there; empty in the tool itself)."""

    func: FunctionInfo
    site: CallSite
    path: str  # its catalog path (`subprocess.Popen().communicate`)
    process: Optional[ir.Call]  # the call that started the process, for a method of it
    via: tuple[CallSite, ...]


def _ext_path(g: ProjectGraph, func: FunctionInfo, site: CallSite) -> Optional[ExtRef]:
    for v in g.values(site.call.func, func, site.stmt):
        if isinstance(v, ExtRef):
            return v
    return None


def _limited(g: ProjectGraph, func: FunctionInfo, site: CallSite) -> bool:
    """Is the call an argument of a limiter (`asyncio.wait_for(proc.communicate(), 30)`) or run in
    a limiter's `with` block (`async with asyncio.timeout(30):`)? Catalog process_waits.limiters."""
    limiters = g.catalog.process_limiters

    def is_limiter(call: ir.Expr, stmt: ir.Stmt) -> bool:
        if not isinstance(call, ir.Call):
            return False
        return any(isinstance(v, ExtRef) and v.path in limiters for v in g.values(call.func, func, stmt))

    parents = expr_parents(site.stmt)
    cur: Optional[ir.Expr] = parents.get(id(site.call))
    while cur is not None:
        if is_limiter(cur, site.stmt):
            return True
        cur = parents.get(id(cur))
    return any(isinstance(s, ir.With) and any(is_limiter(item.context, s) for item in s.items)
               for s in func.ancestors(site.stmt))


def process_calls(g: ProjectGraph, func: FunctionInfo, paths: frozenset[str], depth: int = 2,
                  bounded_only: bool = False) -> Iterator[ProcessCall]:
    """Calls in `func`, or in a project function it calls (`depth` levels), whose catalog path is
    one of `paths`. With `bounded_only`, a project call run under a limiter is not entered (what
    it waits for is bounded there)."""
    seen: set[str] = set()

    def visit(f: FunctionInfo, d: int, via: tuple[CallSite, ...]) -> Iterator[ProcessCall]:
        if f.qualname in seen:
            return
        seen.add(f.qualname)
        for site in f.calls:
            ref = _ext_path(g, f, site)
            if ref is not None:
                if ref.path in paths:
                    process = ref.site[1] if ref.site is not None and isinstance(ref.site[1], ir.Call) else None
                    yield ProcessCall(f, site, ref.path, process, via)
                continue
            if d <= 0 or (bounded_only and _limited(g, f, site)):
                continue
            for q in sorted(g.callees(site)):
                callee = g.functions.get(q)
                if callee is not None and callee.name != "__init__" and callee.node is not None:
                    yield from visit(callee, d - 1, (*via, site))

    yield from visit(func, depth, ())


def _has_bound(call: ir.Call, spec: str) -> bool:
    """Does the call pass the bounding argument that `spec` names (`timeout`, or `timeout:1` for a
    keyword that may also be the second positional argument), with a value other than None?"""
    if call.has_kwargs_splat():
        return True  # not readable: precision first
    keyword, _, index = spec.partition(":")
    for kw in call.keywords:
        if kw.name == keyword:
            return not (isinstance(kw.value, ir.Constant) and kw.value.value is None)
    if index and len(call.args) > int(index):
        arg = call.args[int(index)]
        return not (isinstance(arg, ir.Constant) and arg.value is None)
    return False


def unbounded_requests(g: ProjectGraph, func: FunctionInfo, depth: int = 2) -> list[ProcessCall]:
    """Web requests with no time limit by default (catalog tools.toml [request_waits]) made in
    `func` or a project function it calls, with no timeout argument and no limiter around them."""
    waits = g.catalog.request_waits
    return [pc for pc in process_calls(g, func, frozenset(waits), depth, bounded_only=True)
            if not _has_bound(pc.site.call, waits[pc.path]) and not _limited(g, pc.func, pc.site)]


def unbounded_request(g: ProjectGraph, site: CallSite, path: str) -> bool:
    """Is this call of `path` a web request with no time limit (a model call sent with `requests`)?"""
    spec = g.catalog.request_waits.get(path)
    return spec is not None and not _has_bound(site.call, spec) and not _limited(g, site.func, site)


def _ended_before(g: ProjectGraph, pc: ProcessCall) -> bool:
    """Was the process ended (`proc.kill()`) or waited for already before this wait, in the same
    function? Then this wait returns at once, or the first one is the one that matters."""
    if pc.process is None:
        return False
    enders = g.catalog.process_enders
    line = pc.site.call.pos[0]
    for site in pc.func.calls:
        if site is pc.site or site.call.pos[0] > line:
            continue
        f = site.call.func
        if not isinstance(f, ir.Attribute):
            continue
        ref = _ext_path(g, pc.func, site)
        same = ref is not None and ref.site is not None and ref.site[1] is pc.process
        if same and (f.attr in enders or ref.path in g.catalog.process_waits):  # type: ignore[union-attr]
            return True
    return False


def unbounded_process_waits(g: ProjectGraph, func: FunctionInfo, depth: int = 2) -> list[ProcessCall]:
    """Waits for a child process (catalog process_waits) in `func` or a project function it calls
    with no timeout argument, no limiter around them, and no earlier end or wait of the same
    process."""
    waits = g.catalog.process_waits
    out: list[ProcessCall] = []
    for pc in process_calls(g, func, frozenset(waits), depth, bounded_only=True):
        if waits[pc.path] and _has_bound(pc.site.call, waits[pc.path]):
            continue
        if _limited(g, pc.func, pc.site) or _ended_before(g, pc):
            continue
        out.append(pc)
    return out


@dataclass(frozen=True)
class DroppedErrors:
    """A started process whose error stream the tool captures (`stderr=PIPE`, `capture_output=True`)
    and then never reads, nor its exit status, while it reads the output: `at` is where the errors
    are dropped (the `communicate()` whose second value is unused, else the read of the output)."""

    start: ProcessCall
    at: ir.Expr
    how: str  # what captured the error stream, as written (`stderr=subprocess.PIPE`)


def _captures_errors(g: ProjectGraph, pc: ProcessCall) -> Optional[str]:
    """How the start call keeps the error stream for the caller, when it does and a failed exit
    does not raise (no `check=True`); None otherwise or when the arguments are not readable."""
    spec = g.catalog.process_output
    call = pc.site.call
    if call.has_kwargs_splat():
        return None
    kws = {kw.name: kw.value for kw in call.keywords if kw.name}
    check = kws.get(spec.get("check", ""))
    if check is not None and not (isinstance(check, ir.Constant) and check.value is False):
        return None
    capture = kws.get(spec.get("capture", ""))
    if isinstance(capture, ir.Constant) and capture.value is True:
        return f"{spec['capture']}=True"
    errors = kws.get(spec.get("errors", ""))
    if errors is None:
        return None
    pipes = set(spec.get("pipes", ()))
    if ir.dotted(errors) in pipes or any(isinstance(v, ExtRef) and v.path in pipes
                                         for v in g.values(errors, pc.func, pc.site.stmt)):
        return f"{spec['errors']}={ir.dotted(errors)}"
    return None


def _bound_name(pc: ProcessCall) -> Optional[str]:
    """The local name the start call's result (or awaited result) is bound to, bound nowhere else."""
    s = pc.site.stmt
    if not isinstance(s, ir.Assign) or len(s.targets) != 1 or not isinstance(s.targets[0], ir.Name):
        return None
    value = s.value.value if isinstance(s.value, ir.Await) else s.value
    if value is not pc.site.call:
        return None
    name = s.targets[0].id
    return name if len(pc.func.defs.get(name, [])) == 1 else None


def _name_read(func: FunctionInfo, name: str, besides: ir.Stmt) -> bool:
    """Is the local `name` read anywhere in `func` other than where `besides` binds it?"""
    if name == "_":
        return False
    bound = {id(x) for t in getattr(besides, "targets", ()) for x in ir.walk_expr(t)}
    return any(e.id == name and id(e) not in bound for e, _ in func.walk(ir.Name))


def _collected_errors_read(func: FunctionInfo, call: ir.Call, stmt: ir.Stmt,
                           parents: dict[int, ir.Expr]) -> Optional[bool]:
    """For `out, err = proc.communicate()` (or `proc.communicate()[0]`): is the errors value read?
    None when the pair is used some other way."""
    up = parents.get(id(call))
    if isinstance(up, ir.Await):
        node: ir.Expr = up
        up = parents.get(id(up))
    else:
        node = call
    if isinstance(up, ir.Subscript) and up.value is node:
        index = up.index
        if isinstance(index, ir.Constant) and isinstance(index.value, int):
            return index.value != 0
        return None
    if up is None and isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 \
            and isinstance(stmt.targets[0], ir.Seq) and len(stmt.targets[0].elts) == 2:
        second = stmt.targets[0].elts[1]
        if isinstance(second, ir.Name):
            return _name_read(func, second.id, stmt)
    return None


def dropped_error_streams(g: ProjectGraph, func: FunctionInfo, depth: int = 2) -> list[DroppedErrors]:
    """Processes started in `func` or a project function it calls that capture the error stream,
    read the output, and never read the errors or the exit status: every use of the result or
    process object is a read of one of its fields or a call of one of its methods (any other use,
    such as returning it or passing it on, may read them elsewhere)."""
    spec = g.catalog.process_output
    starts = frozenset(spec.get("starts", ()))
    status = set(spec.get("status", ()))
    output, errors, collect = spec.get("output"), spec.get("errors"), spec.get("collect")
    out: list[DroppedErrors] = []
    for pc in process_calls(g, func, starts, depth):
        how = _captures_errors(g, pc)
        name = _bound_name(pc) if how else None
        if how is None or name is None:
            continue
        read_output: Optional[ir.Expr] = None
        dropped_at: Optional[ir.Expr] = None
        unknown = False
        for e, s in pc.func.walk(ir.Name):
            if e.id != name or s is pc.site.stmt:
                continue
            parents = expr_parents(s)
            up = parents.get(id(e))
            if not isinstance(up, ir.Attribute) or up.value is not e:
                unknown = True
                break
            if up.attr in status or up.attr == errors:
                unknown = True  # read: nothing is dropped
                break
            if up.attr == output:
                read_output = read_output or up
            elif up.attr == collect:
                call = parents.get(id(up))
                read = _collected_errors_read(pc.func, call, s, parents) if isinstance(call, ir.Call) else None
                if read is None or read:
                    unknown = True
                    break
                read_output = read_output or call
                dropped_at = dropped_at or call
        if unknown or read_output is None:
            continue
        out.append(DroppedErrors(pc, dropped_at or read_output, how))
    return out


def dropped_result_errors(g: ProjectGraph, func: FunctionInfo, depth: int = 2) -> list[DroppedErrors]:
    """Runs (catalog tools.toml [result_errors]) in `func` or a project function it calls whose
    result object keeps the failure in a field of its own (e2b `Execution.error`), where the code
    reads output fields and never an error field: every use of the bound result is a read of one of
    its listed fields (any other use may read the error elsewhere)."""
    table = g.catalog.result_errors
    out: list[DroppedErrors] = []
    for pc in process_calls(g, func, frozenset(table), depth):
        name = _bound_name(pc)
        if name is None:
            continue
        fields = table[pc.path]
        read_output: Optional[ir.Expr] = None
        for e, s in pc.func.walk(ir.Name):
            if e.id != name or s is pc.site.stmt:
                continue
            up = expr_parents(s).get(id(e))
            if not isinstance(up, ir.Attribute) or up.value is not e or up.attr not in fields["output"]:
                read_output = None  # the error field, or a use that may read it
                break
            read_output = read_output or up
        if read_output is not None:
            out.append(DroppedErrors(pc, read_output, f"`.{'`/`.'.join(fields['errors'])}` of its result"))
    return out
