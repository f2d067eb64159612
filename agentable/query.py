"""The query library: reusable predicates over the project graph that keep rules short.

Rules ask questions such as "does this value come from an LLM call?" or "is this statement
protected by a handler, here or in every caller?"; the answers live here, once.
"""

from __future__ import annotations

from typing import Iterable, Optional, Union

from agentable.cpg import ir
from agentable.cpg.flow import EXIT, locally_protected
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.cpg.values import Const, LLMOutput, Parsed, Typed, Value
from agentable.findings import FlowStep

# ----------------------------------------------------------------------------- LLM output


def llm_outputs(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, *, text_only: bool = True) -> list[LLMOutput]:
    """LLM outputs that `e` may evaluate to (the generated text, or also raw responses)."""
    out: list[LLMOutput] = []
    for v in g.values(e, func, stmt):
        if isinstance(v, LLMOutput) and (v.text or not text_only):
            out.append(v)
    return sorted(out, key=lambda v: (len(v.steps), v.site[0], v.site[1].pos))


def parsed_outputs(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> list[Parsed]:
    return [v for v in g.values(e, func, stmt) if isinstance(v, Parsed) and not v.validated]


def flow_steps(g: ProjectGraph, value: Union[LLMOutput, Parsed], last: Optional[tuple[str, ir.Pos, str]] = None) -> tuple[FlowStep, ...]:
    """A value's data-flow path as FlowSteps (for messages and SARIF codeFlows)."""
    src = value.source if isinstance(value, Parsed) else value
    steps = list(src.steps)
    if last is not None:
        steps.append(last)
    out: list[FlowStep] = []
    seen: set[tuple[str, int]] = set()
    for path, pos, msg in steps:
        key = (path, pos[0])
        if key in seen:
            continue
        seen.add(key)
        out.append(FlowStep(g.span(path, pos), msg))
    return tuple(out)


# ----------------------------------------------------------------------------- fault tolerance


def is_protected(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt, raised: tuple[str, ...], depth: int = 4,
                 _seen: Optional[set[str]] = None) -> bool:
    """Is `stmt` inside a try that catches one of `raised`, in this function or (for every call
    path) in its callers? Functions nobody in the project calls count as unprotected."""
    if locally_protected(func, stmt, raised) is not None:
        return True
    if depth <= 0 or func.is_module:
        return False
    seen = _seen if _seen is not None else set()
    if func.qualname in seen:
        return False
    seen.add(func.qualname)
    callers = g.callers(func)
    if not callers:
        return False
    return all(is_protected(g, site.func, site.stmt, raised, depth - 1, seen) for site in callers)


def protecting_handler_names(g: ProjectGraph, func: FunctionInfo, stmt: ir.Stmt) -> list[str]:
    from agentable.cpg.flow import enclosing_handlers, handler_type_names

    names: list[str] = []
    for h in enclosing_handlers(func, stmt):
        names.extend(handler_type_names(h) or ["<bare except>"])
    return names


# ----------------------------------------------------------------------------- checks before use


def _names_in(e: ir.Expr) -> set[str]:
    out: set[str] = set()
    for x in ir.walk_expr(e):
        d = ir.dotted(x)
        if d:
            out.add(d)
    return out


def _exits(block: list[ir.Stmt]) -> bool:
    return bool(block) and (isinstance(block[-1], (ir.Return, ir.Raise)) or
                            (isinstance(block[-1], ir.Simple) and block[-1].kind in ("continue", "break")))


def checked_before(func: FunctionInfo, stmt: ir.Stmt, name: str) -> bool:
    """Is `name` tested before `stmt` runs: an enclosing `if`/`while` whose test mentions it, an
    earlier `if not name: return/raise/continue`, an `assert name`, or a walrus in the test."""
    child: object = stmt
    for anc in func.ancestors(stmt):
        if isinstance(anc, (ir.If, ir.While)) and name in _names_in(anc.test):
            return True
        block = _block_containing(anc, child)
        if block is not None and _guard_in_prefix(block, child, name):
            return True
        child = anc
    return _guard_in_prefix(func.body, child, name)


def _block_containing(anc: object, child: object) -> Optional[list[ir.Stmt]]:
    blocks: list[list[ir.Stmt]] = []
    if isinstance(anc, ir.Handler):
        blocks = [anc.body]
    elif isinstance(anc, ir.Stmt):
        blocks = ir.child_blocks(anc)
        if isinstance(anc, (ir.FunctionDef, ir.ClassDef)):
            blocks = [anc.body]
    for b in blocks:
        if any(s is child for s in b):
            return b
    return None


def _guard_in_prefix(block: list[ir.Stmt], child: object, name: str) -> bool:
    for s in block:
        if s is child:
            return False
        if isinstance(s, ir.If) and name in _names_in(s.test) and (_exits(s.body) or _exits(s.orelse)):
            return True
        if isinstance(s, ir.Simple) and s.kind == "assert" and s.exprs and name in _names_in(s.exprs[0]):
            return True
    return False


# ----------------------------------------------------------------------------- returns


def implicit_none_exits(g: ProjectGraph, func: FunctionInfo) -> list[object]:
    """Statements after which control falls off the end of the function (returning None)."""
    if func.node is None:
        return []
    cfg = g.reaching(func).cfg
    return [p for p in cfg.predecessors(EXIT) if not isinstance(p, (ir.Return, ir.Raise))]


def bare_returns(func: FunctionInfo) -> list[ir.Return]:
    return [r for r in func.returns if r.value is None or (isinstance(r.value, ir.Constant) and r.value.value is None)]


def value_kinds(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> set[str]:
    """Coarse Python types an expression may have: str, dict, list, none, int, generator, …"""
    kinds: set[str] = set()
    for v in g.values(e, func, stmt):
        kinds.add(value_kind(v))
    return kinds


def value_kind(v: Value) -> str:
    if isinstance(v, Const):
        if v.value is None:
            return "none"
        return type(v.value).__name__
    if isinstance(v, Typed):
        return v.kind
    if isinstance(v, LLMOutput):
        return "str" if v.text else "response"
    return "unknown"


# ----------------------------------------------------------------------------- misc


def call_sites(g: ProjectGraph, funcs: Iterable[FunctionInfo]) -> Iterable[CallSite]:
    for f in funcs:
        yield from f.calls


def strings_in(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, depth: int = 4) -> list[str]:
    """Literal text that flows into an expression: literals, f-string parts, `.format()`
    templates, `+` operands, list/dict literals and named constants (prompts, stop lists)."""
    out: list[str] = []
    _strings(g, e, func, stmt, depth, out, set())
    return out


def _strings(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, depth: int, out: list[str], seen: set[int]) -> None:
    if e is None or depth < 0 or id(e) in seen:
        return
    seen.add(id(e))
    if isinstance(e, ir.Constant) and isinstance(e.value, str):
        out.append(e.value)
    elif isinstance(e, ir.FString):
        out.append(e.literal_text())
        for p in e.parts:
            if not isinstance(p, str):
                _strings(g, p, func, stmt, depth - 1, out, seen)
    elif isinstance(e, (ir.Concat,)):
        for p in e.parts:
            _strings(g, p, func, stmt, depth, out, seen)
    elif isinstance(e, ir.BinOp):
        _strings(g, e.left, func, stmt, depth, out, seen)
        _strings(g, e.right, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Seq):
        for x in e.elts:
            _strings(g, x, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Dict):
        for k, v in zip(e.keys, e.values):
            if isinstance(k, ir.Constant) and k.value in ("role", "type", "name"):
                continue
            _strings(g, v, func, stmt, depth, out, seen)
    elif isinstance(e, ir.Call):
        if isinstance(e.func, ir.Attribute) and e.func.attr in ("format", "join", "format_map", "strip", "replace"):
            _strings(g, e.func.value, func, stmt, depth - 1, out, seen)
        for a in e.args:
            _strings(g, a, func, stmt, depth - 1, out, seen)
        for kw in e.keywords:
            _strings(g, kw.value, func, stmt, depth - 1, out, seen)
    elif isinstance(e, ir.Name):
        defs = g.resolver.local_defs(func, e.id, stmt)
        owner = func
        if not defs:
            owner = func.module.toplevel
            defs = owner.defs.get(e.id, [])
        for d in defs:
            if d.how in ("assign", "walrus") and d.value is not None:
                _strings(g, d.value, owner, d.stmt, depth - 1, out, seen)
            elif d.how == "import":
                for v in g.values(e, func, stmt):
                    if isinstance(v, Const) and isinstance(v.value, str):
                        out.append(v.value)
    elif isinstance(e, ir.Attribute):
        for v in g.values(e, func, stmt):
            if isinstance(v, Const) and isinstance(v.value, str):
                out.append(v.value)


# ----------------------------------------------------------------------------- models in use (ADAL, LARD)

from dataclasses import dataclass as _dataclass  # noqa: E402


@_dataclass(eq=False)
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
    stmt: object
    where: str  # call | client | bind | chat_model | agent
    api: str
    spec: object
    call: Optional[ir.Call] = None  # the LLM call, or the chat-model / agent construction
    llm_call: object = None  # agentable.cpg.agent.LLMCall when the use is an LLM call

    @property
    def path(self) -> str:
        return self.func.path

    @property
    def pos(self) -> ir.Pos:
        return self.expr.pos


def chat_model_api(spec: object) -> str:
    """"completion" for a framework LLM class whose calls return plain text (a completion-style
    LLM such as a text-completion wrapper), else "chat"."""
    text_methods = set(getattr(spec, "returns_text_methods", ()) or ())
    output_text = getattr(spec, "output_text", ()) or ()
    if not output_text and text_methods & {"invoke", "__call__"}:
        return "completion"
    return "chat"


def _const_strs(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> list[str]:
    return [v.value for v in g.values(e, func, stmt) if isinstance(v, Const) and isinstance(v.value, str)]


def literal_of(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, depth: int = 3) -> Optional[tuple[ir.Expr, FunctionInfo, object]]:
    """The dict/list/tuple literal an expression is (directly, or through a local/global/`self.x`
    binding), with the scope to read its elements in; None when it is not a known literal."""
    for _ in range(depth):
        if isinstance(e, (ir.Dict, ir.Seq)):
            return e, func, stmt
        if not isinstance(e, (ir.Name, ir.Attribute)):
            return None
        defs = g._literal_defs(e, func, stmt)
        if len(defs) != 1:
            return None
        e, func, stmt = defs[0]
    return (e, func, stmt) if isinstance(e, (ir.Dict, ir.Seq)) else None


def dict_values_for_key(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object, key: str,
                        depth: int = 4) -> list[tuple[ir.Expr, FunctionInfo, object]]:
    """Values stored under `key` in a dict literal, searched through nested literal dicts and lists
    (e.g. `{"config_list": [{"model": ...}]}`)."""
    out: list[tuple[ir.Expr, FunctionInfo, object]] = []
    if depth < 0:
        return out
    lit = literal_of(g, e, func, stmt)
    if lit is None:
        return out
    node, owner, s = lit
    if isinstance(node, ir.Dict):
        for k, v in zip(node.keys, node.values):
            if isinstance(k, ir.Constant) and k.value == key:
                out.append((v, owner, s))
            elif v is not None:
                out.extend(dict_values_for_key(g, v, owner, s, key, depth - 1))
    else:
        for elt in node.elts:
            out.extend(dict_values_for_key(g, elt, owner, s, key, depth - 1))
    return out


def construction_arg(call: ir.Call, names: Iterable[str], positional: Optional[int]) -> Optional[ir.Expr]:
    """The argument of a construction call given by keyword (first of `names`) or position."""
    for n in names:
        if n:
            v = call.kwarg(n)
            if v is not None:
                return v
    if positional is not None and positional < len(call.args) and not any(
            isinstance(a, ir.Starred) for a in call.args[: positional + 1]):
        return call.args[positional]
    return None


def _ext_paths(g: ProjectGraph, call: ir.Call, func: FunctionInfo, stmt: object) -> list[str]:
    from agentable.cpg.values import ExtRef

    return [v.path for v in g.values(call.func, func, stmt) if isinstance(v, ExtRef)]


def chat_model_constructions(g: ProjectGraph) -> list[tuple[CallSite, object]]:
    """Calls that construct a framework chat model (its class or a factory), with its spec."""
    memo = getattr(g, "_q_chat_model_constructions", None)
    if memo is not None:
        return memo
    out: list[tuple[CallSite, object]] = []
    cat = g.catalog
    for func in g.agent.functions():
        for site in func.calls:
            for path in _ext_paths(g, site.call, func, site.stmt):
                spec = cat.chat_model(path) or cat.chat_model_factory(path)
                if spec is not None:
                    out.append((site, spec))
                    break
    g._q_chat_model_constructions = out  # type: ignore[attr-defined]
    return out


@_dataclass(eq=False)
class ModelSlot:
    """An expression that gives a model its id: an LLM call's effective `model` setting, a chat-model
    construction's model argument, or a framework agent's model/llm argument (or a `"model"` key in
    a literal config dict given there)."""

    expr: ir.Expr
    func: FunctionInfo
    stmt: object
    where: str  # call | client | bind | chat_model | agent
    api: str
    spec: object
    call: Optional[ir.Call] = None
    llm_call: object = None

    @property
    def path(self) -> str:
        return self.func.path


def model_slots(g: ProjectGraph) -> list[ModelSlot]:
    """Every place a model id is given to a generative or API role (see ModelSlot), once per
    expression."""
    memo = getattr(g, "_q_model_slots", None)
    if memo is not None:
        return memo
    out: list[ModelSlot] = []
    seen: set[int] = set()

    def add(slot: ModelSlot) -> None:
        if id(slot.expr) not in seen:
            seen.add(id(slot.expr))
            out.append(slot)

    for c in g.agent.llm_calls:
        s = c.setting("model")
        if s is not None:
            api = chat_model_api(c.spec) if c.is_chat_model else c.api
            add(ModelSlot(s.expr, s.func, s.stmt, s.where, api, c.spec, c.call, c))
    for site, spec in chat_model_constructions(g):
        e = construction_arg(site.call, getattr(spec, "model_params", ()) or (), getattr(spec, "model_positional", None))
        if e is not None:
            add(ModelSlot(e, site.func, site.stmt, "chat_model", chat_model_api(spec), spec, site.call))
    for ac in g.agent.agent_constructs:
        spec, call, func, stmt = ac.spec, ac.site.call, ac.site.func, ac.site.stmt
        for name, pos in ((getattr(spec, "model_param", None), getattr(spec, "model_positional", None)),
                          (getattr(spec, "llm_param", None), getattr(spec, "llm_positional", None))):
            e = construction_arg(call, [name] if name else [], pos)
            if e is None:
                continue
            add(ModelSlot(e, func, stmt, "agent", "chat", spec, call))
            for v, owner, s in dict_values_for_key(g, e, func, stmt, "model"):
                add(ModelSlot(v, owner, s, "agent", "chat", spec, call))
    g._q_model_slots = out  # type: ignore[attr-defined]
    return out


def model_uses(g: ProjectGraph) -> list[ModelUse]:
    """Every model id (string constant) that reaches a model slot (`model_slots`): LLM calls
    (argument, bound setting, client), chat-model constructions, and framework agents (`model=`, a
    model string given as the agent's `llm`, or `"model"` keys inside an `llm_config`-style dict).
    Each (model id, expression) pair appears once."""
    memo = getattr(g, "_q_model_uses", None)
    if memo is not None:
        return memo
    out: list[ModelUse] = []
    for slot in model_slots(g):
        for mid in dict.fromkeys(_const_strs(g, slot.expr, slot.func, slot.stmt)):
            out.append(ModelUse(mid, slot.expr, slot.func, slot.stmt, slot.where, slot.api, slot.spec, slot.call,
                                slot.llm_call))
    g._q_model_uses = out  # type: ignore[attr-defined]
    return out


GENERATIVE_APIS = frozenset({"chat", "responses", "completion", "generate"})


def tools_requested(g: ProjectGraph, use: ModelUse) -> Optional[ir.Expr]:
    """Where tool calling is asked of the model at this use: a non-empty `tools`/`functions`
    argument of the LLM call, a tool-binding binder (`.bind_tools(...)`, `.bind(tools=...)`), or
    tools handed to an agent constructor whose framework drives them by native tool calling.
    Returns the expression to point at, or None."""
    from agentable.cpg.values import Const as _C

    def non_empty(e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> bool:
        if e is None:
            return False
        lit = literal_of(g, e, func, stmt)
        if lit is not None and isinstance(lit[0], ir.Seq) and not lit[0].elts:
            return False
        vals = g.values(e, func, stmt)
        return not (vals and all(isinstance(v, _C) and v.value in (None, False) for v in vals))

    c = use.llm_call
    if c is not None:
        s = c.setting("tools")
        if s is not None and non_empty(s.expr, s.func, s.stmt):
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
        if not getattr(spec, "tool_calling", False):
            return None
        e = construction_arg(use.call, [spec.tools_param] if spec.tools_param else [], spec.tools_positional)
        if e is not None and non_empty(e, use.func, use.stmt):
            return e
    return None


def int_setting(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> Optional[int]:
    """The integer an expression certainly is (every resolved value the same int constant)."""
    vals = g.values(e, func, stmt)
    ints = {v.value for v in vals if isinstance(v, Const) and isinstance(v.value, int) and not isinstance(v.value, bool)}
    if len(ints) == 1 and len(vals) == 1:
        return ints.pop()
    return None


def mask_secret(s: str) -> str:
    """A secret shown safely in a message: its first 4 characters and its length."""
    return f"{s[:4]}… ({len(s)} chars)" if len(s) > 4 else "…"


# ----------------------------------------------------------------------------- declared versions (LARD, EPDD)


def versions_disjoint(declared: str, available: str) -> bool:
    """True when no version admitted by the `declared` PEP 440 specifier set is in `available`
    (e.g. declared ">=1.30", available "<1.0"). Checked on every boundary version either set
    names, and the versions just around them."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        d, a = SpecifierSet(declared), SpecifierSet(available)
    except InvalidSpecifier:
        return False
    cands: set[str] = {"0", "0.0.1", "9999"}
    for spec in list(d) + list(a):
        v = spec.version.rstrip(".*")
        try:
            ver = Version(v)
        except InvalidVersion:
            return False
        rel = list(ver.release)
        cands.add(str(ver))
        for i in range(len(rel)):
            up = rel[: i + 1]
            up[-1] += 1
            cands.add(".".join(map(str, up)))
            if rel[i] > 0:
                down = rel[: i + 1]
                down[-1] -= 1
                cands.add(".".join(map(str, down)) + ".999")
        cands.add(".".join(map(str, rel + [1])))
        cands.add(".".join(map(str, rel + [0, 1])))
    if any(d.contains(c, prereleases=True) and a.contains(c, prereleases=True) for c in cands):
        return False
    # no candidate in both; require the declared range itself to be satisfiable by a candidate
    return any(d.contains(c, prereleases=True) for c in cands)


def api_unavailable(g: ProjectGraph, path: str, symbol: str):
    """Is `symbol` (a catalog path such as "openai.ChatCompletion.create" or
    "langchain.chat_models.ChatOpenAI") missing from EVERY version that the project's manifests for
    the file `path` admit? Returns (ApiAvailability, Requirement) for the most specific catalog
    `[[api_availability]]` entry whose distribution is declared with a range disjoint from the
    entry's `available` range, else None. The Requirement (agentable.cpg.manifests) is the
    declaration to cite (manifest path and line). Undeclared distributions, unpinned declarations
    and unparsable ranges give None (say nothing). Shared by LARD001 (LLM APIs) and EPDD (other
    libraries)."""
    for avail in g.catalog.api_availability(symbol):
        found = declared_requirement(g, path, avail.dist)
        if found is not None and versions_disjoint(found[1], avail.available):
            return avail, found[0]
    return None


def declared_requirement(g: ProjectGraph, path: str, dist: str):
    """(Requirement, combined specifier text) that the manifests governing file `path` declare for
    `dist`, or None when it is undeclared or declared without a version range."""
    manifests = getattr(g, "manifests", None)
    if manifests is None:
        return None
    try:
        scope = manifests.for_path(path)
        reqs = scope.declared(dist)
        spec = scope.specifier_for(dist)
    except Exception:
        return None
    if not reqs or spec is None or not str(spec):
        return None
    main = [r for r in reqs if getattr(r, "group", "main") == "main"] or reqs
    return main[0], str(spec)


def declared_specifier(g: ProjectGraph, path: str, dist: str) -> Optional[str]:
    """The version specifier (PEP 440 text) the manifests for file `path` declare for `dist`, or
    None when undeclared or unpinned."""
    found = declared_requirement(g, path, dist)
    return found[1] if found is not None else None


def env_default_empty(v: object) -> bool:
    """Is this value an environment read (`os.getenv(NAME, "")`, `os.environ.get(NAME, "")`) whose
    fallback is the empty string?"""
    from agentable.cpg.values import ExtRef

    if not isinstance(v, ExtRef) or v.site is None:
        return False
    if v.path not in ("os.getenv()", "os.environ.get()"):
        return False
    call = v.site[1]
    default = call.args[1] if len(call.args) > 1 else call.kwarg("default")
    return isinstance(default, ir.Constant) and default.value == ""
