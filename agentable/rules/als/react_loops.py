"""Hand-written ReAct loops known from their own code, for ALS001: a loop that reads the model's
"Action:" from a reply and writes "Observation: …" into the next prompt itself. The prompt may
live where the graph cannot read it (a YAML file reached through a prompt manager), and the model
call may sit behind project wrappers; what matters is whether a stop sequence can reach the model
through them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from agentable.cpg import ir
from agentable.cpg.flow import enclosing_loops
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.query.facts import per_graph
from agentable.query.protocol import stop_names, marker_reads, protocol_calls, protocol_markers, stop_config

# calls that read the reply's text: str and re methods (as `protocol.marker_reads`), and parsers
_TEXT_READS = frozenset({"split", "rsplit", "splitlines", "partition", "rpartition", "startswith", "find",
                         "search", "match", "fullmatch", "findall", "finditer", "parse", "parse_output"})
_MAX_WRAPPERS = 4  # project functions followed from the loop down to the model call


@dataclass(frozen=True)
class WrappedReactCall:
    """A ReAct loop whose model call cannot carry a stop sequence: `site` is the call into the
    deepest project wrapper (`wrapper`), which has no stop parameter and sets none itself."""

    loop_func: FunctionInfo
    reply_site: CallSite  # the call in the loop whose reply is parsed
    site: CallSite
    wrapper: FunctionInfo
    markers_read: frozenset[str]
    observation: str


def _observation_text(e: ir.Expr, markers: tuple[str, ...]) -> Optional[str]:
    """The observation marker this literal writes at the start of a line (`"Observation: {}"`,
    f"\\nObservation: {x}"), or None."""
    if isinstance(e, ir.Constant) and isinstance(e.value, str):
        text = e.value
    elif isinstance(e, ir.FString) and e.parts and isinstance(e.parts[0], str):
        text = e.parts[0]
    else:
        return None
    for m in markers:
        if text.startswith(m) or text.lstrip(" ").startswith("\n" + m) or ("\n" + m) in text:
            return m
    return None


def _inside(func: FunctionInfo, stmt: ir.Stmt, loop: Union[ir.While, ir.For]) -> bool:
    return stmt is loop or func.inside(stmt, loop)


def _assigned_name(stmt: ir.Stmt, call: ir.Call) -> Optional[str]:
    """`name = call(...)` / `name = await call(...)`: the name, else None."""
    if not isinstance(stmt, ir.Assign) or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ir.Name):
        return None
    v = stmt.value.value if isinstance(stmt.value, ir.Await) else stmt.value
    return stmt.targets[0].id if v is call else None


def _reads_text_of(func: FunctionInfo, name: str, loop: Union[ir.While, ir.For], after: int) -> bool:
    """Is `name` parsed later in the loop: the receiver or an argument of a text-reading call?"""
    for e, stmt in func.walk(ir.Call):
        if stmt.pos[0] <= after or not _inside(func, stmt, loop) or not isinstance(e.func, ir.Attribute):
            continue
        if e.func.attr not in _TEXT_READS:
            continue
        operands = [e.func.value, *e.args]
        if any(isinstance(x, ir.Name) and x.id == name for x in operands):
            return True
    return False


def _returned_call(g: ProjectGraph, f: FunctionInfo) -> Optional[CallSite]:
    """The one call whose result `f` returns: `return call(...)`, or `x = call(...)` /
    `self.x = call(...)` and then `return x` / `return self.x`."""
    found: list[CallSite] = []
    for r in f.returns:
        v = r.value.value if isinstance(r.value, ir.Await) else r.value
        if isinstance(v, ir.Call):
            found += [s for s in f.calls if s.call is v]
            continue
        held = ir.dotted(v) if isinstance(v, (ir.Name, ir.Attribute)) else None
        if held is None:
            return None
        for s in f.calls:
            st = s.stmt
            if isinstance(st, ir.Assign) and len(st.targets) == 1 and ir.dotted(st.targets[0]) == held:
                v2 = st.value.value if isinstance(st.value, ir.Await) else st.value
                if v2 is s.call:
                    found.append(s)
    unique = list({id(s.call): s for s in found}.values())
    return unique[0] if len(unique) == 1 else None


def _passes_stop(site: CallSite, names: frozenset[str]) -> bool:
    return any(kw.name is None or kw.name in names for kw in site.call.keywords) or \
        any(isinstance(a, ir.Starred) for a in site.call.args)


def _takes_stop(f: FunctionInfo, names: frozenset[str]) -> bool:
    """Does `f` take a stop sequence, or set one itself (a `stop=` keyword, a "stop" key in a
    request body it posts)?"""
    if any(p.kind in ("vararg", "kwarg") or p.name in names for p in f.params):
        return True
    return any(kw.name in names for e, _ in f.walk(ir.Call) for kw in e.keywords) or \
        any(isinstance(e.value, str) and e.value in names for e, _ in f.walk(ir.Constant))


def _wrapper_chain(g: ProjectGraph, site: CallSite, names: frozenset[str],
                   llm_sites: set[int]) -> Optional[tuple[CallSite, FunctionInfo]]:
    """Follow the reply's call down through project wrappers (each returning one call's result).
    The call into the deepest wrapper and that wrapper, when no stop sequence can pass: no call on
    the way passes one and no wrapper takes one. None when one may pass, the chain reaches a known
    model call (ALS001's first pass judges those), or the call is not into a project function."""
    last: Optional[tuple[CallSite, FunctionInfo]] = None
    for _ in range(_MAX_WRAPPERS):
        if id(site.call) in llm_sites or _passes_stop(site, names):
            return None
        targets = [g.functions[q] for q in g.callees(site) if q in g.functions]
        if len(targets) != 1:
            return last if not targets else None
        f = targets[0]
        if _takes_stop(f, names):
            return None
        own = [c for c in g.agent.llm_calls if c.func is f]
        if own:  # the wrapper makes the model call: it must set no stop (and ALS001 not judge it already)
            judged = {id(pc.llm_call) for pc in protocol_calls(g)}
            ok = all(stop_config(g, c).state == "none" and id(c) not in judged for c in own)
            return (site, f) if ok else None
        last = (site, f)
        nxt = _returned_call(g, f)
        if nxt is None:
            return last
        site = nxt
    return None


@per_graph
def wrapped_react_calls(g: ProjectGraph) -> list[WrappedReactCall]:
    """ReAct loops (reading an action marker, writing an observation marker into the next turn)
    whose model call goes through project wrappers that expose no stop parameter."""
    m = protocol_markers(g)
    obs_markers = m.get("observation_markers", ("Observation:",))
    actions = set(m.get("action_markers", ()))
    names = stop_names(g)
    llm_sites = {id(c.call) for c in g.agent.llm_calls}
    out: list[WrappedReactCall] = []
    seen: set[int] = set()
    for func in g.functions.values():
        if func.is_module or g.is_test_code(func.path):
            continue
        for e, stmt in func.walk(ir.Constant) + func.walk(ir.FString):
            obs = _observation_text(e, obs_markers)
            loops = enclosing_loops(func, stmt) if obs else []
            if obs is None or not loops:
                continue
            loop = loops[0]
            reply = next((s for s in func.calls if _inside(func, s.stmt, loop) and s.stmt.pos[0] < stmt.pos[0]
                          and (n := _assigned_name(s.stmt, s.call)) is not None
                          and _reads_text_of(func, n, loop, s.stmt.pos[0])), None)
            if reply is None or id(reply.call) in seen:
                continue
            in_loop = [func] + [g.functions[q] for s in func.calls if _inside(func, s.stmt, loop)
                                for q in g.callees(s) if q in g.functions]
            read = marker_reads(g, dict.fromkeys(in_loop))
            if not read & actions:
                continue
            chain = _wrapper_chain(g, reply, names, llm_sites)
            if chain is None or id(chain[0].call) in seen:  # (loops sharing a wrapper: reported once)
                continue
            seen.update((id(reply.call), id(chain[0].call)))
            out.append(WrappedReactCall(func, reply, chain[0], chain[1], frozenset(read), obs))
    return out
