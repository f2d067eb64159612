"""The agent layer: LLM call sites with their effective settings, tool definitions, agent
constructions and agent loops, all recognised through the framework catalog (data), never
through names hard-coded here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Iterator, Optional, Union

from agentable.cpg import ir
from agentable.cpg.flow import LoopInfo, loop_info
from agentable.cpg.frameworks import builds_for_generation, http_payload
from agentable.cpg.structure import CallSite, ClassInfo, FunctionInfo, ModuleInfo
from agentable.cpg.values import ClassRef, Const, ExtRef, FuncRef, Instance, LLMOutput

if TYPE_CHECKING:
    from agentable.cpg.project import ProjectGraph
    from agentable.cpg.state_graphs import StateGraph


@dataclass(eq=False)
class Setting:
    """Where an LLM setting (model, stop, max_tokens, …) is given: the expression and its scope."""

    role: str
    expr: ir.Expr
    func: FunctionInfo
    stmt: object
    where: str  # call | config | client | bind | agent

    def __repr__(self) -> str:
        return f"Setting({self.role} from {self.where} at {self.func.path}:{self.expr.pos[0]})"

    @property
    def path(self) -> str:
        return self.func.path


@dataclass(eq=False)
class LLMCall:
    site: CallSite
    path: str  # the catalog name of what is called
    provider: str
    api: str
    spec: object  # LLMCallSpec or ChatModelSpec
    method: str = ""
    client_site: Optional[tuple[str, ir.Call]] = None
    binds: tuple[tuple[str, ir.Call], ...] = ()
    graph: "ProjectGraph" = field(default=None, repr=False)  # type: ignore[assignment]
    # role -> effective setting: many rules ask the same call for the same roles
    _settings: dict[str, Optional[Setting]] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"LLMCall({self.path} at {self.func.path}:{self.call.pos[0]})"

    @property
    def call(self) -> ir.Call:
        return self.site.call

    @property
    def func(self) -> FunctionInfo:
        return self.site.func

    @property
    def path_in_repo(self) -> str:
        return self.site.func.path

    @property
    def is_chat_model(self) -> bool:
        return hasattr(self.spec, "call_methods")

    def _param_name(self, role: str) -> Optional[str]:
        spec = self.spec
        names = getattr(spec, "params", None) if not self.is_chat_model else getattr(spec, "param_names", None)
        if names and role in names:
            return names[role]
        if self.is_chat_model and role == "model":
            return None
        return None

    def setting(self, role: str) -> Optional[Setting]:
        """The effective value of a setting: the call's own argument, then bound settings, then
        the client/chat-model constructor."""
        if role not in self._settings:
            self._settings[role] = self._find_setting(role)
        return self._settings[role]

    def _find_setting(self, role: str) -> Optional[Setting]:
        name = self._param_name(role)
        call = self.call
        if name is not None and getattr(self.spec, "payload_params", ()):
            return self._payload_setting(role, name)
        if name is not None:
            v = call.kwarg(name)
            if v is not None:
                return Setting(role, v, self.func, self.site.stmt, "call")
            positional = getattr(self.spec, "positional", None) or {}
            if role in positional and positional[role] < len(call.args):
                return Setting(role, call.args[positional[role]], self.func, self.site.stmt, "call")
        inside = self._config_setting(role)
        if inside is not None:
            return inside
        for path, bind in reversed(self.binds):
            v = bind.kwarg(name or role)
            if v is not None:
                return self._setting_at(role, v, path, bind, "bind")
        if self.client_site is not None:
            path, ctor = self.client_site
            for kw in self._ctor_names(role):
                v = ctor.kwarg(kw)
                if v is not None:
                    return self._setting_at(role, v, path, ctor, "client")
            client = None if self.is_chat_model else self.graph.catalog.llm_client(self.ctor_path)
            pos = (getattr(client, "positional", None) or {}).get(role)
            if pos is not None and pos < len(ctor.args):
                return self._setting_at(role, ctor.args[pos], path, ctor, "client")
            if role == "model" and self.is_chat_model:
                pos = getattr(self.spec, "model_positional", None)
                if pos is not None and pos < len(ctor.args):
                    return self._setting_at(role, ctor.args[pos], path, ctor, "client")
        return None

    def _config_setting(self, role: str) -> Optional[Setting]:
        """A setting the SDK takes inside a config argument (catalog `config_param` /
        `config_keys`): a keyword of the config constructor (`types.GenerateContentConfig(...)`)
        or a key of a dict literal, in the config the call is made with (see `config_literal`)."""
        key = (getattr(self.spec, "config_keys", None) or {}).get(role)
        found = self.config_literal() if key else None
        if found is None:
            return None
        node, func, stmt = found
        v = node.kwarg(key) if isinstance(node, ir.Call) else node.get(key)
        return Setting(role, v, func, stmt, "config") if v is not None else None

    def config_literal(self) -> Optional[tuple[Union[ir.Dict, ir.Call], FunctionInfo, object]]:
        """The literal of the config the call is made with (catalog `config_param`): a config
        constructor call or a dict, in the call or bound to the name it passes, with its scope.
        A call without a config argument uses the config of the call that made the object called
        (`client.chats.create(config=...)` for `chat.send_message(...)`); one with its own config
        replaces that one (google-genai chats.py: `config if config else self._config`). None
        when there is no config or it cannot be read."""
        param = getattr(self.spec, "config_param", None)
        if not param:
            return None
        arg = self.call.kwarg(param)
        if arg is not None:
            return self.graph.bound_literal(arg, self.func, self.site.stmt, (ir.Dict, ir.Call))
        if self.client_site is None:
            return None
        path, maker = self.client_site
        owner = self.graph.function_of(path, maker.pos)
        arg = maker.kwarg(param)
        if owner is None or arg is None:
            return None
        return self.graph.bound_literal(arg, owner, owner.call_statement(maker), (ir.Dict, ir.Call))

    def _payload_setting(self, role: str, key: str) -> Optional[Setting]:
        """A setting of a raw HTTP request: a key of its JSON payload (see `http_payload`)."""
        found = http_payload(self.graph, self.spec, self.call, self.func, self.site.stmt)
        if found is None:
            return None
        d, func, stmt = found
        v = d.get(key)
        return Setting(role, v, func, stmt, "call") if v is not None else None

    def _ctor_names(self, role: str) -> list[str]:
        if self.is_chat_model:
            if role == "model":
                return list(getattr(self.spec, "model_params", ()) or ())
            names = getattr(self.spec, "param_names", {}) or {}
            return [names[role]] if role in names else [role]
        client = self.graph.catalog.llm_client((self.client_site and self.ctor_path) or "")
        names = getattr(client, "params", {}) if client else {}
        return [names[role]] if role in names else [role]

    @cached_property
    def ctor_path(self) -> str:
        """Catalog path of the client constructor (`openai.OpenAI`), or "" (asked per setting)."""
        return _ctor_path(self)

    def _setting_at(self, role: str, v: ir.Expr, path: str, call: ir.Call, where: str) -> Setting:
        func = self.graph.function_of(path, call.pos) or self.func
        return Setting(role, v, func, func.call_statement(call), where)

    def has_kwarg_splat(self) -> bool:
        return self.call.has_kwargs_splat()

    def model_ids(self) -> list[tuple[str, Setting]]:
        s = self.setting("model")
        if s is None:
            return []
        out = []
        for v in self.graph.values(s.expr, s.func, s.stmt):
            if isinstance(v, Const) and isinstance(v.value, str):
                out.append((v.value, s))
        return out


def _import_names(s: Union[ir.Import, ir.ImportFrom]) -> list[str]:
    return [a.name for a in s.names] if isinstance(s, ir.Import) else [s.module]


def _ctor_path(call: LLMCall) -> str:
    if call.client_site is None:
        return ""
    path, ctor = call.client_site
    func = call.graph.function_of(path, ctor.pos)
    if func is None:
        return ""
    for v in call.graph.values(ctor.func, func, func.call_statement(ctor)):
        if isinstance(v, ExtRef):
            return v.path
    return ""


@dataclass(eq=False)
class ToolParam:
    name: str
    annotation: Optional[str]
    doc: Optional[str]


@dataclass(eq=False)
class ToolDef:
    kind: str  # decorator | constructor | class | schema
    framework: str
    module: ModuleInfo
    pos: ir.Pos  # where to report: the def line, the constructor call or the schema
    name: Optional[str]
    description: Optional[str]
    description_source: Optional[str]  # docstring | kwarg | attribute | schema | None
    func: Optional[FunctionInfo] = None  # the implementing function
    cls: Optional[ClassInfo] = None
    spec: object = None
    params: list[ToolParam] = field(default_factory=list)
    schema: Optional[ir.Dict] = None
    description_pos: Optional[ir.Pos] = None
    name_pos: Optional[ir.Pos] = None  # where the name the model sees is written
    output_type: Optional[str] = None  # the result type a framework attribute declares (smolagents output_type)
    output_type_pos: Optional[ir.Pos] = None

    @property
    def path(self) -> str:
        return self.module.path

    @property
    def handles_errors(self) -> bool:
        return bool(getattr(self.spec, "handles_errors", False))

    @property
    def return_contract(self) -> Optional[str]:
        return getattr(self.spec, "return_contract", None)


@dataclass(eq=False)
class AgentLoop:
    func: FunctionInfo
    loop: Union[ir.While, ir.For]
    info: LoopInfo
    llm_calls: list[LLMCall]


@dataclass(eq=False)
class AgentConstruct:
    site: CallSite
    path: str
    spec: object


class AgentLayer:
    def __init__(self, graph: "ProjectGraph") -> None:
        self.g = graph

    # ------------------------------------------------------------------ relevance

    @cached_property
    def relevant_modules(self) -> list[ModuleInfo]:
        """Modules that import a framework; project modules that import those (transitively);
        and the project modules those import (tools, prompts and helpers live there)."""
        cat = self.g.catalog
        roots = cat.known_framework_roots()
        http_roots, endpoints = cat.http_llm_roots()
        relevant: set[str] = set()
        deps: dict[str, set[str]] = {}
        for name, mod in self.g.modules.items():
            targets = set(mod.imports.values()) | {k[1:] for k in mod.imports if k.startswith("*")}
            # a framework imported inside a function (`def ask(): import openai`) counts too
            local = {t for s in mod.import_stmts if not getattr(s, "level", 0) for t in _import_names(s) if t}
            if {t.split(".")[0] for t in targets | local} & roots or self._posts_to_models(mod, http_roots, endpoints):
                relevant.add(name)
            for t in targets:
                parts = t.split(".")
                for i in range(len(parts), 0, -1):
                    m = self.g.find_module(".".join(parts[:i]), mod)
                    if m is not None:
                        deps.setdefault(m.name, set()).add(name)
                        break
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
    def _posts_to_models(mod: ModuleInfo, http_roots: frozenset[str], endpoints: tuple[str, ...]) -> bool:
        """A module that imports an HTTP client (anywhere in it) and holds a model endpoint's URL
        or chat messages: it may send raw requests to a model (`[[http_llm_call]]`)."""
        src = mod.ir.source
        if not any(p in src for p in endpoints) and '"role"' not in src and "'role'" not in src:
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
        those symbols (in value order): the sites every catalog lookup starts from."""
        out: list[tuple[CallSite, list[ExtRef]]] = []
        values = self.g.values
        for func in self.functions():
            for site in func.calls:
                exts = [v for v in values(site.call.func, func, site.stmt) if v.__class__ is ExtRef]
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
    def state_graphs(self) -> list["StateGraph"]:
        """The framework state graphs (LangGraph StateGraph builders) with their nodes and edges."""
        from agentable.cpg.state_graphs import state_graphs

        return state_graphs(self.g, self)

    @cached_property
    def graph_cycles(self) -> dict[str, frozenset[str]]:
        """Functions that run as nodes (or branch routers) of a cycle of a framework state graph
        (LangGraph), each with every function of its cycle: they repeat like a loop's body."""
        from agentable.cpg.state_graphs import cyclic_node_functions

        return cyclic_node_functions(self.state_graphs)

    # ------------------------------------------------------------------ agents built with frameworks

    @property
    def agent_constructs(self) -> list[AgentConstruct]:
        return self._call_kinds[2]

    # ------------------------------------------------------------------ tools

    @cached_property
    def tools(self) -> list[ToolDef]:
        from agentable.cpg.tools import discover_tools

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
