"""The agent layer: LLM call sites with their effective settings, tool definitions, agent
constructions and agent loops, all recognised through the framework catalog (data), never
through names hard-coded here.

The records the layer builds (LLMCall, Setting, ToolDef, AgentLoop, ...) are defined in
`agent_model` and re-exported here; tool discovery is `tools`, state graphs `state_graphs`.
"""

from __future__ import annotations

from functools import cached_property
from typing import Iterator, Optional, Union

from agentable.cpg import ir
from agentable.cpg.agent_model import AgentConstruct, AgentLoop, LLMCall, Setting, ToolDef, ToolParam
from agentable.cpg.flow import loop_info
from agentable.cpg.frameworks import builds_for_generation
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.state_graphs import StateGraph, cyclic_node_functions, state_graphs
from agentable.cpg.structure import CallSite, FunctionInfo, ModuleInfo
from agentable.cpg.tools import discover_tools
from agentable.cpg.values import ClassRef, ExtRef, FuncRef, Instance, LLMOutput, ordered


def _import_names(s: Union[ir.Import, ir.ImportFrom]) -> list[str]:
    return [a.name for a in s.names] if isinstance(s, ir.Import) else [s.module]


class AgentLayer:
    def __init__(self, graph: CodeGraph) -> None:
        self.g = graph

    # ------------------------------------------------------------------ relevance

    @cached_property
    def relevant_modules(self) -> list[ModuleInfo]:
        """Modules that import a framework; project modules that import those (transitively);
        and the project modules those import (tools, prompts and helpers live there)."""
        cat = self.g.catalog
        roots = cat.known_framework_roots()
        http_roots, endpoints = cat.http_llm_roots()
        bodies = cat.http_payload_keys()
        relevant: set[str] = set()
        deps: dict[str, set[str]] = {}
        for name, mod in self.g.modules.items():
            targets = set(mod.imports.values()) | {k[1:] for k in mod.imports if k.startswith("*")}
            # a framework imported inside a function (`def ask(): import openai`) counts too
            local = {t for s in mod.import_stmts if not getattr(s, "level", 0) for t in _import_names(s) if t}
            if {t.split(".")[0] for t in targets | local} & roots or self._posts_to_models(mod, http_roots, endpoints, bodies):
                relevant.add(name)
            for dep in self.g.imported_modules(mod):
                deps.setdefault(dep, set()).add(name)
        for definer, users in self.g.injected_users().items():  # functions injected by name
            deps.setdefault(definer, set()).update(users)
        stack = list(relevant)
        while stack:
            for user in deps.get(stack.pop(), ()):
                if user not in relevant:
                    relevant.add(user)
                    stack.append(user)
        uses: dict[str, set[str]] = {}
        for dep, users in deps.items():
            for user in users:
                uses.setdefault(user, set()).add(dep)
        stack = list(relevant)
        while stack:
            for dep in uses.get(stack.pop(), ()):
                if dep not in relevant:
                    relevant.add(dep)
                    stack.append(dep)
        return [self.g.modules[n] for n in sorted(relevant)]

    @staticmethod
    def _posts_to_models(mod: ModuleInfo, http_roots: frozenset[str], endpoints: tuple[str, ...],
                         bodies: tuple[tuple[str, ...], ...]) -> bool:
        """A module that imports an HTTP client (anywhere in it) and holds a model endpoint's URL,
        chat messages, or the keys of a model request body (`"model"` and `"prompt"`): it may send
        raw requests to a model (`[[http_llm_call]]`)."""
        src = mod.ir.source
        if (not any(p in src for p in endpoints) and '"role"' not in src and "'role'" not in src
                and not any(all(f'"{k}"' in src or f"'{k}'" in src for k in keys) for keys in bodies)):
            return False
        return any(t.split(".")[0] in http_roots for s in mod.import_stmts for t in _import_names(s))

    @cached_property
    def _functions(self) -> list[FunctionInfo]:
        mods = {m.name for m in self.relevant_modules}
        return [f for f in self.g.functions.values() if f.module.name in mods]

    def functions(self) -> Iterator[FunctionInfo]:
        """Functions (and module code) of the agent-relevant modules."""
        return iter(self._functions)

    # ------------------------------------------------------------------ LLM calls

    @cached_property
    def external_calls(self) -> list[tuple[CallSite, list[ExtRef]]]:
        """The call sites of the agent functions whose callee may be an external symbol, with
        those symbols in `values.ordered` order (a constructor's site first in source order): the
        sites every catalog lookup starts from."""
        out: list[tuple[CallSite, list[ExtRef]]] = []
        values = self.g.values
        for func in self.functions():
            for site in func.calls:
                exts = ordered(v for v in values(site.call.func, func, site.stmt) if v.__class__ is ExtRef)
                if exts:
                    out.append((site, exts))
        return out

    @cached_property
    def _call_kinds(self) -> tuple[list[LLMCall], list[CallSite], list["AgentConstruct"], dict[int, str]]:
        """One pass over the external calls: LLM calls, agent runs (and the catalog path of each
        run's callee, by id of its call) and agent constructions."""
        llm: list[LLMCall] = []
        runs: list[CallSite] = []
        run_paths: dict[int, str] = {}
        constructs: list[AgentConstruct] = []
        cat = self.g.catalog
        for site, exts in self.external_calls:
            call = self._as_llm_call(site, exts)
            if call is not None:
                llm.append(call)
            for v in exts:
                inst, _, method = v.path.rpartition("().")
                spec = cat.agent_constructor(inst) if inst else None
                if (spec is not None and method in spec.run_methods) or cat.agent_runner(v.path) is not None:
                    runs.append(site)
                    run_paths[id(site.call)] = v.path
                    break
            for v in exts:
                ctor = cat.agent_constructor(v.path)
                if ctor is not None:
                    constructs.append(AgentConstruct(site, v.path, ctor))
                    break
        return llm, runs, constructs, run_paths

    def _as_llm_call(self, site: CallSite, exts: list[ExtRef]) -> Optional[LLMCall]:
        cat = self.g.catalog
        for v in exts:
            spec = cat.llm_call(v.path)
            if spec is not None and builds_for_generation(spec, v.site):
                return LLMCall(site, v.path, spec.provider, spec.api, spec, "", v.site, v.binds, self.g)
            spec = self.g.resolver.http_llm_spec(site.call, v.path, site.func, site.stmt)
            if spec is not None:  # a POST to a model endpoint
                return LLMCall(site, v.path, spec.provider, spec.api, spec, "", None, (), self.g)
            inst, _, method = v.path.rpartition("().")
            if not inst and v.path.endswith("()"):  # the instance itself is called: `llm(prompt)`
                inst, method = v.path[:-2], "__call__"
            model = cat.chat_model(inst) if inst else None
            if model is not None and method in model.call_methods:
                return LLMCall(site, v.path, model.provider, "chat", model, method, v.site, v.binds, self.g)
        return None

    @property
    def llm_calls(self) -> list[LLMCall]:
        return self._call_kinds[0]

    @cached_property
    def _llm_by_call(self) -> dict[int, LLMCall]:
        return {id(c.call): c for c in self.llm_calls}

    @property
    def agent_runs(self) -> list[CallSite]:
        """Calls that run a framework agent (`crew.kickoff()`, `Runner.run(agent, ...)`,
        `proxy.initiate_chat(...)`): each one asks the model, possibly many times."""
        return self._call_kinds[1]

    def run_path(self, site: CallSite) -> str:
        """The catalog path of an agent run's callee (`pydantic_ai.Agent().run_sync`)."""
        return self._call_kinds[3].get(id(site.call), "")

    @cached_property
    def _agent_run_ids(self) -> set[int]:
        return {id(site.call) for site in self.agent_runs}

    def llm_call_at(self, call: ir.Call) -> Optional[LLMCall]:
        return self._llm_by_call.get(id(call))

    @cached_property
    def llm_functions(self) -> set[str]:
        """Functions that call a model, directly or through project functions (wrappers)."""
        direct = {c.func.qualname for c in self.llm_calls} | {site.func.qualname for site in self.agent_runs}
        result = set(direct)
        stack = list(direct)
        while stack:
            q = stack.pop()
            f = self.g.functions.get(q)
            if f is None:
                continue
            for site in self.g.callers(f):
                if site.func.qualname not in result:
                    result.add(site.func.qualname)
                    stack.append(site.func.qualname)
        return result

    def calls_llm(self, site: CallSite) -> bool:
        if id(site.call) in self._llm_by_call or id(site.call) in self._agent_run_ids:
            return True
        return any(t in self.llm_functions for t in self.g.callees(site))

    # ------------------------------------------------------------------ agent loops

    @cached_property
    def loops(self) -> list[AgentLoop]:
        out: list[AgentLoop] = []
        for func in self.functions():
            if func.qualname not in self.llm_functions:
                continue
            loop_stmts = [s for s in func.stmts if isinstance(s, (ir.While, ir.For))]
            if not loop_stmts:
                continue
            # the LLM-calling sites inside each loop, found with one walk up from each site
            inside: dict[int, list[CallSite]] = {id(s): [] for s in loop_stmts}
            for site in func.calls:
                enclosing = [a for a in (site.stmt, *func.ancestors(site.stmt)) if id(a) in inside]
                if enclosing and self.calls_llm(site):
                    for a in enclosing:
                        inside[id(a)].append(site)
            for s in loop_stmts:
                inner = inside[id(s)]
                if inner:
                    calls = [self._llm_by_call[id(x.call)] for x in inner if id(x.call) in self._llm_by_call]
                    out.append(AgentLoop(func, s, loop_info(s), calls))
        return out

    @cached_property
    def state_graphs(self) -> list[StateGraph]:
        """The framework state graphs (LangGraph StateGraph builders) with their nodes and edges."""
        return state_graphs(self.g, self)

    @cached_property
    def graph_cycles(self) -> dict[str, frozenset[str]]:
        """Functions that run as nodes (or branch routers) of a cycle of a framework state graph
        (LangGraph), each with every function of its cycle: they repeat like a loop's body."""
        return cyclic_node_functions(self.state_graphs)

    # ------------------------------------------------------------------ agents built with frameworks

    @property
    def agent_constructs(self) -> list[AgentConstruct]:
        return self._call_kinds[2]

    # ------------------------------------------------------------------ tools

    @cached_property
    def tools(self) -> list[ToolDef]:
        return discover_tools(self.g, self)


__all__ = [
    "AgentConstruct",
    "AgentLayer",
    "AgentLoop",
    "ClassRef",
    "FuncRef",
    "Instance",
    "LLMCall",
    "LLMOutput",
    "Setting",
    "ToolDef",
    "ToolParam",
]

