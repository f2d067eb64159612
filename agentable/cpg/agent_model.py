"""The agent layer's data model: LLM calls with their effective settings, tool definitions, agent
loops and agent constructions, and `AgentView`, what tool and state-graph discovery read of the
agent layer.

Why apart from `agent`: the agent layer (`agent.AgentLayer`) runs tool and state-graph
discovery, and those build and read these records; with the records here, discovery imports
this module and the layer imports discovery, one way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator, Optional, Protocol, Union

from agentable.catalog.specs import LLMCallSpec
from agentable.cpg import ir
from agentable.cpg.flow import LoopInfo
from agentable.cpg.frameworks import http_payload
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.structure import CallSite, ClassInfo, FunctionInfo, ModuleInfo
from agentable.cpg.values import Const, ExtRef, ordered


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
    graph: CodeGraph = field(default=None, repr=False)  # type: ignore[assignment]  # always passed; a default as fields before it have one
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
        payload_params: tuple[str, ...] = getattr(self.spec, "payload_params", ())
        if name is not None and payload_params:
            return self._payload_setting(role, name)
        if name is not None:
            v = call.kwarg(name)
            if v is not None:
                return Setting(role, v, self.func, self.site.stmt, "call")
            positional = getattr(self.spec, "positional", None) or {}
            if role in positional and positional[role] < len(call.args):
                return Setting(role, call.args[positional[role]], self.func, self.site.stmt, "call")
            splat = self._splat_setting(role, name)
            if splat is not None:
                return splat
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

    def _splat_setting(self, role: str, name: str) -> Optional[Setting]:
        """A setting passed inside a `**params` dict: a key of the dict literal the name is bound
        to (`create_params = {"model": ..., "tools": tools}`), or an item the calling function
        stores in it (`kwargs["tools"] = functions`)."""
        for kw in self.call.keywords:
            if kw.name is not None:
                continue
            if isinstance(kw.value, ir.Name):
                for s in ir.walk_stmts(self.func.body):
                    if isinstance(s, ir.Assign) and s.value is not None and any(
                            isinstance(t, ir.Subscript) and isinstance(t.value, ir.Name) and t.value.id == kw.value.id
                            and isinstance(t.index, ir.Constant) and t.index.value == name for t in s.targets):
                        return Setting(role, s.value, self.func, s, "call")
            found = self.graph.bound_literal(kw.value, self.func, self.site.stmt, (ir.Dict,))
            if found is not None:
                d, func, stmt = found
                v = d.get(name) if isinstance(d, ir.Dict) else None
                if v is not None:
                    return Setting(role, v, func, stmt, "call")
        return None

    def _config_setting(self, role: str) -> Optional[Setting]:
        """A setting the SDK takes inside a config argument (catalog `config_param` /
        `config_keys`): a keyword of the config constructor (`types.GenerateContentConfig(...)`)
        or a key of a dict literal, in the config the call is made with (see `config_literal`)."""
        key = (getattr(self.spec, "config_keys", None) or {}).get(role)
        if not key:
            return None
        found = self.config_literal()
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
        spec = self.spec
        if not isinstance(spec, LLMCallSpec):  # only an [[http_llm_call]] entry has payload_params
            return None
        found = http_payload(self.graph, spec, self.call, self.func, self.site.stmt)
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
        for v in ordered(self.graph.values(s.expr, s.func, s.stmt)):
            if isinstance(v, Const) and isinstance(v.value, str):
                out.append((v.value, s))
        return out


def _ctor_path(call: LLMCall) -> str:
    if call.client_site is None:
        return ""
    path, ctor = call.client_site
    func = call.graph.function_of(path, ctor.pos)
    if func is None:
        return ""
    for v in ordered(call.graph.values(ctor.func, func, func.call_statement(ctor))):
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
    # an AgentSpec; left `object` so that the queries reading it with getattr keep type-checking
    # as they do (narrowing it is theirs to take up)
    spec: object


class AgentView(Protocol):
    """What tool discovery, state-graph discovery and prompt-described tools read of the agent
    layer (see `agent.AgentLayer`)."""

    @property
    def relevant_modules(self) -> list[ModuleInfo]: ...

    def functions(self) -> Iterator[FunctionInfo]: ...

    @property
    def external_calls(self) -> list[tuple[CallSite, list[ExtRef]]]: ...

    @property
    def llm_calls(self) -> list[LLMCall]: ...

    @property
    def agent_constructs(self) -> list[AgentConstruct]: ...
