"""Model ids in use: every model slot (LLM calls, chat models, agents) and the ids that reach it (ADAL, LARD)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, cast

from agentable.catalog.specs import AgentSpec
from agentable.cpg import ir
from agentable.cpg.agent import LLMCall
from agentable.cpg.http_endpoints import EndpointTexts
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import ClassRef, Const
from agentable.findings import FlowStep
from agentable.query.agent_subclasses import model_keyword_reaches_base, subclass_agent_constructions
from agentable.query.config import config_default, config_default_strs
from agentable.query.facts import EvalAt, per_graph
from agentable.query.literals import const_strs, construction_arg, dict_values_for_key, literal_of, literal_sites
from agentable.query.graph_state import state_inputs
from agentable.query.model_feeds import closed_values, fed_arguments
from agentable.query.model_forwarding import forwarded_keywords


MAX_USES_SHOWN = 6  # uses of one literal listed with its finding


@dataclass(eq=False)
class ModelUse:
    """A model id given to a generative role: an LLM call (its own argument, a bound setting or the
    client), a framework chat-model construction, or a framework agent construction.

    `expr` is where the model is written at that use (the argument or constructor keyword); report
    there. `api` is what the model is asked to do: the LLM call's api (chat, completion, responses,
    embedding, …); "chat" for chat models and agents, "completion" for completion-style framework
    LLM classes. `owner` is the LLMCall, or the construction's (module path, call, spec).
    """

    model_id: str
    expr: ir.Expr
    func: FunctionInfo
    stmt: EvalAt
    where: str  # call | client | bind | chat_model | agent
    api: str
    spec: object
    call: Optional[ir.Call] = None  # the LLM call, or the chat-model / agent construction
    llm_call: Optional[LLMCall] = None  # when the use is an LLM call

    literal: Optional[tuple[str, ir.Pos]] = None  # where the model id string itself is written
    literal_shared: bool = False  # the same literal also feeds a use of another kind (e.g. an embedding call)
    via: Optional[tuple[str, ir.Pos]] = None  # the model call a keyword reaches through `**kwargs`

    @property
    def path(self) -> str:
        return self.func.path

    @property
    def pos(self) -> ir.Pos:
        return self.expr.pos

    @property
    def report_at(self) -> tuple[str, ir.Pos]:
        """Report where the id is written (the line to change) unless that literal also serves
        other kinds of use legitimately; then at this use."""
        if self.literal is not None and not self.literal_shared:
            return self.literal
        if self.via is not None:  # the call is in the wrapper, not where this keyword is given
            return (self.path, self.pos)
        return (self.path, self.call.pos if self.call is not None and self.path == self.func.path else self.pos)

    def flow(self, g: ProjectGraph) -> tuple[FlowStep, ...]:
        """The literal, then each place it is used (the related locations of a finding reported at
        the literal): every use of this id written there, once per line, the first few."""
        if self.via is not None:  # the id is written at the wrapper's caller: show the call it reaches
            first = self.literal or (self.path, self.pos)
            return (FlowStep(g.span(*first), f"model id `{self.model_id}` is set here"),
                    FlowStep(g.span(*self.via), "and passed on, inside a `**` argument, to this model call"))
        if self.literal is None or self.literal == (self.path, self.pos):
            return ()
        used: dict[tuple[str, int], ir.Pos] = {(self.path, self.pos[0]): self.pos}
        if not self.literal_shared:
            for other in _uses_by_literal(g).get((self.literal, self.model_id), ()):
                if other.pos != self.literal[1]:
                    used.setdefault((other.path, other.pos[0]), other.pos)
        steps = [FlowStep(g.span(*self.literal), f"model id `{self.model_id}` is set here")]
        for (path, _), pos in list(used.items())[:MAX_USES_SHOWN]:
            steps.append(FlowStep(g.span(path, pos), "and used here" if len(steps) == 1 else "also used here"))
        return tuple(steps)


@per_graph
def _uses_by_literal(g: ProjectGraph) -> dict[tuple[tuple[str, ir.Pos], str], list[ModelUse]]:
    """(literal, model id) -> the model uses of that id written at that literal, in `model_uses`
    order: built once, a scan of every use per reported use was quadratic in the model ids."""
    out: dict[tuple[tuple[str, ir.Pos], str], list[ModelUse]] = {}
    for use in model_uses(g):
        if use.literal is not None:
            out.setdefault((use.literal, use.model_id), []).append(use)
    return out


def chat_model_api(spec: object) -> str:
    """"completion" for a framework LLM class whose calls return plain text (a completion-style
    LLM such as a text-completion wrapper), else "chat"."""
    text_methods = set(getattr(spec, "returns_text_methods", ()) or ())
    output_text = getattr(spec, "output_text", ()) or ()
    if not output_text and text_methods & {"invoke", "__call__"}:
        return "completion"
    return "chat"


@per_graph
def chat_model_constructions(g: ProjectGraph) -> list[tuple[CallSite, object]]:
    """Calls that construct a framework chat model (its class or a factory), with its spec."""
    out: list[tuple[CallSite, object]] = []
    cat = g.catalog
    for site, exts in g.agent.external_calls:
        for v in exts:
            spec = cat.chat_model(v.path) or cat.chat_model_factory(v.path)
            if spec is not None:
                out.append((site, spec))
                break
    return out


@dataclass(eq=False)
class ModelSlot:
    """An expression that gives a model its id: an LLM call's effective `model` setting, a chat-model
    construction's model argument, or a framework agent's model/llm argument (or a `"model"` key in
    a literal config dict given there)."""

    expr: ir.Expr
    func: FunctionInfo
    stmt: EvalAt
    where: str  # call | client | bind | chat_model | agent
    api: str
    spec: object
    call: Optional[ir.Call] = None
    llm_call: Optional[LLMCall] = None
    via: Optional[tuple[str, ir.Pos]] = None  # see ModelUse.via

    @property
    def path(self) -> str:
        return self.func.path


@per_graph
def model_slots(g: ProjectGraph) -> list[ModelSlot]:
    """Every place a model id is given to a generative or API role (see ModelSlot), once per
    expression."""
    out: list[ModelSlot] = []
    seen: set[int] = set()

    def add(slot: ModelSlot) -> None:
        if id(slot.expr) not in seen:
            seen.add(id(slot.expr))
            out.append(slot)

    for c in g.agent.llm_calls:
        s = c.setting("model")
        api = chat_model_api(c.spec) if c.is_chat_model else c.api
        if s is not None:
            add(ModelSlot(s.expr, s.func, cast(EvalAt, s.stmt), s.where, api, c.spec, c.call, c))
        elif not c.is_chat_model:  # `litellm.completion(**kwargs)` in a wrapper: its callers' `model=`
            name = (getattr(c.spec, "params", None) or {}).get("model")
            for fe, owner, at in forwarded_keywords(g, c.call, c.func, [name] if name else []):
                add(ModelSlot(fe, owner, at, "call", api, c.spec, c.call, c, (c.func.path, c.call.pos)))
    for site, spec in chat_model_constructions(g):
        names = getattr(spec, "model_params", ()) or ()
        ce = construction_arg(site.call, names, getattr(spec, "model_positional", None))
        if ce is not None:
            add(ModelSlot(ce, site.func, site.stmt, "chat_model", chat_model_api(spec), spec, site.call))
        else:  # `ChatOpenAI(*args, **kwargs)` in a wrapper class: the keyword its constructions pass
            for fe, owner, at in forwarded_keywords(g, site.call, site.func, names):
                add(ModelSlot(fe, owner, at, "chat_model", chat_model_api(spec), spec, site.call,
                              via=(site.func.path, site.call.pos)))
    for ac in g.agent.agent_constructs:
        spec, call, func, stmt = ac.spec, ac.site.call, ac.site.func, ac.site.stmt
        for name, pos in ((getattr(spec, "model_param", None), getattr(spec, "model_positional", None)),
                          (getattr(spec, "llm_param", None), getattr(spec, "llm_positional", None))):
            e = construction_arg(call, [name] if name else [], pos)
            if e is None:
                continue
            add(ModelSlot(e, func, stmt, "agent", "chat", spec, call))
            for v, owner, at in dict_values_for_key(g, e, func, stmt, "model"):
                add(ModelSlot(v, owner, at, "agent", "chat", spec, call))
    # `SupportAgent(model="...")`, a project subclass of a framework agent class: its model keyword
    # (by position only when the subclass keeps the framework's constructor)
    for sc in subclass_agent_constructions(g):
        spec, call = sc.spec, sc.site.call
        for name, pos in ((getattr(spec, "model_param", None), getattr(spec, "model_positional", None)),
                          (getattr(spec, "llm_param", None), getattr(spec, "llm_positional", None))):
            if not name or not model_keyword_reaches_base(g, sc, name):
                continue
            e = construction_arg(call, [name], None if sc.own_init else pos)
            if e is not None:
                add(ModelSlot(e, sc.site.func, sc.site.stmt, "agent", "chat", spec, call))
    return out


@per_graph
def model_uses(g: ProjectGraph) -> list[ModelUse]:
    """Every model id that reaches a model slot (`model_slots`): LLM calls (argument, bound
    setting, client), chat-model constructions, and framework agents (`model=`, a model string
    given as the agent's `llm`, or `"model"` keys inside an `llm_config`-style dict). An id is a
    string constant or the default of a configuration read (`os.getenv("MODEL", "gpt-4o")`, an
    argparse option, a settings field; `query.config`). Each (model id, expression) pair appears once."""
    out: list[ModelUse] = []
    for slot in model_slots(g):
        ids = const_strs(g, slot.expr, slot.func, slot.stmt) + config_default_strs(g, slot.expr, slot.func, slot.stmt) \
            + field_construction_ids(g, slot.expr, slot.func, slot.stmt)
        fed = [(fe, owner, at, const_strs(g, fe, owner, at) + config_default_strs(g, fe, owner, at))
               for fe, owner, at in fed_arguments(g, slot.expr, slot.func, slot.stmt)
               + state_inputs(g, slot.expr, slot.func, slot.stmt)]
        for *_, fed_ids in fed:
            ids += fed_ids
        for mid in dict.fromkeys(ids):
            # one use per place the id is written: each is a line to change
            sites: list[Optional[tuple[str, ir.Pos]]] = list(literal_sites(g, slot.expr, slot.func, slot.stmt, mid)) \
                or config_default_sites(g, slot.expr, slot.func, slot.stmt, mid) \
                or field_construction_sites(g, slot.expr, slot.func, slot.stmt, mid)
            # the same id may also be written where a parameter is fed that the resolver does not follow
            sites += [x for x in _fed_sites(g, fed, mid) if x not in sites]
            for site in sites or [None]:
                out.append(ModelUse(mid, slot.expr, slot.func, slot.stmt, slot.where, slot.api, slot.spec, slot.call,
                                    slot.llm_call, site, via=slot.via))
    out = _routed_to_own_provider(g, out)
    apis_by_literal: dict[tuple[str, ir.Pos], set[str]] = {}
    for use in out:
        if use.literal is not None:
            apis_by_literal.setdefault(use.literal, set()).add(use.api)
    for use in out:
        if use.literal is not None and len(apis_by_literal[use.literal]) > 1:
            use.literal_shared = True
    return out


def _fed_sites(g: ProjectGraph, fed: list[tuple[ir.Expr, FunctionInfo, EvalAt, list[str]]],
               model_id: str) -> list[Optional[tuple[str, ir.Pos]]]:
    """Where `model_id` is written among the arguments `fed_arguments` found (with the ids each
    may be), or as the default of a configuration read one of them takes."""
    out: list[Optional[tuple[str, ir.Pos]]] = []
    for fe, owner, at, fed_ids in fed:
        if model_id not in fed_ids:
            continue
        for x in list(literal_sites(g, fe, owner, at, model_id)) or config_default_sites(g, fe, owner, at, model_id):
            if x not in out:
                out.append(x)
    return out


def config_default_sites(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt,
                         model_id: str) -> list[Optional[tuple[str, ir.Pos]]]:
    """Where `model_id` is written as the default of a configuration read `e` takes its value
    from (an argparse `default=`, `os.getenv("MODEL", ...)`), when the way from there to `e` is one
    the literal search does not follow (a tuple a helper returns, a container)."""
    out: list[Optional[tuple[str, ir.Pos]]] = []
    for v in g.values(e, func, stmt):
        found = config_default(g, v)
        if found is not None:
            out += [x for x in literal_sites(g, found[0], found[1], found[2], model_id) if x not in out]
    return out


def field_construction_sites(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt,
                             model_id: str) -> list[Optional[tuple[str, ir.Pos]]]:
    """Where `model_id` is written as the argument a construction gives the field `e` reads
    (`self.model` of a dataclass or pydantic model, set by `ChatX(model="...")` or by position,
    `Profile("gpt-4o", ...)`; also through a local name bound to the field, `model = cfg.model`):
    the line to change, rather than the model call inside the class that every construction shares."""
    out: list[Optional[tuple[str, ir.Pos]]] = []
    for given, owner, at in _field_arguments(g, e, func, stmt):
        if isinstance(given, ir.Constant) and given.value != model_id:
            continue
        out += [x for x in literal_sites(g, given, owner, at, model_id) if x not in out]
    return out


def field_construction_ids(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt) -> list[str]:
    """The string constants the constructions give the field `e` reads (see `_field_arguments`):
    a model field declared in a base class (`LLMConfigBase.model_name`) and given by position to
    the subclass each registry entry builds, which the value resolution reads from the
    constructions of the base only."""
    out: list[str] = []
    for given, owner, at in _field_arguments(g, e, func, stmt):
        out += [x for x in const_strs(g, given, owner, at) if x not in out]
    return out


@per_graph
def _field_arguments_memo(g: ProjectGraph) -> dict[tuple[int, int], list[tuple[ir.Expr, FunctionInfo, EvalAt]]]:
    return {}


def _field_arguments(g: ProjectGraph, e: ir.Expr, func: FunctionInfo,
                     stmt: EvalAt) -> list[tuple[ir.Expr, FunctionInfo, EvalAt]]:
    """The arguments the constructions of a field class (no hand-written `__init__`) give the
    field `e` reads, by keyword or by position in the field order of the instance's own class (a
    base's fields first). Arguments written as the id itself are taken from every construction;
    others from the first 8."""
    memo = _field_arguments_memo(g)
    key = (id(e), id(stmt))
    hit = memo.get(key)
    if hit is not None:
        return hit
    out: list[tuple[ir.Expr, FunctionInfo, EvalAt]] = []
    for attr, owner, at in _field_reads(g, e, func, stmt):
        for v in g.shallow.values(attr.value, owner, at):
            q = getattr(v, "qualname", None)
            if q not in g.classes or isinstance(v, ClassRef) or any("__init__" in c.methods for c in g.mro(q)):
                continue  # an own constructor: literal_sites follows its parameters
            fields = g.field_names(g.classes[q]) if g.is_field_class(g.classes[q]) else []
            idx = fields.index(attr.attr) if attr.attr in fields else None
            followed = 0
            for site in g.field_constructions(q):
                given = site.call.kwarg(attr.attr)
                if given is None and idx is not None and idx < len(site.call.args) \
                        and not any(isinstance(a, ir.Starred) for a in site.call.args[: idx + 1]):
                    given = site.call.args[idx]
                if given is None or (not isinstance(given, ir.Constant) and followed >= 8):
                    continue
                if not isinstance(given, ir.Constant):
                    followed += 1
                if not any(given is x for x, _o, _a in out):
                    out.append((given, site.func, site.stmt))
    memo[key] = out
    return out


def _field_reads(g: ProjectGraph, e: ir.Expr, func: FunctionInfo, stmt: EvalAt,
                 depth: int = 3) -> list[tuple[ir.Attribute, FunctionInfo, EvalAt]]:
    """The attribute reads `e` is: itself, or what a local name is bound to (`model = cfg.model`),
    followed through up to `depth` assignments."""
    out: list[tuple[ir.Attribute, FunctionInfo, EvalAt]] = []
    todo: list[tuple[ir.Expr, FunctionInfo, EvalAt, int]] = [(e, func, stmt, depth)]
    while todo:
        x, f, st, d = todo.pop()
        if isinstance(x, ir.Attribute):
            out.append((x, f, st))
        elif isinstance(x, ir.Name) and d > 0:
            owner, defs = g.name_bindings(f, x.id, st)
            todo += [(dfn.value, owner, dfn.stmt, d - 1) for dfn in defs
                     if dfn.how == "assign" and dfn.value is not None]
    return out


def _routed_to_own_provider(g: ProjectGraph, uses: list[ModelUse]) -> list[ModelUse]:
    """The uses, less an id of one provider at another provider's own SDK call when a call of its
    own provider's SDK also receives it: a provider router (`BaseClient.for_provider(...)`, one
    client class per provider sharing `self.config.model`) sends each id to its own provider's
    client, though every client's call is reached by the union of the configured ids. An id no call
    of its provider receives (an OpenAI-compatible endpoint serving another vendor's model) stays."""
    received: dict[str, set[str]] = {}
    for use in uses:
        if use.llm_call is not None:
            received.setdefault(use.llm_call.provider, set()).add(use.model_id)
    out: list[ModelUse] = []
    for use in uses:
        info = g.catalog.model(use.model_id) if use.llm_call is not None else None
        if info is not None and use.llm_call is not None and info.provider != use.llm_call.provider \
                and use.model_id in received.get(info.provider, ()):
            continue
        out.append(use)
    return out


GENERATIVE_APIS = frozenset({"chat", "responses", "completion", "generate"})


def tools_requested(g: ProjectGraph, use: ModelUse) -> Optional[ir.Expr]:
    """Where tool calling is asked of the model at this use: a non-empty `tools`/`functions`
    argument of the LLM call, a tool-binding binder (`.bind_tools(...)`, `.bind(tools=...)`), or
    tools handed to an agent constructor whose framework drives them by native tool calling.
    Returns the expression to point at, or None."""
    def non_empty(e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt) -> bool:
        if e is None:
            return False
        lit = literal_of(g, e, func, stmt)
        if lit is not None and isinstance(lit[0], ir.Seq) and not lit[0].elts:
            return False
        vals = closed_values(g, e, func, stmt)  # `tools=None` that no project call ever fills
        if vals is None:
            vals = set(g.values(e, func, stmt))
        return not (vals and all(isinstance(v, Const) and v.value in (None, False) for v in vals))

    c = use.llm_call
    if c is not None:
        s = c.setting("tools")
        if s is not None and non_empty(s.expr, s.func, cast(EvalAt, s.stmt)):
            return s.expr
        for path, bind in getattr(c, "binds", ()):
            func = g.function_of(path, bind.pos)
            name = bind.func.attr if isinstance(bind.func, ir.Attribute) else ""
            if "tool" in name and (bind.args or bind.keywords):
                return bind
            for kw in ("tools", "functions"):
                if func is not None and non_empty(bind.kwarg(kw), func, None):
                    return bind
        return None
    if use.where == "agent" and use.call is not None:
        spec = use.spec
        if not isinstance(spec, AgentSpec) or not spec.tool_calling:
            return None
        e = construction_arg(use.call, [spec.tools_param] if spec.tools_param else [], spec.tools_positional)
        if e is not None and non_empty(e, use.func, use.stmt):
            return e
    return None


def int_setting(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> Optional[int]:
    """The integer an expression certainly is (every resolved value the same int constant).
    `stmt` is an EvalAt, typed `object` like cpg's `Setting.stmt`."""
    vals = closed_values(g, e, func, stmt)  # a default no project call overrides is certain
    if vals is None:
        vals = set(g.values(e, func, stmt))
    ints = {v.value for v in vals if isinstance(v, Const) and isinstance(v.value, int) and not isinstance(v.value, bool)}
    if len(ints) == 1 and len(vals) == 1:
        return ints.pop()
    return None


def retired_by(info: object, today: str) -> bool:
    """Has the provider shut the model of this catalog entry (a ModelInfo) down by `today` (ISO)?"""
    retired = getattr(info, "retired", None)
    return bool(retired) and str(retired) <= today


def distinct_uses(uses) -> list:
    """Model uses with each (file, line, model id) of the place they are reported once: one
    finding per place a model id is written (or used, when it is written elsewhere too). In
    (file, position, model id) order: the uses come from value sets, whose order varies with the
    hash seed, and a report keeps one finding per rule and line."""
    seen: set[tuple[str, int, str]] = set()
    out = []
    # ties (one call, one id written at two places) go to the first place in source order
    for use in sorted(uses, key=lambda u: (u.report_at[0], tuple(u.report_at[1]), u.model_id,
                                           _literal_key(getattr(u, "literal", None)))):
        path, pos = use.report_at
        key = (path, pos[0], use.model_id)
        if key not in seen:
            seen.add(key)
            out.append(use)
    return out


def _literal_key(literal: Optional[tuple[str, ir.Pos]]) -> tuple[str, tuple[int, ...]]:
    return ("", ()) if literal is None else (literal[0], tuple(literal[1]))


def names_deployment(g: ProjectGraph, settings: tuple[tuple[str, object], ...]) -> bool:
    """Does a settings table (its `api_type` / `provider` beside the model) make its `model` the
    name of the user's deployment (catalog deployment_api_types) rather than a model id?"""
    kinds = g.catalog.deployment_api_types
    return any(k in ("api_type", "provider") and isinstance(v, str) and v.strip().lower() in kinds
               for k, v in settings)


_LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "[::1]")


def self_hosted(g: ProjectGraph, c: Optional[LLMCall]) -> bool:
    """Does a raw HTTP LLM call only ever address a server on this machine: every URL text it may
    be built from names a local host (`http://127.0.0.1:8000/chat/completions`)? The model ids it
    sends are that server's names, not a provider's, so provider retirements do not apply."""
    spec = getattr(c, "spec", None) if c is not None else None
    if c is None or getattr(spec, "framework", "") != "http":
        return False
    url = construction_arg(c.call, [getattr(spec, "url_param", None) or ""], getattr(spec, "url_positional", None))
    texts = EndpointTexts(g.resolver).of(url, c.func, c.site.stmt) if url is not None else []
    hosts = [t.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0] for t in texts if "://" in t]
    return bool(hosts) and len(hosts) == len(texts) and all(h in _LOCAL_HOSTS for h in hosts)



