"""Model calls made through a method of a project class that an annotation names (MNFT003): the
agent holds `llm: BaseLLM` (a pydantic field, a dataclass field, a parameter `agents: list[BaseAgent]`)
and calls `self.llm.generate(...)` or `agent.astep(...)`; no assignment in the project says which
subclass it holds, so the call resolves to nothing, while each subclass's override calls the model.
Such a call is taken to run the method of the declared class and its subclasses' overrides."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.flow import is_always_true as is_true
from agentable.cpg.agent_model import AgentLoop
from agentable.cpg.flow import assigned_names, exits_of, loop_info
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, ClassInfo, FunctionInfo
from agentable.cpg.values import ExtRef
from agentable.query.facts import per_graph
from agentable.rules.mnft.declared_types import declared_class


def _element_class(g: ProjectGraph, func: FunctionInfo, name: str) -> Optional[ClassInfo]:
    """The class of the items a `for name in xs` loop takes from a parameter or field annotated
    `list[T]` (also through `cycle(xs)`, `reversed(xs)`, `xs[1:]`): T."""
    defs = func.defs.get(name, [])
    if len(defs) != 1 or defs[0].how != "iter" or defs[0].value is None:
        return None
    e: ir.Expr = defs[0].value
    infinite = g.catalog.python.infinite_iterators
    while True:
        if isinstance(e, ir.Subscript):
            e = e.value
        elif isinstance(e, ir.Call) and len(e.args) == 1 and (
                ir.dotted(e.func) in ("list", "reversed", "tuple")
                or any(isinstance(v, ExtRef) and v.path in infinite for v in g.values(e.func, func, defs[0].stmt))):
            e = e.args[0]
        else:
            break
    return declared_class(g, func, e, element=True)


def _receiver_class(g: ProjectGraph, site: CallSite) -> Optional[ClassInfo]:
    f = site.call.func
    if not isinstance(f, ir.Attribute):
        return None
    recv = f.value
    if isinstance(recv, ir.Name) and not (site.func.params and recv.id == site.func.params[0].name):
        if any(p.name == recv.id for p in site.func.params):
            return declared_class(g, site.func, recv)
        return _element_class(g, site.func, recv.id)
    if isinstance(recv, ir.Attribute):
        return declared_class(g, site.func, recv)
    return None


def dispatch_targets(g: ProjectGraph, site: CallSite) -> frozenset[str]:
    """The methods a call on an annotated receiver may run: the declared class's method (or the one
    it inherits) and every override in its subclasses; empty when the resolver knows the callee."""
    return _targets(g)[1].get(id(site.call), frozenset())


@per_graph
def _targets(g: ProjectGraph) -> tuple[dict[str, list[FunctionInfo]], dict[int, frozenset[str]]]:
    """(target method -> functions whose calls dispatch to it, call id -> its targets)."""
    by_target: dict[str, list[FunctionInfo]] = {}
    by_call: dict[int, frozenset[str]] = {}
    for func in g.functions.values():
        for site in func.calls:
            f = site.call.func
            if not isinstance(f, ir.Attribute) or g.callees(site):
                continue
            cls = _receiver_class(g, site)
            if cls is None:
                continue
            found: set[str] = set()
            for c in [cls.qualname, *sorted(g.subclasses(cls.qualname))]:
                m = next((k.methods[f.attr] for k in g.mro(c) if f.attr in k.methods), None)
                if m is not None:
                    found.add(m.qualname)
            if found:
                by_call[id(site.call)] = frozenset(found)
                for q in found:
                    by_target.setdefault(q, []).append(func)
    return by_target, by_call


@per_graph
def dispatched_model_functions(g: ProjectGraph) -> frozenset[str]:
    """Functions that reach a model call once calls on annotated receivers count (see above)."""
    by_target, _ = _targets(g)
    known = g.agent.llm_functions
    result = set(known)
    stack = list(known)
    while stack:
        q = stack.pop()
        callers = [s.func for s in g.callers(g.functions[q])] if q in g.functions and q not in known else []
        for f in callers + by_target.get(q, []):
            if f.qualname not in result:
                result.add(f.qualname)
                stack.append(f.qualname)
    return frozenset(result)


def dispatched_loops(g: ProjectGraph) -> list[AgentLoop]:
    """Loops that call the model only through such calls: not among the agent layer's loops."""
    known_loops = {id(a.loop) for a in g.agent.loops}
    reach = dispatched_model_functions(g)
    _, by_call = _targets(g)
    out: list[AgentLoop] = []
    for q in sorted(reach - g.agent.llm_functions):
        func = g.functions.get(q)
        if func is None:
            continue
        for s in func.stmts:
            if not isinstance(s, (ir.While, ir.For)) or id(s) in known_loops:
                continue
            if isinstance(s, ir.While) and any(isinstance(e, ir.Call) for e in ir.walk_expr(s.test)):
                continue  # `while not self.env.is_done():` may count in a method the annotation hides
            if not _reply_decides(s):
                continue
            if any(_model_site(g, site, reach, by_call) and func.inside(site.stmt, s)
                   for site in func.calls):
                out.append(AgentLoop(func, s, loop_info(s), []))
    return out


def _reply_decides(loop: ir.While | ir.For) -> bool:
    """Does every exit of the loop test only what the loop computes (`if check: break` with `check`
    bound in the body), not an object's state (`if self.rc.todo is None: break`), which a method
    the annotation hides may move on, as a step index does? A `while` test counts as an exit."""
    changed = assigned_names(loop.body)
    tests = [t for _, ts in exits_of(loop) for t in ts[-1:]]
    if isinstance(loop, ir.While) and not is_true(loop.test):
        tests.append(loop.test)
    for t in tests:
        roots = [_root(e) for e in ir.walk_expr(t) if isinstance(e, ir.Attribute)]
        if any(r not in changed for r in roots) or not any(
                isinstance(e, ir.Name) and e.id in changed for e in ir.walk_expr(t)):
            return False
    return True


def _root(e: ir.Expr) -> str:
    while isinstance(e, (ir.Attribute, ir.Call, ir.Subscript)):
        e = e.func if isinstance(e, ir.Call) else e.value
    return e.id if isinstance(e, ir.Name) else ""


def _model_site(g: ProjectGraph, site: CallSite, reach: frozenset[str], by_call: dict[int, frozenset[str]]) -> bool:
    return bool(by_call.get(id(site.call), frozenset()) & reach) or bool(g.callees(site) & reach)


def dispatched_call(g: ProjectGraph, loop: AgentLoop) -> Optional[CallSite]:
    """The first call in the loop that reaches the model through an annotated receiver."""
    reach = dispatched_model_functions(g)
    _, by_call = _targets(g)
    for site in loop.func.calls:
        if loop.func.inside(site.stmt, loop.loop) and _model_site(g, site, reach, by_call):
            return site
    return None
