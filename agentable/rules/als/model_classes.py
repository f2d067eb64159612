"""Model classes a project writes (a LangChain `BaseChatModel`/`LLM` subclass over another API),
for ALS006: the methods the framework gives the stop sequences, the ones that drop them, and the
code elsewhere in the project that relies on a stop sequence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, ClassInfo, FunctionInfo
from agentable.query.facts import per_graph
from agentable.query.literals import const_strs, literal_of
from agentable.query.protocol import protocol_markers, stop_names

# calls that only look at the prompt (a log line, a length): not where the request is sent
_NOT_SENDING = frozenset({"append", "extend", "insert", "debug", "info", "warning", "error", "exception"})


@dataclass(frozen=True)
class DroppedStop:
    cls: ClassInfo
    method: FunctionInfo  # the method that takes `stop` and never reads it
    at: tuple[str, ir.Pos]  # where to report: the call handing `stop` to it, or the request it sends
    forwarded_by: Optional[FunctionInfo]  # the framework-called method that passes `stop` to `method`


@dataclass(frozen=True)
class StopReliance:
    path: str
    line: int
    what: str  # e.g. "stop=['\\nObservation:']" or "`create_react_agent` (a text-protocol agent)"
    observation: bool = False  # a stop at a text protocol's observation marker


def _is_model_base(g: ProjectGraph, base: str) -> bool:
    spec = g.catalog.model_subclasses
    if base in spec.get("bases", ()):
        return True
    cm = g.catalog.chat_model(base)
    return cm is not None and getattr(cm, "framework", "") in spec.get("frameworks", ())


def model_classes(g: ProjectGraph) -> list[ClassInfo]:
    """Project classes with a framework model base (directly or through project classes)."""
    return [c for q, c in g.classes.items() if not g.is_test_code(c.module.path)
            and any(_is_model_base(g, b) for b in g.external_bases(q))]


def _reads(func: FunctionInfo, name: str) -> bool:
    """Is `name` read in `func` or a function nested in it?"""
    todo = [func]
    while todo:
        f = todo.pop()
        if any(e.id == name for e, _ in f.walk(ir.Name)):
            return True
        todo += list(f.nested.values())
    return False


def _trivial(func: FunctionInfo) -> bool:
    """A body that only raises, passes or holds a docstring / `...` (an abstract or unfinished method)."""
    return func.node is None or all(
        isinstance(s, ir.Raise) or (isinstance(s, ir.Simple) and s.kind == "pass")
        or (isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Constant)) for s in func.body)


def _takes(func: FunctionInfo, name: str) -> bool:
    return any(p.name == name for p in func.params)


def _passes(site: CallSite, name: str) -> bool:
    return any(isinstance(x, ir.Name) and x.id == name
               for a in [*site.call.args, *(kw.value for kw in site.call.keywords)] for x in ir.walk_expr(a))


def _prompt_names(func: FunctionInfo) -> set[str]:
    """The prompt parameter (the first after self) and the locals built from it."""
    params = [p for p in func.params if p.kind in ("normal", "posonly")]
    if len(params) < 2:
        return set()
    names = {params[1].name}
    for _ in range(3):
        for s in func.stmts:
            src = s.value if isinstance(s, ir.Assign) else s.iter if isinstance(s, ir.For) else None
            targets = s.targets if isinstance(s, ir.Assign) else [s.target] if isinstance(s, ir.For) else []
            if src is None or not any(isinstance(x, ir.Name) and x.id in names for x in ir.walk_expr(src)):
                continue
            names |= {x.id for t in targets for x in ir.walk_expr(t) if isinstance(x, ir.Name)}
    return names


def _request_site(g: ProjectGraph, func: FunctionInfo) -> Optional[CallSite]:
    """The first call that sends the prompt on (an argument holds it): not a builtin, a log line or
    a list method."""
    names = _prompt_names(func)
    builtins = g.catalog.python.builtin_names
    for site in sorted(func.calls, key=lambda s: s.call.pos):
        f = site.call.func
        last = f.attr if isinstance(f, ir.Attribute) else ir.dotted(f) or ""
        if last in builtins or last in _NOT_SENDING:
            continue
        if any(isinstance(x, ir.Name) and x.id in names
               for a in [*site.call.args, *(kw.value for kw in site.call.keywords)] for x in ir.walk_expr(a)):
            return site
    return None


@per_graph
def dropped_stops(g: ProjectGraph) -> list[DroppedStop]:
    """Methods of project model classes that the framework (or a framework-called method passing
    `stop` on) gives the stop sequences and that never read them."""
    spec = g.catalog.model_subclasses
    methods, param = tuple(spec.get("stop_methods", ())), str(spec.get("stop_param", "stop"))
    out: list[DroppedStop] = []
    for cls in model_classes(g):
        entries = [cls.methods[m] for m in methods if m in cls.methods and _takes(cls.methods[m], param)]
        forwarders: dict[str, tuple[FunctionInfo, CallSite]] = {}
        for m in entries:
            for site in m.calls:
                if not _passes(site, param):
                    continue
                for q in g.callees(site):
                    f = g.functions.get(q)
                    if f is not None and f is not m and f.cls is not None and _takes(f, param):
                        forwarders.setdefault(q, (m, site))
        targets = {f.qualname: f for f in entries}
        targets.update({q: g.functions[q] for q in forwarders if g.functions[q].cls is cls})
        for q, f in targets.items():
            if _reads(f, param) or _trivial(f):
                continue
            fw = forwarders.get(q)
            if fw is not None:
                out.append(DroppedStop(cls, f, (fw[1].func.path, fw[1].call.pos), fw[0]))
                continue
            req = _request_site(g, f)
            node = f.node
            pos = req.call.pos if req is not None else node.pos if node is not None else (1, 0, 1, 0)
            out.append(DroppedStop(cls, f, (f.path, pos), None))
    return out


@per_graph
def stop_reliances(g: ProjectGraph) -> list[StopReliance]:
    """Code that relies on a stop sequence reaching a framework model: a `stop=[...]` given to an
    agent, a chain or a framework model call (not to a provider SDK's own call), or an agent of a
    text protocol, whose loop stops the model at the observation."""
    names = stop_names(g)
    observations = protocol_markers(g).get("observation_markers", ("Observation:",))
    sdk_calls = {id(c.call) for c in g.agent.llm_calls if not c.is_chat_model}
    out: list[StopReliance] = []
    for func in g.functions.values():
        if g.is_test_code(func.path):
            continue
        for site in func.calls:
            if id(site.call) in sdk_calls:
                continue
            for kw in site.call.keywords:
                if kw.name not in names:
                    continue
                lit = literal_of(g, kw.value, func, site.stmt)
                elems = lit[0].elts if lit is not None and isinstance(lit[0], ir.Seq) else [kw.value]
                owner, at = (lit[1], lit[2]) if lit is not None else (func, site.stmt)
                stops = [s for x in elems for s in const_strs(g, x, owner, at) if s]
                if stops:
                    obs = any(o.rstrip(":") in s for s in stops for o in observations)
                    out.append(StopReliance(func.path, site.call.pos[0], f"{kw.name}={stops!r}", obs))
    for ac in g.agent.agent_constructs:
        if getattr(ac.spec, "text_protocol", False) and not g.is_test_code(ac.site.func.path):
            name = ir.dotted(ac.site.call.func) or "the agent"
            out.append(StopReliance(ac.site.func.path, ac.site.call.pos[0], f"`{name}` (a text-protocol agent)",
                                    True))
    # the observation stops of a text protocol first: the ones the message can name
    return sorted(out, key=lambda r: not r.observation)