def sent_platform(g: ProjectGraph, model_id: str, llm_call: Optional[LLMCall] = None,
                  spec: object = None) -> Optional[str]:
    """The cloud platform (Amazon Bedrock, Google Vertex AI, Azure OpenAI: catalog
    platform_models.toml) that serves `model_id` on its own retirement schedule: named by the id's own
    spelling (`bedrock/...`, `us.anthropic.claude-...-v1:0`, `claude-...@20240620`), or by the client
    or model class that sends it (`AnthropicBedrock`, `ChatVertexAI`, `AzureOpenAI`). None for a
    first-party provider's API, whose dates are the model table's."""
    platforms = g.catalog.platforms
    found = platforms.platform_of_id(model_id)
    if found is not None:
        return found
    for s in (spec, getattr(llm_call, "spec", None)):
        if s is not None:
            found = platforms.platform_of_client(str(getattr(s, "provider", "")), getattr(s, "classes", ()))
            if found is not None:
                return found
    if llm_call is not None and llm_call.client_site is not None:
        # every client the call's receiver may be must be the platform's: `client = AnthropicBedrock(...)
        # if use_aws else Anthropic(...)` also sends the id to the provider's own API
        found = None
        for path in _receiver_classes(g, llm_call) or [llm_call.ctor_path]:
            client = g.catalog.llm_client(path)
            here = platforms.platform_of_client(client.provider, client.classes) if client is not None else None
            if here is None or (found is not None and here != found):
                return None
            found = here
        return found
    return None


def _receiver_classes(g: ProjectGraph, c: LLMCall) -> list[str]:
    """The catalog paths of the client classes the receiver of an SDK call may be an instance of
    (`self.client.chat.completions.create`: the constructions `self.client` may hold), read at the
    first object down the attribute chain that holds a known client."""
    e: ir.Expr = c.call.func
    while isinstance(e, ir.Attribute):
        e = e.value
        out: list[str] = []
        for v in g.values(e, c.func, c.site.stmt):
            path = getattr(v, "path", "")
            if isinstance(path, str) and path.endswith("()") and g.catalog.llm_client(path[:-2]) is not None \
                    and path[:-2] not in out:
                out.append(path[:-2])
        if out:
            return out
    return []
