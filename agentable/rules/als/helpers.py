"""Helpers of the ALS rules that only one rule uses."""

from __future__ import annotations

from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.facts import per_graph
from agentable.query.protocol import asks_text_protocol, prompt_text, protocol_markers
from agentable.query.tools import tool_functions_of


def control_markers(g: ProjectGraph) -> tuple[str, ...]:
    """Every marker a text protocol's parser reacts to."""
    m = protocol_markers(g)
    return tuple(dict.fromkeys(m.get("final_markers", ()) + m.get("action_markers", ()) +
                               m.get("observation_markers", ()) + m.get("thought_markers", ())))


@per_graph
def _protocol_modules(g: ProjectGraph) -> set[str]:
    mods = {ac.site.func.module.name for ac in g.agent.agent_constructs if getattr(ac.spec, "text_protocol", False)}
    return mods | {c.func.module.name for c in g.agent.llm_calls if asks_text_protocol(g, prompt_text(g, c))}


def uses_text_protocol(g: ProjectGraph, near: Optional[object] = None) -> bool:
    """Does the project run a text-protocol agent: a framework agent whose catalog entry says it
    parses tool calls from text, or an LLM call whose prompt asks for the Action/Observation
    protocol? With `near` (a ModuleInfo), only evidence in that module, its directory, or a module
    it imports or that imports it counts (so unrelated programs scanned together do not mix)."""
    mods = _protocol_modules(g)
    if near is None or not mods:
        return bool(mods)
    evidence, folders, imported = _protocol_reach(g)
    name = near.name  # type: ignore[attr-defined]
    return (name in evidence or name in imported or near.path.rpartition("/")[0] in folders  # type: ignore[attr-defined]
            or not evidence.isdisjoint(g.imported_modules(near)))  # type: ignore[arg-type]


@per_graph
def _protocol_reach(g: ProjectGraph) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """For `uses_text_protocol(near=...)`, computed once: the project modules with protocol
    evidence, their folders, and the project modules they import."""
    evidence = [g.modules[m] for m in _protocol_modules(g) if m in g.modules]
    return (frozenset(m.name for m in evidence), frozenset(m.path.rpartition("/")[0] for m in evidence),
            frozenset(n for m in evidence for n in g.imported_modules(m)))


@per_graph
def tool_functions(g: ProjectGraph) -> list[tuple[FunctionInfo, Optional[object]]]:
    """Functions that run as tools: implementations of framework tools (graph.agent.tools, with the
    ToolDef) and functions an LLM-driven function dispatches by a computed name (`TOOLS[name](arg)`,
    `self.tools[name].run(arg)`), with None for the ToolDef."""
    out: dict[str, tuple[FunctionInfo, Optional[object]]] = {}
    for t in g.agent.tools:
        for f in tool_functions_of(g, t):
            out.setdefault(f.qualname, (f, t))
    llm_funcs = g.agent.llm_functions
    for func in g.agent.functions():
        if func.qualname not in llm_funcs:
            continue
        for site in func.calls:
            chain = site.call.func
            while isinstance(chain, ir.Attribute):
                chain = chain.value
            targets = g.callees(site)
            if isinstance(chain, ir.Subscript) or len(targets) >= 2:
                for q in targets:
                    tf = g.functions.get(q)
                    if tf is not None and q not in llm_funcs and tf.name != "__init__":
                        out.setdefault(q, (tf, None))
    result = list(out.values())
    return result
