"""Constructions of a project class that subclasses a framework's agent class (agency-swarm's
`class Agent(agents.Agent)`, an app's `class SupportAgent(Agent)`): the keyword that names the
model reaches the framework's constructor as it would in a direct construction, when the
subclass does not take it over (no `__init__` of its own, or one that only collects `**kwargs`
without naming that keyword)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg.hook_sources import external_bases_of
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ClassRef
from agentable.query.facts import per_graph


@dataclass(frozen=True)
class SubclassConstruction:
    site: CallSite
    cls: str  # the project class constructed
    base: str  # the framework agent class it extends, as the catalog spells it
    spec: object  # that class's AgentSpec
    own_init: bool  # a project class on the way defines `__init__` (positions are its own)


@per_graph
def subclass_agent_constructions(g: ProjectGraph) -> list[SubclassConstruction]:
    """Calls in the agent's code that construct a project subclass of a catalogued framework agent
    class, where every value of the callee is such a class extending the same framework class."""
    out: list[SubclassConstruction] = []
    found: dict[str, Optional[tuple[str, object]]] = {}
    for func in g.agent.functions():
        for site in func.calls:
            vals = g.values(site.call.func, func, site.stmt)
            if not vals or any(v.__class__ is not ClassRef for v in vals):
                continue
            bases = {_agent_base(g, v.qualname, found) for v in vals if isinstance(v, ClassRef)}
            if len(bases) != 1 or None in bases:
                continue
            base = next(iter(bases))
            assert base is not None
            q = next(v.qualname for v in vals if isinstance(v, ClassRef))
            out.append(SubclassConstruction(site, q, base[0], base[1], _own_init(g, q) is not None))
    return out


def model_keyword_reaches_base(g: ProjectGraph, c: SubclassConstruction, keyword: str) -> bool:
    """Does `keyword=` at the construction reach the framework class's constructor unchanged as far
    as the code shows: no project `__init__` on the way, or one that gathers `**kwargs` and names
    no parameter `keyword` (a subclass that names it may give it another meaning)."""
    init = _own_init(g, c.cls)
    if init is None:
        return True
    params = init.params
    return any(p.kind == "kwarg" for p in params) and all(p.name != keyword for p in params)


def _own_init(g: ProjectGraph, qualname: str) -> Optional[FunctionInfo]:
    for cls in g.mro(qualname):
        if "__init__" in cls.methods:
            return cls.methods["__init__"]
    return None


def _agent_base(g: ProjectGraph, qualname: str,
                found: dict[str, Optional[tuple[str, object]]]) -> Optional[tuple[str, object]]:
    if qualname not in found:
        hit: Optional[tuple[str, object]] = None
        for base in external_bases_of(g, qualname):
            spec = g.catalog.agent_constructor(base)
            if spec is not None:
                hit = (base, spec)
                break
        found[qualname] = hit
    return found[qualname]
