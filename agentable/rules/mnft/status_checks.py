"""An HTTP request whose error statuses the code handles itself (MNFT010): requests, httpx and
aiohttp return a 429 or a 5xx as a response (catalog tools.toml network_io `status_clients`), and
`if resp.status_code != 200: return ""` reads it. Only a failed connection raises there, so the
request does not end the run on a rate limit or server error."""

from __future__ import annotations

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import ExtRef


def status_handled(g: ProjectGraph, func: FunctionInfo, call: ir.Call, stmt: ir.Stmt) -> bool:
    """Is `call` a request of a status-returning client bound to a name (`r = requests.post(...)`)
    whose status a later `if` of the function tests with no `raise` in either branch, and on which
    nothing calls a raising method (`r.raise_for_status()`)?"""
    cat = g.catalog
    if not any(isinstance(v, ExtRef) and v.path.split(".")[0] in cat.status_clients
               for v in g.values(call.func, func, stmt)):
        return False
    if not (isinstance(stmt, ir.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ir.Name)
            and _unawaited(stmt.value) is call):
        return False
    name = stmt.targets[0].id
    reads = {f"{name}.{a}" for a in cat.status_attributes}
    if any(ir.dotted(site.call.func) in {f"{name}.{m}" for m in cat.raising_methods} for site in func.calls):
        return False
    for s in func.stmts:
        if isinstance(s, ir.If) and s.pos > stmt.pos and any(ir.dotted(x) in reads for x in ir.walk_expr(s.test)):
            return not any(isinstance(x, ir.Raise) for x in ir.walk_stmts([*s.body, *s.orelse]))
    return False


def _unawaited(e: object) -> object:
    return e.value if isinstance(e, ir.Await) else e
